"""Alerts played over a day in a commune on the collector's injectable clock, with mail
received by a real SMTP server (aiosmtpd) and read back decoded."""
import email
import email.header
import json
import re
import os
import signal
import subprocess
import threading
import time
from datetime import datetime, timedelta, timezone

import ssl

import pytest
from aiosmtpd.controller import Controller

from browser import Browser
from conftest import (ADMIN, ADMIN_NAME, District, batch, free_port, http, post_form, sample,
                      start_collector)
from test_trust import make_pair
from words import identifier_tokens

VN = timezone(timedelta(hours=7))
COMMUNE = "Xã Tân Lập"
SITE_TYPES = """[site-type one-stop]
label_vi = Bộ phận một cửa
label_en = one-stop office
pc = 2
scanner = 1
"""
DEVICES = [("PC 1", "pc"), ("PC 2", "pc"), ("Máy quét HP", "scanner"), ("Router xã", "router")]


class Inbox:
    def __init__(self):
        self.msgs = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.msgs.append((envelope.rcpt_tos[0], email.message_from_bytes(envelope.content)))
        return "250 OK"

    def wait(self, n, seconds=10):
        deadline = time.time() + seconds
        while time.time() < deadline:
            with self.lock:
                if len(self.msgs) >= n:
                    break
            time.sleep(0.05)
        time.sleep(0.3)  # and nothing more comes
        with self.lock:
            return list(self.msgs)


def subject(msg):
    return str(email.header.make_header(email.header.decode_header(msg["Subject"])))


def body(msg):
    return msg.get_payload(decode=True).decode("utf-8")


class Day:
    """The collector on a clock the test moves, a commune of four devices, an SMTP server."""

    def __init__(self, bindir, tmp_path, smtp_port, smtp_ca, alerts_extra=""):
        self.clock = os.path.join(str(tmp_path), "clock")
        self.now = int(datetime(2026, 11, 23, 7, 0, tzinfo=VN).timestamp())  # a Monday
        self.set_clock()
        holidays = os.path.join(str(tmp_path), "holidays.txt")
        with open(holidays, "w", encoding="utf-8") as f:
            f.write("# Vietnamese public holidays\n2026-12-31 test holiday\n")
        devs = [{"commune": COMMUNE, "site": "Bộ phận một cửa", "site_type": "one-stop",
                 "device": name, "class": cls, "address": f"127.0.0.{10 + i}:161",
                 "snmp": "pub", "community": "public", "contact": "canbo@xa.test"}
                for i, (name, cls) in enumerate(DEVICES)]
        extra = f"""[alerts]
smtp_url = smtp://127.0.0.1:{smtp_port}
smtp_ca_file = {smtp_ca}
{alerts_extra}mail_from = hbmon@huyen.test
it_contact = Tổ CNTT huyện, 0263 3822 123
dashboard_url = http://hbmon.huyen.test
recipients = it@huyen.test/en
pending = 300
recover = 300
digest_interval = 600
startup_grace = 1800
[working-hours]
holidays = {holidays}
"""
        self.dist = District(str(tmp_path), devs, SITE_TYPES, extra=extra)
        self.col = start_collector(bindir, self.dist, env={"HBMON_CLOCK_FILE": self.clock})
        self.up = {name: True for name, _ in DEVICES}

    def set_clock(self):
        with open(self.clock + ".tmp", "w") as f:
            f.write(str(self.now))
        os.replace(self.clock + ".tmp", self.clock)

    def minute(self):
        """One minute passes: every device is polled once, the alerts are evaluated."""
        self.now += 60
        self.set_clock()
        body_ = batch([sample(COMMUNE, name, self.now, up=self.up[name]) for name, _ in DEVICES])
        assert http(self.dist.url("/api/v1/ingest"), body_)[0] == 200
        st, _, out = http(self.dist.url("/api/v1/alerts"))
        assert st == 200
        return json.loads(out)

    def until(self, hh, mm):
        end = int(datetime.fromtimestamp(self.now, VN).replace(hour=hh, minute=mm).timestamp())
        state = None
        while self.now < end:
            state = self.minute()
        return state


