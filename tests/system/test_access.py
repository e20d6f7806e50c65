"""Who may see and do what on the dashboard: log-ins, roles, sessions, forms, headers, the
activity log. The real collector, its real users (hbmon-collector user add), loopback only."""
import json
import os
import re
import subprocess
import time
import urllib.parse
from datetime import datetime, timedelta, timezone
from http.client import HTTPConnection

import pytest

from conftest import (ADMIN, ADMIN_NAME, District, add_user, admin_cookie, batch, http, login,
                      page_csrf, post_form, sample, start_collector)

VN = timezone(timedelta(hours=7))
CONFIG = """[site-type one-stop]
label_vi = Bộ phận một cửa
label_en = one-stop office
pc = 1
scanner = 1
"""
DEVICES = [("Xã A", "PC", "pc"), ("Xã A", "Máy quét", "scanner"),
           ("Xã B", "PC", "pc"), ("Xã B", "Máy quét", "scanner")]
VIEWER = ("xem", "mat-khau-xem-2026")
OFFICER = ("canbo.a", "mat-khau-canbo-2026")


class Office:
    """Two communes, their scanners down (alerts firing), three users besides the admin."""

    def __init__(self, bindir, root):
        self.bindir = bindir
        self.clock = os.path.join(root, "clock")
        self.now = int(datetime(2026, 11, 23, 9, 0, tzinfo=VN).timestamp())  # a Monday
        self.tick(0)
        devs = [{"commune": c, "site": "Một cửa", "site_type": "one-stop", "device": d,
                 "class": cls, "address": f"127.0.0.{40 + i}:161", "snmp": "pub",
                 "community": "public"} for i, (c, d, cls) in enumerate(DEVICES)]
        self.dist = District(root, devs, CONFIG,
                             extra="[alerts]\npending = 60\nstartup_grace = 0\n")
        self.col = start_collector(bindir, self.dist, env={"HBMON_CLOCK_FILE": self.clock})
        add_user(bindir, self.dist, *VIEWER[:1], "viewer", VIEWER[1])
        add_user(bindir, self.dist, OFFICER[0], "officer", OFFICER[1], communes=["Xã A"],
                 full_name="Anh Tư (Xã A)")
        for _ in range(13):  # stale_after, then pending: both scanners' alerts fire
            self.tick(60)
            body = batch([sample(c, d, self.now, up=cls != "scanner") for c, d, cls in DEVICES])
            assert http(self.dist.url("/api/v1/ingest"), body)[0] == 200

    def tick(self, seconds):
        self.now += seconds
        with open(self.clock, "w", encoding="ascii") as f:
            f.write(str(self.now))

    def cli(self, *args, stdin=None):
        return subprocess.run([os.path.join(self.bindir, "hbmon-collector"), "-c",
                               self.dist.conf, *args], input=stdin, capture_output=True,
                              text=True, env={**os.environ, "HBMON_CLOCK_FILE": self.clock})

    def get(self, path, cookie, **kw):
        st, hdr, body = http(self.dist.url(path), cookie=cookie, **kw)
        return st, hdr, body.decode("utf-8", "replace")


@pytest.fixture
def office(bindir, tmp_path):
    o = Office(bindir, str(tmp_path))
    yield o
    assert o.col.stop() == 0, o.col.output()


def raw(office, method, path, cookie=None, body=None, source="127.0.0.1", headers=None,
        binary=False):
    """One request, no redirect followed, from a chosen loopback address."""
    conn = HTTPConnection("127.0.0.1", office.dist.port, timeout=10, source_address=(source, 0))
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = cookie
    if body is not None:
        h["Content-Type"] = "application/x-www-form-urlencoded"
        body = urllib.parse.urlencode(body).encode()
    conn.request(method, path, body, h)
    r = conn.getresponse()
    data = r.read()
    return r.status, r.headers, data if binary else data.decode("utf-8", "replace")


def device_path(office, commune, device):
    """The device's link on its commune's page, the commune's link on the overview."""
    admin = admin_cookie(office.dist.url("/"))
    page = office.get("/", admin)[2]
    row = page[page.index(f'data-commune="{commune}"'):]
    page = office.get(re.search(r'<a href="(/commune/[^"?]+)">', row).group(1), admin)[2]
    return re.search(r'<a href="(/device/[^"?]+)">' + re.escape(device) + "</a>", page).group(1)


