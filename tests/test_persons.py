"""People: bare names, honorifics apart, every position of appositive chains, former posts."""
from conftest import run


def people(record):
    return {p.name: p for p in record.persons}


def titles(person):
    return [(p.title, p.former) for p in person.positions]


def test_address_word_name_and_chain_with_party_post_taking_the_next_organization():
    r = run(
        "Dự buổi làm việc có đồng chí Lê Minh Hoan, Ủy viên Ban Cán sự đảng, Thứ trưởng Bộ KH&CN; "
        "bà Trần Thị Lan, Phó Giám đốc Sở KH&CN tỉnh Thái Bình."
    )
    p = people(r)
    assert titles(p["Lê Minh Hoan"]) == [
        ("Ủy viên Ban Cán sự đảng Bộ Khoa học và Công nghệ", False),
        ("Thứ trưởng Bộ Khoa học và Công nghệ", False),
    ]
    assert titles(p["Trần Thị Lan"]) == [("Phó Giám đốc Sở Khoa học và Công nghệ tỉnh Thái Bình", False)]
    assert p["Trần Thị Lan"].honorific is None


def test_honorific_is_kept_apart_and_former_posts_are_marked():
    r = run("Tham dự có PGS.TS Phạm Văn Đức – Nguyên Viện trưởng Viện Triết học, Phó Chủ tịch Hội Triết học Việt Nam.")
    p = people(r)["Phạm Văn Đức"]
    assert p.honorific == "PGS.TS"
    assert titles(p) == [("Viện trưởng Viện Triết học", True), ("Phó Chủ tịch Hội Triết học Việt Nam", False)]


def test_title_before_name():
    r = run("Chiều 4/10/2023, Thứ trưởng Bộ KH&CN Bùi Thế Duy đã làm việc với tỉnh Quảng Trị.")
    assert titles(people(r)["Bùi Thế Duy"]) == [("Thứ trưởng Bộ Khoa học và Công nghệ", False)]


def test_membership_titles_take_the_article_locality():
    r = run("Ông Hồ Văn Niên, Tỉnh ủy viên, Giám đốc Sở KH&CN phát biểu tại Hội nghị của tỉnh Gia Lai.")
    assert titles(people(r)["Hồ Văn Niên"]) == [
        ("Tỉnh ủy viên Gia Lai", False),
        ("Giám đốc Sở Khoa học và Công nghệ tỉnh Gia Lai", False),
    ]
    assert any(o.name == "Tỉnh ủy Gia Lai" for o in r.organizations)


def test_same_person_twice_collects_both_positions_without_duplicates():
    r = run(
        "Ông Vũ Đức Hạnh, Phó Giám đốc Sở KH&CN tỉnh Hưng Yên cho biết kế hoạch. "
        "Phó Giám đốc Sở KH&CN Vũ Đức Hạnh nhấn mạnh vai trò của doanh nghiệp. "
        "Ông Vũ Đức Hạnh, Bí thư Chi bộ, Phó Giám đốc Sở cũng đề nghị."
    )
    p = people(r)["Vũ Đức Hạnh"]
    assert [t for t, _ in titles(p)].count("Phó Giám đốc Sở Khoa học và Công nghệ tỉnh Hưng Yên") == 1
    assert ("Bí thư Chi bộ Sở Khoa học và Công nghệ tỉnh Hưng Yên", False) in titles(p)


def test_places_and_captions_are_not_people():
    r = run("Toàn cảnh Lễ ký kết tại tỉnh Cao Bằng. Đồng chí khẳng định Cao Bằng sẽ phối hợp. Lãnh đạo Sở phát biểu.")
    assert r.persons == []


def test_foreign_names_after_an_address_word():
    r = run("Ông Park Jae Hong, Giám đốc Văn phòng KOICA tại Việt Nam, phát biểu tại lễ ký.")
    assert "Park Jae Hong" in people(r)
