"""The district overview as its readers use it: a row per commune, the district's figures per
kind of target, filters and sorting from the query (and in place, by the page's script), an
officer's own commune only; and in headless Chromium on a phone's width: no sideways scroll,
no name broken inside a word, a small card per commune, the search filtering as one types,
the in-place refresh leaving a half-typed note alone."""
import html
import os
import re
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

import pytest

from conftest import ADMIN, ADMIN_NAME, BUILDS, TOP, District, add_user, batch, http, login, \
    post_form, sample, start_collector

VN = timezone(timedelta(hours=7))
CONFIG = """[commune-targets]
site.meeting-room = 1
[site-type one-stop]
label_vi = Bộ phận một cửa
label_en = one-stop office
pc = 1
scanner = 1
printer = 1 warning
[site-type meeting-room]
label_vi = Phòng họp trực tuyến
label_en = online meeting room
vc = 1
"""
# inventory order is not name order: Vietnamese order puts Đ after D and before T
COMMUNES = ["Xã Tân Phú", "Xã An Bình", "Phường Đông Hòa", "Xã Đức Hòa"]
DEVICES = [("Một cửa", "one-stop", "PC 1", "pc"), ("Một cửa", "one-stop", "PC 2", "pc"),
           ("Một cửa", "one-stop", "Máy quét", "scanner"),
           ("Một cửa", "one-stop", "Máy in", "printer"),
           ("Phòng họp", "meeting-room", "Điểm cầu", "vc")]
OFFICER = ("canbo.tanphu", "mat-khau-tanphu-2026")


def up(commune, device, minute):
    """Đức Hòa's meeting room is down from the start (its alert fires first), Tân Phú's
    scanner from minute 12 and one of its PCs always, Đông Hòa's printer (a warning) from
    minute 14; An Bình meets everything."""
    if commune == "Xã Đức Hòa" and device == "Điểm cầu":
        return False
    if commune == "Xã Tân Phú" and (device == "PC 2" or (device == "Máy quét" and minute >= 12)):
        return False
    if commune == "Phường Đông Hòa" and device == "Máy in" and minute >= 14:
        return False
    return True


class Overview:
    def __init__(self, bindir, root):
        self.bindir = bindir
        self.clock = os.path.join(root, "clock")
        self.now = int(datetime(2026, 11, 23, 9, 0, tzinfo=VN).timestamp())  # a Monday
        self.tick(0)
        devs = [{"commune": c, "site": s, "site_type": st, "device": d, "class": cls,
                 "address": f"127.0.0.{10 + i}:161", "snmp": "pub", "community": "public"}
                for i, (c, (s, st, d, cls)) in enumerate(
                    (c, dev) for c in COMMUNES for dev in DEVICES)]
        self.dist = District(root, devs, CONFIG,
                             extra="[alerts]\npending = 60\nstartup_grace = 0\n")
        self.col = start_collector(bindir, self.dist, env={"HBMON_CLOCK_FILE": self.clock})
        add_user(bindir, self.dist, OFFICER[0], "officer", OFFICER[1], communes=["Xã Tân Phú"])
        for minute in range(19):
            self.tick(60)
            body = batch([sample(c, d, self.now, up=up(c, d, minute))
                          for c in COMMUNES for _, _, d, _ in DEVICES])
            assert http(self.dist.url("/api/v1/ingest"), body)[0] == 200

    def tick(self, seconds):
        self.now += seconds
        with open(self.clock, "w", encoding="ascii") as f:
            f.write(str(self.now))

    def page(self, query="", cookie=None):
        st, hdr, body = http(self.dist.url("/" + query), cookie=cookie)
        assert st == 200, (query, st)
        return body.decode("utf-8")


