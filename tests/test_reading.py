"""Reading: encodings at the door, chrome removal, metadata, HTML, dumps, directories, stdin."""
import json

from conftest import SAMPLE, run
from hoptac.text.article import RawDocument, read
from hoptac.text.reader import Failure, read_inputs

PORTAL = """Thứ Sáu, 15/03/2024 10:05 GMT+7
Sở KH&CN tỉnh Bình Thuận ký kết hợp tác với Viện Hải dương học
Chia sẻ
Facebook Twitter In bài
Sáng ngày 14/3/2024, Sở KH&CN tỉnh Bình Thuận và Viện Hải dương học đã ký kết Thỏa thuận hợp tác.
anh-ky-ket-1.jpg
IMG_2041 3f2a1
Hai bên thống nhất phối hợp nghiên cứu nguồn lợi thủy sản ven bờ.
Tác giả: Minh Anh
Lượt xem: 1.234
Đánh giá bài viết
Bình luận (0)
Chứng nhận Tín nhiệm Mạng
Tin cùng chuyên mục
Một bài khác không thuộc bài viết này
"""


def test_portal_chrome_goes_and_metadata_is_read():
    r = run(PORTAL)
    lines = r.text.split("\n\n")
    assert r.title == "Sở KH&CN tỉnh Bình Thuận ký kết hợp tác với Viện Hải dương học"
    assert r.published_at == "2024-03-15T10:05:00+07:00"
    assert r.views == 1234
    assert lines[1].startswith("Sáng ngày 14/3/2024")
    assert "Hai bên thống nhất phối hợp nghiên cứu nguồn lợi thủy sản ven bờ." in lines
    for chrome in ("Chia sẻ", "Facebook Twitter In bài", "anh-ky-ket-1.jpg", "IMG_2041 3f2a1", "Tác giả: Minh Anh",
                   "Đánh giá bài viết", "Bình luận (0)", "Chứng nhận Tín nhiệm Mạng", "Một bài khác không thuộc bài viết này"):
        assert chrome not in lines


def test_source_line_and_trailing_attribution():
    assert run("Tiêu đề một bài viết ngắn\n\nNội dung bài.\n\n(Nguồn: Báo Nghệ An)").source == "Báo Nghệ An"
    assert run("Tiêu đề một bài viết ngắn\n\nNội dung bài.\n\nThanh Hà - Sở KH&CN Bình Định").source == "Thanh Hà - Sở KH&CN Bình Định"
    caption = run("Tiêu đề một bài viết ngắn\n\nNội dung bài.\n\nViện Ứng dụng Công nghệ tặng quà lưu niệm cho Sở KH&CN")
    assert caption.source is None


def test_text_without_chrome_or_dateline():
    r = run("Sáng ngày 12/10/2023, tại Hà Nội, Bộ KH&CN tổ chức hội thảo về đổi mới sáng tạo.\n\nCác đại biểu thảo luận.")
    assert r.title is None and r.published_at is None and r.source is None and r.views is None
    assert r.text.startswith("Sáng ngày 12/10/2023")


def test_decomposed_and_spaced_input_comes_out_nfc():
    import unicodedata
    text = unicodedata.normalize("NFD", "Sở KH&CN thành phố Cần Thơ\u00a0làm việc\u200b với Viện.")
    r = run("Tiêu đề bài viết mẫu\n\n" + text)
    assert "Sở KH&CN thành phố Cần Thơ làm việc với Viện." in r.text
    assert r.text == unicodedata.normalize("NFC", r.text)


def test_html_page_main_text_is_found_and_menus_dropped():
    page = """<!doctype html><html><head><title>Sở KH&CN | Tin tức</title></head><body>
    <nav><a href="/">Trang chủ</a> <a href="/gt">Giới thiệu</a> <a href="/lh">Liên hệ với chúng tôi</a></nav>
    <aside><h3>Tin mới</h3><ul><li><a href="/a">Khai mạc Techmart Thanh Hóa 2023 tại thành phố</a></li></ul></aside>
    <article><h1>Viện Năng lượng nguyên tử làm việc với tỉnh Kon Tum</h1>
    <p class="date">Thứ Hai, 02/10/2023 08:30</p>
    <p>Chiều ngày 29/9/2023, đoàn công tác của Viện Năng lượng nguyên tử Việt Nam do ông Trần Chí Thành, Viện trưởng, làm trưởng đoàn đã làm việc với Sở KH&CN tỉnh Kon Tum về ứng dụng kỹ thuật hạt nhân trong nông nghiệp.</p>
    <p>Hai bên thống nhất sẽ xây dựng kế hoạch phối hợp cụ thể trong năm 2024, tập trung vào đánh giá chất lượng đất và nguồn nước tại các huyện biên giới.</p>
    </article><footer>Bản quyền thuộc Sở KH&CN tỉnh Kon Tum. Địa chỉ: 123 Đường Trần Hưng Đạo</footer>
    <script>var x = "<p>không phải bài viết</p>";</script></body></html>"""
    r = read(RawDocument(name="kontum.html", data=page.encode("utf-8")))
    assert r.title == "Viện Năng lượng nguyên tử làm việc với tỉnh Kon Tum"
    assert r.published_at == "2023-10-02T08:30:00"
    assert "Chiều ngày 29/9/2023" in r.text
    assert "Liên hệ với chúng tôi" not in r.text and "Bản quyền" not in r.text and "không phải bài viết" not in r.text


def test_jsonl_dump_records_are_named_by_line_and_bad_lines_reported(tmp_path):
    dump = tmp_path / "crawl.jsonl"
    dump.write_text(
        json.dumps({"url": "https://example.gov.vn/a", "text": "Tiêu đề một bài viết\n\nNội dung."}, ensure_ascii=False) + "\n"
        + "{not json\n"
        + json.dumps({"url": "https://example.gov.vn/c"}) + "\n",
        encoding="utf-8",
    )
    items = list(read_inputs([str(dump)]))
    assert items[0].name == "crawl.jsonl#1" and items[0].url == "https://example.gov.vn/a"
    assert isinstance(items[1], Failure) and items[1].name == "crawl.jsonl#2"
    assert isinstance(items[2], Failure) and "neither" in items[2].reason


def test_directories_are_read_recursively_in_sorted_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("hai")
    (tmp_path / "a.txt").write_text("một")
    (tmp_path / "c.txt").write_text("ba")
    (tmp_path / ".hidden").write_text("ẩn")
    assert [i.name for i in read_inputs([str(tmp_path)])] == ["a.txt", "2.txt", "c.txt"]


def test_sample_corpus_reads_every_format():
    names = [i.name for i in read_inputs([str(SAMPLE)])]
    assert any(n.endswith(".html") for n in names)
    assert any(n.startswith("dump.jsonl#") for n in names)
    assert all(not isinstance(i, Failure) for i in read_inputs([str(SAMPLE)]))
