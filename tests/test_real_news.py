"""Real news, class by class (issue 11): what national press writes that the portal articles
never did. Every sentence here is written for the test, in the genre; none is copied."""
from conftest import run


def people(record):
    return {p.name: [pos.title for pos in p.positions] for p in record.persons}


def orgs(record):
    return {o.name: o.kind for o in record.organizations}


def agreements(record):
    return [(a.kind, sorted(a.parties)) for a in record.agreements]


def events(record):
    return sorted((e.type, e.date) for e in record.events)


def commitments(record):
    return {(c.kind, c.actor) for c in record.commitments}


# --------------------------------------------------------------------------- 1. foreign people and bodies


def test_foreign_names_outside_the_surname_list_are_people():
    r = run(
        "Hàn Quốc hỗ trợ nghiên cứu năng lượng\n\n"
        "Chiều 15/10/2023, Thứ trưởng Bộ KH&CN Hoàng Minh tiếp Đại sứ Hàn Quốc tại Việt Nam Choi Young-sam. "
        "Đại sứ Choi cho biết Cơ quan Hợp tác quốc tế Hàn Quốc (KOICA) sẽ tài trợ dự án nghiên cứu về năng lượng."
    )
    assert people(r) == {"Hoàng Minh": ["Thứ trưởng Bộ Khoa học và Công nghệ"], "Choi Young-sam": ["Đại sứ Hàn Quốc tại Việt Nam"]}
    assert ("support_tasks", "Cơ quan Hợp tác Quốc tế Hàn Quốc") in commitments(r)


def test_a_foreign_ministry_keeps_its_state_and_a_short_reference_is_the_same_minister():
    r = run(
        "Việt Nam và Lào hợp tác chuyển đổi số\n\n"
        "Ngày 2/4/2024, Bộ trưởng Bộ Khoa học và Công nghệ Huỳnh Thành Đạt hội đàm với Bộ trưởng Bộ Công nghệ và "
        "Truyền thông Lào Boviengkham Vongdara. Bộ trưởng Boviengkham đánh giá cao sự hỗ trợ của Việt Nam."
    )
    assert orgs(r)["Bộ Công nghệ và Truyền thông Lào"] == "foreign_government"
    assert people(r)["Boviengkham Vongdara"] == ["Bộ trưởng Bộ Công nghệ và Truyền thông Lào"]
    assert "Boviengkham" not in people(r)


def test_international_bodies_are_named_in_full_with_their_acronym_aside():
    r = run(
        "Đào tạo thẩm định viên sáng chế\n\n"
        "Ngày 20/9/2022, Cục Sở hữu trí tuệ và Tổ chức Sở hữu trí tuệ thế giới (WIPO) tổ chức hội thảo tại Đà Nẵng. "
        "Đại diện WIPO cam kết sẽ hỗ trợ Cục Sở hữu trí tuệ đào tạo thẩm định viên."
    )
    o = {org.name: org for org in r.organizations}
    assert o["Tổ chức Sở hữu trí tuệ thế giới"].kind == "international_org"
    assert "WIPO" not in o  # the acronym is the same body, not another
    assert ("other", "Tổ chức Sở hữu trí tuệ thế giới") in commitments(r)


def test_a_foreign_head_of_government_keeps_the_country_and_ours_is_the_government_s():
    r = run(
        "Hai Thủ tướng hội đàm\n\n"
        "Sáng 7/1/2024, Thủ tướng Phạm Minh Chính hội đàm với Thủ tướng Lào Sonexay Siphandone. Sau hội đàm, hai "
        "Thủ tướng chứng kiến lễ ký Hiệp định hợp tác khoa học giữa Chính phủ Việt Nam và Chính phủ Lào."
    )
    assert people(r) == {"Phạm Minh Chính": ["Thủ tướng Chính phủ"], "Sonexay Siphandone": ["Thủ tướng Lào"]}
    assert agreements(r) == [("cooperation_agreement", ["Chính phủ", "Chính phủ Lào"])]
    assert ("signing", None) in events(r)  # right after the talks, but the article gives it no date


# --------------------------------------------------------------------------- 2. titles and their bodies