@pytest.fixture(scope="module", params=BUILDS)
def ov(request, tmp_path_factory):
    """One district per build, shared by this module's tests (it takes 19 minutes of samples);
    they run in order: the acknowledgement comes late."""
    bindir = os.path.join(TOP, request.param)
    assert os.path.exists(os.path.join(bindir, "hbmon-collector")), f"run make first ({bindir})"
    o = Overview(bindir, str(tmp_path_factory.mktemp("overview")))
    yield o
    assert o.col.stop() == 0, o.col.output()


def rows(page):
    """[(commune, hidden)] in the page's order."""
    return [(html.unescape(m.group(2)), " hidden" in m.group(3)) for m in re.finditer(
        r'<tr id="c(\d+)" class="commune [a-z]+" data-commune="([^"]+)"([^>]*)>', page)]


def shown(page):
    return [c for c, hidden in rows(page) if not hidden]


def row(page, commune):
    m = re.search(r'<tr id="c\d+" class="commune ([a-z]+)" data-commune="' + re.escape(commune)
                  + r'"[^>]*>(.*?)</tr>', page, re.S)
    assert m, commune
    return m.group(1), m.group(2)


def kinds(page):
    """{kind: (figure, words)} of the figures per kind of target."""
    out = {}
    for m in re.finditer(r'<li class="[a-z]+" data-kind="([^"]+)"[^>]*><strong>([^<]+)</strong> '
                         r'([^<·]+)', page):
        out[m.group(1)] = (m.group(2), m.group(3).strip())
    return out


def test_a_row_per_commune_with_its_figures(ov):
    page = ov.page()
    # every commune once, the worst first (missed by name, then the warning, then met)
    assert rows(page) == [("Xã Đức Hòa", False), ("Xã Tân Phú", False),
                          ("Phường Đông Hòa", False), ("Xã An Bình", False)]
    assert 'id="communes-met">2/4</strong>' in page
    cls, cells = row(page, "Xã Tân Phú")
    assert cls == "missed" and '<span class="badge missed">Chưa đạt</span>' in cells
    assert re.search(r'<a href="/commune/[^"]+">Xã Tân Phú</a>', cells)
    assert ">1/2</td>" in cells and ">3/5</td>" in cells  # sites met, devices up
    assert "Bộ phận một cửa: 0 máy quét hoạt động (cần 1)" in cells
    # its oldest fault: when the scanner's alert fired, and how long ago
    assert re.search(r'<span class="since">từ 09:1\d · \d phút</span>', cells), cells
    cls, cells = row(page, "Phường Đông Hòa")
    assert cls == "met" and '<span class="badge met">Đạt</span>' in cells
    assert '<span class="badge warn">1 cảnh báo</span>' in cells
    assert row(page, "Xã An Bình")[0] == "met" and 'class="since"' not in row(page, "Xã An Bình")[1]
    cls, cells = row(page, "Xã Đức Hòa")
    assert cls == "missed" and "Phòng họp trực tuyến" in cells
    # the devices are on each commune's page now, not here
    assert "data-device=" not in page and 'class="site ' not in page
    # per kind of target across the district: a site type's sites, a class's devices
    assert kinds(page) == {
        "site.one-stop": ("3/4", "xã có Bộ phận một cửa đạt chỉ tiêu"),
        "site.meeting-room": ("3/4", "xã có Phòng họp trực tuyến đạt chỉ tiêu"),
        "pc": ("4/4", "xã đủ máy tính hoạt động"),
        "scanner": ("3/4", "xã đủ máy quét hoạt động"),
        "vc": ("3/4", "xã đủ thiết bị họp trực tuyến hoạt động")}, kinds(page)
    # the printer is a warning only: no district figure of its own
    assert 'data-kind="printer"' not in page
    assert 'href="/?kind=scanner&amp;sev=critical">xem 1 xã chưa đạt</a>' in page
    en = ov.page("?lang=en")
    assert kinds(en)["site.meeting-room"] == ("3/4", "communes where the online meeting room "
                                                     "meets its targets")
    assert kinds(en)["scanner"] == ("3/4", "communes where every required scanner is up")
    # the script from this site, no inline script; without it the page reloads itself
    assert '<script src="/static/overview.js" defer></script>' in page
    assert '<noscript><meta http-equiv="refresh" content="60"></noscript>' in page
    assert re.sub(r'<script src="/static/overview.js" defer></script>', "", page).count("<script") == 0
    assert page.count('http-equiv="refresh"') == 1
    assert '<body class="overview" data-refresh="60">' in page
    st, hdr, js = http(ov.dist.url("/static/overview.js"))
    assert st == 200 and hdr["Content-Type"].startswith("text/javascript") and b"fold" in js


