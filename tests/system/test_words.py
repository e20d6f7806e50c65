"""The checker of words people read (words.py), on its own: no daemon. Bad examples are the
issue's and the "not" column of ../shared/VOCABULARY.md; good ones are its "write" column."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from words import (crawl_findings, csv_header_tokens, identifier_tokens, page_tokens, summary,
                   visible_text)


def tokens(text, lang="vi", allow=()):
    return [f.token for f in identifier_tokens(text, lang, allow)]


def rules(text, lang="vi", allow=()):
    return {f.rule for f in identifier_tokens(text, lang, allow)}


# ---------------------------------------------------------------------------------------------
# What the issue saw on the pages


@pytest.mark.parametrize("text, expected", [
    ("máy tính Ổ đĩa used_pct ≤ 90: 12 / 15 (Máy tính 2 — C:\\ Label: Serial Number 1848504c: "
     "96.5009)", ["used_pct", "96.5009"]),
    ("Poly: đăng ký SIP status = 2: 0 / 1", ["status = 2"]),
    ("status: 2 errors: 0 type: 1.3.6.1.2.1.25.3.1.1",
     ["status: 2", "errors: 0", "1.3.6.1.2.1.25.3.1.1"]),
    ("uptime: 6572", ["uptime: 6572"]),
    ("rtt_ms: 0.102199", ["rtt_ms", "0.102199"]),
    ("2026-12-05T03:26:37+0700", ["2026-12-05T03:26:37+0700"]),
    ("sysDescr", ["sysDescr"]),
])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_issue_examples_are_flagged(text, expected, lang):
    assert tokens(text, lang) == expected


@pytest.mark.parametrize("text", [
    "Hoạt động liên tục: 1 giờ 49 phút · Người dùng: 0 · Tiến trình: 96 · Bộ nhớ: 124 MB",
    "3/15 ổ đĩa máy tính đầy trên 90 % — nặng nhất: Máy tính 2, ổ C: 96,5 %",
    "Cập nhật lúc 03:26 ngày 05/12/2026",
    "127.77.1.11 (kiểm tra bằng ping)",
    # the rest of VOCABULARY.md's "write" column
    "Trạng thái: đang chạy · Lỗi: 0 · Loại: khác",
    "Phản hồi ping: 0,10 ms (tối đa 0,15 ms) · Mất gói: 0 %",
    "Đăng ký SIP: Lỗi · H.323: bình thường",
    "44,4 %, 96,5 %",
    "— chưa có dữ liệu",
    "1 ngày 21 giờ 59 phút; 2 giờ",
    "Tháng 11/2026 (01/11–30/11/2026, 21 ngày làm việc)",
    "T6 06:00 · 04/12 06:00 · Chưa có dữ liệu",
    "03:26:18 · 04/12 16:05 (2 phút trước)",
    "Tỷ lệ chỉ tiêu đạt: 76 % (68/90 chỉ tiêu)",
    "3 cổng đang kết nối (trên tổng 7)",
    "Tên thiết bị (SNMP) · Mô tả · Thông tin kỹ thuật",
    "máy tra cứu thủ tục hành chính (kiosk) · thiết bị chuyển mạch (switch)",
    "Báo cáo mức độ đáp ứng chỉ tiêu trang thiết bị CNTT",
    "SỰ CỐ MỚI: Xã Tân Phú — máy quét 0 / 1 hoạt động",
    "Trang web: truy cập được · Mã trả lời HTTP: 200 · Thời gian tải: 0,79 ms",
    "Trạng thái: 3 cổng đang kết nối · Tình trạng pin: bình thường",
    "giờ hành chính 07:00-11:30, 13:30-17:00",
])
def test_the_vocabulary_examples_pass(text):
    assert tokens(text) == []


@pytest.mark.parametrize("text, rule", [
    ("2026-12-05", "ISO date"),
    ("Tháng 2026-11", "ISO date"),
    ("Cập nhật 03:26:37+0700", "ISO time"),
    ("44.4%", "point decimal in Vietnamese"),
    ("96.5 %", "point decimal in Vietnamese"),
    ("Mất gói: 0.0 %", "point decimal in Vietnamese"),
    ("44,4%", "percent without space in Vietnamese"),
    ("1 d 21:59", "terse duration"),
    ("Máy chủ (HOST-RESOURCES)", "MIB module name"),
    ("IF-MIB", "MIB module name"),
    ("SNMPv2-MIB::sysDescr.0", "MIB module name"),
    ("sysObjectID", "camelCase MIB name"),
    ("hrDeviceStatus", "camelCase MIB name"),
    ("ifOperStatus 2", "camelCase MIB name"),
    (".1.3.6.1.4.1.9", "OID"),
    ("1.3.6.1", "OID"),
    ("Poly sip: status 3", "raw enumeration"),
    ("Trạng thái máy in\n1\n", "raw enumeration"),
    ("Trạng thái: 2", "raw enumeration"),
    ("Mã tình trạng khay: 9 · Sức chứa (tờ): 100", "raw enumeration"),
    ("Tray condition code: 9 · Capacity (sheets): 100", "raw enumeration"),
    ("users: 0 processes: 96", "raw field: number"),
    ("used: 7.78064e+06", "raw field: number"),
    ("1.23457e+09 octet", "exponent notation"),
    ("nan %", "code value"),
    ("Bộ nhớ: (null)", "code value"),
    ("Giá trị: None", "code value"),
    ("class.pc", "catalogue key or dotted name"),
    ("pc.disk.used_pct ≤ 90", "catalogue key or dotted name"),
    ("{bad}/{total} máy tính", "template placeholder"),
    ("Máy in: %s", "template placeholder"),
    ("Máy tính 2 — disk-1: 96", "row key"),
    ("supply-1.3", "row key"),
    ("SITE_TYPE", "snake_case name"),
])
def test_the_vocabulary_counterexamples_are_flagged(text, rule):
    assert rule in rules(text), identifier_tokens(text, "vi")


def test_decimals_follow_the_language():
    # Vietnamese: decimal comma, thousands point; English: decimal point, thousands comma
    assert tokens("96,5 %; 1.234 trang; 12.345.678 byte", "vi") == []
    assert tokens("96.5 %; 1,234 pages; 0.10 ms", "en") == []
    assert tokens("96.5 %", "vi") == ["96.5"]
    assert tokens("96,5 %", "en") == ["96,5"]
    # unrounded in both: more than 2 decimals is a raw reading
    assert tokens("0.102199 ms", "vi") == tokens("0.102199 ms", "en") == ["0.102199"]
    assert tokens("96,5009 %", "vi") == ["96,5009"]
    assert tokens("1.234 pages", "en") == ["1.234"]  # English has no thousands point


def test_code_words_in_english_prose_are_words():
    assert tokens("None of the communes missed a target", "en") == []
    assert tokens("Online: true", "en") == ["true"]
    assert tokens("NaN ms", "en") == ["NaN"]
    assert tokens("Web page: reachable · HTTP status: 200 · Status: running · Errors: 0", "en") \
        == []
    assert tokens("Không có: None", "vi") == ["None"]


def test_addresses_and_names_are_allowed():
    text = ("http://127.0.0.1:8081/xa1/ · vanphong.tp@example.gov.vn · 127.77.1.1:1161 · "
            "192.168.1.1 · hbmon@huyen-demo.invalid · tanphu.gov.vn · readiness.csv · "
            "SNMP, SVG, CSV, H.323, SIP · 100 Mbit/s")
    assert tokens(text) == [] and tokens(text, "en") == []
    # an address does not hide what follows it
    assert tokens("127.77.1.1:1161 rtt_ms: 0.5") == ["rtt_ms", "0.5"]


def test_device_provided_text_is_allowed_and_nothing_else():
    descr = "Linux tmurray-linux 4.4.0-21-generic #37 SMP x86_64 sys_uptime 12.34567"
    text = f"Mô tả: {descr} · Ổ đĩa: 96.5009"
    assert tokens(text) == ["x86_64", "sys_uptime", "12.34567", "96.5009"]
    assert tokens(text, allow={descr}) == ["96.5009"]
    # inventory names, whitespace as the page folds it
    assert tokens("Máy   tính\n2 used_pct", allow={"Máy tính 2"}) == ["used_pct"]
    # a name of fewer than 3 characters allows nothing (it would mask half the page)
    assert tokens("pc.disk", allow={"pc"}) == ["pc.disk"]


def test_tokens_do_not_span_blocks():
    # a label cell and its count: no field dump
    assert tokens("Người dùng\n0\nTiến trình\n96") == []
    assert tokens("Phản hồi ping: 3\nuptime\n: 5") == []


def test_findings_carry_context_and_rule():
    (f,) = identifier_tokens("Thiết bị họp trực tuyến: đăng ký SIP status = 2 (lỗi)", "vi")
    token, context = f
    assert token == "status = 2" and f.rule == "raw field = value"
    assert "đăng ký SIP status = 2 (lỗi)" in context


def test_language_is_checked():
    with pytest.raises(ValueError):
        identifier_tokens("x", "fr")


# ---------------------------------------------------------------------------------------------
# HTML: what is visible, and the technical marker

PAGE = """<!DOCTYPE html><html><head><title>Máy tính 1 — sysName</title>
<style>.status_up { color: green } /* used_pct */</style>
<script>var rtt_ms = 0.102199; const x = {"sysDescr": null};</script></head>
<body data-state="hr_storage">
<nav><a href="/?lang=en&amp;period=last_month" class="mv x_y">Về</a></nav><table class="ident"><tr><th>Tên thiết bị (SNMP)</th><td>PC01</td></tr>
<tr><th>Ổ đĩa</th><td><a href="/graph/a/disk-1.png?ds=used_pct">used_pct</a>: 96.5009</td>
</tr></table>
<img src="/graph/x.png" alt="ifHCInOctets"><input type="submit" value="status = 2">
<input type="hidden" name="site_type" value="2026-12-05"><input type="date" value="2026-12-05">
<details class="tech"><summary>Thông tin kỹ thuật</summary>
<table><tr><th>sysObjectID</th><td>1.3.6.1.4.1.9.1.516</td></tr></table></details>
<p>Mã: <span class="tech">hrDeviceStatus.1</span> · <code>sysUpTime</code></p>
<details class="tech"><summary>rtt_max_ms</summary>x</details>
<p>Unclosed paragraph <p>tiếp theo &amp; done</body></html>"""


def test_visible_text_is_what_a_person_reads():
    text = visible_text(PAGE)
    assert "Máy tính 1" in text and "Thông tin kỹ thuật" in text and "tiếp theo & done" in text
    # script, style, URLs, classes, data-*, form values: not read
    for hidden in ("rtt_ms", "status_up", "hr_storage", "last_month", "x_y", "site_type",
                   "2026-12-05", "disk-1"):
        assert hidden not in text, hidden
    # inside the technical marker: not read (the summary is)
    assert "1.3.6.1.4.1.9.1.516" not in text and "hrDeviceStatus" not in text
    # <code> is not the marker: sysUpTime is read
    assert "sysUpTime" in text


def test_page_findings():
    found = page_tokens(PAGE, "vi")
    assert [(f.token, f.rule) for f in found] == [
        ("sysName", "camelCase MIB name"),  # the <title>
        ("used_pct", "snake_case name"),  # the link's text, not its href
        ("96.5009", "unrounded decimal"),
        ("ifHCInOctets", "camelCase MIB name"),  # alt text is read
        ("status = 2", "raw field = value"),  # a button's label is read
        ("sysUpTime", "camelCase MIB name"),
        ("rtt_max_ms", "snake_case name"),  # the label of a technical <details> is read
    ]
    # text split by inline elements reads as one: <a>uptime</a>: 6572
    assert [f.token for f in page_tokens("<td><a href='/x'>uptime</a>: 6572</td>", "vi")] == \
        ["uptime: 6572"]
    # blocks do not join: <th>status</th><td>2</td> is a label and its value
    assert page_tokens("<tr><th>Lỗi</th><td>2</td></tr>", "vi") == []


def test_csv_header():
    assert [f.token for f in csv_header_tokens(
        b"\xef\xbb\xbffrom,to,commune,site,site_type,met_share_pct\r\n2026-11-01,x\r\n", "vi")] \
        == ["site_type", "met_share_pct"]
    good = '"Từ ngày","Đến ngày","Xã, phường","Bộ phận","Tỷ lệ đạt (%)"\r\n1,2\r\n'
    assert csv_header_tokens(good, "vi") == []
    assert csv_header_tokens(b"", "vi") == []


# ---------------------------------------------------------------------------------------------
# The crawl, against a pretend collector


class _Pretend(BaseHTTPRequestHandler):
    pages = {
        "/": '<a href="/device/X%25C3%25A3/M%25C3%25A1y%201">Máy 1</a> '
             '<a href="/report">Báo cáo</a> <p>Cập nhật lúc 03:26 ngày 05/12/2026</p>',
        "/?lang=en": '<a href="/device/X%25C3%25A3/M%25C3%25A1y%201?lang=en">Máy 1</a> '
                     '<p>Updated 2026-12-05 03:26</p>',
        "/device/X%25C3%25A3/M%25C3%25A1y%201":
            "<table><tr><th>Mô tả</th><td>Linux pc1 4.4.0_x86_64</td></tr>"
            "<tr><th>Bộ nhớ</th><td>mem_kb: 127280</td></tr></table>",
        "/device/X%25C3%25A3/M%25C3%25A1y%201?lang=en":
            "<table><tr><th>Description</th><td>Linux pc1 4.4.0_x86_64</td></tr></table>",
        "/report": '<p><a href="/report?period=week">Tuần</a> '
                   '<a href="/api/v1/readiness?from=1&amp;to=2&amp;format=csv">CSV</a></p>',
        "/report?lang=en": '<p><a href="/report?period=week&amp;lang=en">Week</a></p>',
        "/report?period=week": "<p>Tuần này</p>",
        "/report?period=week&lang=en": "<p>This week: 96.5 %</p>",
        "/api/v1/readiness?from=1&to=2&format=csv": "commune,site_type\r\nXã,one-stop\r\n",
        "/api/v1/devices": json.dumps([{"sys_name": "pc1", "sys_descr": "Linux pc1 4.4.0_x86_64"}]),
    }

    def do_GET(self):  # noqa: N802 (http.server's name)
        body = self.pages.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.end_headers()
        self.wfile.write((body or "not found").encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def pretend():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Pretend)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/"
    srv.shutdown()
    srv.server_close()


def test_crawl_reads_every_page_in_both_languages(pretend):
    found = crawl_findings(pretend, allow={"Máy 1"})
    by_path = {u[len(pretend) - 1:]: [(f.token, f.rule) for f in fs] for u, fs in found.items()}
    assert by_path == {
        "/?lang=en": [("2026-12-05 03:26", "ISO date")],
        # not x86_64: the device's own sysDescr (from /api/v1/devices) is allowed
        "/device/X%25C3%25A3/M%25C3%25A1y%201": [("mem_kb", "snake_case name")],
        "/api/v1/readiness?from=1&to=2&format=csv": [("site_type", "snake_case name")],
        # (the English report links no sheet here: nothing more to read)
    }
    message = summary(found)
    assert message.startswith("3 identifier-like tokens on 3 pages")
    assert "/device/Xã/Máy 1: [snake_case name] 'mem_kb'" in message


def test_crawl_reports_a_broken_link(pretend):
    _Pretend.pages["/"] += '<a href="/device/nowhere">?</a>'
    try:
        found = crawl_findings(pretend, langs=("vi",))
    finally:
        _Pretend.pages["/"] = _Pretend.pages["/"].replace('<a href="/device/nowhere">?</a>', "")
    assert [(f.token, f.rule) for f in found[pretend + "device/nowhere"]] == \
        [("HTTP 404", "fetch")]


def test_summary_is_short():
    found = {f"http://x/device/{k}": identifier_tokens(f"a_{k} b_{k} 1.2345{k}", "vi")
             for k in range(100)}
    message = summary(found, limit=5)
    lines = message.splitlines()
    assert lines[0].startswith("300 identifier-like tokens on 100 pages: 200 snake_case name, "
                               "100 unrounded decimal")
    # each rule in turn, digits folded: a_N, then N.N, then b_N
    assert len(lines) == 1 + 3 and "more kinds" not in message
    assert [ln.split(": [")[1].split("]")[0] for ln in lines[1:]] == \
        ["snake_case name", "unrounded decimal", "snake_case name"]
    assert len(summary(found, limit=2).splitlines()) == 1 + 2 + 1
