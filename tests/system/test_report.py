"""The period report a province can file (/report): a week of stored samples in a district of
four communes, read over HTTP as a planner reads it: the sentences to paste (Vietnamese and
English), the commune × kind-of-target matrix, the equipment each commune has against what
its sites' targets require, the charts (inline SVG, well-formed), hostile commune names
escaped, no identifier-like token in either language; printed, it keeps the report and drops
the bars and forms."""
import csv
import html
import html.parser
import os
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest

from conftest import ADMIN, District, batch, http, sample, start_collector
from words import page_tokens

VN = timezone(timedelta(hours=7))
SITE_TYPES = """[site-type one-stop]
label_vi = Bộ phận Một cửa
label_en = one-stop office
pc = 2
scanner = 1
[site-type meeting-room]
label_vi = Phòng họp trực tuyến
label_en = online meeting room
vc = 1
[commune-targets]
site.meeting-room = 1
"""
A, B, C = "Xã An Bình", "Phường Hòa Lạc", "Xã Tân Phú"
D = "Xã <b>Đông</b> & \"Tây\" 'Nam'"  # a hostile name: markup, quotes, an ampersand
DEVICES = [(A, "Một cửa", "one-stop", "Máy tính 1", "pc"),
           (A, "Một cửa", "one-stop", "Máy tính 2", "pc"),
           (A, "Một cửa", "one-stop", "Máy quét", "scanner"),
           (A, "Phòng họp", "meeting-room", "Điểm cầu", "vc"),
           # two one-stop offices, one scanner: short of one in the inventory
           (B, "Một cửa", "one-stop", "Máy tính 1", "pc"),
           (B, "Một cửa", "one-stop", "Máy tính 2", "pc"),
           (B, "Một cửa", "one-stop", "Máy quét", "scanner"),
           (B, "Tiếp nhận", "one-stop", "Máy tính 3", "pc"),
           (B, "Tiếp nhận", "one-stop", "Máy tính 4", "pc"),
           (B, "Phòng họp", "meeting-room", "Điểm cầu", "vc"),
           # its meeting room's video-conference system down all week, and a day unheard of
           (C, "Một cửa", "one-stop", "Máy tính 1", "pc"),
           (C, "Một cửa", "one-stop", "Máy tính 2", "pc"),
           (C, "Một cửa", "one-stop", "Máy quét", "scanner"),
           (C, "Phòng họp", "meeting-room", "Điểm cầu", "vc"),
           # no meeting room at all; its scanner down an hour
           (D, "Một cửa", "one-stop", "Máy tính 1", "pc"),
           (D, "Một cửa", "one-stop", "Máy tính 2", "pc"),
           (D, "Một cửa", "one-stop", "Máy quét", "scanner")]


def t(day, hour=0, minute=0):
    return int(datetime(2026, 11, day, hour, minute, tzinfo=VN).timestamp())


# the week stored: Monday 2 to Sunday 8 November 2026 (five working days of 8 hours)
FROM, TO, STEP = t(2), t(9), 300
DOWN = {(C, "Điểm cầu"): [(FROM - 86400, TO + 86400)],
        (D, "Máy quét"): [(t(3, 8), t(3, 9))]}  # (start, end]: 1 of 40 working hours
SILENT = (C, t(5), t(6))  # Thursday: nothing heard from Xã Tân Phú, 8 of 40 hours
WEEK_LATER = t(11, 10)    # the collector's clock: last week is the week stored
MONTH_LATER = int(datetime(2026, 12, 3, 10, tzinfo=VN).timestamp())  # last month: November


def up(commune, device, ts):
    return not any(a < ts <= b for a, b in DOWN.get((commune, device), []))


def write_inventory(dist):
    """The inventory with its names quoted (a hostile name holds quotes)."""
    with open(os.path.join(dist.root, "inventory.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["commune", "site", "site_type", "device", "class", "address", "snmp",
                    "contact"])
        for i, (c, s, st, d, cls) in enumerate(DEVICES):
            w.writerow([c, s, st, d, cls, f"127.0.0.{20 + i}:161", "pub", ""])


class Clock:
    def __init__(self, root, now):
        self.path = os.path.join(root, "clock")
        self.set(now)

    def set(self, now):
        with open(self.path, "w", encoding="ascii") as f:
            f.write(str(now))


