"""The SNMP engine against real agents: every recording of ../shared/devices served by snmpsim
(class detected, the metrics its class promises), hostile recordings, and a real net-snmp
snmpd with SNMPv3 USM users (authPriv SHA-256/AES, SHA/AES, authNoPriv; wrong credentials give
a clear per-device error while the rest of the fleet is still polled)."""
import json
import os
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import District, free_port, http, issue_secrets, metric, start_collector, run_probe_once
from recordings import EXPECTED, HOSTILE
from simfleet import SnmpSim

SIM = "127.91.0.1:1161"


def poll(bindir, *args, timeout=60):
    r = subprocess.run([os.path.join(bindir, "hbmon-probe"), "poll", *args],
                       capture_output=True, text=True, timeout=timeout)
    assert r.returncode in (0, 1), r.stdout + r.stderr
    assert "runtime error" not in r.stderr and "Sanitizer" not in r.stderr, r.stderr
    return r.returncode, json.loads(r.stdout)


def numeric_values(out, group, metric):
    return [g["v"][metric] for g in out.get("groups", [])
            if g["g"] == group and metric in g.get("v", {})]


@pytest.mark.parametrize("rec", sorted(EXPECTED))
def test_every_recording(bindir, fleet, rec):
    """Class detected from the device's answers and the metrics its profile promises."""
    want = EXPECTED[rec]
    rc, out = poll(bindir, SIM, "-c", rec)
    assert rc == 0 and out["up"], out
    assert out["class"] == want["class"] and out["classified"] is True, (rec, out["class"])
    assert len(out.get("if", [])) == want["interfaces"], rec
    groups = {g["g"] for g in out.get("groups", [])}
    assert set(want["groups"]) <= groups, (rec, sorted(groups))
    for gm in want["metrics"]:
        group, metric = gm.split(".")
        vals = numeric_values(out, group, metric)
        assert vals, (rec, gm)
        assert all(isinstance(v, (int, float)) for v in vals), (rec, gm, vals)
    # every row's index is an OID suffix and every label clean text
    for g in out.get("groups", []):
        assert all(part.isdigit() for part in g.get("i", "0").split(".")), g
        assert "\x00" not in g.get("l", "")


def test_vendor_subtrees_probed(bindir, tmp_path):
    """A camera whose agent gives no system group at all, and one whose Linux agent says only
    "Linux" with Net-SNMP's sysObjectID: the vendor subtrees of vendors.conf (`probe`) are asked
    in one more request and name them, with the reason in words of the rule files."""
    d = tmp_path / "recs" / "hidden"
    d.mkdir(parents=True)
    (d / "dahua-nosys.snmprec").write_text(
        "1.3.6.1.4.1.1004849.2.1.1.0|4|IPC-HFW2431\n1.3.6.1.4.1.1004849.2.1.2.0|2|1\n")
    (d / "linux-hik.snmprec").write_text(
        "1.3.6.1.2.1.1.1.0|4|Linux ipc 3.10.0 #1 SMP PREEMPT armv7l\n"
        "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10\n1.3.6.1.2.1.1.3.0|67|12345\n"
        "1.3.6.1.2.1.1.5.0|4|ipc\n1.3.6.1.4.1.39165.1.1.0|4|DS-2CD2143\n")
    ep = "127.91.9.1:1161"
    sim = SnmpSim([ep], data_dirs=[str(tmp_path / "recs")])
    sim.start("hidden/linux-hik")
    try:
        _, out = poll(bindir, ep, "-c", "hidden/dahua-nosys")
        assert out["up"] and out["class"] == "camera", out
        assert "vendor 1004849 (Dahua) answered its subtree" in out["class_why"], out
        _, out = poll(bindir, ep, "-c", "hidden/linux-hik")
        assert out["class"] == "camera", out
        assert "vendor 39165 (Hikvision) answered its subtree" in out["class_why"], out
        assert 0 <= out["class_confidence"] <= 100
    finally:
        sim.stop()