def test_a_ministry_written_by_its_field_is_the_ministry():
    r = run(
        "Thủ tướng thăm khu công nghệ cao\n\n"
        "Ngày 8/1/2024, Thủ tướng Phạm Minh Chính đến thăm Khu công nghệ cao Hòa Lạc. Cùng đi có Bộ trưởng Y tế "
        "Đào Hồng Lan và Bộ trưởng Huỳnh Thành Đạt."
    )
    p = people(r)
    assert p["Đào Hồng Lan"] == ["Bộ trưởng Bộ Y tế"]
    # a ministry has one minister: the other "Bộ trưởng" is not of the Bộ Y tế the article names
    assert p["Huỳnh Thành Đạt"] == ["Bộ trưởng"]
    assert "Khu công nghệ cao Hòa Lạc" not in orgs(r)  # a place, not a body
    assert events(r) == [("working_visit", "2024-01-08")]


def test_a_head_of_title_takes_the_one_body_of_its_kind_the_article_names():
    r = run(
        "Nam Định hợp tác đào tạo nhân lực số\n\n"
        "Sáng 14/5/2024, ông Trần Minh Khoa, Giám đốc Sở KH&CN tỉnh Nam Định, làm việc với Trường Đại học Bách khoa "
        "Hà Nội. Đại diện nhà trường, PGS.TS Lê Thị Hạnh, Phó Hiệu trưởng, phát biểu. Bà Hạnh cam kết sẽ tiếp nhận "
        "sinh viên của tỉnh thực tập."
    )
    assert people(r)["Lê Thị Hạnh"] == ["Phó Hiệu trưởng Trường Đại học Bách khoa Hà Nội"]
    # the short reference speaks for her university
    assert commitments(r) == {("other", "Trường Đại học Bách khoa Hà Nội")}


def test_a_department_s_name_is_capitalised_and_a_verb_after_it_is_not_its_name():
    r = run(
        "Chuyển đổi số ở Nam Định\n\n"
        "Ngày 3/6/2024, Sở KH&CN tỉnh Nam Định làm việc với Công ty Cổ phần Phần mềm Sông Hồng. Công ty sẽ hỗ trợ "
        "Sở xây dựng kế hoạch chuyển đổi số."
    )
    assert "Sở Xây dựng tỉnh Nam Định" not in orgs(r)
    assert orgs(r)["Sở Khoa học và Công nghệ tỉnh Nam Định"] == "provincial_department"


# --------------------------------------------------------------------------- 3. short references


def test_an_address_word_and_the_given_name_is_the_person_named_before():
    r = run(
        "Gặp mặt đầu xuân\n\n"
        "Đầu xuân Mậu Tuất, sáng 22/2, Bộ Khoa học và Công nghệ tổ chức gặp mặt cán bộ hưu trí. Bộ trưởng Chu Ngọc "
        "Anh chúc Tết các cán bộ. Ông Ngọc Anh cảm ơn các thế hệ lãnh đạo."
    )
    assert people(r) == {"Chu Ngọc Anh": ["Bộ trưởng Bộ Khoa học và Công nghệ"]}


def test_a_title_before_a_kind_of_body_names_no_person():
    r = run(
        "Hội nghị ngành tài chính\n\n"
        "Tại Hội nghị giám đốc Sở Tài chính năm 2019 tổ chức ngày 9/3, Thứ trưởng Bộ Tài chính Lê Minh Khoa phát "
        "biểu. Hội nghị trưởng Phòng Nông nghiệp các huyện cũng diễn ra sau đó."
    )
    assert people(r) == {"Lê Minh Khoa": ["Thứ trưởng Bộ Tài chính"]}


def test_a_local_body_of_many_places_is_a_class_not_a_body():
    r = run(
        "Tập huấn cho các địa phương\n\n"
        "Ngày 14/6/2022, Cục Sở hữu trí tuệ tập huấn cho cán bộ Sở Khoa học và Công nghệ các tỉnh phía Bắc tại Hà "
        "Nội. Lớp học kéo dài hai ngày."
    )
    assert set(orgs(r)) == {"Cục Sở hữu trí tuệ"}


# --------------------------------------------------------------------------- 4. span boundaries


def test_a_unit_title_in_sentence_case_heads_the_known_body_it_begins():
    r = run(
        "Lễ công bố quyết định nhân sự\n\n"
        "Chiều 2/3/2021, bà Lê Thị Hoa, Phó trưởng ban tuyên giáo Trung ương, trao quyết định cho ông Trần Văn Bình, "
        "trưởng ban quản lý Khu công nghệ cao Hòa Lạc. Ông Đỗ Văn Nam, trưởng ban tổ chức hội thi, phát biểu."
    )
    assert people(r) == {
        "Lê Thị Hoa": ["Phó Trưởng ban Tuyên giáo Trung ương"],
        "Trần Văn Bình": ["Trưởng ban Quản lý Khu công nghệ cao Hòa Lạc"],
        "Đỗ Văn Nam": ["Trưởng ban"],  # an organizing committee is a role, not a body's name
    }


