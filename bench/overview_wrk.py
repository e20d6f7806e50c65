#!/usr/bin/python3
"""The overview under load: wrk on loopback against a logged-in session.

A district of N communes × M devices (bench/readiness_tick.py's, with its targets), every
device posted once a minute (the 1-minute polling load) while wrk asks for GET / with an
administrator's session cookie, as a browser does (Accept-Encoding: gzip), on C connections for
S seconds; then the same wrk against libmicrohttpd serving a static 20 KB page from memory
(bench/mhd_static.c) on the same machine, the yardstick. Goal (issue 15): at least 10,000
requests/s with p99 under 20 ms.

    bench/overview_wrk.py BUILD [--communes N] [--devices-per-commune M] [--connections C]
                          [--seconds S] [--write]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "system"))
sys.path.insert(0, os.path.join(TOP, "bench"))
from conftest import (ADMIN, District, batch, free_port, http, issue_secrets, login,  # noqa: E402
                      start_collector)
from benchinfo import base_info, write_marked_section  # noqa: E402
from readiness_tick import COMMON, Fleet, Poster, site_types  # noqa: E402

MARK_BEGIN = "<!-- overview-wrk: written by bench/overview_wrk.py -->"
MARK_END = "<!-- /overview-wrk -->"
POLL_S = 60


def wrk(url, connections, seconds, headers=()):
    """wrk's figures: requests/s, p50 and p99 latency (ms), transfer/s, errors."""
    exe = shutil.which("wrk")
    if not exe:
        raise SystemExit("wrk is missing: apt-get install wrk (make deps)")
    argv = [exe, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for h in headers:
        argv += ["-H", h]
    out = subprocess.run(argv + [url], capture_output=True, text=True,
                         timeout=seconds + 60).stdout

    def ms(label):
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    tr = re.search(r"Transfer/sec:\s+([\d.]+\w+)", out)
    errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(rps.group(1)) if rps else 0.0, "p50": ms("50"), "p99": ms("99"),
            "transfer": tr.group(1) if tr else "?", "non2xx": int(errs.group(1)) if errs else 0,
            "raw": out}


def static_baseline(connections, seconds):
    src = os.path.join(TOP, "bench", "mhd_static.c")
    exe = os.path.join(tempfile.mkdtemp(prefix="hbmon-mhd-"), "mhd_static")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libmicrohttpd"],
                           capture_output=True, text=True, check=True).stdout.split()
    subprocess.run(["cc", "-O2", "-o", exe, src] + flags, check=True)
    port = free_port()
    p = subprocess.Popen([exe, str(port)])
    try:
        time.sleep(0.5)
        return wrk(f"http://127.0.0.1:{port}/", connections, seconds)
    finally:
        p.terminate()
        p.wait()


SLICES = 12  # the minute's samples posted as they come: a twelfth every 5 s


def keep_polling(d, fleet, state, stop):
    """Every device once each POLL_S, spread over the minute as probes poll them, until stop
    is set. Returns the samples posted."""
    posted, k = 0, 0
    while not stop.is_set():
        ts = max(int(time.time()), state["ts"] + 1)
        state["ts"] = ts
        samples = fleet.samples(ts)
        part = samples[k % SLICES::SLICES]
        state["seq"] += 1
        if http(d.url("/api/v1/ingest"), data=batch(part, seq=state["seq"]), timeout=60)[0] == 200:
            posted += len(part)
        k += 1
        stop.wait(POLL_S / SLICES)
    return posted


def measure(bindir, communes, per, connections, seconds):
    fleet = Fleet(communes, per)
    root = tempfile.mkdtemp(prefix="hbmon-wrk-", dir=os.environ.get("BENCH_DIR", "/tmp"))
    d = District(root, fleet.devices, site_types(fleet.pcs, True),
                 collector_extra="max_new_files_per_minute = 10000000\n", extra=COMMON,
                 rrd_step=60)
    issue_secrets(bindir, d)
    c = start_collector(bindir, d)
    stop = threading.Event()
    try:
        state = {"seq": 0, "ts": 0}
        Poster(fleet, state).round(d, timeout=600)  # the first makes the files
        posted = []
        t = threading.Thread(target=lambda: posted.append(keep_polling(d, fleet, state, stop)),
                             daemon=True)
        t.start()
        time.sleep(25)  # settled: stale_after over, alerts fired
        cookie = login(d.url(""), *ADMIN)[0]
        st, _, page = http(d.url("/"), cookie=cookie)
        assert st == 200, st
        res = wrk(d.url("/"), connections, seconds,
                  [f"Cookie: {cookie}", "Accept-Encoding: gzip, deflate"])
        res["page_bytes"] = len(page)
        assert c.alive(), c.output()[-2000:]
        stop.set()
        t.join(120)
        res["samples_posted"] = posted[0] if posted else 0
        return res
    finally:
        stop.set()
        c.stop()
        shutil.rmtree(root, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build")
    ap.add_argument("--communes", type=int, default=150)
    ap.add_argument("--devices-per-commune", type=int, default=30)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args()
    bindir = os.path.abspath(a.build)
    ov = measure(bindir, a.communes, a.devices_per_commune, a.connections, a.seconds)
    base = static_baseline(a.connections, a.seconds)
    info = base_info(TOP)
    md = (f"## The overview under wrk (issue 15)\n\n"
          f"{info['date']}, {info['nproc']} cores ({info['cpu']}), commit {info['commit']}: "
          f"`bench/overview_wrk.py {a.build} --communes {a.communes} --devices-per-commune "
          f"{a.devices_per_commune} --connections {a.connections} --seconds {a.seconds}`. "
          f"GET / logged in as an administrator (`Accept-Encoding: gzip`), every device "
          f"posted once a minute meanwhile, a twelfth every 5 s ({ov['samples_posted']:,} "
          f"samples stored during the run); the yardstick is libmicrohttpd serving a static "
          f"20 KB page from memory (`bench/mhd_static.c`) on the same machine.\n\n"
          f"| | requests/s | p50 | p99 | transfer/s | non-2xx |\n|---|---|---|---|---|---|\n"
          f"| overview ({ov['page_bytes'] / 1024:.0f} KB page) | {ov['rps']:,.0f} | "
          f"{ov['p50']:.2f} ms | {ov['p99']:.2f} ms | {ov['transfer']} | {ov['non2xx']} |\n"
          f"| static 20 KB page | {base['rps']:,.0f} | {base['p50']:.2f} ms | "
          f"{base['p99']:.2f} ms | {base['transfer']} | {base['non2xx']} |\n\n"
          f"Overview / static: **{ov['rps'] / base['rps']:.2f}×** the requests per second. "
          f"Goal: ≥ 10,000 requests/s, p99 < 20 ms: "
          f"{'met' if ov['rps'] >= 10000 and ov['p99'] < 20 else 'not met'}.\n")
    print(md)
    if a.write:
        write_marked_section(os.path.join(TOP, "bench", "RESULTS.md"), MARK_BEGIN, MARK_END, md)


if __name__ == "__main__":
    main()