def test_filters_and_sorts_from_the_query(ov):
    cases = {
        "?status=missed": ["Xã Đức Hòa", "Xã Tân Phú"],
        "?status=met": ["Phường Đông Hòa", "Xã An Bình"],
        "?status=warn": ["Phường Đông Hòa"],
        "?status=notjudged": [],
        "?status=nodata": [],
        "?sev=warning": ["Phường Đông Hòa"],
        "?sev=critical": ["Xã Đức Hòa", "Xã Tân Phú"],
        "?kind=scanner": ["Xã Tân Phú"],
        "?kind=site.meeting-room": ["Xã Đức Hòa"],
        "?kind=site.one-stop": ["Xã Tân Phú", "Phường Đông Hòa"],
        "?kind=site.one-stop&sev=critical": ["Xã Tân Phú"],
        "?kind=vc&sev=warning": [],
        "?q=duc+hoa": ["Xã Đức Hòa"],  # typed without tones
        "?q=H%C3%92A": ["Xã Đức Hòa", "Phường Đông Hòa"],  # HÒA
        "?q=%C4%90%E1%BB%A9c": ["Xã Đức Hòa"],  # Đức
        "?q=+t%C3%A2n+": ["Xã Tân Phú"],
        "?q=xa&status=met": ["Xã An Bình"],
    }
    for query, want in cases.items():
        page = ov.page(query)
        assert shown(page) == want, (query, shown(page))
        assert len(rows(page)) == 4  # the others are sent hidden: the script may show them
        assert f'<strong id="shown">{len(want)}</strong>/<span id="total">4</span>' in page
        assert ('<p id="none-shown" class="none" hidden>' in page) == bool(want), query
    # the form says what is applied
    page = ov.page("?status=warn&sev=warning&kind=scanner&q=ph%C3%BA&sort=name")
    for sel in ('<option value="warn" selected>', '<option value="warning" selected>',
                '<option value="scanner" selected>', '<option value="name" selected>',
                'name="q" maxlength="100" autocomplete="off"'):
        assert sel in page, sel
    assert re.search(r'name="q"[^>]*value="phú"', page)
    # the other language keeps the view
    assert ('href="/?status=warn&amp;sev=warning&amp;kind=scanner&amp;q=ph%C3%BA&amp;sort=name'
            '&amp;lang=en"') in page
    # sorting: by name in the alphabet's order (Đ after D, before T), oldest fault first,
    # most devices down first
    order = {"": ["Xã Đức Hòa", "Xã Tân Phú", "Phường Đông Hòa", "Xã An Bình"],
             "?sort=name": ["Phường Đông Hòa", "Xã An Bình", "Xã Đức Hòa", "Xã Tân Phú"],
             "?sort=fault": ["Xã Đức Hòa", "Xã Tân Phú", "Phường Đông Hòa", "Xã An Bình"],
             "?sort=down": ["Xã Tân Phú", "Xã Đức Hòa", "Phường Đông Hòa", "Xã An Bình"],
             "?sort=status&status=missed": ["Xã Đức Hòa", "Xã Tân Phú"]}
    for query, want in order.items():
        assert shown(ov.page(query)) == want, (query, shown(ov.page(query)))
    page = ov.page("?sort=name")
    assert [int(x) for x in re.findall(r'data-order="(\d)"', page)] == [0, 1, 2, 3]


