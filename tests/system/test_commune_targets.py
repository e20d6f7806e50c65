"""Commune-wide targets: a reachable portal and an online meeting room in every commune."""
import json
import os
import time
from datetime import datetime, timedelta, timezone

from conftest import ADMIN_NAME, District, batch, http, post_form, sample, start_collector

VN = timezone(timedelta(hours=7))
CONFIG = """[commune-targets]
portal = 1
site.meeting-room = 1
pc = all
[site-type one-stop]
label_vi = Bộ phận một cửa
label_en = one-stop office
pc = 1
[site-type meeting-room]
label_vi = Phòng họp trực tuyến
label_en = online meeting room
vc = 1
"""
DEVICES = [("Xã A", "Một cửa", "one-stop", "PC", "pc"),
           ("Xã A", "Phòng họp", "meeting-room", "Polycom", "vc"),
           ("Xã A", "Một cửa", "one-stop", "Cổng TTĐT", "portal"),
           ("Xã B", "Một cửa", "one-stop", "PC", "pc"),
           ("Xã B", "Một cửa", "one-stop", "Cổng TTĐT", "portal")]


def test_portal_and_meeting_room_in_every_commune(bindir, tmp_path):
    clock = os.path.join(str(tmp_path), "clock")
    now = int(datetime(2026, 11, 23, 9, 0, tzinfo=VN).timestamp())
    with open(clock, "w") as f:
        f.write(str(now))
    devs = [{"commune": c, "site": s, "site_type": st, "device": d, "class": cls,
             "address": f"127.0.0.{30 + i}:161", "snmp": "pub", "community": "public"}
            for i, (c, s, st, d, cls) in enumerate(DEVICES)]
    dist = District(str(tmp_path), devs, CONFIG,
                    extra="[alerts]\npending = 60\nstartup_grace = 0\n")
    col = start_collector(bindir, dist, env={"HBMON_CLOCK_FILE": clock})
    try:
        # the collector waits stale_after (600 s) for news before judging, then pending (60 s)
        for _ in range(15):
            now += 60
            with open(clock, "w") as f:
                f.write(str(now))
            body = batch([sample(c, d, now, up=not (c == "Xã B" and cls == "portal"))
                          for c, _, _, d, cls in DEVICES])
            assert http(dist.url("/api/v1/ingest"), body)[0] == 200
            alerts = json.loads(http(dist.url("/api/v1/alerts"))[2])
        ready = json.loads(http(dist.url("/api/v1/readiness"))[2])
        a, b = ready["communes"]
        assert a["met"] is True and b["met"] is False
        reasons = [t["reason"] for t in b["targets"] if not t["met"]]
        assert reasons == ["toàn đơn vị: 0 trang thông tin điện tử hoạt động (cần 1)",
                           "toàn đơn vị: 0 Phòng họp trực tuyến đạt chỉ tiêu (cần 1)"], reasons
        assert [t["kind"] for t in a["targets"]] == ["class_min_up", "sites_met", "class_min_up"]
        # every official's PC: all those listed, one in each commune here
        assert [(t["need"], t["up"], t["met"]) for t in b["targets"]][2] == (1, 1, True)
        assert ready["district"]["communes_met"] == 1
        firing = sorted((x["commune"], x["target"]) for x in alerts["alerts"]
                        if x["state"] == "firing")
        assert firing == [("Xã B", "portal"), ("Xã B", "site.meeting-room")], alerts
        assert "Cổng TTĐT (127.0.0.34)" in \
            next(x["reason"] for x in alerts["alerts"] if x["target"] == "portal")
        page = http(dist.url("/?lang=en"))[2].decode()
        assert "whole unit: online meeting room — 0 meeting their targets, 1 needed" in page
        # district IT takes on the missing portal from the dashboard: a commune-wide target
        # has no site
        assert 'name="site" value=""><input type="hidden" name="target" value="portal"' in page
        form = {"commune": "Xã B", "site": "", "target": "portal"}
        assert post_form(dist, "/api/v1/ack", form)[:2] == (303, "/#alerts")
        st, _, msg = post_form(dist, "/api/v1/ack", {**form, "target": "scanner"})
        assert st == 400 and "[commune-targets]" in msg, msg
        alerts = json.loads(http(dist.url("/api/v1/alerts"))[2])["alerts"]
        acked = {x["target"]: x.get("acknowledged_by") for x in alerts}
        assert acked == {"portal": ADMIN_NAME, "site.meeting-room": None}, alerts
    finally:
        assert col.stop() == 0, col.output()


def test_commune_target_naming_an_unknown_site_type_is_refused(bindir, tmp_path):
    devs = [{"commune": "Xã A", "site": "S", "site_type": "one-stop", "device": "PC",
             "class": "pc", "address": "127.0.0.40:161", "snmp": "pub", "community": "public"}]
    dist = District(str(tmp_path), devs, CONFIG + "[commune-targets]\nsite.nope = 1\nlaptop = 2\n"
                                                "scanner = every\n")
    import subprocess
    r = subprocess.run([os.path.join(bindir, "hbmon-collector"), "-c", dist.conf,
                        "--check-config"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    lines = open(dist.conf, encoding="utf-8").read().splitlines()
    nope = lines.index("site.nope = 1") + 1
    assert f"{dist.conf}:{nope}: site.nope: no [site-type nope]" in r.stderr, r.stderr
    assert f"{dist.conf}:{nope + 1}: laptop: unknown key in [commune-targets]" in r.stderr
    assert (f'{dist.conf}:{nope + 2}: scanner: expected a count from 0 to 10000 or all, then perhaps critical or warning, '
            f'got "every"') in r.stderr, r.stderr
    time.sleep(0)
