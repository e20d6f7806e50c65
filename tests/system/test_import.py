"""hbmon-collector import: past batches stored through the real ingest at their own time, the
alerts stepped along that time (events, no mail), the data directory locked against a running
collector, nothing stored twice."""
import json
import os
import sqlite3
import subprocess
from datetime import datetime, timedelta, timezone

from conftest import District, batch, http, sample, start_collector

VN = timezone(timedelta(hours=7))


def t(day, hour, minute=0):
    return int(datetime(2026, 11, day, hour, minute, tzinfo=VN).timestamp())


NOW = t(11, 18)                         # Wednesday evening, the test clock
FROM, STEP = t(10, 0), 300
SCANNER_DOWN = (t(10, 9), t(10, 11))    # Tuesday, in working hours
SITE_TYPES = """[site-type one-stop]
label_vi = Bộ phận một cửa
pc = 2
scanner = 1
"""
DEVICES = [("PC 1", "pc"), ("PC 2", "pc"), ("Máy quét", "scanner")]


def history_lines():
    for ts in range(FROM, NOW - STEP, STEP):
        samples = [sample("Xã A", d, ts, up=not (d == "Máy quét" and
                                                 SCANNER_DOWN[0] < ts <= SCANNER_DOWN[1]))
                   for d, _ in DEVICES]
        yield batch(samples, probe="old-tool", seq=ts).decode()


def run_import(bindir, dist, env, *files):
    return subprocess.run([os.path.join(bindir, "hbmon-collector"), "-c", dist.conf, "import",
                           *files], capture_output=True, text=True, timeout=120, env=env)


def test_import_history_then_serve_it(bindir, tmp_path):
    devs = [{"commune": "Xã A", "site": "Một cửa", "site_type": "one-stop", "device": d,
             "class": cls, "address": f"127.0.0.{30 + i}:161", "snmp": "pub",
             "community": "public", "contact": "xa-a@example.gov.vn"}
            for i, (d, cls) in enumerate(DEVICES)]
    # a mail server is configured: the past must still mail nobody
    dist = District(str(tmp_path), devs, SITE_TYPES, rrd_step=60, interval=300,
                    extra="[alerts]\nsmtp_url = smtp://127.0.0.1:9\nrecipients = it@example.gov.vn\n")
    clock = tmp_path / "clock"
    clock.write_text(f"{NOW}\n")
    env = {**os.environ, "HBMON_CLOCK_FILE": str(clock)}
    hist = tmp_path / "history.jsonl"
    with open(hist, "w", encoding="utf-8") as f:
        for line in history_lines():
            f.write(line + "\n")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(batch([sample("Xã A", "PC 1", NOW + 3600)]).decode() + "\n"
                   "{not json\n" + batch([sample("Xã Z", "PC 1", NOW - 60)]).decode() + "\n")

    r = run_import(bindir, dist, env, str(hist))
    assert r.returncode == 0, r.stdout + r.stderr
    nbatches = len(range(FROM, NOW - STEP, STEP))
    assert f"imported {3 * nbatches} samples from {nbatches} batches" in r.stdout, r.stdout

    # each line of a bad file is named; future and unknown samples are refused and counted
    r = run_import(bindir, dist, env, str(bad))
    assert r.returncode == 1
    assert f"{bad}:2: " in r.stderr, r.stderr
    assert "refused: 1 batches, 2 samples" in r.stdout, r.stdout

    # the scanner's outage is in its file at its own time
    rrd = os.path.join(dist.data, "rrd")
    scanner = next(os.path.join(rrd, c, d) for c in os.listdir(rrd)
                   for d in os.listdir(os.path.join(rrd, c)) if d.startswith("M"))
    out = subprocess.run(["rrdtool", "fetch", os.path.join(scanner, "system.rrd"), "AVERAGE",
                          "-r", "300", "-s", str(t(10, 8)), "-e", str(t(10, 12))],
                         capture_output=True, text=True, check=True).stdout
    avail = {int(l.split(":")[0]): float(l.split()[1]) for l in out.splitlines()[2:]
             if ":" in l and "nan" not in l.split()[1]}
    assert avail[t(10, 10)] == 0.0 and avail[t(10, 8, 30)] == 1.0, out

    # the alerts ran along the data's time: fired and resolved that morning, no mail queued
    db = sqlite3.connect(os.path.join(dist.data, "hbmon.db"))
    ev = db.execute("select ts, kind, subject from events where kind in ('firing','resolved') "
                    "order by ts").fetchall()
    assert [(k, s) for _, k, s in ev] == [("firing", "scanner"), ("resolved", "scanner")], ev
    assert SCANNER_DOWN[0] < ev[0][0] <= SCANNER_DOWN[0] + 900
    assert SCANNER_DOWN[1] < ev[1][0] <= SCANNER_DOWN[1] + 900
    assert db.execute("select count(*) from outbox").fetchone()[0] == 0
    db.close()

    col = start_collector(bindir, dist, env={"HBMON_CLOCK_FILE": str(clock)})
    try:
        # one process writes a data directory: an import while the collector runs is refused
        r = run_import(bindir, dist, env, str(hist))
        assert r.returncode == 1 and "another hbmon-collector uses this data directory" in r.stderr
        # the period figure reads the imported history: 2 of the 16 working hours of Tuesday
        # and Wednesday (to= includes its day) missed
        st, _, body = http(dist.url("/api/v1/readiness?from=2026-11-10&to=2026-11-11"))
        assert st == 200
        doc = json.loads(body)
        shares = {tg["target"]: tg["met_share"] for c in doc["communes"] for s in c["sites"]
                  for tg in s["targets"]}
        assert abs(shares["scanner"] - 14 / 16) < 0.01, shares
        assert shares["pc"] == 1.0
        # the report lists the alert history of the period: when, how long, what
        st, _, body = http(dist.url("/report?from=2026-11-10&to=2026-11-11"))
        page = body.decode()
        assert st == 200 and 'id="incidents"' in page
        row = page[page.index('class="incidents"'):]
        assert "10/11 09:" in row and "10/11 11:" in row and "2 giờ" in row, row[:2000]
        assert "0 máy quét hoạt động (cần 1)" in row, row[:2000]
        st, _, body = http(dist.url("/report?from=2026-11-11&to=2026-11-11&lang=en"))
        assert st == 200 and "No incident in the period." in body.decode()
    finally:
        assert col.stop() == 0, col.output()

    # the same file again: nothing is written twice
    r = run_import(bindir, dist, env, str(hist))
    assert r.returncode == 0 and "RRD updates: 0 written" in r.stdout, r.stdout
