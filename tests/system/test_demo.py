"""make demo as a new user sees it: the simulated district starts with its history, tells its
story (six communes meet their targets, two of them with a warning, four miss one), lists past incidents, and Ctrl-C stops
everything it started. Runs etc/demo/run-demo.py itself (a short history), so it needs the
demo's ports free and it replaces demo-data/."""
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from conftest import TOP, http, login
from words import crawl_findings, inventory_names, summary

DEMO = os.path.join(TOP, "etc", "demo", "run-demo.py")


def busy(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def demo_processes():
    """Processes of a demo: the agents on its addresses, the daemons on its configuration."""
    conf = os.path.join(TOP, "etc", "demo", "hbmon.conf")
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "127.77.1.1:1161" in cmd or conf in cmd:
            found.append(f"{pid} {cmd[:120]}")
    return found


@pytest.mark.skipif(busy(8080) or busy(8081), reason="a demo or another server holds 8080/8081")
def test_demo_tells_its_story_and_stops(tmp_path):
    assert os.path.exists(os.path.join(TOP, "build", "hbmon-collector")), "run make first"
    assert not demo_processes(), "a demo is already running"
    log = open(tmp_path / "demo.log", "wb")
    t0 = time.time()
    # the demo on a Tuesday morning, its clock running from there: the story judged in working
    # hours whatever the hour of the run (at night the dashboard says "not judged now")
    clock, stop = str(tmp_path / "clock"), threading.Event()
    start = datetime(2026, 11, 24, 9, 30, tzinfo=timezone(timedelta(hours=7))).timestamp()

    def keep_time():
        while not stop.is_set():
            with open(clock + ".tmp", "w", encoding="ascii") as f:
                f.write(str(int(start + time.time() - t0)))
            os.replace(clock + ".tmp", clock)
            stop.wait(0.2)
    keeper = threading.Thread(target=keep_time, daemon=True)
    keeper.start()
    while not os.path.exists(clock):
        time.sleep(0.01)
    demo = subprocess.Popen(["/usr/bin/python3", DEMO], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True,
                            env={**os.environ, "HBMON_DEMO_DAYS": "3", "HBMON_CLOCK_FILE": clock})
    try:
        page = ""
        deadline = time.time() + 240  # the history, then the first round of live polls

        def settled(page):
            """Every device heard from live (the silent ones down), the headline shown (the
            devices' states are on the communes' pages and in the API, not the overview)."""
            if '<strong id="communes-met">6/10</strong>' not in page:
                return False
            st, _, body = http("http://127.0.0.1:8080/api/v1/devices", timeout=5, cookie=cookie)
            return st == 200 and all(d["status"] != "unknown" for d in json.loads(body))
        logins, cookie = {}, None
        while time.time() < deadline and not settled(page):
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()
            # the logins it prints, as a newcomer reads them
            logins = dict(re.findall(r"demo: log in as (\S+) / (\S+)",
                                     (tmp_path / "demo.log").read_text()))
            try:
                if logins and not cookie:
                    cookie = login("http://127.0.0.1:8080", "admin", logins["admin"])[0]
                if cookie:
                    page = http("http://127.0.0.1:8080/", timeout=5, cookie=cookie)[2].decode()
            except OSError:
                pass
            time.sleep(1)
        out = (tmp_path / "demo.log").read_text()
        assert settled(page), out[-3000:]
        # the officer of Xã Tân Phú sees that commune only
        officer = login("http://127.0.0.1:8080", "canbo.tanphu", logins["canbo.tanphu"])[0]
        mine = http("http://127.0.0.1:8080/", cookie=officer)[2].decode()
        assert 'data-commune="Xã Tân Phú"' in mine and 'data-commune="Xã An Bình"' not in mine
        assert 'id="communes-met"' not in mine  # the district's figures are not theirs
        assert "imported" in out and "refused: 0 batches, 0 samples" in out, out[-3000:]
        # each commune that misses says why: the story of district.py
        for why in ("0 máy quét hoạt động (cần 1)", "0 trang thông tin điện tử hoạt động (cần 1)",
                    "1 máy tính hoạt động (cần 2)", "0 thiết bị họp trực tuyến hoạt động (cần 1)",
                    "Magenta Cartridge", "96,5 %"):
            assert why in page, why
        # the toner and the full disk are warnings: their communes meet their targets
        assert page.count('<span class="badge warn">1 cảnh báo</span>') >= 2, page[:3000]
        # the past is there: three days of incidents in the report, with their durations
        st, _, body = http("http://127.0.0.1:8080/report?period=week", cookie=cookie)
        report = body.decode()
        assert st == 200 and 'class="incidents"' in report
        assert "Xã Thạnh Lợi" in report[report.index('class="incidents"'):]
        print(f"demo: settled at 6/10 communes after {time.time() - t0:.0f} s")
        # what people read has no variable name, MIB name, OID, raw number or ISO date in it
        # (words.py), in either language: the overview, every device page, the report and its
        # periods, the report's CSV header
        # (user names, like the inventory's names, are the district's own words)
        found = crawl_findings("http://127.0.0.1:8080/",
                               inventory_names(os.path.join(TOP, "etc", "demo", "inventory.csv"))
                               | set(logins), cookie=cookie)
        if found:
            pytest.fail(summary(found))
    finally:
        stop.set()
        os.killpg(demo.pid, signal.SIGINT)  # Ctrl-C in the terminal
        try:
            rc = demo.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            raise
        log.close()
    assert rc == 0, (tmp_path / "demo.log").read_text()[-3000:]
    time.sleep(1)
    assert not demo_processes(), demo_processes()