def test_printer_supplies_percent_and_v1(bindir, fleet):
    """Toner percent from level/max (Printer-MIB), over SNMPv1 GETNEXT as over v2c GETBULK,
    with "some remains" (-3) and "unknown" (-2) giving no percent rather than a wrong one."""
    _, v2 = poll(bindir, SIM, "-c", "printer/hp-laserjet-500")
    _, v1 = poll(bindir, SIM, "-v", "1", "-c", "printer/hp-laserjet-500", "--class", "printer")
    assert v1["up"] and v1["version"] == "1" and v1["classified"] is False
    rows = {g["i"]: g for g in v2["groups"] if g["g"] == "supply"}
    rows1 = {g["i"]: g for g in v1["groups"] if g["g"] == "supply"}
    assert rows.keys() == rows1.keys() and len(rows) >= 6
    black = rows["1.1"]
    assert black["l"].startswith("Black Cartridge") and not black["l"].endswith("\ufffd")
    assert black["v"]["percent"] == pytest.approx(100.0 * black["v"]["level"] / black["v"]["max"])
    assert rows1["1.1"]["v"] == black["v"]
    for g in rows.values():
        if g["v"].get("level", 0) < 0 or g["v"].get("max", 1) <= 0:
            assert "percent" not in g["v"], g


def test_hostile_recordings(bindir, fleet):
    """Built to break a careless poller: the poll ends, values that make no sense are counted
    and named, nothing crashes (the sanitizer build runs this too)."""
    for rec, cls in HOSTILE.items():
        rc, out = poll(bindir, SIM, "-c", rec, timeout=120)
        assert rc == 0 and out["up"], (rec, out.get("error"))
        if cls:
            assert out["class"] == cls, (rec, out["class"])
    _, out = poll(bindir, SIM, "-c", "printer/impossible-values")
    assert out.get("bad_values", 0) >= 1 and out["bad_first"]
    for g in out.get("groups", []):
        if "percent" in g.get("v", {}):
            assert 0 <= g["v"]["percent"] <= 100, g


def test_poll_usage_errors(bindir):
    exe = os.path.join(bindir, "hbmon-probe")
    for args, msg in ((["-v", "4", SIM], "expected 1, 2c or 3"),
                      (["-v", "3", SIM], "needs a user"),
                      (["-v", "3", "-u", "x", "-l", "authPriv", "-A", "short", SIM],
                       "at least 8"),
                      (["-a", "MD5", SIM], "expected SHA"),
                      (["--class", "toaster", SIM], "no profile"),
                      (["not a host:x"], "expected HOST")):
        r = subprocess.run([exe, "poll", *args], capture_output=True, text=True, timeout=30)
        assert r.returncode == 2 and msg in r.stderr, (args, r.stderr)


V3_USERS = {
    "hbsha256": ("SHA-256", "authPriv"),
    "hbsha": ("SHA", "authPriv"),
    "hbauth": ("SHA", "authNoPriv"),
}


def start_snmpd(addr, engine_id):
    """A real net-snmp snmpd with USM users and no community; returns (process, endpoint)."""
    d = tempfile.mkdtemp(prefix="hbmon-snmpd-")
    port = free_port()
    conf = os.path.join(d, "snmpd.conf")
    with open(conf, "w") as f:
        f.write(f"[snmp] persistentDir {d}/persist\nagentaddress udp:{addr}:{port}\n"
                f"engineID {engine_id}\n")
        for user, (auth, level) in V3_USERS.items():
            priv = ' AES "privpass123"' if level == "authPriv" else ""
            f.write(f'createUser {user} {auth} "authpass123"{priv}\n')
            f.write(f"rouser {user} {'authpriv' if level == 'authPriv' else 'auth'}\n")
    os.makedirs(os.path.join(d, "persist"))
    p = subprocess.Popen(["snmpd", "-f", "-Lf", os.path.join(d, "log"), "-C", "-c", conf,
                          "-p", os.path.join(d, "pid")])
    ep = f"{addr}:{port}"
    deadline = time.time() + 20
    while time.time() < deadline:
        r = subprocess.run(["snmpget", "-v3", "-u", "hbsha", "-l", "authPriv", "-a", "SHA", "-A",
                            "authpass123", "-x", "AES", "-X", "privpass123", "-t", "1", "-r", "0",
                            ep, "1.3.6.1.2.1.1.3.0"], capture_output=True, text=True)
        if r.returncode == 0:
            return p, ep
        time.sleep(0.2)
    p.kill()
    raise AssertionError("snmpd did not start: " + r.stderr)