def smtp_server(inbox, port, tls=None):
    """aiosmtpd on 127.0.0.1:port; with tls (cert, key) it offers STARTTLS and requires it."""
    if not tls:
        return Controller(inbox, hostname="127.0.0.1", port=port)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(*tls)
    return Controller(inbox, hostname="127.0.0.1", port=port, tls_context=ctx,
                      require_starttls=True)


@pytest.fixture
def smtp(bindir, tmp_path):
    """A mail server as a district has one: STARTTLS required, its certificate in
    inbox.tls[0] (the collector's smtp_ca_file)."""
    inbox = Inbox()
    inbox.tls = make_pair(bindir, tmp_path / "smtp-tls", "127.0.0.1")
    port = free_port()
    ctl = smtp_server(inbox, port, inbox.tls)
    ctl.start()
    yield inbox, ctl, port
    try:
        ctl.stop()
    except Exception:  # stopped by the test
        pass


def commune_page(day):
    """The commune's own page (its sites and devices), linked from the overview."""
    page = http(day.dist.url("/"))[2].decode()
    return http(day.dist.url(re.search(r'<a href="(/commune/[^"]+)">', page).group(1)))[2].decode()


def reasons(page):
    """The overview's "what is missing" cells."""
    return " ".join(re.findall(r'<td class="reasons"[^>]*>(.*?)</td>', page, re.S))


def without_filter(page):
    """The overview without its filter form, whose choices name every verdict."""
    return re.sub(r'<form id="filter".*?</form>', "", page, flags=re.S)