class Tables(html.parser.HTMLParser):
    """Each <table>: its class, header cells' text, and rows of (tag, class, text) cells."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables, self.cell, self.part = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self.tables.append({"class": a.get("class", ""), "head": [], "rows": [], "foot": []})
        elif tag in ("thead", "tbody", "tfoot"):
            self.part = tag
        elif tag == "tr" and self.tables:
            self.tables[-1]["head" if self.part == "thead" else
                            "foot" if self.part == "tfoot" else "rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self.cell = [tag, a.get("class", ""), ""]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            t = self.tables[-1]
            rows = t["head"] if self.part == "thead" else t["foot"] if self.part == "tfoot" \
                else t["rows"]
            self.cell[2] = " ".join(self.cell[2].split())
            rows[-1].append(tuple(self.cell))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[2] += data


def table(page, cls):
    p = Tables()
    p.feed(page)
    return next(tb for tb in p.tables if cls in tb["class"].split())


def by_name(tb):
    """{commune: {column header: (class, text)}} of a commune × column table."""
    heads = [text for _, _, text in tb["head"][0]]
    return {row[0][2]: {heads[i]: (cls, text) for i, (_, cls, text) in enumerate(row) if i}
            for row in tb["rows"]}


def says(page):
    block = re.search(r'<section id="says"[^>]*>(.*?)</section>', page, re.S).group(1)
    return [html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", block)]


def svgs(page):
    return re.findall(r"<svg\b.*?</svg>", page, re.S)


@pytest.fixture
def district(tmp_path):
    root = str(tmp_path)
    devs = [{"commune": c, "site": s, "site_type": st, "device": d, "class": cls,
             "address": f"127.0.0.{20 + i}:161", "snmp": "pub", "community": "public"}
            for i, (c, s, st, d, cls) in enumerate(DEVICES)]
    dist = District(root, devs, SITE_TYPES, rrd_step=60, interval=300)
    write_inventory(dist)
    return dist


@pytest.fixture
def running(bindir, district):
    clock = Clock(district.root, WEEK_LATER)
    col = start_collector(bindir, district, env={"HBMON_CLOCK_FILE": clock.path})
    try:
        samples = []
        for ts in range(FROM - 3600, TO + STEP, STEP):
            for c, _, _, d, _ in DEVICES:
                if c == SILENT[0] and SILENT[1] < ts <= SILENT[2]:
                    continue
                samples.append(sample(c, d, ts, up=up(c, d, ts)))
        for i in range(0, len(samples), 5000):
            st, _, out = http(district.url("/api/v1/ingest"), batch(samples[i:i + 5000]),
                              timeout=120)
            assert st == 200, out
        yield district, clock
    finally:
        assert col.stop() == 0, col.output()


def get(dist, path):
    st, hdr, body = http(dist.url(path), timeout=120)
    page = body.decode()
    assert st == 200, page[:500]
    return page


def test_report_for_filing(running):
    dist, clock = running
    vi = get(dist, "/report?period=last-week")
    en = get(dist, "/report?period=last-week&lang=en")
    with open(os.path.join(dist.root, "report.html"), "w", encoding="utf-8") as f:
        f.write(vi)  # to look at when a check fails

    # what the report showed before stays: its period, headline, sheets, incidents
    assert '<p class="period" id="period">02/11–08/11/2026 · 5 ngày làm việc</p>' in vi
    assert '<strong id="communes-met">1/4</strong>' in vi
    assert f"from={FROM}&amp;to={TO}&amp;format=csv" in vi
    assert f"from={FROM}&amp;to={TO}&amp;format=xlsx" in vi
    assert f"from={FROM}&amp;to={TO}&amp;format=xlsx&amp;lang=en" in en
    st, hdr, body = http(dist.url(f"/api/v1/readiness?from={FROM}&to={TO}&format=xlsx"),
                         timeout=120)
    assert st == 200 and body.startswith(b"PK") and ".xlsx" in hdr["Content-Disposition"]
    assert 'id="incidents"' in vi and 'href="/report?period=last-year"' in vi
    assert "Tiếp nhận: máy quét 0 %" in vi  # the targets each commune missed
    assert "Toàn đơn vị: Phòng họp trực tuyến 0 %" in vi

    # 1. sentences to paste, one per site type, one per class target, one for all
    week = "từ 02/11 đến 08/11/2026"
    assert says(vi) == [
        f"1/4 xã đạt mọi chỉ tiêu trang thiết bị {week}.",
        f"2/4 xã có Bộ phận Một cửa đạt chỉ tiêu trang thiết bị {week}.",
        f"2/4 xã có Phòng họp trực tuyến đạt chỉ tiêu trang thiết bị {week}.",
        f"4/4 xã đủ máy tính hoạt động {week}.",
        f"2/4 xã đủ máy quét hoạt động {week}.",
        f"2/3 xã đủ thiết bị họp trực tuyến hoạt động {week}."]
    week = "from 02/11 to 08/11/2026"
    assert says(en) == [
        f"1/4 communes met every equipment target {week}.",
        f"In 2/4 communes the one-stop office met its equipment targets {week}.",
        f"In 2/4 communes the online meeting room met its equipment targets {week}.",
        f"In 4/4 communes every required PC was up {week}.",
        f"In 2/4 communes every required scanner was up {week}.",
        f"In 2/3 communes every required video-conference system was up {week}."]

    # 2. the matrix: a row per commune, a column per kind, the score last
    m = table(vi, "kinds")
    assert [h for _, _, h in m["head"][0]] == [
        "Xã", "Bộ phận Một cửa", "Phòng họp trực tuyến", "máy tính", "máy quét",
        "thiết bị họp trực tuyến", "Tỷ lệ chỉ tiêu đạt"]
    cells = by_name(m)
    assert list(cells) == [A, B, C, D]
    one_stop, room, pcs, scan, vc, score = [h for _, _, h in m["head"][0][1:]]
    assert cells[A][one_stop] == ("met", "100 %") and cells[A][score] == ("score met", "100 %")
    # a second office with no scanner: missed all week
    assert cells[B][one_stop] == ("missed", "0 %") and cells[B][scan] == ("missed", "0 %")
    assert cells[B][room] == ("met", "100 %") and cells[B][score] == ("score missed", "83,3 %")
    # Thursday unheard of: the share of the time with data, and how much had data
    assert cells[C][one_stop] == ("met", "100 % dữ liệu 80 %")
    assert cells[C][vc] == ("missed", "0 % dữ liệu 80 %")
    assert cells[C][room] == ("missed", "0 % dữ liệu 80 %")
    # an hour of its scanner; no meeting room (no target of that class: empty)
    assert cells[D][one_stop] == ("missed", "97,5 %") and cells[D][scan] == ("missed", "97,5 %")
    assert cells[D][room] == ("missed", "0 %") and cells[D][vc] == ("na", "")
    assert cells[D][pcs] == ("met", "100 %")
    foot = [(cls, text) for _, cls, text in m["foot"][0]]
    assert foot[1:6] == [("missed", "2/4"), ("missed", "2/4"), ("met", "4/4"),
                         ("missed", "2/4"), ("missed", "2/3")]
    en_heads = [h for _, _, h in table(en, "kinds")["head"][0]]
    assert en_heads[1:6] == ["one-stop office", "online meeting room", "PC", "scanner",
                             "video-conference system"]
    assert ("met", "100 % data 80 %") in by_name(table(en, "kinds"))[C].values()

    # 3. equipment: what the inventory has against what the sites' targets require
    eq = table(vi, "equipment")
    have = {name: {k: v for k, v in row.items()} for name, row in by_name(eq).items()}
    assert have[B]["máy quét"] == ("short", "1/2")  # in red
    assert have[B]["máy tính"] == ("enough", "4/4")
    assert have[D]["thiết bị họp trực tuyến"] == ("short", "0/1")  # its meeting room missing
    assert have[A] == {"máy tính": ("enough", "2/2"), "máy quét": ("enough", "1/1"),
                       "thiết bị họp trực tuyến": ("enough", "1/1")}
    total = [(cls, text) for _, cls, text in eq["foot"][0]]
    assert total == [("name", "Huyện Thử"), ("enough", "10/10"), ("short", "4/5 (1 xã thiếu)"),
                     ("short", "3/4 (1 xã thiếu)")]
    assert "table.equipment td.short" in get(dist, "/static/style.css")

    # 4. charts: inline SVG, well-formed, worst first, hostile names as text
    charts = svgs(vi)
    assert len(charts) == 2
    ns = {"s": "http://www.w3.org/2000/svg"}
    shares = ET.fromstring(charts[0])
    labels = [g.findall("s:text", ns)[0].text for g in shares.findall("s:g", ns)]
    assert labels == [C, D, B, A]  # 50 %, 65,8 %, 83,3 %, 100 %
    assert [g.findall("s:text", ns)[1].text for g in shares.findall("s:g", ns)] == \
        ["50 %", "65,8 %", "83,3 %", "100 %"]
    assert shares.find("s:line[@class='guide']", ns) is not None
    kinds = ET.fromstring(charts[1])
    assert [g.findall("s:text", ns)[1].text for g in kinds.findall("s:g", ns)] == \
        ["2/4", "2/4", "4/4", "2/4", "2/3"]
    for svg in charts:  # no script, no style: the CSP allows neither
        assert "<script" not in svg and "style=" not in svg and "<style" not in svg
        assert "<foreignObject" not in svg and " on" not in re.sub(r'"[^"]*"', "", svg)

    # hostile names: escaped wherever they are written
    assert "<b>Đông</b>" not in vi and "<b>Đông</b>" not in en
    esc = "Xã &lt;b&gt;Đông&lt;/b&gt; &amp; &quot;Tây&quot; &#39;Nam&#39;"
    assert f'<th scope="row" class="name">{esc}</th>' in vi  # the matrix
    assert vi.count(esc) >= 5  # matrix, equipment, chart label and title, results
    assert "style=" not in vi and "<style" not in vi and "<script" not in vi

    # words people read: no identifier-like token in either language
    allow = {n for row in DEVICES for n in (row[0], row[1], row[3])}
    for lang, page in (("vi", vi), ("en", en)):
        found = page_tokens(page, lang, allow)
        assert not found, (lang, found)


def test_month_in_words(running):
    dist, clock = running
    # the month not over yet: judged up to now, which the sentences say
    vi = get(dist, "/report?period=month")
    assert says(vi)[1] == ("2/4 xã có Bộ phận Một cửa đạt chỉ tiêu trang thiết bị trong tháng "
                           "11/2026 (tính đến 11/11/2026).")
    # a month over: its number; the weeks without data lower the coverage, not the verdicts
    clock.set(MONTH_LATER)
    vi = get(dist, "/report?period=last-month")
    en = get(dist, "/report?period=last-month&lang=en")
    assert says(vi)[0] == "1/4 xã đạt mọi chỉ tiêu trang thiết bị trong tháng 11/2026."
    assert says(vi)[4] == "2/4 xã đủ máy quét hoạt động trong tháng 11/2026."
    assert says(en)[1] == ("In 2/4 communes the one-stop office met its equipment targets in "
                           "month 11/2026.")
    cells = by_name(table(vi, "kinds"))
    assert cells[A]["Bộ phận Một cửa"] == ("met", "100 % dữ liệu 23,8 %")  # 5 of 21 days
    assert cells[C]["Bộ phận Một cửa"] == ("met", "100 % dữ liệu 19 %")    # 4 of 21
    for lang, page in (("vi", vi), ("en", en)):
        found = page_tokens(page, lang, {n for row in DEVICES for n in (row[0], row[1], row[3])})
        assert not found, (lang, found)


def test_officer_is_refused_the_district_report(bindir, running):
    from conftest import add_user, login
    dist, _ = running
    add_user(bindir, dist, "canbo.anbinh", "officer", "mat-khau-can-bo-1", communes=[A])
    cookie, st = login(dist.url("").rstrip("/"), "canbo.anbinh", "mat-khau-can-bo-1")
    assert cookie, st
    assert http(dist.url("/report?period=last-week"), cookie=cookie)[0] == 403


def test_printed_report(running):
    """Chromium prints the report: a few A4 pages, no user bar, forms or links to periods."""
    import base64
    import shutil
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("no Chromium to print with")
    from browser import Browser
    dist, _ = running
    base = dist.url("").rstrip("/")
    b = Browser(1200, 900)
    try:
        b.login(base, *ADMIN)
        b.get(base + "/report?period=last-week")
        assert not [m for m in b.console() if "Content Security Policy" in m]
        # on screen: the matrix scrolls in its box, its header row kept in view
        assert b.d.execute_script(
            "return getComputedStyle(document.querySelector('table.kinds thead th')).position"
        ) == "sticky"
        b.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        shown = b.d.execute_script(
            "return ['nav.user', 'nav.back', 'form.range', 'p.periods', 'table.kinds', "
            "'svg.chart'].map(s => getComputedStyle(document.querySelector(s)).display)")
        assert shown[:4] == ["none"] * 4 and shown[4:] == ["table", "block"], shown
        b.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        pdf = base64.b64decode(b.d.execute_cdp_cmd("Page.printToPDF", {
            "preferCSSPageSize": True, "printBackground": True})["data"])
        assert pdf.startswith(b"%PDF")
        pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
        assert 4 <= pages <= 12, pages
        # landscape pages for the wide tables: some MediaBox is wider than tall
        boxes = [tuple(float(x) for x in m) for m in
                 re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", pdf)]
        assert any(w > h for _, _, w, h in boxes) and any(w < h for _, _, w, h in boxes), boxes
        with open(os.path.join(dist.root, "report.pdf"), "wb") as f:
            f.write(pdf)
    finally:
        b.d.quit()
