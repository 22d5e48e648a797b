"""Commitments: kinds, actors, and the difference between directing and reporting."""
from conftest import run


def kinds(record):
    return sorted((c.kind, c.actor) for c in record.commitments)


def test_directed_focal_point_action_plan_and_support():
    r = run(
        "Thứ trưởng đề nghị Cục Sở hữu trí tuệ hỗ trợ tỉnh thông qua các nhiệm vụ KH&CN cấp Bộ; "
        "đồng thời yêu cầu hai bên cử cán bộ đầu mối và xây dựng kế hoạch hành động cụ thể."
    )
    assert kinds(r) == [("action_plan", None), ("focal_point", None), ("support_tasks", "Cục Sở hữu trí tuệ")]


def test_reported_results_are_not_commitments():
    r = run(
        "Giám đốc Sở báo cáo tóm tắt kết quả đạt được trong năm 2023, trong đó đã hỗ trợ doanh nghiệp đổi mới công nghệ "
        "và xây dựng kế hoạch phát triển thị trường."
    )
    assert r.commitments == []


def test_difficulties_to_report_and_annual_monitoring_with_their_actors():
    r = run(
        "Bộ trưởng chỉ đạo Vụ Phát triển KH&CN địa phương tổng hợp các khó khăn, vướng mắc của tỉnh Phú Thọ để báo cáo Bộ. "
        "UBND tỉnh Phú Thọ sẽ đưa nội dung này vào kiểm tra, giám sát hằng năm."
    )
    assert kinds(r) == [
        ("annual_monitoring", "Ủy ban nhân dân tỉnh Phú Thọ"),
        ("report_difficulties", "Vụ Phát triển khoa học và công nghệ địa phương"),
    ]


def test_periodic_review():
    r = run("Hai đơn vị định kỳ hằng năm tổ chức sơ kết, đánh giá kết quả thực hiện Chương trình.")
    assert ("periodic_review", None) in kinds(r)