def test_a_day_in_a_commune(bindir, tmp_path, smtp):
    inbox, _, port = smtp
    day = Day(bindir, tmp_path, port, inbox.tls[0])
    try:
        # 07:00 the office opens, PCs come on at 07:20: inside the morning grace, no alert
        day.up["PC 1"] = day.up["PC 2"] = False
        day.until(7, 20)
        day.up["PC 1"] = day.up["PC 2"] = True
        day.until(9, 0)
        assert inbox.wait(1, 0.5) == []

        # 09:00 the scanner dies: pending for five minutes, then one digest per recipient
        day.up["Máy quét HP"] = False
        state = day.until(9, 4)
        assert [a["state"] for a in state["alerts"]] == ["pending"]
        assert inbox.wait(1, 0.5) == []
        day.until(9, 6)
        msgs = inbox.wait(2)
        assert len(msgs) == 2, [subject(m) for _, m in msgs]
        by = dict(msgs)
        vi, en = by["canbo@xa.test"], by["it@huyen.test"]
        # the subject names the commune and the problem; the body says since when, what to
        # check first, whom to call and where to look
        assert subject(vi) == f"[hbmon] {COMMUNE}: máy quét của Bộ phận một cửa mất kết nối từ 09:01"
        assert subject(en) == f"[hbmon] {COMMUNE}: scanner at Bộ phận một cửa is down since 09:01"
        assert "0 máy quét hoạt động (cần 1) — Máy quét HP (127.0.0.12) mất kết nối từ 09:01" in body(vi)
        assert "scanner — 0 up, 1 needed — Máy quét HP (127.0.0.12) down since 09:01" in body(en)
        assert "Cần kiểm tra trước:\r\n  - Kiểm tra máy quét đã bật" in body(vi)
        assert "Liên hệ: Tổ CNTT huyện, 0263 3822 123" in body(vi)
        assert "Xem chi tiết: http://hbmon.huyen.test/#c0" in body(vi)
        assert "Details: http://hbmon.huyen.test/?lang=en#c0" in body(en)
        assert vi["Date"].endswith("+0700") and vi["From"] == "hbmon@huyen.test"
        # the dashboard lists it, with its reason, in either language
        page = http(day.dist.url("/"))[2].decode()
        assert '<span class="badge firing">Đang cảnh báo</span>' in page
        assert "0 máy quét hoạt động (cần 1) — Máy quét HP (127.0.0.12)" in page
        page = http(day.dist.url("/?lang=en"))[2].decode()
        assert '<span class="badge firing">Firing</span>' in page
        # a reload (SIGHUP) keeps the alert firing: not mailed a second time
        day.col.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while "reloaded" not in day.col.output() and time.time() < deadline:
            time.sleep(0.05)
        assert "reloaded" in day.col.output()
        state = day.until(9, 20)
        assert [a["state"] for a in state["alerts"]] == ["firing"]
        assert len(inbox.wait(3, 0.5)) == 2

        # 09:20 it is back: resolved after five minutes met, one recovery message each
        day.up["Máy quét HP"] = True
        day.until(10, 10)
        msgs = inbox.wait(4)
        assert len(msgs) == 4
        assert subject(dict(msgs[2:])["canbo@xa.test"]) == \
            f"[hbmon] {COMMUNE}: đã khắc phục, tất cả chỉ tiêu đạt"
        # a recovery says what recovered and how long it was out, not the failure again
        back = body(dict(msgs[2:])["canbo@xa.test"])
        # (out from 09:01 until judged met again: the reload's settling may delay that)
        assert re.search("ĐÃ KHẮC PHỤC — máy quét của Bộ phận một cửa: đã hoạt động bình thường"
                         " trở lại sau khi gián đoạn [0-9]+ phút", back), back
        assert "(cần 1)" not in back.split("Thay đổi:")[1].split("ĐÃ KHẮC PHỤC")[1], back

        # 10:10-11:00 a PC flaps every minute: never five minutes down, no mail
        for k in range(50):
            day.up["PC 2"] = k % 2 == 0
            day.minute()
        day.up["PC 2"] = True
        day.until(11, 30)
        assert len(inbox.wait(5, 0.5)) == 4

        # 11:30-13:30 lunch: PCs off, nothing
        day.up["PC 1"] = day.up["PC 2"] = False
        day.until(13, 30)
        day.up["PC 1"] = day.up["PC 2"] = True
        day.until(14, 30)
        assert len(inbox.wait(5, 0.5)) == 4

        # 14:30 the uplink router fails and everything behind it goes silent: one alert,
        # naming the uplink; the site's targets are "upstream down", not mailed
        for name, _ in DEVICES:
            day.up[name] = False
        state = day.until(14, 37)
        firing = [a for a in state["alerts"] if a["state"] == "firing"]
        assert [a["target"] for a in firing] == ["uplink"], state
        assert all(a["suppressed"] for a in state["alerts"] if a["target"] != "uplink")
        msgs = inbox.wait(6)
        assert len(msgs) == 6
        uplink = dict(msgs[4:])["canbo@xa.test"]
        assert subject(uplink) == f"[hbmon] {COMMUNE}: đường truyền của xã mất kết nối từ 14:31"
        assert "Kiểm tra nguồn điện của router và modem" in body(uplink)
        assert "đường truyền của xã — Router xã (127.0.0.13)" in body(uplink)
        assert "3 thiết bị phía sau không liên lạc được" in body(uplink)

        # back at 15:00: one recovery message each
        for name, _ in DEVICES:
            day.up[name] = True
        day.until(15, 30)
        msgs = inbox.wait(8)
        assert len(msgs) == 8
        assert subject(dict(msgs[6:])["it@huyen.test"]) == f"[hbmon] {COMMUNE}: all targets met again"

        # 17:30 everyone goes home and switches the PCs off: no mail all evening
        day.until(17, 30)
        day.up["PC 1"] = day.up["PC 2"] = False
        day.until(21, 0)
        msgs = inbox.wait(9, 0.5)
        assert len(msgs) == 8
        # what the officers read holds no identifier, raw number or ISO time
        names = [COMMUNE, "Bộ phận một cửa", "Huyện Thử", "hbmon"] + [d for d, _ in DEVICES]
        for rcpt, m in msgs:
            lang = "en" if rcpt == "it@huyen.test" else "vi"
            found = identifier_tokens(subject(m) + "\n" + body(m), lang, names)
            assert not found, (rcpt, subject(m), found)
    finally:
        assert day.col.stop() == 0, day.col.output()