def test_nobody_logged_in_reads_nothing(office):
    st, hdr, _ = raw(office, "GET", "/")
    assert st == 303 and hdr["Location"] == "/login?next=%2F"
    dev = device_path(office, "Xã B", "PC")
    st, hdr, _ = raw(office, "GET", dev)
    assert st == 303 and hdr["Location"].startswith("/login?next=%2Fdevice%2F")
    for path in ("/api/v1/readiness", "/api/v1/alerts", "/api/v1/devices", "/report",
                 dev.replace("/device/", "/graph/") + "/system.png", "/audit"):
        st = raw(office, "GET", path)[0]
        assert st in (303, 401), (path, st)
        if path.startswith("/api/"):
            assert st == 401, path
    st, _, page = raw(office, "GET", "/login")
    assert st == 200 and 'name="password"' in page and 'type="password"' in page
    # the communes' figures: a session or a read-only token (test_prometheus.py)
    assert raw(office, "GET", "/metrics")[0] == 401
    # a made-up cookie is nobody
    assert raw(office, "GET", "/api/v1/alerts", cookie="hbmon_session=" + "a" * 64)[0] == 401


def test_each_role_sees_and_does_what_it_may(office):
    admin = admin_cookie(office.dist.url("/"))
    viewer = login(office.dist.url(""), *VIEWER)[0]
    officer = login(office.dist.url(""), *OFFICER)[0]
    assert admin and viewer and officer
    # administrator: everything, the activity log too
    page = office.get("/", admin)[2]
    assert 'data-commune="Xã A"' in page and 'data-commune="Xã B"' in page
    assert page.count('action="/api/v1/ack"') == 2 and 'href="/audit"' in page
    assert office.get("/audit", admin)[0] == 200
    # viewer: reads every commune, changes nothing
    page = office.get("/", viewer)[2]
    assert 'data-commune="Xã B"' in page and 'id="communes-met"' in page
    assert 'action="/api/v1/ack"' not in page and 'action="/api/v1/maintenance"' not in page
    form = {"commune": "Xã A", "site": "Một cửa", "target": "scanner"}
    assert post_form(office.dist, "/api/v1/ack", form, cookie=viewer)[0] == 403
    assert office.get("/audit", viewer)[0] == 403
    assert office.get("/report?period=week", viewer)[0] == 200
    # officer of Xã A: that commune only, pages and API alike
    page = office.get("/", officer)[2]
    assert 'data-commune="Xã A"' in page and "Xã B" not in page
    assert 'id="communes-met"' not in page and "Anh Tư (Xã A)" not in page  # the bar: login name
    assert "canbo.a" in page
    ready = json.loads(office.get("/api/v1/readiness", officer)[2])
    assert [c["name"] for c in ready["communes"]] == ["Xã A"]
    assert "communes_met" not in ready["district"]
    devs = json.loads(office.get("/api/v1/devices", officer)[2])
    assert {d["commune"] for d in devs} == {"Xã A"} and len(devs) == 2
    alerts = json.loads(office.get("/api/v1/alerts", officer)[2])["alerts"]
    assert {a["commune"] for a in alerts} == {"Xã A"}, alerts
    other = device_path(office, "Xã B", "PC")
    for path in (other, other.replace("/device/", "/graph/") + "/system.png",
                 other.replace("/device/", "/api/v1/series/") + "/system", "/report",
                 "/api/v1/readiness?period=week", "/audit"):
        assert office.get(path, officer)[0] == 403, path
    assert office.get(device_path(office, "Xã A", "PC"), officer)[0] == 200
    # acknowledges in their commune, in their own name; not in another
    assert post_form(office.dist, "/api/v1/ack", form, cookie=officer)[:2] == (303, "/#alerts")
    assert post_form(office.dist, "/api/v1/ack", {**form, "commune": "Xã B"},
                     cookie=officer)[0] == 403
    alerts = json.loads(office.get("/api/v1/alerts", admin)[2])["alerts"]
    by = {a["commune"]: a.get("acknowledged_by") for a in alerts}
    assert by == {"Xã A": "Anh Tư (Xã A)", "Xã B": None}, alerts
    # all of it in the activity log, with who and from where
    log = office.get("/audit", admin)[2]
    row = next(r for r in log.split("<tr>") if "Nhận xử lý cảnh báo" in r)
    assert "canbo.a" in row and "127.0.0.1" in row and "Xã A / Một cửa: máy quét" in row, row


