"""Legal references: official number form, issuer, date; property tests of the number parser."""
from hypothesis import given
from hypothesis import strategies as st

from conftest import run
from hoptac.extract.legal import official_number


def refs(record):
    return {r.number: r for r in record.legal_refs}


def test_numbers_issuers_and_dates_in_their_official_form():
    r = run(
        "Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị, Luật Khoa học, Công nghệ và Đổi mới sáng tạo "
        "số 93/2025/QH15, Nghị định số 08/2014/NĐ-CP và Thông tư số 03/2024/TT-BKHCN, UBND tỉnh ban hành "
        "Quyết định số 1234/QĐ-UBND ngày 15 tháng 3 năm 2023."
    )
    found = refs(r)
    assert found["57-NQ/TW"].issuer == "Bộ Chính trị" and found["57-NQ/TW"].date == "2024-12-22"
    assert found["93/2025/QH15"].kind == "Luật" and found["93/2025/QH15"].issuer == "Quốc hội"
    assert found["08/2014/NĐ-CP"].issuer == "Chính phủ"
    assert found["03/2024/TT-BKHCN"].kind == "Thông tư"
    assert found["1234/QĐ-UBND"].date == "2023-03-15"


def test_misprinted_and_bare_party_numbers_are_restored():
    r = run("Kết quả 3 năm thực hiện Nghị quyết 12/NQ-TU của Tỉnh ủy và Nghị quyết 36 của Bộ Chính trị tại tỉnh Yên Bái.")
    assert {"12-NQ/TU", "36-NQ/TW"} <= set(refs(r))
    assert refs(r)["12-NQ/TU"].issuer == "Tỉnh ủy Yên Bái"


@given(n=st.integers(1, 9999), kind=st.sampled_from(["NQ", "CT", "KL", "QĐ"]), issuer=st.sampled_from(["TW", "TU", "HU", "ĐU"]))
def test_party_numbers_are_one_form_however_printed(n, kind, issuer):
    official = f"{n}-{kind}/{issuer}"
    assert official_number(official) == official
    assert official_number(f"{n}/{kind}-{issuer}") == official
    assert official_number(f"{n} - {kind}/{issuer}") == official


@given(n=st.integers(1, 99999), year=st.integers(1990, 2030), code=st.sampled_from(["QĐ-UBND", "TT-BKHCN", "NĐ-CP", "QĐ-TTg", "KH-SKHCN"]))
def test_state_numbers_are_kept_as_issued(n, year, code):
    assert official_number(f"{n}/{year}/{code}") == f"{n}/{year}/{code}"
    assert official_number(f"{n}/{code}") == f"{n}/{code}"