def test_silent_probe_is_one_alert_for_district_it_not_a_commune_storm(bindir, tmp_path, smtp):
    """The probe stops sending at 09:00 (its machine off): the devices have no data, not down;
    no commune is mailed; district IT gets one "probe silent" alert, and one when it is back."""
    inbox, _, port = smtp
    day = Day(bindir, tmp_path, port, inbox.tls[0])
    try:
        day.until(9, 0)
        assert inbox.wait(1, 0.5) == []
        silent_from = day.now
        while day.now < silent_from + 3600:  # an hour of nothing: only the clock moves
            day.now += 60
            day.set_clock()
            st, _, out = http(day.dist.url("/api/v1/alerts"))
            state = json.loads(out)
        assert [(a["target"], a["state"], a["site"]) for a in state["alerts"]] == \
            [("probe", "firing", "district")], state
        msgs = inbox.wait(2, 3)
        assert [rcpt for rcpt, _ in msgs] == ["it@huyen.test"], [subject(m) for _, m in msgs]
        text = subject(msgs[0][1])
        assert text.startswith("[hbmon] Huyện Thử: Probe district has sent nothing since "), text
        assert "4 devices without recent data" in body(msgs[0][1])
        # the devices read "no recent data", the commune "no data": neither down nor missed
        devices = json.loads(http(day.dist.url("/api/v1/devices"))[2])
        assert {d["status"] for d in devices} == {"stale"}, devices
        now = json.loads(http(day.dist.url("/api/v1/readiness"))[2])
        assert now["communes"][0]["verdict"] == "no_data"
        page = http(day.dist.url("/"))[2].decode()
        assert '<span class="badge nodata">Chưa có dữ liệu</span>' in page
        assert "Probe district không gửi dữ liệu từ" in page
        assert "Không có dữ liệu mới" in commune_page(day)  # each device's state
        # it sends again: the commune is judged again (all met), IT hears it is back
        day.until(10, 30)
        msgs = inbox.wait(2)
        assert [rcpt for rcpt, _ in msgs] == ["it@huyen.test"] * 2
        assert "Probe district sends data again" in subject(msgs[1][1])
        assert json.loads(http(day.dist.url("/api/v1/alerts"))[2])["alerts"] == []
        now = json.loads(http(day.dist.url("/api/v1/readiness"))[2])
        assert now["communes"][0]["verdict"] == "met"
    finally:
        assert day.col.stop() == 0, day.col.output()