def test_hostile_queries_are_ignored(ov):
    default = shown(ov.page())
    for query in ("?status=%3Cscript%3E", "?sort=..%2F..%2Fetc%2Fpasswd", "?kind=site.nope",
                  "?kind=printer", "?kind=site.", "?sev=%00", "?status=MISSED",
                  "?q=" + "a" * 301, "?q=%01abc", "?q=%FF%FE", "?q=a%E2%80%AEb",
                  "?status=" + "x" * 3000, "?refresh=-5%3Cb%3E"):
        st, _, body = http(ov.dist.url("/" + query))
        page = body.decode("utf-8")
        assert st == 200, query
        assert shown(page) == default, (query, shown(page))
        assert "<script>" not in page and "\x00" not in page and "\ufffd" not in page
        assert '<option value="" selected>' in page  # the defaults chosen
        assert re.search(r'name="q"[^>]*value=""', page), query
    # markup in a search is text: escaped where it is shown, matching no commune
    page = ov.page("?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%27")
    assert shown(page) == [] and "<script>alert" not in page
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;"' in page
    # the refresh period: at least 2 s, at most an hour, 60 s unless a number says otherwise
    for arg, want in (("1", 2), ("2", 2), ("90", 90), ("999999", 3600), ("abc", 60), ("", 60)):
        page = ov.page("?refresh=" + arg)
        assert f'data-refresh="{want}"' in page and f'content="{want}"' in page, arg


def test_an_officer_sees_their_commune_and_its_figures(ov):
    officer = login(ov.dist.url(""), *OFFICER)[0]
    page = ov.page("", cookie=officer)
    assert rows(page) == [("Xã Tân Phú", False)]
    for other in ("Xã An Bình", "Phường Đông Hòa", "Xã Đức Hòa"):
        assert other not in page
    assert 'id="communes-met"' not in page  # the district's figures are not theirs
    assert kinds(page) == {
        "site.one-stop": ("0/1", "xã có Bộ phận một cửa đạt chỉ tiêu"),
        "site.meeting-room": ("1/1", "xã có Phòng họp trực tuyến đạt chỉ tiêu"),
        "pc": ("1/1", "xã đủ máy tính hoạt động"),
        "scanner": ("0/1", "xã đủ máy quét hoạt động"),
        "vc": ("1/1", "xã đủ thiết bị họp trực tuyến hoạt động")}, kinds(page)
    assert shown(ov.page("?q=duc", cookie=officer)) == []
    assert "Xã Đức Hòa" not in ov.page("?q=duc", cookie=officer)
    assert 'id="probes"' not in page


def test_a_fault_taken_on_says_by_whom(ov):
    form = {"commune": "Xã Tân Phú", "site": "Một cửa", "target": "scanner"}
    assert post_form(ov.dist, "/api/v1/ack", form)[:2] == (303, "/#alerts")
    cells = row(ov.page(), "Xã Tân Phú")[1]
    assert f'<span class="acked">người nhận xử lý: {ADMIN_NAME}</span>' in cells, cells
    assert 'class="acked"' not in row(ov.page(), "Xã Đức Hòa")[1]


# ---- in a browser -------------------------------------------------------------------------

NO_WORD_BROKEN = """
const out = [];
for (const el of document.querySelectorAll(arguments[0])) {
  if (el.offsetParent === null) continue;
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let t = walker.nextNode(); t; t = walker.nextNode()) {
    const s = t.textContent;
    let i = 0;
    for (const w of s.split(' ')) {
      if (w) {
        const r = document.createRange();
        r.setStart(t, i); r.setEnd(t, i + w.length);
        const tops = new Set(Array.from(r.getClientRects()).filter(x => x.width > 0)
                                  .map(x => Math.round(x.top)));
        if (tops.size > 1) out.push(w);
      }
      i += w.length + 1;
    }
  }
}
return out;
"""


