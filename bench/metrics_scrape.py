#!/usr/bin/python3
"""How long a Prometheus scrape of /metrics takes at a district's size.

Builds the district of bench/readiness_tick.py (N communes × M devices, class, value and
commune targets, every target judged round the clock), posts one sample of every device, lets
the judge tick a few times (so the shares of today are there), then GETs /metrics with a
read-only token (as the province's Prometheus does) GETS times and reports the median and the
slowest answer, the body's size and its number of series:

    bench/metrics_scrape.py BUILD [--communes N] [--devices-per-commune M]

RRD files are not what is measured: the collector may create one file a minute
(max_new_files_per_minute = 1), so the bench writes a few MB, not the 4 GB of a full district;
the states and the readiness are the same (a sample is applied whether its file exists or not).
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "system"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conftest import TOP, District, start_collector  # noqa: E402
from readiness_tick import COMMON, Fleet, Poster, site_types  # noqa: E402
from http.client import HTTPConnection  # noqa: E402

GETS = 20


def scrape(d, tok):
    conn = HTTPConnection("127.0.0.1", d.port, timeout=120)
    a = time.monotonic()
    conn.request("GET", "/metrics", headers={"Authorization": f"Bearer {tok}"})
    r = conn.getresponse()
    body = r.read()
    ms = (time.monotonic() - a) * 1000
    assert r.status == 200, (r.status, body[:300])
    return ms, body


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("build")
    ap.add_argument("--communes", type=int, default=150)
    ap.add_argument("--devices-per-commune", type=int, default=30)
    a = ap.parse_args()
    bindir = a.build if os.path.isabs(a.build) else os.path.join(TOP, a.build)
    fleet = Fleet(a.communes, a.devices_per_commune)
    root = tempfile.mkdtemp(prefix="hbmon-metrics-", dir=os.environ.get("BENCH_DIR", "/tmp"))
    d = District(root, fleet.devices, site_types(fleet.pcs, True),
                 collector_extra="max_new_files_per_minute = 1\n", extra=COMMON, rrd_step=60)
    c = start_collector(bindir, d)
    try:
        r = subprocess.run([os.path.join(bindir, "hbmon-collector"), "-c", d.conf, "token",
                            "add", "bench"], capture_output=True, text=True, check=True)
        tok = r.stdout.strip()
        Poster(fleet, {"seq": 0, "ts": 0}).round(d, timeout=600)
        time.sleep(3)  # ticks: the readiness judged, the shares of today counted
        ms, bodies = [], []
        for _ in range(GETS):
            t, body = scrape(d, tok)
            ms.append(t)
            bodies.append(body)
        body = bodies[-1].decode()
        series = sum(1 for line in body.splitlines() if line and not line.startswith("#"))
        district = sum(1 for line in body.splitlines() if 'district="' in line
                       and not line.startswith("#"))
        ready = sum(1 for line in body.splitlines() if line.startswith("hbmon_commune_ready{"))
        met = sum(1 for line in body.splitlines()
                  if line.startswith("hbmon_commune_ready{") and line.endswith(" 1"))
        print(f"{a.communes} communes × {a.devices_per_commune} devices "
              f"({len(fleet.devices)} devices): GET /metrics with a token, {GETS} times: "
              f"median {statistics.median(ms):.1f} ms, slowest {max(ms):.1f} ms; "
              f"{len(bodies[-1]) / 1024:.0f} KiB, {series} series ({district} of the district's "
              f"readiness, devices, alerts and probes); communes with a verdict {ready}, meeting "
              f"every target {met}")
    finally:
        c.stop()
        subprocess.run(["rm", "-rf", root])


if __name__ == "__main__":
    main()