def test_overview_at_night_reads_not_judged_not_missed(bindir, tmp_path, smtp):
    """At 03:00 the PCs are off: the overview says "not judged now (outside working hours)"
    with the last judged state, not red; at 09:00 with the PCs still off it is missed."""
    inbox, _, port = smtp
    day = Day(bindir, tmp_path, port, inbox.tls[0])
    try:
        day.until(9, 0)
        tuesday = datetime.fromtimestamp(day.now, VN) + timedelta(days=1)
        day.up["PC 1"] = day.up["PC 2"] = False
        day.now = int(tuesday.replace(hour=3, minute=0).timestamp()) - 60
        day.minute()
        page = http(day.dist.url("/"))[2].decode()
        assert '<span class="badge notjudged">Không đánh giá lúc này</span>' in page, page
        assert "ngoài giờ làm việc · lần đánh giá cuối: Đạt, 23/11 09:00" in page
        assert "badge missed" not in page and "máy tính" not in reasons(page)
        assert '<span id="not-judged">1 xã không đánh giá lúc này</span>' in page
        now = json.loads(http(day.dist.url("/api/v1/readiness"))[2])
        assert now["communes"][0]["verdict_judged"] == "not_judged"
        assert now["communes"][0]["not_judged_because"] == "off_hours"
        if not bindir.endswith("asan"):  # the same HTML from both builds: one browser run
            with Browser() as b:
                b.login(day.dist.url(""), *ADMIN)
                dom = without_filter(b.dom(day.dist.url("/")))
                assert "Không đánh giá lúc này" in dom and "Chưa đạt" not in dom
                dom = without_filter(b.dom(day.dist.url("/?lang=en")))
                assert "Not judged now" in dom and "outside working hours" in dom
        # 09:00 the office is open and the PCs are still off: missed, with its reason
        day.now = int(tuesday.replace(hour=9, minute=0).timestamp()) - 60
        day.minute()
        page = http(day.dist.url("/"))[2].decode()
        assert '<span class="badge missed">Chưa đạt</span>' in page
        assert "0 máy tính hoạt động (cần 2)" in page
        assert "not-judged" not in page
    finally:
        assert day.col.stop() == 0, day.col.output()


def test_restart_neither_mails_again_nor_forgets_a_recovery(bindir, tmp_path, smtp):
    """The scanner's alert is firing (mailed) when the collector restarts: it is not mailed a
    second time, and its recovery after the restart is mailed."""
    inbox, _, port = smtp
    day = Day(bindir, tmp_path, port, inbox.tls[0])
    try:
        day.until(9, 0)
        day.up["Máy quét HP"] = False
        day.until(9, 10)
        assert len(inbox.wait(2)) == 2  # firing: the commune and district IT
        assert day.col.stop() == 0, day.col.output()
        day.col = start_collector(bindir, day.dist, env={"HBMON_CLOCK_FILE": day.clock})
        assert "1 alerts still firing since before the restart" in day.col.output()
        state = day.until(9, 40)  # settling, then judged again: still missed, still firing
        assert [(a["target"], a["state"]) for a in state["alerts"]] == [("scanner", "firing")]
        assert len(inbox.wait(3, 0.5)) == 2
        day.up["Máy quét HP"] = True
        day.until(10, 0)
        msgs = inbox.wait(4)
        assert len(msgs) == 4, [subject(m) for _, m in msgs]
        # a recovery says what recovered and how long it was out, not the failure again
        back = body(dict(msgs[2:])["canbo@xa.test"])
        # (out from 09:01 until judged met again: the reload's settling may delay that)
        assert re.search("ĐÃ KHẮC PHỤC — máy quét của Bộ phận một cửa: đã hoạt động bình thường"
                         " trở lại sau khi gián đoạn [0-9]+ phút", back), back
        assert "(cần 1)" not in back.split("Thay đổi:")[1].split("ĐÃ KHẮC PHỤC")[1], back
        # and after one more restart nothing is left over to resolve or mail
        assert day.col.stop() == 0, day.col.output()
        day.col = start_collector(bindir, day.dist, env={"HBMON_CLOCK_FILE": day.clock})
        assert day.col.output().count("still firing since before the restart") == 1
        day.until(10, 30)
        assert len(inbox.wait(5, 0.5)) == 4
    finally:
        assert day.col.stop() == 0, day.col.output()


def test_smtp_outage_delays_mail_but_loses_none(bindir, tmp_path, smtp):
    inbox, ctl, port = smtp
    ctl.stop()  # the mail server is down
    day = Day(bindir, tmp_path, port, inbox.tls[0])
    try:
        day.until(9, 0)
        day.up["Máy quét HP"] = False
        state = day.until(10, 0)  # fired at 09:05, an hour of failed attempts since
        assert state["mail_queued"] == 2
        assert "not sent (will retry)" in day.col.output()
        ctl2 = smtp_server(inbox, port, inbox.tls)
        ctl2.start()
        try:
            state = day.until(11, 15)  # retries back off to at most an hour
            msgs = inbox.wait(2)
            assert len(msgs) == 2, [subject(m) for _, m in msgs]
            assert sorted(r for r, _ in msgs) == ["canbo@xa.test", "it@huyen.test"]
            day.until(11, 30)
            assert len(inbox.wait(3, 0.5)) == 2  # each exactly once
            assert day.minute()["mail_queued"] == 0
        finally:
            ctl2.stop()
    finally:
        assert day.col.stop() == 0, day.col.output()