def test_forms_refused_from_another_site_or_without_the_token(office):
    form = {"commune": "Xã A", "site": "Một cửa", "target": "scanner"}
    assert post_form(office.dist, "/api/v1/ack", form, origin="http://evil.example")[0] == 403
    assert post_form(office.dist, "/api/v1/ack", form, origin=None, csrf=False)[0] == 403
    assert post_form(office.dist, "/api/v1/ack", form, csrf="f" * 64)[0] == 403
    # another session's token is not this one's
    viewer = login(office.dist.url(""), *VIEWER)[0]
    theirs = page_csrf(office.get("/", viewer)[2])
    assert post_form(office.dist, "/api/v1/ack", form, csrf=theirs)[0] == 403
    st, hdr, _ = raw(office, "POST", "/api/v1/ack", cookie=admin_cookie(office.dist.url("/")),
                     body=form, headers={"Sec-Fetch-Site": "cross-site"})
    assert st == 403
    assert post_form(office.dist, "/api/v1/ack", form)[0] == 303


def test_log_in_log_out_and_guessing(office):
    base = office.dist.url("")
    st, hdr, _ = raw(office, "POST", "/login",
                     body={"user": ADMIN[0], "password": ADMIN[1], "next": "/device/x"})
    assert st == 303 and hdr["Location"] == "/device/x"
    cookie = hdr["Set-Cookie"]
    assert re.match(r"hbmon_session=[0-9a-f]{64}; ", cookie), cookie
    for flag in ("HttpOnly", "SameSite=Strict", "Path=/"):
        assert flag in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback here; HTTPS sets it
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        st, hdr, _ = raw(office, "POST", "/login",
                         body={"user": ADMIN[0], "password": ADMIN[1], "next": evil})
        assert st == 303 and hdr["Location"] == "/", evil
    # logging out ends the session, not just the cookie
    session = cookie.split(";")[0]
    page = office.get("/", session)[2]
    st, hdr, _ = raw(office, "POST", "/logout", cookie=session,
                     body={"csrf": page_csrf(page)})
    assert st == 303 and hdr["Location"] == "/login" and "Max-Age=0" in hdr["Set-Cookie"]
    assert raw(office, "GET", "/api/v1/alerts", cookie=session)[0] == 401
    # guessing from one address: five wrong, then it waits (the right password too)
    for i in range(5):
        st, _, page = raw(office, "POST", "/login", source="127.0.0.9",
                          body={"user": ADMIN[0], "password": f"doan-sai-{i}"})
        assert st == 401 and "Sai tên đăng nhập hoặc mật khẩu." in page
    st, hdr, page = raw(office, "POST", "/login", source="127.0.0.9",
                        body={"user": ADMIN[0], "password": ADMIN[1]})
    assert st == 429 and int(hdr["Retry-After"]) >= 1 and "thử lại sau" in page
    # ... from that address only: the officer in the office still gets in
    assert login(base, *OFFICER)[0]
    log = office.cli("user", "log", "--limit", "20").stdout
    assert log.count("login_failed") >= 6 and "127.0.0.9" in log, log
    page = office.get("/audit", admin_cookie(base))[2]
    assert "Đăng nhập không thành công" in page and "sai mật khẩu" in page
    assert "quá nhiều lần thử" in page


def test_changed_or_deleted_users_lose_their_sessions(office):
    base = office.dist.url("")
    officer = login(base, *OFFICER)[0]
    viewer = login(base, *VIEWER)[0]
    assert office.get("/", officer)[0] == 200
    r = office.cli("user", "passwd", OFFICER[0], stdin="mat-khau-moi-2026\n")
    assert r.returncode == 0, r.stderr
    r = office.cli("user", "del", VIEWER[0])
    assert r.returncode == 0, r.stderr
    office.tick(61)  # the collector looks again once a minute
    office.get("/api/v1/alerts", admin_cookie(base))
    assert raw(office, "GET", "/api/v1/alerts", cookie=officer)[0] == 401
    assert raw(office, "GET", "/api/v1/alerts", cookie=viewer)[0] == 401
    assert login(base, *OFFICER)[0] is None and login(base, *VIEWER)[0] is None
    assert login(base, OFFICER[0], "mat-khau-moi-2026")[0]


