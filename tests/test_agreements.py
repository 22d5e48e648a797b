"""Agreements: kind, parties, signing date, period, orientation, content points."""
from conftest import run

SIGNING = """Lễ ký kết hợp tác giữa Cục Đổi mới sáng tạo và UBND tỉnh Bắc Giang

Sáng ngày 9/8/2023, Cục Đổi mới sáng tạo (Bộ KH&CN) và UBND tỉnh Bắc Giang đã ký kết Chương trình phối hợp giai đoạn 2023-2027, tầm nhìn đến năm 2030.

Theo đó, hai bên thống nhất 4 nội dung hợp tác: (1) Xây dựng hệ sinh thái khởi nghiệp; (2) Đào tạo nguồn nhân lực; (3) Phát triển doanh nghiệp khoa học và công nghệ; (4) Truyền thông về đổi mới sáng tạo.
"""


def test_program_with_parties_period_orientation_and_listed_points():
    r = run(SIGNING)
    (a,) = r.agreements
    assert a.kind == "cooperation_program"
    assert set(a.parties) == {"Cục Đổi mới sáng tạo", "Ủy ban nhân dân tỉnh Bắc Giang"}
    assert a.signed_on == "2023-08-09"
    assert (a.period.start, a.period.end, a.orientation_to) == (2023, 2027, 2030)
    assert a.content_items == 4
    assert a.content_points[1] == "Đào tạo nguồn nhân lực"


def test_several_instruments_in_one_sentence_each_with_its_partner():
    r = run(
        "Chiều 2/3/2024, Sở KH&CN tỉnh Thái Nguyên đã ký kết Thỏa thuận hợp tác giai đoạn 2024-2028 với Đại học Thái Nguyên; "
        "ký kết Biên bản ghi nhớ với Viện Hàn lâm Khoa học và Công nghệ Việt Nam."
    )
    kinds = {a.kind: a for a in r.agreements}
    assert set(kinds["cooperation_agreement"].parties) == {"Sở Khoa học và Công nghệ tỉnh Thái Nguyên", "Đại học Thái Nguyên"}
    assert kinds["cooperation_agreement"].period.end == 2028
    assert set(kinds["other"].parties) == {"Sở Khoa học và Công nghệ tỉnh Thái Nguyên", "Viện Hàn lâm Khoa học và Công nghệ Việt Nam"}
    assert all(a.signed_on == "2024-03-02" for a in r.agreements)


def test_a_directive_count_is_not_the_programs_content():
    r = run(
        "Sở KH&CN và Công an tỉnh Sơn La đã thống nhất Chương trình phối hợp giai đoạn 2022-2026 với 6 nội dung. "
        "Phó Chủ tịch UBND tỉnh chỉ đạo 3 nội dung: hai đơn vị cần thực hiện tốt Chương trình phối hợp."
    )
    (a,) = r.agreements
    assert a.content_items == 6
    assert set(a.parties) == {"Sở Khoa học và Công nghệ tỉnh Sơn La", "Công an tỉnh Sơn La"}


def test_a_review_of_an_earlier_program_keeps_its_own_signing_date():
    r = run(
        "Ngày 15/11/2024, Sở KH&CN tỉnh Hà Nam tổ chức Hội nghị sơ kết Chương trình phối hợp giữa Sở KH&CN và "
        "Hội Liên hiệp Phụ nữ tỉnh Hà Nam, ký kết ngày 20/3/2022."
    )
    (a,) = r.agreements
    assert a.signed_on == "2022-03-20"