def test_mail_never_in_clear_unless_configured(bindir, tmp_path):
    """A mail server without STARTTLS: by default nothing goes to it in clear (each attempt
    fails and is retried); with smtp_starttls = 0 written out the mail goes, and the collector
    said at start that it goes in clear."""
    inbox = Inbox()
    port = free_port()
    ctl = smtp_server(inbox, port)  # plain SMTP only
    ctl.start()
    try:
        for case, extra in (("default", ""), ("plain", "smtp_starttls = 0\n")):
            os.makedirs(tmp_path / case)
            day = Day(bindir, tmp_path / case, port, "", alerts_extra=extra)
            try:
                day.until(9, 0)
                day.up["Máy quét HP"] = False
                state = day.until(9, 30)
                out = day.col.output()
                if case == "default":
                    assert state["mail_queued"] == 2 and inbox.wait(1, 0.5) == []
                    assert "not sent (will retry)" in out
                    assert "goes to the mail server in clear" not in out, out
                    assert "offers no STARTTLS: use its TLS port with smtps://" in out, out
                else:
                    assert len(inbox.wait(2)) == 2
                    assert "goes to the mail server in clear (smtp_starttls = 0" in out
            finally:
                assert day.col.stop() == 0, day.col.output()
    finally:
        ctl.stop()


def cli(bindir, day, *args):
    """The command line on the day's clock, as the running collector reads it."""
    return subprocess.run([os.path.join(bindir, "hbmon-collector"), "-c", day.dist.conf, *args],
                          capture_output=True, text=True, timeout=30,
                          env=dict(os.environ, HBMON_CLOCK_FILE=day.clock))


def test_maintenance_window_and_acknowledgement(bindir, tmp_path, smtp):
    inbox, _, port = smtp
    day = Day(bindir, tmp_path, port, inbox.tls[0])
    try:
        at = lambda h, m: str(int(datetime(2026, 11, 23, h, m, tzinfo=VN).timestamp()))  # noqa
        r = cli(bindir, day, "maint", "add", "--commune", COMMUNE, "--site", "Bộ phận một cửa",
                "--from", at(9, 0), "--to", at(12, 0), "--note", "cắt điện theo lịch")
        assert r.returncode == 0 and "maintenance window 1" in r.stdout, r.stderr
        r = cli(bindir, day, "maint", "add", "--commune", COMMUNE, "--site", "Không có",
                "--from", at(9, 0), "--to", at(12, 0))
        assert r.returncode == 1 and '--site "Không có": no such site' in r.stderr
        r = cli(bindir, day, "maint", "add", "--commune", COMMUNE, "--from", at(12, 0),
                "--to", at(9, 0))
        assert r.returncode == 1 and "--to:" in r.stderr
        assert "cắt điện theo lịch" in cli(bindir, day, "maint", "list").stdout

        # the scanner is off during the planned power cut: no alert, no mail
        day.until(9, 0)
        day.up["Máy quét HP"] = False
        state = day.until(11, 30)
        assert [(a["target"], a["state"], a["maintenance"]) for a in state["alerts"]] == \
            [("pc", "ok", True), ("scanner", "ok", True)]
        assert inbox.wait(1, 0.5) == []
        assert '<span class="badge maintenance">Bảo trì</span>' in \
            http(day.dist.url("/"))[2].decode()
        # still off after the window: judged again once the afternoon grace is over
        day.until(14, 6)
        msgs = inbox.wait(2)
        assert len(msgs) == 2

        # district IT acknowledges it: the next digest says who is on it
        r = cli(bindir, day, "ack", "--commune", COMMUNE, "--site", "Bộ phận một cửa",
                "--target", "scanner", "--by", "Anh Tuấn (IT)", "--note", "thay cáp")
        assert r.returncode == 0, r.stderr
        state = day.minute()
        assert state["alerts"][0]["acknowledged_by"] == "Anh Tuấn (IT)"
        day.until(14, 20)
        msgs = inbox.wait(4)
        assert len(msgs) == 4
        text = body(dict(msgs[2:])["canbo@xa.test"])
        assert "NHẬN XỬ LÝ" in text and "người nhận xử lý: Anh Tuấn (IT) — thay cáp" in text
        r = cli(bindir, day, "ack", "--commune", COMMUNE, "--target", "printer", "--by", "x")
        assert r.returncode == 1 and "--target" in r.stderr
    finally:
        assert day.col.stop() == 0, day.col.output()


