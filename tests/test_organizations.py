"""Organizations: canonical names, kinds, implied localities, places old and new."""
from conftest import run


def names(record):
    return {o.name: o for o in record.organizations}


def test_abbreviations_are_expanded_and_the_article_locality_is_made_explicit():
    r = run(
        "Sở KH&CN tỉnh Nghệ An làm việc với UBND huyện Quỳnh Lưu\n\n"
        "Chiều 12/9/2023, lãnh đạo Sở KH&CN đã làm việc với UBND huyện Quỳnh Lưu về mô hình nuôi tôm. "
        "Tham dự có đại diện UBND tỉnh và Tỉnh ủy."
    )
    orgs = names(r)
    assert orgs["Sở Khoa học và Công nghệ tỉnh Nghệ An"].kind == "provincial_department"
    assert orgs["Ủy ban nhân dân huyện Quỳnh Lưu"].kind == "local_government"
    assert orgs["Ủy ban nhân dân huyện Quỳnh Lưu"].province == "Nghệ An"
    assert "Ủy ban nhân dân tỉnh Nghệ An" in orgs
    assert orgs["Tỉnh ủy Nghệ An"].kind == "party_body"


def test_city_takes_thanh_pho_and_tp_abbreviation_is_read():
    r = run("Đoàn công tác của Cục Sở hữu trí tuệ làm việc với Sở KH&CN TP. Đà Nẵng và Công an thành phố ngày 3/4/2023.")
    orgs = names(r)
    assert "Sở Khoa học và Công nghệ thành phố Đà Nẵng" in orgs
    assert orgs["Công an thành phố Đà Nẵng"].kind == "other"
    assert orgs["Cục Sở hữu trí tuệ"].kind == "ministry_unit"


def test_historical_province_kept_as_printed_with_its_current_province():
    r = run("Ngày 10/5/2024, Sở Khoa học và Công nghệ tỉnh Hải Dương tổ chức hội thảo về chuyển đổi số.")
    org = names(r)["Sở Khoa học và Công nghệ tỉnh Hải Dương"]
    assert org.province == "Hải Dương"
    assert org.province_now == "Hải Phòng"


def test_name_stops_at_the_verb_and_at_a_coordinated_second_organization():
    r = run("Viện Công nghệ môi trường đã phối hợp với Trường Đại học Vinh và Hội Nông dân tỉnh Nghệ An triển khai đề tài.")
    orgs = names(r)
    assert "Viện Công nghệ môi trường" in orgs
    assert "Trường Đại học Vinh" in orgs
    assert orgs["Trường Đại học Vinh"].kind == "university"
    assert "Hội Nông dân tỉnh Nghệ An" in orgs


def test_plural_and_generic_heads_are_not_organizations():
    r = run("Các Sở, ngành và các Vụ chức năng cùng dự Hội nghị; Viện trưởng phát biểu tại hội trường.")
    assert r.organizations == []


def test_enterprises_and_ministries():
    r = run("Bộ Công Thương và Công ty CP Công nghệ sinh học Tây Nguyên ký kết hợp tác với Bộ KH&CN ngày 2/2/2023.")
    orgs = names(r)
    assert orgs["Bộ Công Thương"].kind == "ministry"
    assert orgs["Bộ Khoa học và Công nghệ"].kind == "ministry"
    assert any(o.kind == "enterprise" and o.name.startswith("Công ty") for o in r.organizations)


def test_every_organization_shows_the_sentence_it_came_from():
    text = "Sở KH&CN tỉnh Bình Định tổ chức hội nghị.\n\nSau đó, Viện Nghiên cứu và Phát triển Vùng trình bày."
    r = run(text)
    for org in r.organizations:
        assert org.evidence, org.name
        quoted = r.text[org.evidence[0].start : org.evidence[0].end]
        assert org.mentions[0] in quoted


def test_an_acronym_defined_in_parentheses_names_the_organization_later():
    r = run(
        "Sáng 9/5/2024, Sở KH&CN tỉnh Quảng Nam và Viện Nghiên cứu Điện tử Hàn Quốc (ETRI) ký kết Biên bản ghi nhớ. "
        "Phía ETRI có TS. Lee Sang-woo, Phó Viện trưởng. ETRI sẽ cử chuyên gia sang làm việc."
    )
    lee = next(p for p in r.persons if p.name == "Lee Sang-woo")
    assert [x.title for x in lee.positions] == ["Phó Viện trưởng Viện Nghiên cứu Điện tử Hàn Quốc"]
    (org,) = [o for o in r.organizations if o.name == "Viện Nghiên cứu Điện tử Hàn Quốc"]
    assert "ETRI" in org.mentions