def layout(b, width):
    """What a phone's reader would see wrong: sideways scroll, words broken, a tall card."""
    d = b.d
    assert d.execute_script("return document.documentElement.scrollWidth") <= \
        d.execute_script("return window.innerWidth"), f"scrolls sideways at {width} px"
    broken = d.execute_script(NO_WORD_BROKEN, "table.communes td.name, .badge, h1, nav.user, "
                                              "nav.lang, #kinds li, table.communes td.reasons")
    assert broken == [], (width, broken)
    # the bars and the title's words do not overlap
    boxes = d.execute_script("""
        const box = r => [r.left, r.top, r.right, r.bottom];
        const h1 = document.querySelector('header#top h1'), range = document.createRange();
        range.selectNodeContents(h1);
        return [box(document.querySelector('nav.user').getBoundingClientRect()),
                box(document.querySelector('nav.lang').getBoundingClientRect())]
               .concat(Array.from(range.getClientRects()).map(box));""")
    for i in range(2):
        for j in range(i + 1, len(boxes)):
            a, c = boxes[i], boxes[j]
            assert a[2] <= c[0] or c[2] <= a[0] or a[3] <= c[1] or c[3] <= a[1], (width, boxes)


def phone(width, height):
    """A browser the size of a phone (browser.py emulates a phone's screen below 500 px)."""
    from browser import Browser
    return Browser(width, height)


@pytest.mark.one_build
def test_in_a_browser_on_a_phone_and_a_desk(ov):
    from browser import Browser
    if ov.bindir.endswith("asan"):
        pytest.skip("the browser sees the same pages from both builds; once is enough")
    base = ov.dist.url("")
    for width, height in ((390, 844), (360, 740)):
        with phone(width, height) as b:
            assert b.login(base, *ADMIN) == "/"
            assert b.d.execute_script("return innerWidth") == width
            b.get(base + "/")
            layout(b, width)
            card = b.d.execute_script(
                "return document.querySelector('tr[data-commune=\"Xã Tân Phú\"]')"
                ".getBoundingClientRect().height")
            assert 0 < card < 200, (width, card)
            # a commune's name on one line at a phone's width: "Xã Tân Phú" is short
            names = b.d.execute_script("""return Array.from(document.querySelectorAll(
                'table.communes td.name a')).map(a => a.getClientRects().length)""")
            assert names == [1, 1, 1, 1], names
            b.screenshot(f"overview-{width}")
            assert [m for m in b.console() if "Content Security Policy" in m] == []
    with Browser(1200, 900) as b:
        b.login(base, *ADMIN)
        b.get(base + "/")
        layout(b, 1200)
        b.screenshot("overview-1200")
        # the table at a desk: one line a commune when its reasons are short
        h = b.d.execute_script("return document.querySelector("
                               "'tr[data-commune=\"Xã An Bình\"]').getBoundingClientRect().height")
        assert h < 60, h