def test_after_a_legal_form_comes_the_brand_even_where_it_reads_like_a_name():
    r = run(
        "Doanh nghiệp gỗ xuất khẩu\n\n"
        "Theo ông Nguyễn Liêm - tổng giám đốc Công ty cổ phần Phạm Gia (tỉnh Bình Dương), ngành gỗ đang lớn mạnh. "
        "Bà Trần Thu, giám đốc Công ty TNHH Lê Hoàng, cũng đồng ý."
    )
    assert people(r) == {
        "Nguyễn Liêm": ["Tổng Giám đốc Công ty cổ phần Phạm Gia"],
        "Trần Thu": ["Giám đốc Công ty TNHH Lê Hoàng"],
    }


def test_a_plural_title_is_held_by_everyone_it_lists():
    r = run(
        "Lãnh đạo Bộ Y tế\n\n"
        "Bộ Y tế hiện có 4 thứ trưởng là các ông: Trần Văn Hùng, Lê Minh Sơn, Đỗ Quang Hà và Phạm Quang Nam. Dự "
        "họp có các Phó Chủ tịch UBND tỉnh Nghệ An: Nguyễn Văn Đệ, Bùi Đình Long; Giám đốc Sở Y tế Nghệ An Ngô Thị "
        "Hà và ông Trần Văn Tâm."
    )
    deputy, vice = ["Thứ trưởng Bộ Y tế"], ["Phó Chủ tịch Ủy ban nhân dân tỉnh Nghệ An"]
    assert people(r) == {
        "Trần Văn Hùng": deputy, "Lê Minh Sơn": deputy, "Đỗ Quang Hà": deputy, "Phạm Quang Nam": deputy,
        "Nguyễn Văn Đệ": vice, "Bùi Đình Long": vice,
        "Ngô Thị Hà": ["Giám đốc Sở Y tế tỉnh Nghệ An"], "Trần Văn Tâm": [],  # a list of posts: each its own
    }


def test_names_end_where_the_sentence_goes_on():
    r = run(
        "Bộ KH&CN làm việc với Đắk Lắk\n\n"
        "Bộ Khoa học và Công nghệ sáng 1/2/2023 làm việc với UBND tỉnh Đắk Lắk về kết quả hợp tác. Viện Khoa học và "
        "Công nghệ Việt Nam - Hàn Quốc xác định đây là địa bàn trọng điểm."
    )
    assert set(orgs(r)) == {"Bộ Khoa học và Công nghệ", "Ủy ban nhân dân tỉnh Đắk Lắk", "Viện Khoa học và Công nghệ Việt Nam - Hàn Quốc"}


def test_a_shortened_ministry_name_after_a_title_is_the_ministry_and_not_the_person():
    r = run("Thứ trưởng Bộ Khoa học Công nghệ Trần Văn Tùng làm việc tại tỉnh Bình Phước ngày 12/5/2021.")
    assert people(r) == {"Trần Văn Tùng": ["Thứ trưởng Bộ Khoa học và Công nghệ"]}
    assert "Bộ Khoa học và Công nghệ" in orgs(r)


# --------------------------------------------------------------------------- 5. agreements beyond "Chương trình phối hợp"


def test_a_memorandum_signed_by_two_ministers_binds_their_ministries():
    r = run(
        "Việt Nam và Lào ký bản ghi nhớ\n\n"
        "Ngày 2/4/2024, Bộ trưởng Bộ Khoa học và Công nghệ Huỳnh Thành Đạt hội đàm với Bộ trưởng Bộ Công nghệ và "
        "Truyền thông Lào Boviengkham Vongdara. Sau hội đàm, hai Bộ trưởng đã ký biên bản ghi nhớ về hợp tác chuyển "
        "đổi số."
    )
    assert agreements(r) == [("other", ["Bộ Công nghệ và Truyền thông Lào", "Bộ Khoa học và Công nghệ"])]


def test_bodies_that_sign_together_before_the_verb_are_the_parties():
    r = run(
        "Hợp tác đào tạo cán bộ khoa học\n\n"
        "Chiều 5/6/2023, Bộ Khoa học và Công nghệ Việt Nam và Bộ Giáo dục và Thể thao Lào đã ký bản ghi nhớ hợp tác "
        "về đào tạo cán bộ khoa học."
    )
    assert agreements(r) == [("other", ["Bộ Giáo dục và Thể thao Lào", "Bộ Khoa học và Công nghệ"])]
    assert events(r) == [("signing", "2023-06-05")]


