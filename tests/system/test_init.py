"""hbmon-collector init: a real site's starting files, valid as written, dated by the clock."""
import csv
import os
import stat
import subprocess

from conftest import TOP


def run(bindir, *args, env=None):
    return subprocess.run([os.path.join(bindir, "hbmon-collector"), *args],
                          capture_output=True, text=True, timeout=30,
                          env={**os.environ, **(env or {})})


def test_init_writes_a_site_that_checks(bindir, tmp_path):
    clock = tmp_path / "clock"
    clock.write_text("1924000000\n")  # 2030-12-20, Asia/Ho_Chi_Minh
    etc = tmp_path / "etc"
    r = run(bindir, "init", "--district", "Huyện Thử", str(etc),
            env={"HBMON_CLOCK_FILE": str(clock)})
    assert r.returncode == 0, r.stderr
    conf = (etc / "hbmon.conf").read_text()
    # a real site: state under /var/lib, the office LAN sees the dashboard
    assert "district = Huyện Thử" in conf
    assert "data_dir = /var/lib/hbmon" in conf and "listen_address = 0.0.0.0" in conf
    assert "[site-type one-stop]" in conf and "[site-type meeting-room]" in conf
    # secrets: only the owner reads them, and nobody keeps a well-known community
    creds = etc / "credentials.conf"
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    community = [l.split("=", 1)[1].strip() for l in creds.read_text().splitlines()
                 if l.startswith("community")]
    assert len(community) == 1 and len(community[0]) >= 20 and community[0] != "public"
    with open(etc / "inventory.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    classes = {r["class"] for r in rows}
    assert classes == {"pc", "printer", "scanner", "switch", "router", "ap", "vc", "camera",
                       "kiosk", "attendance", "ups", "portal", "other"}
    # the holidays of the clock's year and the next, not of the real date
    hol = (etc / "holidays.txt").read_text()
    assert "2030-09-02" in hol and "2031-01-01" in hol and "2026-" not in hol

    # as written, the files pass both daemons' checks (paths of this checkout, as if installed)
    conf = conf.replace("dashboards_dir = /usr/local/share/hbmon/dashboards",
                        f"dashboards_dir = {TOP}/dashboards")
    conf = conf.replace("data_dir = /var/lib/hbmon", f"data_dir = {tmp_path}/data")
    conf = conf.replace("[probe]\n", f"[probe]\nprofiles = {TOP}/profiles\n")
    (etc / "hbmon.conf").write_text(conf)
    # the probe's secret, issued as README says
    r = run(bindir, "-c", str(etc / "hbmon.conf"), "probe", "add", "district", "--secret-file",
            str(etc / "probe.secret"))
    assert r.returncode == 0 and "secret written to" in r.stdout, r.stderr
    assert stat.S_IMODE(os.stat(etc / "probe.secret").st_mode) == 0o600
    for prog in ("hbmon-collector", "hbmon-probe"):
        r = subprocess.run([os.path.join(bindir, prog), "-c", str(etc / "hbmon.conf"),
                            "--check-config"], capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "configuration OK: 1 communes" in r.stdout, r.stderr

    # a second init writes nothing; --force replaces every file
    before = (etc / "hbmon.conf").read_text()
    r = run(bindir, "init", str(etc))
    assert r.returncode == 1 and "hbmon.conf: exists" in r.stderr
    assert (etc / "hbmon.conf").read_text() == before
    r = run(bindir, "init", "--force", str(etc))
    assert r.returncode == 0 and "district = Huyện Mẫu" in (etc / "hbmon.conf").read_text()
    assert not [p for p in os.listdir(etc) if p.endswith(".new")]


def test_init_usage(bindir, tmp_path):
    r = run(bindir, "init")
    assert r.returncode == 2 and "usage: hbmon-collector init" in r.stderr
    r = run(bindir, "init", "--bogus", str(tmp_path))
    assert r.returncode == 2
    # a name that would break the INI file (a line break) or read backwards is refused
    for bad in ("Huyện A\n[collector]", "Huyện \u202eA"):
        r = run(bindir, "init", "--district", bad, str(tmp_path / "x"))
        assert r.returncode == 2 and not (tmp_path / "x").exists()
