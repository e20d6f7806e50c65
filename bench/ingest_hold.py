#!/usr/bin/env python3
"""How long one large ingest body holds the collector's event loop.

A 10 MB batch is posted while another client asks for /metrics every 5 ms; the longest wait
for an answer during the post is how long the loop was held. Two bodies: the same small batch
padded to 10 MB (decoding alone), and 10 MB of real samples (decoding, then the per-sample
work that stays on the loop: inventory lookup, state, the updates for the writer). Run it on a
collector build; pass a second build directory to measure both side by side:

    bench/ingest_hold.py build [OLD_BUILD]
"""
import json
import os
import statistics
import sys
import tempfile
import threading
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "system"))
from conftest import District, http, start_collector  # noqa: E402

SIZE = 10 << 20
ROUNDS = 5
DEVS = [{"commune": "Xã A", "site": "Một cửa", "site_type": "one-stop", "device": "PC 1",
         "class": "pc", "address": "127.0.0.1", "snmp": "", "contact": ""}]
TYPES = "[site-type one-stop]\nlabel_vi = Một cửa\npc = 1\n"


def sample(ts, nif=1):
    """A switch's sample: its interfaces, each with its description and name."""
    return {"commune": "Xã A", "device": "PC 1", "ts": ts, "up": True, "rtt_ms": 3,
            "sys": {"uptime": 100, "descr": "Cisco IOS Software, C2960 " + "x" * 200},
            "if": [{"index": i + 1, "oper": 1, "speed": 1000000000, "in_octets": ts * 1000,
                    "out_octets": ts * 1000, "descr": f"GigabitEthernet0/{i + 1}",
                    "name": f"Gi0/{i + 1}"} for i in range(nif)]}


def body(kind, seq, t0):
    if kind == "padded":
        b = json.dumps({"version": 1, "probe": "district", "seq": seq,
                        "samples": [sample(t0)]}).encode()
        return b[:-1] + b" " * (SIZE - len(b)) + b[-1:]
    # a batch holds 10,000 samples and 50,000 interfaces at most: 5 interfaces each
    n = min(10000, SIZE // len(json.dumps(sample(t0, 5))))
    return json.dumps({"version": 1, "probe": "district", "seq": seq,
                       "samples": [sample(t0 + i, 5) for i in range(n)]}).encode()


def hold(district, data):
    """The longest /metrics answer time (s) while data is posted, and the post's status."""
    waits, result, done = [], {}, threading.Event()

    def post():
        result["st"] = http(district.url("/api/v1/ingest"), data=data, timeout=120)[0]
        done.set()

    t = threading.Thread(target=post)
    t.start()
    deadline = time.time() + 120
    while not done.is_set() and time.time() < deadline:
        a = time.monotonic()
        http(district.url("/metrics"), timeout=30)
        waits.append(time.monotonic() - a)
        time.sleep(0.005)
    t.join()
    return max(waits or [0.0]), result.get("st")


def measure(bindir):
    out = {}
    with tempfile.TemporaryDirectory() as root:
        d = District(root, DEVS, TYPES, rrd_step=1)
        c = start_collector(bindir, d)
        try:
            t0 = int(time.time()) - 10 * 86400
            seq = 1
            for kind in ("padded", "samples"):
                worst = []
                for _ in range(ROUNDS):
                    data = body(kind, seq, t0)
                    t0 += 200000
                    seq += 1
                    w, st = hold(d, data)
                    assert st == 200, (kind, st, c.output()[-2000:])
                    worst.append(w)
                out[kind] = statistics.median(worst)
        finally:
            c.stop()
    return out


MARK_BEGIN = "<!-- ingest-hold: written by bench/ingest_hold.py -->"
MARK_END = "<!-- /ingest-hold -->"


def main():
    sys.path.insert(0, os.path.join(TOP, "bench"))
    from benchinfo import base_info, write_marked_section  # noqa: E402
    builds = sys.argv[1:] or ["build"]
    res = {b: measure(os.path.join(TOP, b) if not os.path.isabs(b) else b) for b in builds}
    info = base_info(TOP, utc=True)
    from benchinfo import cmd  # noqa: E402
    # a build of another checkout (the "before" of a change) is named by its commit
    label = {b: b if not os.path.isabs(b) else
             f"{cmd(['git', '-C', os.path.dirname(b), 'rev-parse', '--short', 'HEAD'])} ({b})"
             for b in builds}
    lines = ["## Large ingest bodies: how long one holds the collector's loop",
             "",
             f"Written by `bench/ingest_hold.py {' '.join(builds)}` on {info['date']} "
             f"({info['cpu']}, {info['nproc']} cores, commit {info['commit']}). A 10 MB batch "
             "is posted while another client asks for `/metrics` every 5 ms; the longest wait "
             f"for an answer meanwhile is how long the loop was held (median of {ROUNDS} posts). "
             "*padded*: one sample and 10 MB of blanks (decoding alone); *samples*: 10,000 "
             "samples of 5 interfaces (decoding, then the per-sample work on the loop).",
             "",
             "| body (10 MB) | " + " | ".join(f"loop held, {label[b]}" for b in builds)
             + (" | ratio |" if len(builds) == 2 else " |"),
             "|---|" + "---|" * (len(builds) + (len(builds) == 2))]
    for kind in ("padded", "samples"):
        row = f"| {kind} | " + " | ".join(f"{res[b][kind] * 1000:.0f} ms" for b in builds)
        if len(builds) == 2:
            row += f" | {res[builds[0]][kind] / max(res[builds[1]][kind], 1e-9):.2f}"
        lines.append(row + " |")
    md = "\n".join(lines)
    print(md)
    write_marked_section(os.path.join(TOP, "bench", "RESULTS.md"), MARK_BEGIN, MARK_END, md)


if __name__ == "__main__":
    main()
