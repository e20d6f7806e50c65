"""The systemd units ask for least privilege: `systemd-analyze security` (offline, on the
files as shipped) rates both below 2.5; and the daemons make their data for their own group at
most (0640 files, 0750 directories), whatever the umask they were started with."""
import os
import re
import shutil
import stat
import subprocess
import time

import pytest

from conftest import TOP, District, batch, http, metric, sample, start_collector

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