def test_a_programme_s_period_horizon_and_points_are_read_with_it():
    r = run(
        "Bộ KH&CN và Nghệ An ký kết hợp tác\n\n"
        "Ngày 3/7/2023, Bộ Khoa học và Công nghệ và UBND tỉnh Nghệ An đã ký kết Chương trình phối hợp hoạt động giai "
        "đoạn 2023-2027, định hướng đến năm 2030. Chương trình gồm 6 nội dung."
    )
    (a,) = r.agreements
    assert (a.kind, a.period.start, a.period.end, a.orientation_to, a.content_items, a.signed_on) == ("cooperation_program", 2023, 2027, 2030, 6, "2023-07-03")
    assert sorted(a.parties) == ["Bộ Khoa học và Công nghệ", "Ủy ban nhân dân tỉnh Nghệ An"]


def test_a_signing_at_a_forum_is_an_event_of_its_own_and_an_agreement_with_the_partner():
    r = run(
        "Diễn đàn đổi mới sáng tạo\n\n"
        "Diễn đàn Đổi mới sáng tạo tỉnh Thanh Hóa diễn ra sáng 22/6 tại thành phố Thanh Hóa. Tại diễn đàn, Sở KH&CN "
        "tỉnh Thanh Hóa đã ký thỏa thuận hợp tác với Viện Hàn lâm Khoa học và Công nghệ Việt Nam."
    )
    assert agreements(r) == [("cooperation_agreement", ["Sở Khoa học và Công nghệ tỉnh Thanh Hóa", "Viện Hàn lâm Khoa học và Công nghệ Việt Nam"])]
    # no publication date, no year in the article: the day is not guessed
    assert events(r) == [("conference", None), ("signing", None)]


def test_an_agreement_recalled_from_earlier_is_still_an_agreement_but_not_news():
    r = run(
        "Đổi mới cơ chế tài chính cho khoa học\n\n"
        "Trong cuộc trao đổi với phóng viên, GS.TS Nguyễn Văn Tuấn, Viện trưởng Viện Nghiên cứu Chính sách, cho rằng "
        "cần tăng cường đầu tư cho nghiên cứu cơ bản. Năm 2015, Viện đã ký thỏa thuận hợp tác với Đại học Tokyo."
    )
    assert agreements(r) == [("cooperation_agreement", ["Viện Nghiên cứu Chính sách", "Đại học Tokyo"])]
    assert r.events == []


# --------------------------------------------------------------------------- 6. events and their years


def test_a_fair_s_name_carries_its_year():
    r = run(
        "Techmart Cần Thơ\n\n"
        "Techmart Cần Thơ 2016 khai mạc sáng 14/10 tại thành phố Cần Thơ với 250 gian hàng."
    )
    assert events(r) == [("other", "2016-10-14")]


def test_a_contest_or_a_published_report_is_news_only_with_a_date():
    r = run(
        "Sinh viên và khởi nghiệp\n\n"
        "Theo báo cáo công bố gần đây, số doanh nghiệp khởi nghiệp tăng mạnh. Nhiều trường tổ chức cuộc thi ý tưởng "
        "cho sinh viên, nhưng theo ông Lê Văn Hải, chất lượng còn thấp."
    )
    assert events(r) == []
    r = run(
        "Phát động cuộc thi sáng tạo\n\n"
        "Sáng 12/4/2022, Tỉnh đoàn Nghệ An khởi động cuộc thi Ý tưởng sáng tạo trẻ. Cuộc thi nhận bài đến hết tháng 9."
    )
    assert events(r) == [("other", "2022-04-12")]


def test_a_lunar_year_names_the_year_of_an_undated_article():
    r = run("Gặp mặt đầu xuân\n\nĐầu xuân Mậu Tuất, sáng 22/2, Bộ Khoa học và Công nghệ tổ chức hội nghị gặp mặt cán bộ hưu trí.")
    assert events(r) == [("conference", "2018-02-22")]


def test_an_undated_article_s_day_gets_no_guessed_year_and_recalled_history_is_no_event():
    r = run(
        "Hội thảo về an toàn bức xạ\n\n"
        "Sáng 9/11, tại Hà Nội, Viện Năng lượng nguyên tử Việt Nam tổ chức hội thảo quốc tế về an toàn bức xạ. Năm "
        "2019, Viện đã tổ chức hội thảo tương tự tại Đà Lạt."
    )
    assert events(r) == [("conference", None)]