@pytest.fixture(scope="module")
def snmpd_v3():
    """Two agents (two engines: USM keys are per engine and user)."""
    agents = [start_snmpd("127.0.93.1", "hbmontest01"), start_snmpd("127.0.93.2", "hbmontest02")]
    yield [ep for _, ep in agents]
    for p, _ in agents:
        p.terminate()
        p.wait(10)


def v3args(user, auth="SHA", apass="authpass123", level="authPriv", priv="AES",
           ppass="privpass123"):
    a = ["-v", "3", "-u", user, "-l", level, "-a", auth, "-A", apass]
    if level == "authPriv":
        a += ["-x", priv, "-X", ppass]
    return a


def test_snmpv3_users(bindir, snmpd_v3):
    """Engine-ID discovery and time sync through the event loop, then the whole poll."""
    for user, (auth, level) in V3_USERS.items():
        rc, out = poll(bindir, snmpd_v3[0], *v3args(user, auth, level=level), "-t", "2")
        assert rc == 0 and out["up"], (user, out.get("error"))
        assert out["version"] == "3" and out["sys"]["uptime"] > 0
        assert out["class"] == "pc"  # net-snmp on Linux
        assert any(g["g"] == "disk" for g in out["groups"])


def test_v3_discovery_of_a_silent_agent_is_ours_alone(bindir):
    """A v3 agent that never answers: only the probe's own discovery goes out, retries + 1
    datagrams; net-snmp's synchronous probe (which would hold the probe's whole loop for
    timeout x (retries + 1)) sends none."""
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    sink.settimeout(0.2)
    try:
        rc, out = poll(bindir, f"127.0.0.1:{sink.getsockname()[1]}",
                       *v3args("hbsha256", "SHA-256"), "-t", "1", "-r", "1")
        assert rc == 1 and not out["up"], out
        got = 0
        while True:
            try:
                sink.recv(2048)
                got += 1
            except socket.timeout:
                break
        assert got == 2, got
    finally:
        sink.close()


