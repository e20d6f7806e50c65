"""The systemd units ask for least privilege: `systemd-analyze security` (offline, on the
files as shipped) rates both below 2.5; and the daemons make their data for their own group at
most (0640 files, 0750 directories), whatever the umask they were started with."""
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile
import time

import pytest

from conftest import TOP, Daemon, District, batch, http, metric, sample, start_collector

UNITS = ["hbmon-collector.service", "hbmon-probe.service"]


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="needs systemd-analyze")
@pytest.mark.parametrize("unit", UNITS)
def test_unit_exposure_below_2_5(unit):
    r = subprocess.run(["systemd-analyze", "security", "--offline=true", "--no-pager",
                        os.path.join(TOP, "etc", "systemd", unit)],
                       capture_output=True, text=True, timeout=60)
    m = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", r.stdout + r.stderr)
    assert m, r.stdout + r.stderr
    assert float(m.group(1)) < 2.5, r.stdout


def test_data_is_not_world_readable(bindir, tmp_path):
    """Started with umask 022 (as from a shell), the collector still makes its database, RRD
    directories and files unreadable to other users."""
    devs = [{"commune": "Xã A", "site": "Một cửa", "site_type": "one-stop", "device": "PC 1",
             "class": "pc", "address": "127.0.0.1", "snmp": "", "contact": ""}]
    types = "[site-type one-stop]\nlabel_vi = Một cửa\npc = 1\n"
    os.makedirs(tmp_path / "site")
    d = District(str(tmp_path / "site"), devs, types)
    old = os.umask(0o022)
    try:
        c = start_collector(bindir, d)
    finally:
        os.umask(old)
    try:
        st, _, body = http(d.url("/api/v1/ingest"),
                           batch([sample("Xã A", "PC 1", int(time.time()))]))
        assert st == 200, body
        deadline = time.time() + 20
        while metric(d, "hbmon_rrd_updates_total") < 1 and time.time() < deadline:
            time.sleep(0.1)
    finally:
        assert c.stop() == 0, c.output()
    seen = []
    for root, dirs, files in os.walk(d.data):
        for name in dirs + files:
            p = os.path.join(root, name)
            mode = stat.S_IMODE(os.lstat(p).st_mode)
            assert mode & 0o007 == 0, (p, oct(mode))
            seen.append(name)
    # librrd makes its files 0644 whatever the umask: one of them must have been looked at
    assert any(n.endswith(".rrd") for n in seen), seen
    assert "hbmon.db" in seen, seen


def proc_status(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def owned_by(top, uid):
    for root, dirs, files in os.walk(top):
        for name in dirs + files:
            p = os.path.join(root, name)
            assert os.lstat(p).st_uid == uid, p


@pytest.mark.skipif(os.geteuid() != 0, reason="started as root only")
def test_daemons_started_as_root_become_their_user(bindir):
    """[general] user: both daemons, started as root, run as that user (here nobody) with no
    capability but the probe's CAP_NET_RAW (kept across its re-exec: ambient), no way back
    (no new privileges), and what they write is that user's. The probe's ICMP check still
    works and its batches reach the collector."""
    nobody = pwd.getpwnam("nobody")
    top = tempfile.mkdtemp(prefix="hbmon-privdrop-", dir="/tmp")
    os.chmod(top, 0o755)  # the user must reach its files (pytest's folders are root's only)
    try:
        devs = [{"commune": "Xã A", "site": "Một cửa", "site_type": "one-stop",
                 "device": "Máy chủ", "class": "pc", "address": "127.0.0.1", "snmp": "",
                 "contact": ""}]
        types = "[site-type one-stop]\nlabel_vi = Một cửa\npc = 1\n"
        d = District(top, devs, types, interval=1)
        with open(d.conf, encoding="utf-8") as f:
            text = f.read().replace("[general]\n", "[general]\nuser = nobody\n", 1)
        with open(d.conf, "w", encoding="utf-8") as f:
            f.write(text)
        os.makedirs(d.data)
        for root, dirs, files in os.walk(top):
            for name in dirs + files + ["."]:
                os.chown(os.path.join(root, name), nobody.pw_uid, nobody.pw_gid)
        c = start_collector(bindir, d)  # `probe add` in it also runs as nobody
        p = Daemon([os.path.join(bindir, "hbmon-probe"), "-c", d.conf],
                   os.path.join(top, "probe.log"))
        try:
            deadline = time.time() + 30
            while metric(d, "hbmon_ingest_samples_total") < 1 and time.time() < deadline:
                assert p.alive(), p.output()
                time.sleep(0.2)
            assert metric(d, "hbmon_ingest_samples_total") >= 1, p.output() + c.output()
            want_uid = "\t".join([str(nobody.pw_uid)] * 4)
            for proc, caps in ((c.proc, 0), (p.proc, 1 << 13)):  # CAP_NET_RAW is bit 13
                st = proc_status(proc.pid)
                assert st["Uid"] == want_uid and st["Gid"].split("\t")[0] == str(nobody.pw_gid), st
                assert int(st["CapEff"], 16) == caps and int(st["CapPrm"], 16) == caps, st
                assert int(st["CapBnd"], 16) == caps and int(st["CapAmb"], 16) == caps, st
                assert st["NoNewPrivs"] == "1", st
            devices = json.loads(http(d.url("/api/v1/devices"))[2])
            assert devices[0]["status"] == "up", devices  # ICMP echo as nobody: answered
        finally:
            assert p.stop() == 0, p.output()
            assert c.stop() == 0, c.output()
        assert "running as user nobody" in c.output() and "running as root" not in c.output()
        assert "running as user nobody, with CAP_NET_RAW only" in p.output()
        owned_by(d.data, nobody.pw_uid)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_running_as_root_unasked_is_warned(bindir, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("started as root only")
    devs = [{"commune": "Xã A", "site": "Một cửa", "site_type": "one-stop", "device": "PC 1",
             "class": "pc", "address": "127.0.0.1", "snmp": "", "contact": ""}]
    d = District(str(tmp_path), devs, "[site-type one-stop]\nlabel_vi = Một cửa\npc = 1\n")
    c = start_collector(bindir, d)
    assert c.stop() == 0, c.output()
    assert "running as root with every privilege: set [general] user" in c.output()