def test_an_inauguration_and_a_signing_the_same_day_are_two_events():
    r = run(
        "Khánh thành trung tâm đổi mới sáng tạo\n\n"
        "Ngày 9/11/2022, Sở Khoa học và Công nghệ tỉnh Bình Định tổ chức lễ khánh thành Trung tâm Đổi mới sáng tạo. "
        "Nhân dịp này, Sở và Công ty Cổ phần Phần mềm Quy Nhơn ký thỏa thuận hợp tác về phát triển phần mềm."
    )
    assert [t for t, _ in events(r)] == ["other", "signing"]
    assert agreements(r) == [("cooperation_agreement", ["Công ty Cổ phần Phần mềm Quy Nhơn", "Sở Khoa học và Công nghệ tỉnh Bình Định"])]


# --------------------------------------------------------------------------- 7. commitments


def test_directives_name_who_is_to_act_and_general_intentions_are_not_commitments():
    r = run(
        "Quảng Trị giao nhiệm vụ chuyển đổi số\n\n"
        "Tại hội nghị sáng 5/3/2024, Chủ tịch UBND tỉnh Quảng Trị Võ Văn Hưng giao Sở Khoa học và Công nghệ chủ trì "
        "xây dựng kế hoạch chuyển đổi số. Sở Thông tin và Truyền thông sẽ tổ chức tập huấn chuyển đổi số cho cán bộ "
        "cấp xã. Các sở, ngành tiếp tục tăng cường phối hợp."
    )
    assert commitments(r) == {
        ("plan_building", "Sở Khoa học và Công nghệ tỉnh Quảng Trị"),
        # "Thông tin" in the department's name is not its saying something
        ("other", "Sở Thông tin và Truyền thông tỉnh Quảng Trị"),
    }


def test_a_body_s_own_later_promise_is_its_own_and_not_the_directed_classes():
    r = run(
        "Phú Thọ cam kết theo dõi chương trình\n\n"
        "Ngày 3/10/2023, Bộ Khoa học và Công nghệ và UBND tỉnh Phú Thọ ký chương trình phối hợp. Ủy ban nhân dân tỉnh "
        "sẽ chỉ đạo các sở, ngành, Ủy ban nhân dân các huyện phối hợp thực hiện và sẽ đưa chương trình vào kế hoạch chỉ "
        "đạo, giám sát hằng năm."
    )
    assert ("annual_monitoring", "Ủy ban nhân dân tỉnh Phú Thọ") in commitments(r)
    assert ("annual_monitoring", None) not in commitments(r)


def test_a_request_to_report_by_a_deadline_is_directed():
    r = run(
        "Thanh tra việc sử dụng kinh phí\n\n"
        "Ngày 10/8/2023, Đoàn thanh tra của Bộ Khoa học và Công nghệ đã làm việc với Sở Khoa học và Công nghệ tỉnh Hà "
        "Giang về việc quản lý nhiệm vụ khoa học. Trưởng đoàn yêu cầu Sở Khoa học và Công nghệ tỉnh Hà Giang báo cáo "
        "kết quả khắc phục trước ngày 30/9/2023."
    )
    assert commitments(r) == {("other", "Sở Khoa học và Công nghệ tỉnh Hà Giang")}
    assert r.agreements == []


def test_proposals_to_others_and_what_was_done_are_not_commitments():
    r = run(
        "Kiến nghị tháo gỡ vướng mắc\n\n"
        "Ngày 12/4/2024, Sở KH&CN tỉnh Lâm Đồng đề nghị Bộ Khoa học và Công nghệ sớm hỗ trợ tỉnh xây dựng kế hoạch "
        "phát triển công nghệ cao. Năm 2023, Sở đã hỗ trợ 12 doanh nghiệp đổi mới công nghệ."
    )
    assert r.commitments == []


# --------------------------------------------------------------------------- 8. precision on news that is not about cooperation


def test_an_interview_on_policy_invents_no_agreement_event_or_commitment():
    r = run(
        "Phỏng vấn: cần cơ chế khoán chi cho nhà khoa học\n\n"
        "Trao đổi với phóng viên, TS Lê Văn Sơn, chuyên gia kinh tế, cho rằng các nhà khoa học mong muốn Nhà nước sớm "
        "hoàn thiện cơ chế khoán chi. Theo ông Sơn, cần đẩy mạnh hợp tác giữa viện, trường và doanh nghiệp. Ông Sơn "
        "tin rằng chính sách mới sẽ tạo động lực cho nghiên cứu."
    )
    assert r.agreements == [] and r.events == [] and r.commitments == []
    assert people(r) == {"Lê Văn Sơn": []}  # an occupation is no post