def test_poll_secrets_not_on_the_command_line(bindir, snmpd_v3, tmp_path):
    """`poll` takes its secrets from a credential of the configuration (by name) or from the
    environment; a secret given as an argument still works, with a warning that ps shows it."""
    creds = tmp_path / "credentials.conf"
    creds.write_text("[v3good]\nversion = 3\nuser = hbsha256\nlevel = authPriv\n"
                     "auth_protocol = SHA-256\nauth_password = authpass123\n"
                     "priv_protocol = AES\npriv_password = privpass123\n")
    os.chmod(creds, 0o600)
    conf = tmp_path / "hbmon.conf"
    conf.write_text("[general]\ncredentials = credentials.conf\n")
    rc, out = poll(bindir, snmpd_v3[0], "--credential", "v3good", "--config", str(conf), "-t", "2")
    assert rc == 0 and out["up"], out.get("error")
    exe = os.path.join(bindir, "hbmon-probe")
    base = ["-v", "3", "-u", "hbsha256", "-l", "authPriv", "-a", "SHA-256", "-x", "AES"]
    env = {**os.environ, "HBMON_SNMP_AUTH_PASSWORD": "authpass123",
           "HBMON_SNMP_PRIV_PASSWORD": "privpass123"}
    r = subprocess.run([exe, "poll", *base, "-t", "2", snmpd_v3[0]], capture_output=True,
                       text=True, timeout=30, env=env)
    assert r.returncode == 0 and json.loads(r.stdout)["up"], r.stderr
    assert "command line" not in r.stderr
    r = subprocess.run([exe, "poll", *base, "-A", "authpass123", "-X", "privpass123", "-t", "2",
                        snmpd_v3[0]], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and json.loads(r.stdout)["up"], r.stderr
    assert "-A: a secret on the command line" in r.stderr
    assert "authpass123" not in r.stderr
    os.chmod(creds, 0o644)  # readable by others: refused, as the daemon refuses it
    r = subprocess.run([exe, "poll", "--credential", "v3good", "--config", str(conf),
                        snmpd_v3[0]], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "chmod 600" in r.stderr, r.stderr


@pytest.mark.parametrize("args,why", [
    (v3args("hbsha256", "SHA-256", apass="wrongpass1"), "authentication failed"),
    (v3args("nobody"), "unknown user name"),
    (v3args("hbauth", level="authPriv"), "security level not supported"),
    (v3args("hbsha256", "SHA"), "authentication failed"),
])
def test_snmpv3_wrong_credentials(bindir, snmpd_v3, args, why):
    rc, out = poll(bindir, snmpd_v3[0], *args, "-t", "1", "-r", "1")
    assert rc == 1 and not out["up"]
    assert why in out["error"], out["error"]


def test_snmpv3_fleet_with_wrong_credentials(bindir, snmpd_v3, fleet, tmp_path):
    """In the daemon: one device's wrong password is that device's error on the dashboard
    API; the v3 device with good keys, the snmpsim device and a dead one are polled as usual."""
    good = {"version": "3", "user": "hbsha256", "level": "authPriv", "auth_protocol": "SHA-256",
            "auth_password": "authpass123", "priv_protocol": "AES",
            "priv_password": "privpass123"}
    bad = dict(good, auth_password="not-the-password")
    common = {"commune": "Xã A", "site": "UBND", "site_type": "office", "class": "",
              "contact": ""}
    devices = [
        dict(common, device="PC v3", address=snmpd_v3[0], snmp="v3good", cred=good),
        dict(common, device="PC v3 sai", address=snmpd_v3[1], snmp="v3bad", cred=bad),
        dict(common, device="Máy in", address=SIM, snmp="sim", community="printer/hp-laserjet-500"),
        dict(common, device="Chết", address="127.0.93.9:9", snmp="dead", community="public"),
    ]
    d = District(str(tmp_path), devices, "[site-type office]\npc = 1\n")
    col = start_collector(bindir, d)
    try:
        t0 = time.time()
        r = run_probe_once(bindir, d)
        assert time.time() - t0 < 30, r.stderr
        st, _, body = http(d.url("/api/v1/devices"))
        assert st == 200
        devs = {x["device"]: x for x in json.loads(body)}
        assert devs["PC v3"]["status"] == "up", devs["PC v3"]
        assert devs["Máy in"]["status"] == "up"
        assert devs["PC v3 sai"]["status"] == "down"
        assert "authentication failed" in devs["PC v3 sai"]["error"]
        assert devs["Chết"]["status"] == "down" and "timeout" in devs["Chết"]["error"]
        # an empty inventory class is filled in from the probe's classification
        assert devs["PC v3"]["class"] == "pc" and devs["Máy in"]["class"] == "printer"
    finally:
        assert col.stop() == 0, col.output()


def test_profile_metrics_stored_graphed_and_shown(bindir, fleet, tmp_path):
    """Toner, disks and UPS battery reach storage (one file per row, data sources named by
    metric), the series API, a graph per metric and the device page; alert rows that come
    and go are shown but make no files."""
    from test_storage import quote  # names as the URLs carry them (their directory names)
    common = {"commune": "Xã B", "site": "Một cửa", "site_type": "one-stop", "contact": ""}
    devices = [
        dict(common, device="Máy in", **{"class": "printer"}, address="127.91.0.1:1161",
             snmp="p", community="printer/hp-laserjet-500"),
        dict(common, device="Máy tính", **{"class": ""}, address="127.91.0.2:1161",
             snmp="pc", community="pc/windows-xp"),
        dict(common, device="UPS", **{"class": "ups"}, address="127.91.0.3:1161",
             snmp="u", community="ups/eaton-powerxpert"),
    ]
    d = District(str(tmp_path), devices, "[site-type one-stop]\nprinter = 1\n")
    col = start_collector(bindir, d)
    try:
        run_probe_once(bindir, d)
        time.sleep(1.2)
        run_probe_once(bindir, d)
        files = {}
        for root, _, names in os.walk(d.data):
            for n in names:
                files.setdefault(os.path.basename(root), set()).add(n)
        printer = next(v for k, v in files.items() if "supply-1.1.rrd" in v)
        assert {"supply-1.1.rrd", "supply-1.6.rrd", "tray-1.1.rrd", "host.rrd"} <= printer
        assert not any(n.startswith("alert") for v in files.values() for n in v)
        assert any(any(n.startswith("disk-") for n in v) for v in files.values())
        assert any(any(n.startswith("memory-") for n in v) for v in files.values())
        assert any("battery.rrd" in v for v in files.values())

        c, dev = quote("Xã B"), quote("Máy in")
        st, _, body = http(d.url(f"/api/v1/series/{c}/{dev}/supply-1.1?start={int(time.time()) - 120}"
                                f"&end={int(time.time())}&resolution=1"))
        assert st == 200, body
        series = json.loads(body)
        assert {"level", "max", "percent"} <= set(series["ds"])
        k = series["ds"].index("level")
        assert any(r[1 + k] == 78 for r in series["rows"]), series["rows"][-3:]

        st, hdr, png = http(d.url(f"/graph/{c}/{dev}/supply-1.1.png?ds=percent"))
        assert st == 200 and png[:8] == b"\x89PNG\r\n\x1a\n"
        assert http(d.url(f"/graph/{c}/{dev}/supply-1.1.png"))[0] == 400
        assert http(d.url(f"/graph/{c}/{dev}/supply-1.1.png?ds=nothere"))[0] == 404
        assert http(d.url(f"/graph/{c}/{dev}/supply-..%2F1.png?ds=level"))[0] == 404
        assert http(d.url(f"/graph/{c}/{dev}/system-1.png?ds=avail"))[0] == 404

        st, _, page = http(d.url(f"/device/{c}/{dev}"))
        html = page.decode()
        assert st == 200 and "Vật tư in (mực, trống)" in html and "Black Cartridge" in html
        assert "supply-1.1.png?period=day&amp;ds=percent" in html
        assert "Sleep mode on" in html  # the printer's alert, shown
        st, _, page = http(d.url(f"/device/{c}/{dev}?lang=en"))
        assert "Supplies (toner, drum)" in page.decode()

        st, _, body = http(d.url("/api/v1/devices"))
        devs = {x["device"]: x for x in json.loads(body)}
        assert devs["Máy tính"]["class"] == "pc"
        assert metric(d, "hbmon_rrd_errors_total") == 0
    finally:
        assert col.stop() == 0, col.output()


def test_value_targets_toner_disk_registration(bindir, fleet, tmp_path):
    """Targets on what the profiles poll: a toner floor, a disk fill ceiling and a VC's SIP
    registration, judged on the devices' answers, each missed one naming the device and the
    row furthest out."""
    common = {"commune": "Xã C", "contact": ""}
    devices = [
        dict(common, site="Một cửa", site_type="one-stop", device="Máy in HP",
             **{"class": "printer"}, address="127.91.0.4:1161", snmp="p",
             community="printer/hp-laserjet-500"),
        dict(common, site="Một cửa", site_type="one-stop", device="Máy tính XP",
             **{"class": "pc"}, address="127.91.0.5:1161", snmp="x", community="pc/windows-xp"),
        dict(common, site="Phòng họp", site_type="meeting-room", device="Poly X50",
             **{"class": "vc"}, address="127.91.0.6:1161", snmp="v",
             community="vc/poly-studio-x50"),
        dict(common, site="Văn phòng", site_type="office", device="Máy in 2",
             **{"class": "printer"}, address="127.91.0.7:1161", snmp="p2",
             community="printer/hp-laserjet-500"),
    ]
    # judged at every hour (the real clock): the overview judges a site in its hours
    # the toner a critical target here (a value target is a warning unless it says so), the
    # disk a warning, the SIP registration critical
    types = ("[site-type one-stop]\nhours = always\nprinter = 1\n"
             "printer.supply.percent = >= 25 critical\npc.disk.used_pct = <= 90\n"
             "[site-type meeting-room]\nhours = always\nvc = 1\n"
             "vc.poly_sip_reg.status = == 2 critical\n"
             "[site-type office]\nhours = always\nprinter.supply.percent = >= 20\n")
    d = District(str(tmp_path), devices, types)
    col = start_collector(bindir, d)
    try:
        run_probe_once(bindir, d)
        ready = json.loads(http(d.url("/api/v1/readiness"))[2])
        sites = {s["name"]: s for c in ready["communes"] for s in c["sites"]}
        metric = {(s, t["class"], t["group"]): t for s, v in sites.items()
                  for t in v["targets"] if t["kind"] == "metric"}
        toner = metric[("Một cửa", "printer", "supply")]
        # supplies with a percent: 78, 90, 21, 60, 28 (the collection unit has none)
        assert (toner["met"], toner["up"], toner["total"]) == (False, 4, 5), toner
        assert toner["worst"] == 21 and toner["worst_at"].startswith("Máy in HP — Magenta")
        assert ("1/5 hộp mực, vật tư của máy in còn dưới 25 % — thấp nhất: Máy in HP, Magenta"
                in toner["reason"]), toner["reason"]
        assert ": 21 %" in toner["reason"], toner["reason"]
        disk = metric[("Một cửa", "pc", "disk")]
        assert not disk["met"] and disk["worst"] > 96 and "C:" in disk["worst_at"], disk
        # words and a rounded number, not "used_pct ≤ 90" and "96.5009"
        assert "ổ đĩa máy tính đầy trên 90 % — nặng nhất: " in disk["reason"], disk["reason"]
        assert "used_pct" not in disk["reason"] and "Label" not in disk["reason"], disk["reason"]
        assert f"{round(disk['worst'], 1):.1f}".replace(".", ",").removesuffix(",0") + " %" \
            in disk["reason"], disk["reason"]
        sip = metric[("Phòng họp", "vc", "poly_sip_reg")]
        assert not sip["met"] and sip["worst"] == 3, sip  # failed(3), as recorded
        assert "1/1 thiết bị họp trực tuyến" in sip["reason"] and "chưa đăng ký SIP" in sip["reason"], sip
        assert "status" not in sip["reason"] and "3" not in sip["reason"].split("—")[0], sip
        assert metric[("Văn phòng", "printer", "supply")]["met"] is True  # 21 >= 20
        assert sites["Văn phòng"]["met"] is True and sites["Một cửa"]["met"] is False
        assert (toner["severity"], disk["severity"], sip["severity"]) == \
            ("critical", "warning", "critical")
        assert sites["Một cửa"]["warnings"] == 1 and sites["Phòng họp"]["met"] is False
        st, _, page = http(d.url("/?lang=en"))
        assert st == 200 and "1 of 5 printer supplies below 25 % — lowest: Máy in HP, Magenta" \
            in page.decode()
    finally:
        assert col.stop() == 0, col.output()


def test_check_config_checks_mib_names(bindir, tmp_path):
    """Where MIB files are present, --check-config checks every profile's MIB name against
    its numeric OID: a wrong number is an error naming file and line."""
    import shutil
    from simfleet import SHARED
    prof = tmp_path / "profiles"
    shutil.copytree(os.path.join(os.path.dirname(__file__), "..", "..", "profiles"), prof)
    dev = [{"commune": "Xã D", "site": "S", "site_type": "one-stop", "device": "PC",
            "class": "pc", "address": "127.0.93.9:161", "snmp": "c", "community": "public"}]
    extra = f"profiles = {prof}\nmib_dirs = {SHARED}/mibs\n"
    d = District(str(tmp_path), dev, "[site-type one-stop]\npc = 1\n", extra=extra)
    issue_secrets(bindir, d)  # the probe's check includes its secret file
    exe = os.path.join(bindir, "hbmon-probe")
    r = subprocess.run([exe, "-c", d.conf, "--check-config"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "129 MIB names checked" in r.stderr or "MIB names checked" in r.stderr, r.stderr
    text = (prof / "pc.conf").read_text()
    (prof / "pc.conf").write_text(text.replace("hrStorageUsed 1.3.6.1.2.1.25.2.3.1.6",
                                               "hrStorageUsed 1.3.6.1.2.1.25.2.3.1.7", 1))
    line = next(i for i, l in enumerate(text.splitlines(), 1) if "hrStorageUsed" in l)
    r = subprocess.run([exe, "-c", d.conf, "--check-config"], capture_output=True, text=True)
    assert r.returncode == 1
    assert (f"pc.conf:{line}: hrStorageUsed is 1.3.6.1.2.1.25.2.3.1.6 in the MIB files, "
            f"not 1.3.6.1.2.1.25.2.3.1.7") in r.stderr, r.stderr