@pytest.mark.one_build
def test_in_a_browser_without_its_script(ov):
    """The filter form is a plain GET: with scripts off it filters by a page load."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
    if ov.bindir.endswith("asan"):
        pytest.skip("the browser sees the same pages from both builds; once is enough")
    base = ov.dist.url("")
    with phone(390, 844) as b:
        b.login(base, *ADMIN)
        b.d.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
        b.get(base + "/")
        Select(b.d.find_element(By.NAME, "status")).select_by_value("missed")
        Select(b.d.find_element(By.NAME, "sort")).select_by_value("name")
        b.click_and_wait(b.d.find_element(By.CSS_SELECTOR, "form.filter button[type=submit]"))
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(b.d.current_url).query)
        assert query == {"status": ["missed"], "sort": ["name"]}, b.d.current_url
        page = b.dom()
        assert shown(page) == ["Xã Đức Hòa", "Xã Tân Phú"], shown(page)
        assert [r.get_attribute("data-commune") for r in
                b.find("table.communes tbody tr") if r.is_displayed()] == shown(page)
        # ... and it reloads itself every minute
        assert '<meta http-equiv="refresh" content="60">' in page


@pytest.mark.one_build
def test_in_a_browser_search_filters_and_refresh_spares_typing(ov):
    from selenium.webdriver.common.by import By
    if ov.bindir.endswith("asan"):
        pytest.skip("the browser sees the same pages from both builds; once is enough")
    base = ov.dist.url("")
    with phone(390, 844) as b:
        b.login(base, *ADMIN)
        b.get(base + "/?refresh=2")
        d = b.d
        d.execute_script("window.samePage = 1")

        def visible():
            return d.execute_script("""return Array.from(document.querySelectorAll(
                'table.communes tbody tr')).filter(r => !r.hidden).map(r => r.dataset.commune)""")

        def counts():
            return [int(d.execute_script(f"return document.body.dataset.{k}") or 0)
                    for k in ("refreshed", "skipped")]
        # typing in the search filters at once, without a page load, and the address keeps it
        box = d.find_element(By.NAME, "q")
        box.send_keys("hoa")
        assert visible() == ["Xã Đức Hòa", "Phường Đông Hòa"], visible()
        box.clear()
        box.send_keys("đông")
        assert visible() == ["Phường Đông Hòa"]
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(d.current_url).query)["q"] == ["đông"]
        assert d.find_element(By.ID, "shown").text == "1"
        box.clear()
        box.send_keys("zzz")
        assert visible() == [] and d.find_element(By.ID, "none-shown").is_displayed()
        box.clear()
        from selenium.webdriver.support.ui import Select
        Select(d.find_element(By.NAME, "sort")).select_by_value("name")
        assert visible() == ["Phường Đông Hòa", "Xã An Bình", "Xã Đức Hòa", "Xã Tân Phú"]
        Select(d.find_element(By.NAME, "status")).select_by_value("missed")
        assert visible() == ["Xã Đức Hòa", "Xã Tân Phú"]
        assert d.execute_script("return window.samePage") == 1
        b.screenshot("overview-filtered-390")
        # the data is refreshed in place every 2 s here, keeping the filter and sort
        d.find_element(By.TAG_NAME, "h1").click()  # leave the fields
        start = counts()[0]
        deadline = time.time() + 15
        while counts()[0] < start + 1 and time.time() < deadline:
            time.sleep(0.2)
        assert counts()[0] >= start + 1, counts()
        assert visible() == ["Xã Đức Hòa", "Xã Tân Phú"]
        assert d.execute_script("return window.samePage") == 1
        # a half-typed note is left alone: no refresh while it holds text
        note = d.find_elements(By.CSS_SELECTOR, "form.ack input[name=note]")[0]
        note.send_keys("đang gọi nhà mạng")
        d.find_element(By.TAG_NAME, "h1").click()
        time.sleep(0.5)
        before = counts()
        time.sleep(5)  # past two refresh periods
        after = counts()
        assert after[0] == before[0] and after[1] > before[1], (before, after)
        note = d.find_elements(By.CSS_SELECTOR, "form.ack input[name=note]")[0]
        assert note.get_attribute("value") == "đang gọi nhà mạng"
        b.screenshot("overview-typing-390")
        # ... nor while someone is in the search box
        note.clear()
        d.find_element(By.NAME, "q").click()
        before = counts()
        time.sleep(5)
        assert counts()[0] == before[0]
        # the note sent: taken on, the page as it was asked for
        d.find_element(By.TAG_NAME, "h1").click()
        deadline = time.time() + 15
        while counts()[0] == before[0] and time.time() < deadline:
            time.sleep(0.2)
        assert counts()[0] > before[0]
        assert d.execute_script("return window.samePage") == 1