def test_dashboard_forms_acknowledge_and_plan_maintenance(bindir, tmp_path, smtp):
    inbox, _, port = smtp
    day = Day(bindir, tmp_path, port, inbox.tls[0])
    try:
        day.until(9, 0)
        day.up["Máy quét HP"] = False
        day.until(9, 6)
        page = http(day.dist.url("/"))[2].decode()
        assert 'action="/api/v1/ack"' in page and 'name="target" value="scanner"' in page
        form = {"commune": COMMUNE, "site": "Bộ phận một cửa", "target": "scanner"}
        # a page on another site cannot make an officer's browser do it, nor a form without
        # the session's token, nor a browser not logged in
        assert post_form(day.dist, "/api/v1/ack", form, "http://evil.example")[0] == 403
        assert post_form(day.dist, "/api/v1/ack", form, csrf=False)[0] == 403
        assert post_form(day.dist, "/api/v1/ack", form, csrf="0" * 64)[0] == 403
        assert post_form(day.dist, "/api/v1/ack", form, origin=None, cookie="x=y",
                         csrf=False)[0] == 401
        st, loc, _ = post_form(day.dist, "/api/v1/ack", {**form, "by": "Kẻ Mạo Danh"})
        assert (st, loc) == (303, "/#alerts")
        state = json.loads(http(day.dist.url("/api/v1/alerts"))[2])
        # in the name of the one logged in, whatever a field says
        assert state["alerts"][0]["acknowledged_by"] == ADMIN_NAME
        assert f"người nhận xử lý: {ADMIN_NAME}" in http(day.dist.url("/"))[2].decode()
        st, _, msg = post_form(day.dist, "/api/v1/ack", {**form, "commune": "Xã Khác"})
        assert st == 400 and 'commune "Xã Khác": not in' in msg
        st, _, msg = post_form(day.dist, "/api/v1/ack", {**form, "note": "x" * 300})
        assert st == 400 and "too long" in msg
        # a maintenance window from the form, as the browser sends datetime-local values
        st, loc, _ = post_form(day.dist, "/api/v1/maintenance",
                               {"commune": COMMUNE, "site": "", "from": "2026-11-24T07:00",
                                "to": "2026-11-24T11:30", "note": "thay UPS"})
        assert (st, loc) == (303, "/#maint")
        listed = cli(bindir, day, "maint", "list").stdout
        assert "thay UPS" in listed and ADMIN_NAME in listed
        st, _, msg = post_form(day.dist, "/api/v1/maintenance",
                               {"commune": COMMUNE, "from": "2026-11-24T07:00", "to": "soon"})
        assert st == 400 and msg.startswith("to:")
    finally:
        assert day.col.stop() == 0, day.col.output()


