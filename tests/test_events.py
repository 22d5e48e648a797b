"""Events: type from the trigger nearest the date, the year from the dateline, part of day kept."""
from conftest import run


def test_signing_with_part_of_day_and_place():
    r = run("Sáng ngày 14/7/2023, tại trụ sở UBND tỉnh Lào Cai đã diễn ra Lễ ký kết Chương trình phối hợp.")
    (e,) = r.events
    assert (e.type, e.date, e.part_of_day) == ("signing", "2023-07-14", "sáng")
    assert e.location.startswith("trụ sở Ủy ban nhân dân tỉnh Lào Cai") or e.location.startswith("trụ sở UBND")


def test_date_without_year_takes_the_publication_year():
    r = run("Thứ Ba, 07/11/2023 - 15:40\n\nTiêu đề bài viết về hội thảo\n\nChiều 5/11, Sở KH&CN tỉnh Nam Định tổ chức Hội thảo khoa học về giống lúa.")
    assert r.published_at == "2023-11-07T15:40:00"
    assert [(e.type, e.date) for e in r.events] == [("conference", "2023-11-05")]


def test_review_beats_conference_and_visit_is_recognised():
    r = run(
        "Ngày 20/12/2023, Hội nghị sơ kết 2 năm thực hiện Chương trình phối hợp đã được tổ chức. "
        "Trước đó, ngày 18/12/2023, đoàn công tác của Bộ KH&CN đã đến làm việc tại tỉnh Hà Tĩnh."
    )
    assert [(e.type, e.date) for e in r.events] == [("review", "2023-12-20"), ("working_visit", "2023-12-18")]


def test_dates_of_legal_references_and_deadlines_are_not_events():
    r = run(
        "Thực hiện Quyết định số 569/QĐ-TTg ngày 11/5/2022 của Thủ tướng Chính phủ, "
        "các đơn vị hoàn thành hội thảo trước ngày 30/6/2024."
    )
    assert r.events == []
