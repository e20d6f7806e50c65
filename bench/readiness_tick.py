#!/usr/bin/python3
"""What the readiness tick costs at a district's size, and how long the overview takes.

The collector judges every target once a second (alerts_tick: readiness now, then each
target's alert). This bench builds a district of N communes × M devices with class targets and
value targets (toner, disk fill), posts a sample of every device to /api/v1/ingest every 5 s
(real-clock timestamps, some devices down, some printers low, some disks full) and measures the
collector process's CPU (utime+stime from /proc/PID/stat over wall time, % of one core) in
three runs on the same files:

  targets       the site types' and communes' targets, samples posted: tick + ingest
  no targets    the same inventory and samples, site types without targets: ingest (and the
                tick's skeleton, which then has nothing to judge)
  idle          no targets, no samples: the collector's floor with this inventory

targets − no targets is what judging the targets costs (goal: under 2 % of one core); no
targets − idle is the ingest. In the targets run it then times the overview: GET / (the
dashboard page) and GET /api/v1/readiness, 20 times each. With OLD_BUILD, the same against it:

    bench/readiness_tick.py BUILD [OLD_BUILD] [--communes N] [--devices-per-commune M]
                            [--seconds S] [--write]

--write puts the table in a marked section of bench/RESULTS.md. The work directory is made
under $BENCH_DIR (default /tmp); the full size (150 × 30) writes about 10,000 RRD files
(about 4 GB) per build, removed when that build is done. Each run takes its warm-up (about
25 s, the first one also making the files) and the window: three runs a build.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "system"))
sys.path.insert(0, os.path.join(TOP, "bench"))
from conftest import District, batch, http, start_collector  # noqa: E402
from benchinfo import base_info, cmd, write_marked_section  # noqa: E402

ROUND_S = 5          # a fresh sample of every device this often
STALE_AFTER = 20     # the collector's stale_after: samples stay fresh for 4 rounds
SETTLE_EXTRA = 5     # seconds after settling (stale_after since start) before measuring
CHUNK = 1000         # samples per POST
GETS = 20            # requests of each page
GET_LIMIT_S = 300    # at most this long for each page's requests
CLK_TCK = os.sysconf("SC_CLK_TCK")

MARK_BEGIN = "<!-- readiness-tick: written by bench/readiness_tick.py -->"
MARK_END = "<!-- /readiness-tick -->"

# Every site type's targets hold round the clock, and the district's hours are the whole week,
# so the tick judges everything whatever the hour the bench runs at.
COMMON = """[working-hours]
days = mon-sun
hours = 00:00-24:00
[alerts]
startup_grace = 0
pending = 0
recover = 0
"""


def layout(per):
    """A commune's devices: [(site, site_type, device, class)]."""
    fixed = [("Phòng họp", "meeting-room", "Thiết bị họp", "vc"),
             ("Phòng họp", "meeting-room", "PC họp", "pc"),
             ("Mạng", "network", "Router", "router"),
             ("Mạng", "network", "Switch", "switch"),
             ("Mạng", "network", "Wifi", "ap")]
    printers = max(1, per // 10)
    scanners = max(1, per // 15)
    pcs = per - len(fixed) - printers - scanners
    if pcs < 1:
        raise SystemExit(f"--devices-per-commune: at least {len(fixed) + 3}")
    out = [("Một cửa", "one-stop", f"PC {i + 1:02d}", "pc") for i in range(pcs)]
    out += [("Một cửa", "one-stop", f"Máy quét {i + 1}", "scanner") for i in range(scanners)]
    out += [("Một cửa", "one-stop", f"Máy in {i + 1}", "printer") for i in range(printers)]
    return out + fixed, pcs


def site_types(pcs, targets):
    """The site types, with their targets or (the ingest-alone runs) without any."""
    one = ("pc = %d\nscanner = 1\nprinter = 1\nprinter.supply.percent = >= 10\n"
           "pc.disk.used_pct = <= 90\n" % max(1, pcs * 3 // 4)) if targets else ""
    meet = "vc = 1\npc.disk.used_pct = <= 90\n" if targets else ""
    net = "router = 1\nswitch = 1\n" if targets else ""
    text = (f"[site-type one-stop]\nlabel_vi = Bộ phận một cửa\nhours = always\n{one}"
            f"[site-type meeting-room]\nlabel_vi = Phòng họp trực tuyến\nhours = always\n{meet}"
            f"[site-type network]\nlabel_vi = Hạ tầng mạng\nhours = always\n{net}")
    if targets:
        text += ("[commune-targets]\npc = all\nrouter = 1\nsite.one-stop = 1\n"
                 "site.meeting-room = 1\n")
    return text


class Fleet:
    """The inventory and what each device reports: some down, printers low, disks full."""

    def __init__(self, ncommunes, per):
        rows, self.pcs = layout(per)
        self.devices, self.plan = [], []
        npc = nprinter = 0
        for k in range(ncommunes):
            commune = f"Xã {k + 1:03d}"
            for site, stype, name, cls in rows:
                i = len(self.devices)
                self.devices.append({"commune": commune, "site": site, "site_type": stype,
                                     "device": name, "class": cls, "snmp": "",
                                     "address": f"127.10.{i // 254}.{i % 254 + 1}"})
                # every third commune clean (meeting its targets); in the others about 4 %
                # of the devices down, 1 PC in 10 with a full disk, 1 printer in 4 low; one
                # commune in 50 with its router down too (its uplink)
                trouble = k % 3 != 2
                down = trouble and ((i % 23 == 7 and cls != "router") or
                                    (cls == "router" and k % 50 == 1))
                groups = []
                if cls == "pc":
                    full = trouble and npc % 10 == 3  # a full system disk
                    groups.append({"g": "disk", "i": "1", "l": "C:\\",
                                   "v": {"used_pct": 95 if full else 40 + npc % 40}})
                    if npc % 3 == 0:
                        groups.append({"g": "disk", "i": "2", "l": "D:\\",
                                       "v": {"used_pct": 20 + npc % 50}})
                    npc += 1
                elif cls == "printer":
                    low = trouble and nprinter % 4 == 1  # black toner at 5 %
                    groups.append({"g": "supply", "i": "1.1", "l": "Black Cartridge",
                                   "v": {"percent": 5 if low else 60}})
                    if nprinter % 2:
                        for j, colour in enumerate(("Cyan", "Magenta", "Yellow")):
                            groups.append({"g": "supply", "i": f"1.{j + 2}", "l": colour,
                                           "v": {"percent": 70 + 10 * j}})
                    groups.append({"g": "supply", "i": "1.9", "l": "Waste Toner",
                                   "v": {"level": -3}})
                    nprinter += 1
                self.plan.append((commune, name, down, groups))
        self.ndown = sum(p[2] for p in self.plan)
        self.nfull = sum(any(g["v"].get("used_pct", 0) > 90 for g in p[3]) and not p[2]
                         for p in self.plan)
        self.nlow = sum(any(g["v"].get("percent", 100) < 10 for g in p[3]) and not p[2]
                        for p in self.plan)

    def samples(self, ts):
        out = []
        for commune, name, down, groups in self.plan:
            s = {"commune": commune, "device": name, "ts": ts, "up": not down}
            if not down:
                s["rtt_ms"] = 3
                s["sys"] = {"uptime": 100000 + ts % 100000}
                if groups:
                    s["groups"] = groups
            out.append(s)
        return out


def cpu_ticks(pid):
    """{tid: (comm, utime + stime in clock ticks)} of the process's threads, and the total."""
    threads, total = {}, 0
    with open(f"/proc/{pid}/stat") as f:
        st = f.read()
    fields = st[st.rindex(")") + 2:].split()
    total = int(fields[11]) + int(fields[12])
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/stat") as f:
                    t = f.read()
            except OSError:
                continue
            tf = t[t.rindex(")") + 2:].split()
            threads[int(tid)] = int(tf[11]) + int(tf[12])
    except OSError:
        pass
    return total, threads


class Poster:
    """Posts a round (a sample of every device) as the district probe would, in chunks."""

    def __init__(self, fleet, state):
        self.fleet, self.state = fleet, state  # state: seq and last ts, kept across runs
        self.times, self.failed = [], 0

    def round(self, district, timeout=120):
        ts = max(int(time.time()), self.state["ts"] + 1)
        self.state["ts"] = ts
        samples = self.fleet.samples(ts)
        a = time.monotonic()
        for i in range(0, len(samples), CHUNK):
            self.state["seq"] += 1
            body = batch(samples[i:i + CHUNK], seq=self.state["seq"])
            for _ in range(10):  # 503: the writer is busy, come back
                st = http(district.url("/api/v1/ingest"), data=body, timeout=timeout)[0]
                if st != 503:
                    break
                time.sleep(0.5)
            if st != 200:
                self.failed += 1
        self.times.append(time.monotonic() - a)


def keep_posting(district, poster, until, next_round):
    """Posts a round every ROUND_S until the monotonic time until; returns the next round's
    time. At most one round late: a slow round does not make the next ones pile up."""
    for _ in range(100000):
        now = time.monotonic()
        if now >= until:
            break
        if now >= next_round:
            poster.round(district)
            next_round = max(next_round + ROUND_S, time.monotonic() - ROUND_S / 2)
            continue
        time.sleep(max(0.0, min(next_round, until) - now))
    return next_round


def timed_gets(district, path, poster, next_round):
    """GETs path GETS times (rounds still posted between them when due): wall ms each."""
    ms, size, stop = [], 0, time.monotonic() + GET_LIMIT_S
    for _ in range(GETS):
        if time.monotonic() >= stop:
            break
        if time.monotonic() >= next_round:
            poster.round(district)
            next_round = max(next_round + ROUND_S, time.monotonic() - ROUND_S / 2)
        a = time.monotonic()
        st, _, body = http(district.url(path), timeout=120)
        ms.append((time.monotonic() - a) * 1000)
        assert st == 200, (path, st, body[:300])
        size = len(body)
    return ms, size, next_round


def metrics(district):
    st, _, body = http(district.url("/metrics"))
    out = {}
    for line in body.decode().splitlines() if st == 200 else []:
        if line.startswith("hbmon_") and " " in line:
            name, val = line.rsplit(" ", 1)
            name = name.split("{")[0]  # labelled series summed
            try:
                out[name] = out.get(name, 0) + float(val)
            except ValueError:
                pass
    return out


def one_run(bindir, root, fleet, state, kind, seconds):
    """kind: "targets", "no targets" or "idle". Returns the run's figures."""
    d = District(root, fleet.devices, site_types(fleet.pcs, kind == "targets"),
                 collector_extra="max_new_files_per_minute = 10000000\n",
                 extra=COMMON, rrd_step=60)
    with open(d.conf, encoding="utf-8") as f:
        text = f.read()
    text = text.replace("stale_after = 600\n", f"stale_after = {STALE_AFTER}\n", 1)
    # a build of another checkout renders with its own templates and texts
    dash = os.path.join(os.path.dirname(os.path.abspath(bindir)), "dashboards")
    if os.path.isdir(dash):
        text = text.replace(f"dashboards_dir = {TOP}/dashboards\n", f"dashboards_dir = {dash}\n", 1)
    with open(d.conf, "w", encoding="utf-8") as f:
        f.write(text)
    poster = Poster(fleet, state)
    out = {"kind": kind}
    t0 = time.monotonic()
    c = start_collector(bindir, d)
    try:
        pid = c.proc.pid
        posting = kind != "idle"
        next_round = time.monotonic()
        if posting:
            first = state["seq"] == 0
            poster.round(d, timeout=600)  # the first one of a build makes the files
            if first:
                out["first_round_s"] = poster.times[0]
            next_round = time.monotonic() + ROUND_S
        # warm-up: settling (stale_after from the start) over, alerts fired (pending = 0)
        warm = max(t0 + STALE_AFTER + SETTLE_EXTRA, time.monotonic() + 2 * ROUND_S)
        if posting:
            next_round = keep_posting(d, poster, warm, next_round)
        else:
            time.sleep(max(0.0, warm - time.monotonic()))
        # the window starts as a round is due, so it holds whole rounds
        if posting:
            time.sleep(max(0.0, next_round - time.monotonic()))
        m0 = metrics(d)
        w0, (c0, th0) = time.monotonic(), cpu_ticks(pid)
        n0 = len(poster.times)
        if posting:
            next_round = keep_posting(d, poster, w0 + seconds, next_round)
        else:
            time.sleep(seconds)
        w1, (c1, th1) = time.monotonic(), cpu_ticks(pid)
        m1 = metrics(d)
        wall = w1 - w0
        out["wall"] = wall
        out["cpu"] = (c1 - c0) / CLK_TCK / wall * 100
        out["main"] = (th1.get(pid, 0) - th0.get(pid, 0)) / CLK_TCK / wall * 100
        out["rounds"] = len(poster.times) - n0
        out["round_ms"] = (statistics.median(poster.times[n0:]) * 1000
                           if poster.times[n0:] else 0.0)
        out["samples"] = m1.get("hbmon_ingest_samples_total", 0) - m0.get(
            "hbmon_ingest_samples_total", 0)
        out["updates"] = m1.get("hbmon_rrd_updates_total", 0) - m0.get(
            "hbmon_rrd_updates_total", 0)
        out["refused"] = m1.get("hbmon_ingest_samples_refused_total", 0)
        out["rrd_errors"] = m1.get("hbmon_rrd_errors_total", 0)
        out["failed_posts"] = poster.failed
        # the judging's own CPU, counted by the collector around each tick (newer builds)
        if "hbmon_judge_cpu_seconds_total" in m1:
            cpu = m1["hbmon_judge_cpu_seconds_total"] - m0.get("hbmon_judge_cpu_seconds_total", 0)
            ticks = m1["hbmon_judge_ticks_total"] - m0.get("hbmon_judge_ticks_total", 0)
            out["judge"] = cpu / wall * 100
            out["judge_tick_ms"] = cpu / ticks * 1000 if ticks else 0.0
            out["judge_ticks"] = ticks
        if kind == "targets":
            st, _, body = http(d.url("/api/v1/readiness"), timeout=120)
            r = json.loads(body) if st == 200 else {}
            dist = r.get("district", {})
            out["targets"] = dist.get("targets", 0)
            out["targets_met"] = dist.get("targets_met", 0)
            out["communes_met"] = dist.get("communes_met", 0)
            st, _, body = http(d.url("/api/v1/alerts"), timeout=120)
            al = json.loads(body).get("alerts", []) if st == 200 else []
            out["firing"] = sum(a.get("state") == "firing" for a in al)
            out["page_ms"], out["page_size"], next_round = timed_gets(d, "/", poster,
                                                                      next_round)
            out["json_ms"], out["json_size"], next_round = timed_gets(
                d, "/api/v1/readiness", poster, next_round)
        assert c.alive(), c.output()[-2000:]
    finally:
        c.stop()
    return out


def measure(bindir, fleet, seconds):
    parent = os.environ.get("BENCH_DIR", "/tmp")
    state = {"seq": 0, "ts": 0}
    runs = {}
    with tempfile.TemporaryDirectory(prefix="hbmon-tick.", dir=parent) as root:
        for kind in ("targets", "no targets", "idle"):
            runs[kind] = r = one_run(bindir, root, fleet, state, kind, seconds)
            print(f"  {bindir}: {kind}: collector {r['cpu']:.2f} % of one core (main thread "
                  f"{r['main']:.2f} %) over {r['wall']:.1f} s; {r['rounds']} rounds, "
                  f"{r['samples']:.0f} samples, {r['updates']:.0f} file updates, post round "
                  f"median {r['round_ms']:.0f} ms"
                  + (f", first round (files made) {r['first_round_s']:.1f} s" if "first_round_s" in r else "")
                  + (f"; refused samples {r['refused']:.0f}, rrd errors {r['rrd_errors']:.0f},"
                     f" failed posts {r['failed_posts']}"),
                  flush=True)
            if kind == "targets":
                print(f"  {bindir}: {r['targets']} targets, {r['targets_met']} met; "
                      f"{r['communes_met']} communes met; {r['firing']} alerts firing; "
                      f"GET / {len(r['page_ms'])}× ({r['page_size'] / 1024:.0f} KiB), "
                      f"GET /api/v1/readiness {len(r['json_ms'])}× "
                      f"({r['json_size'] / 1024:.0f} KiB)", flush=True)
    return runs


def rows(runs):
    """[(metric, value, unit)] of one build."""
    t, n, i = runs["targets"], runs["no targets"], runs["idle"]
    return [
        ("collector CPU, targets + ingest", t["cpu"], "%"),
        ("collector CPU, ingest alone (no targets)", n["cpu"], "%"),
        ("collector CPU, idle (no targets, no samples)", i["cpu"], "%"),
        ("**judging, as the collector counts it** (`hbmon_judge_cpu_seconds_total`)",
         t.get("judge"), "%"),
        ("judging, CPU per tick", t.get("judge_tick_ms"), "ms"),
        ("readiness tick: targets judged (targets − ingest alone)", t["cpu"] - n["cpu"], "%"),
        ("ingest of the samples (ingest alone − idle)", n["cpu"] - i["cpu"], "%"),
        ("main thread CPU, targets + ingest", t["main"], "%"),
        ("main thread CPU, ingest alone", n["main"], "%"),
        ("overview GET /, median", statistics.median(t["page_ms"]), "ms"),
        ("overview GET /, max", max(t["page_ms"]), "ms"),
        ("GET /api/v1/readiness, median", statistics.median(t["json_ms"]), "ms"),
        ("GET /api/v1/readiness, max", max(t["json_ms"]), "ms"),
    ]


def fmt(v, unit):
    if v is None:
        return "not counted by this build"
    return f"{v:.2f} % of one core" if unit == "%" else f"{v:.1f} ms"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("builds", nargs="+", metavar="BUILD", help="BUILD [OLD_BUILD]")
    ap.add_argument("--communes", type=int, default=150)
    ap.add_argument("--devices-per-commune", type=int, default=30)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--write", action="store_true", help="write the section in bench/RESULTS.md")
    a = ap.parse_args()
    if len(a.builds) > 2:
        ap.error("at most two builds: BUILD [OLD_BUILD]")
    if a.communes < 1 or a.seconds < ROUND_S or a.communes * a.devices_per_commune > 60000:
        ap.error("--communes ≥ 1, --seconds ≥ 5, at most 60,000 devices")
    builds = [b if os.path.isabs(b) else os.path.join(TOP, b) for b in a.builds]
    for b in builds:
        if not os.path.exists(os.path.join(b, "hbmon-collector")):
            ap.error(f"{b}: no hbmon-collector (make all)")
    fleet = Fleet(a.communes, a.devices_per_commune)
    n = len(fleet.devices)
    print(f"{a.communes} communes × {a.devices_per_commune} devices = {n} devices "
          f"({fleet.ndown} down, {fleet.nfull} with a full disk, {fleet.nlow} printers low); "
          f"a round every {ROUND_S} s, {a.seconds} s measured per run", flush=True)
    res = {b: measure(b, fleet, a.seconds) for b in builds}

    # a build of another checkout (the "before" of a change) is named by its commit
    def label(arg, b):
        if os.path.dirname(b) == TOP:
            return arg
        commit = cmd(["git", "-C", os.path.dirname(b), "rev-parse", "--short", "HEAD"])
        return f"{commit} ({arg})" if commit else arg
    labels = [label(arg, b) for arg, b in zip(a.builds, builds)]
    table = [rows(res[b]) for b in builds]
    head = "| metric | " + " | ".join(labels) + (" | ratio |" if len(builds) == 2 else " |")
    lines = [head, "|---|" + "---|" * (len(builds) + (len(builds) == 2))]
    for j, (name, _, unit) in enumerate(table[0]):
        vals = [t[j][1] for t in table]
        line = f"| {name} | " + " | ".join(fmt(v, unit) for v in vals)
        if len(builds) == 2:
            # a ratio of figures near zero (or of differences below it) says nothing
            known = all(v is not None for v in vals)
            line += (f" | {vals[0] / vals[1]:.2f}" if known and min(vals) > 0.05 else " | –")
        lines.append(line + " |")
    counted = table[0][3][1] is not None
    tick = table[0][3][1] if counted else table[0][5][1]
    verdict = "**met**" if tick < 2.0 else "**NOT met**"
    how = ("as the collector counts its own judging" if counted
           else "targets run − ingest-alone run")
    goal = (f"Goal: the readiness tick under 2 % of one core at 150 communes × 30 devices: "
            f"{tick:.2f} % with {labels[0]} ({how}): {verdict}.")
    if (a.communes, a.devices_per_commune) != (150, 30) or a.seconds < 60:
        goal += (f" Measured at {a.communes} × {a.devices_per_commune} over {a.seconds} s, "
                 "not the goal's size and window: indicative only.")
    print("\n" + "\n".join(lines) + "\n\n" + goal)
    if not a.write:
        return
    info = base_info(TOP, utc=True)
    per = layout(a.devices_per_commune)[0]
    count = {}
    for _, stype, _, cls in per:
        count[(stype, cls)] = count.get((stype, cls), 0) + 1
    makeup = "; ".join(f"{st}: " + ", ".join(f"{v} {c}" for (s, c), v in count.items() if s == st)
                       for st in ("one-stop", "meeting-room", "network"))
    md = "\n".join([
        "## Readiness tick and overview: the judging of targets, at a district's size",
        "",
        f"Written by `bench/readiness_tick.py {' '.join(a.builds)} --communes {a.communes} "
        f"--devices-per-commune {a.devices_per_commune} --seconds {a.seconds}` on "
        f"{info['date']} ({info['cpu']}, {info['nproc']} cores, kernel {info['kernel']}, "
        f"commit {info['commit']}).",
        "",
        f"The fleet: {a.communes} communes × {a.devices_per_commune} devices = {n} devices, "
        f"per commune {makeup}. Targets: one-stop `pc = {max(1, fleet.pcs * 3 // 4)}`, "
        "`scanner = 1`, `printer = 1`, `printer.supply.percent = >= 10`, "
        "`pc.disk.used_pct = <= 90`; meeting room `vc = 1`, `pc.disk.used_pct = <= 90`; "
        "network `router = 1`, `switch = 1`; `[commune-targets]` `pc = all`, `router = 1`, "
        "`site.one-stop = 1`, `site.meeting-room = 1`; every site type `hours = always`, the "
        "district's hours the whole week (everything judged whatever the hour). A sample of "
        f"every device is posted to `/api/v1/ingest` every {ROUND_S} s with real-clock "
        f"timestamps (every third commune clean; in the others {fleet.ndown} devices down, "
        f"{fleet.nfull} PCs with a disk over 90 %, {fleet.nlow} printers with toner at 5 %); "
        f"`rrd_step = 60`, `stale_after = "
        f"{STALE_AFTER}`, alerts `pending = 0`: settled and fired before the window.",
        "",
        "CPU is utime+stime from `/proc/PID/stat` over the window's wall time "
        f"({a.seconds} s, whole rounds), in % of one core, in three runs of each build on the "
        "same files: *targets + ingest*; *ingest alone*, the same samples with site types that "
        "have no targets (the tick still runs, with nothing to judge); *idle*, no targets and "
        "no samples. The tick's cost of judging is the first minus the second, and, in builds "
        "that count it, the CPU time the collector measures around each tick itself "
        "(`hbmon_judge_cpu_seconds_total`, this thread's clock: not blurred by ingest); the main thread "
        "is where the tick and the decoding of batches run (the RRD writes are on the writer "
        f"thread). The overview: GET `/` and GET `/api/v1/readiness`, {GETS} times each, "
        "client wall time over loopback, in the targets run. The kernel counts CPU in ticks of "
        f"1/{CLK_TCK} s: one tick over the window is {100 / CLK_TCK / a.seconds:.3f} % of one "
        "core; differences of a few tenths of a percent are within the noise of a shared "
        "machine (a ratio is given only where both figures are above 0.05 %).",
        "",
        *lines,
        "",
        goal,
    ])
    write_marked_section(os.path.join(TOP, "bench", "RESULTS.md"), MARK_BEGIN, MARK_END, md)
    print("written to bench/RESULTS.md")


if __name__ == "__main__":
    main()