def test_headers_forbid_framing_sniffing_and_inline_script(office):
    admin = admin_cookie(office.dist.url("/"))
    for path in ("/", "/login", device_path(office, "Xã A", "PC"), "/audit"):
        st, hdr, _ = raw(office, "GET", path, cookie=admin)
        assert st == 200, path
        csp = hdr["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src" not in csp.replace(
            "default-src 'self'", "") and "'unsafe-inline'" not in csp, csp
        assert hdr["X-Frame-Options"] == "DENY"
        assert hdr["X-Content-Type-Options"] == "nosniff"
        assert hdr["Referrer-Policy"] == "same-origin"


def test_maintenance_windows_are_bounded_listed_and_cancellable(office):
    officer = login(office.dist.url(""), *OFFICER)[0]
    day = datetime.fromtimestamp(office.now, VN)

    def at(days, hour=8):
        return (day + timedelta(days=days)).replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")
    window = {"commune": "Xã A", "site": "", "note": "cắt điện"}
    st, _, msg = post_form(office.dist, "/api/v1/maintenance",
                           {**window, "from": at(1), "to": at(5)}, cookie=officer)
    assert st == 400 and "at most 3 days" in msg and "administrator" in msg, msg
    st, _, msg = post_form(office.dist, "/api/v1/maintenance",
                           {**window, "commune": "Xã B", "from": at(1), "to": at(2)},
                           cookie=officer)
    assert st == 403
    assert post_form(office.dist, "/api/v1/maintenance", {**window, "from": at(1), "to": at(2)},
                     cookie=officer)[:2] == (303, "/#maint")
    page = office.get("/", officer)[2]
    block = page[page.index('id="maint"'):]
    assert "cắt điện" in block and "Anh Tư (Xã A)" in block and "Kết thúc ngay" in block
    # an administrator may plan longer, not forever
    st, _, msg = post_form(office.dist, "/api/v1/maintenance",
                           {**window, "from": at(1), "to": at(95)})
    assert st == 400 and "at most 90 days" in msg
    assert post_form(office.dist, "/api/v1/maintenance",
                     {**window, "from": at(1), "to": at(30)})[0] == 303
    # at most ten open for a commune
    for i in range(8):
        assert post_form(office.dist, "/api/v1/maintenance",
                         {**window, "from": at(10 + i), "to": at(10 + i, 17)})[0] == 303
    st, _, msg = post_form(office.dist, "/api/v1/maintenance",
                           {**window, "from": at(20), "to": at(20, 17)})
    assert st == 400 and "10 windows" in msg, msg
    # ended from the page (the officer's own commune) and from the command line
    ids = re.findall(r'name="id" value="(\d+)"', office.get("/", officer)[2])
    assert len(ids) == 10
    assert post_form(office.dist, "/api/v1/maintenance/cancel", {"id": ids[0]},
                     cookie=officer)[:2] == (303, "/#maint")
    r = office.cli("maint", "cancel", ids[1])
    assert r.returncode == 0 and "ended" in r.stdout, r.stderr
    assert len(re.findall(r'name="id" value="(\d+)"', office.get("/", officer)[2])) == 8
    assert office.cli("maint", "cancel", ids[1]).returncode == 1
    log = office.cli("user", "log").stdout
    assert log.count("maint_cancel") == 2 and log.count("maint_add") == 10


@pytest.mark.one_build
def test_in_a_browser_on_a_phone(office, tmp_path):
    """An officer on a 390 × 844 phone: logs in, lands on their commune, opens a device,
    takes the alert on with a note; another site's page cannot frame the dashboard."""
    from browser import Browser
    from selenium.webdriver.common.by import By
    if office.bindir.endswith("asan"):
        pytest.skip("the browser sees the same pages from both builds; once is enough")
    base = office.dist.url("")
    with Browser(390, 844) as b:
        assert b.login(base, OFFICER[0], "sai-mat-khau-1") == "/login"
        assert "Sai tên đăng nhập hoặc mật khẩu." in b.dom()
        assert b.login(base, *OFFICER) == "/"
        dom = b.dom()
        assert 'data-commune="Xã A"' in dom and "Xã B" not in dom
        b.screenshot("officer-overview-390")
        b.click_and_wait(b.d.find_element(By.LINK_TEXT, "Xã A"))  # the commune's page
        b.click_and_wait(b.d.find_element(By.LINK_TEXT, "PC"))
        assert b.path().startswith("/device/") and "Xã A" in b.dom()
        b.get(base + "/")
        form = b.find("form.ack")[0]
        form.find_element(By.NAME, "note").send_keys("đã gọi kỹ thuật")
        b.click_and_wait(form.find_element(By.CSS_SELECTOR, "button"))
        dom = b.dom()
        assert "Anh Tư (Xã A)" in dom and b.path() == "/", dom[:2000]
        b.screenshot("officer-acknowledged-390")
        # another origin framing the dashboard: the browser refuses to draw it, and says why
        other = tmp_path / "frame.html"
        other.write_text(f'<iframe id="f" src="{base}/login" width="300" height="300"></iframe>')
        b.console()
        b.get(other.as_uri())
        said = []
        for _ in range(50):
            said += b.console()
            if any("frame-ancestors" in m or "X-Frame-Options" in m for m in said):
                break
            time.sleep(0.1)
        assert any("frame-ancestors 'none'" in m and "blocked" in m for m in said), said


def commune_path(office, commune):
    page = office.get("/", admin_cookie(office.dist.url("/")))[2]
    sect = page[page.index(f'data-commune="{commune}"'):]
    return re.search(r'href="(/commune/[^"?]+)', sect).group(1) if "/commune/" in sect \
        else "/commune/" + urllib.parse.quote(urllib.parse.quote(commune, safe=""), safe="")


def test_a_commune_page_is_its_officers_landing(office):
    officer = login(office.dist.url(""), *OFFICER)[0]
    mine, theirs = commune_path(office, "Xã A"), commune_path(office, "Xã B")
    st, _, page = office.get(mine, officer)
    assert st == 200 and '<h1>Xã A</h1>' in page
    assert "Máy quét" in page and "0 máy quét hoạt động (cần 1)" in page
    # its alert, with the form to take it on; the windows of this commune only
    assert 'action="/api/v1/ack"' in page and 'name="commune" value="Xã A"' in page
    assert "Xã B" not in page
    # each device with its day's line, a real image
    sparks = re.findall(r'<img alt="" width="120" height="24" loading="lazy" src="([^"]+)"', page)
    assert len(sparks) == 2, page
    st, hdr, svg = office.get(sparks[0].replace("&amp;", "&"), officer)
    assert st == 200 and hdr["Content-Type"] == "image/svg+xml" and "<svg" in svg
    # what happened this week: the scanner's alert
    events = page[page.index('id="events"'):]
    assert "Sự cố" in events and "Máy quét" in events, events[:1500]
    assert office.get(mine + "?lang=en", officer)[2].count("Incident") >= 1
    assert office.get(theirs, officer)[0] == 403
    assert office.get(theirs, admin_cookie(office.dist.url("/")))[0] == 200
    assert office.get("/commune/Nowhere", officer)[0] == 404


def test_device_search_and_the_events_page(office):
    officer = login(office.dist.url(""), *OFFICER)[0]
    admin = admin_cookie(office.dist.url("/"))
    # by name, by address, case, tones and marks aside; only what the viewer sees
    page = office.get("/search?q=m%C3%A1y", admin)[2]
    assert page.count('<tr><td><a href="/device/') == 2  # both communes' scanners
    for typed in ("MAY%20QUET", "may%20quet", "M%C3%81Y%20QU%C3%89T"):  # "MÁY QUÉT"
        page = office.get("/search?q=" + typed, admin)[2]
        assert page.count('<tr><td><a href="/device/') == 2, typed
    page = office.get("/search?q=m%C3%A1y", officer)[2]
    assert page.count('<tr><td><a href="/device/') == 1 and "Xã B" not in page
    assert office.get("/search?q=127.0.0.41", admin)[2].count("/device/") == 1
    assert "Không tìm thấy" in office.get("/search?q=zzz", admin)[2]
    assert office.get("/search?q=" + "x" * 101, admin)[0] == 400
    assert office.get("/search?q=%1b%5b2J", admin)[0] == 400
    # an acknowledgement becomes an event of the commune, beside its alerts
    form = {"commune": "Xã A", "site": "Một cửa", "target": "scanner", "note": "thay cáp"}
    assert post_form(office.dist, "/api/v1/ack", form, cookie=officer)[0] == 303
    page = office.get("/events", admin)[2]
    rows = page[page.index("<tbody>"):]
    assert "Sự cố" in rows and "Nhận xử lý: Xã A / Một cửa: máy quét — thay cáp (Anh Tư (Xã A))" \
        in rows, rows[:2000]
    assert "Xã B" in rows
    assert "Xã B" not in office.get("/events", officer)[2].split("<tbody>")[-1]
    only = office.get("/events?kind=ack&commune=X%C3%A3%20A", admin)[2].split("<tbody>")[-1]
    assert "Nhận xử lý" in only and "Sự cố" not in only
    assert "Taken on: Xã A" in office.get("/events?kind=ack&lang=en", admin)[2]
    assert office.get("/events?from=yesterday", admin)[0] == 400
    assert "Không có diễn biến" in office.get("/events?from=2020-01-01&to=2020-01-02", admin)[2]


def test_unit_words_come_from_the_configuration(bindir, tmp_path):
    """A province centre watching wards: no page says huyện or xã."""
    devs = [{"commune": "Phường Một", "site": "Một cửa", "site_type": "one-stop", "device": "PC",
             "class": "pc", "address": "127.0.0.60:161", "snmp": "pub", "community": "public"}]
    units = "[units]\ntop_vi = tỉnh\ntop_en = province\nmember_vi = phường\nmember_en = ward\n"
    dist = District(str(tmp_path), devs, CONFIG, extra=units)
    col = start_collector(bindir, dist)
    try:
        page = http(dist.url("/search?q=PC"))[2].decode()
        assert "Tổng quan tỉnh" in page and "<th>Phường</th>" in page
        # (the unit's own name, "Huyện Thử" in these tests, aside)
        assert "huyện" not in page.replace("Huyện Thử", "").lower() and "<th>Xã</th>" not in page
        page = http(dist.url("/search?q=PC&lang=en"))[2].decode()
        assert "Province overview" in page and "<th>Ward</th>" in page
        assert "Mọi phường" in http(dist.url("/events"))[2].decode()
    finally:
        assert col.stop() == 0, col.output()
    with open(dist.conf, "a", encoding="utf-8") as f:
        f.write("[units]\nmember_vi = <b>xã</b>\n")
    r = subprocess.run([os.path.join(bindir, "hbmon-collector"), "-c", dist.conf,
                        "--check-config"], capture_output=True, text=True)
    assert r.returncode != 0 and "[units]" in r.stdout + r.stderr, r.stdout + r.stderr


def test_the_overview_is_made_once_and_sent_compressed(office):
    import gzip
    admin = admin_cookie(office.dist.url("/"))
    st, hdr, body = raw(office, "GET", "/", cookie=admin, headers={"Accept-Encoding": "gzip"},
                        binary=True)
    assert st == 200 and hdr["Content-Encoding"] == "gzip" and hdr["Vary"]
    page = gzip.decompress(body)
    assert b'data-commune="X\xc3\xa3 A"' in page
    etag = hdr["ETag"]
    st, hdr2, _ = raw(office, "GET", "/", cookie=admin,
                      headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert st == 304 and hdr2["X-Hbmon-Cache"] == "hit"
    # plain for a client that does not take gzip; made again once something changed
    st, hdr3, text = raw(office, "GET", "/", cookie=admin)
    assert st == 200 and "Content-Encoding" not in hdr3 and "Xã A" in text
    form = {"commune": "Xã A", "site": "Một cửa", "target": "scanner"}
    assert post_form(office.dist, "/api/v1/ack", form)[0] == 303
    st, hdr4, _ = raw(office, "GET", "/", cookie=admin,
                      headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert st == 200 and hdr4["ETag"] != etag
    # another session gets its own page (its own form token)
    viewer = login(office.dist.url(""), *VIEWER)[0]
    assert page_csrf(raw(office, "GET", "/", cookie=viewer)[2]) != page_csrf(text)
