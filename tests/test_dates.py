"""Date, dateline and period parsing, with property tests."""
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from hoptac.text.dates import find_dates, find_orientations, find_periods, parse_dateline

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2035, 12, 31))


@given(d=days, zero=st.booleans(), part=st.sampled_from(["", "Sáng ", "Chiều ", "sáng ngày ", "Chiều ngày ", "Ngày "]))
def test_any_day_written_day_first_is_read_back(d, zero, part):
    fmt = f"{d.day:02d}/{d.month:02d}/{d.year}" if zero else f"{d.day}/{d.month}/{d.year}"
    (m,) = find_dates(f"{part}{fmt}, tại hội trường")
    assert m.resolve(None) == d
    assert m.part_of_day == (part.split()[0].lower() if part.strip() and part.split()[0].lower() in ("sáng", "chiều") else None)


@given(d=days)
def test_worded_dates(d):
    (m,) = find_dates(f"ban hành ngày {d.day} tháng {d.month} năm {d.year} của UBND")
    assert m.resolve(None) == d


@given(d=days, year=st.integers(2000, 2030))
def test_a_date_without_year_takes_the_given_year(d, year):
    (m,) = find_dates(f"chiều {d.day}/{d.month}, đoàn đã làm việc")
    if d.month == 2 and d.day == 29:
        return
    assert m.resolve(year) == date(year, d.month, d.day)


@given(a=st.integers(1990, 2040), span=st.integers(0, 20), dash=st.sampled_from(["-", " - ", "–", " – ", "—"]))
def test_periods(a, span, dash):
    (p,) = find_periods(f"Chương trình giai đoạn {a}{dash}{a + span}, định hướng đến năm {a + span + 5}")
    assert (p.first, p.last) == (a, a + span)
    assert find_orientations(f"tầm nhìn đến năm {a + span}")[0][1] == a + span


def test_numbers_that_are_not_dates():
    assert find_dates("Nghị quyết 45/2022/QH15 và Quyết định 123/QĐ-UBND, lượt xem 1.234, giai đoạn 2021-2025") == []
    assert find_dates("ngày 31/2/2023") == []


def test_datelines_in_several_portal_styles():
    assert parse_dateline("Thứ năm, 28/04/2022 09:20 GMT+7") == "2022-04-28T09:20:00+07:00"
    assert parse_dateline("Thứ Ba, 12/9/2023 - 14:30") == "2023-09-12T14:30:00"
    assert parse_dateline("12/09/2023 08:15") == "2023-09-12T08:15:00"
    assert parse_dateline("Cập nhật: 14:05 | 12/09/2023") == "2023-09-12T14:05:00"
    assert parse_dateline("Ngày đăng: 05/01/2024") == "2024-01-05"
    assert parse_dateline("Sáng ngày 25/4/2022, tại trụ sở Viện đã diễn ra Lễ ký kết") is None