def test_value_target_toner_floor(bindir, tmp_path, smtp):
    """A value target goes through the same state machine: toner under its floor for the
    pending time fires one digest naming the printer and the cartridge; refilled, it recovers."""
    inbox, _, port = smtp
    clock = os.path.join(str(tmp_path), "clock")
    now = int(datetime(2026, 11, 23, 8, 0, tzinfo=VN).timestamp())  # a Monday

    def tick(percent):
        nonlocal now
        now += 60
        with open(clock + ".tmp", "w") as f:
            f.write(str(now))
        os.replace(clock + ".tmp", clock)
        s = sample(COMMUNE, "Máy in", now)
        s["class"] = "printer"
        s["groups"] = [{"g": "supply", "i": "1.1", "l": "Black Cartridge",
                        "v": {"level": percent, "max": 100, "percent": percent}},
                       {"g": "supply", "i": "1.2", "l": "Cyan", "v": {"percent": 80}}]
        assert http(dist.url("/api/v1/ingest"), batch([s]))[0] == 200
        return json.loads(http(dist.url("/api/v1/alerts"))[2])["alerts"]

    with open(clock, "w") as f:
        f.write(str(now))
    devs = [{"commune": COMMUNE, "site": "Bộ phận một cửa", "site_type": "one-stop",
             "device": "Máy in", "class": "printer", "address": "127.0.0.20:161",
             "snmp": "pub", "community": "public", "contact": "canbo@xa.test"}]
    types = ("[site-type one-stop]\nlabel_vi = Bộ phận một cửa\nlabel_en = one-stop office\n"
             "printer = 1\nprinter.supply.percent = >= 10\n")
    extra = (f"[alerts]\nsmtp_url = smtp://127.0.0.1:{port}\nsmtp_ca_file = {inbox.tls[0]}\n"
             "mail_from = hbmon@huyen.test\n"
             "pending = 300\nrecover = 300\ndigest_interval = 600\nstartup_grace = 0\n")
    dist = District(str(tmp_path), devs, types, extra=extra)
    col = start_collector(bindir, dist, env={"HBMON_CLOCK_FILE": clock})
    try:
        for _ in range(15):  # settle (stale_after 600 s), toner fine
            assert tick(60) == []
        for _ in range(4):
            alerts = tick(5)
        assert [(a["target"], a["state"]) for a in alerts] == [("printer.supply.percent",
                                                                  "pending")]
        assert inbox.wait(1, 0.5) == []
        for _ in range(3):
            alerts = tick(5)
        assert [a["state"] for a in alerts] == ["firing"]
        assert "Máy in, Black Cartridge: 5 %" in alerts[0]["reason"], alerts[0]["reason"]
        msgs = inbox.wait(1)
        assert len(msgs) == 1
        text = body(msgs[0][1])
        assert ("1/2 hộp mực, vật tư của máy in còn dưới 10 % — thấp nhất: "
                "Máy in, Black Cartridge: 5 %") in text, text
        assert "percent" not in text and "≥" not in text
        # taken on from the dashboard's form, by the name the alert shows
        page = http(dist.url("/"))[2].decode()
        assert 'name="target" value="printer.supply.percent"' in page
        form = {"commune": COMMUNE, "site": "Bộ phận một cửa",
                "target": "printer.supply.percent"}
        st, loc, _ = post_form(dist, "/api/v1/ack", form)
        assert (st, loc) == (303, "/#alerts")
        alerts = tick(5)
        assert alerts[0]["acknowledged_by"] == ADMIN_NAME
        st, _, msg = post_form(dist, "/api/v1/ack", {**form, "target": "printer.toner"})
        assert st == 400 and "value target" in msg
        for _ in range(7):  # a new cartridge: met again after the recover time
            alerts = tick(95)
        assert alerts == []
        for _ in range(5):  # the recovery goes in the next digest (digest_interval)
            tick(95)
        msgs = inbox.wait(2)
        assert len(msgs) == 2 and "đạt" in subject(msgs[1][1]), [subject(m) for _, m in msgs]
    finally:
        assert col.stop() == 0, col.output()
