#!/usr/bin/python3
"""Storage benchmark of hbmon: `make bench` runs this file (after `make all`).

Side by side in one run on this machine:
  (a) direct path: hbmon-collector writing RRD files itself (HTTP batch in -> librrd -> file)
      against a bare single-threaded rrd_update_r loop on the same files (the librrd floor);
  (b) rrdcached path: hbmon-collector handing its updates to rrdcached, for a sustained
      period at the highest rate it takes, then paced at 200,000 file updates/s (its CPU at
      the goal's rate), against a client feeding rrdcached with the BATCH command (the
      rrdcached floor);
  (c) graphs: hbmon's /graph/... answers (first request: a render; repeated: its cache)
      against rrd_graph_v called in-process with the same arguments.
Writes bench/RESULTS.md. Every phase that cannot run is reported as "failed: reason"; the run
goes on with the others. BENCH_QUICK=1 runs a small smoke version in well under a minute.
Environment: BENCH_QUICK=1, BENCH_DIR (parent of the temporary work directory, default the
system temp dir), BENCH_KEEP=1 (keep the work directory), BENCH_TS_SPACING (seconds between
two rounds' timestamps, default 1), BENCH_RESULTS (output file, default bench/RESULTS.md),
BENCH_CONNS / BENCH_BATCH (load generator connections, default 2, and devices per batch,
default 100).
Standard library only; all traffic on 127.0.0.1 and unix sockets.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from benchinfo import base_info, cmd  # noqa: E402

BENCH = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(BENCH)
BUILD = os.path.join(TOP, "build")
BIN = os.path.join(BUILD, "bench")
COLLECTOR = os.path.join(BUILD, "hbmon-collector")
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
RESULTS = os.environ.get("BENCH_RESULTS", os.path.join(BENCH, "RESULTS.md"))
SPACING = max(1, int(os.environ.get("BENCH_TS_SPACING", "1") or 1))
HELPERS = ["loadgen", "rrd_raw", "rrdcached_raw", "rrdgraph_raw", "httpget"]

# Sizes. The goals name 10,000 files (direct) and 20,000 files for 60 s (rrdcached); with 24
# interfaces a device has 25 files (system.rrd + if-1..24.rrd).
P = dict(
    ifs=24,
    direct_devices=400,      # 10,000 files
    cached_devices=800,      # 20,000 files
    per_commune=20,
    batch=100,               # devices per HTTP batch (2,500 file updates)
    conns=4,                 # keep-alive connections: probes posting at once
    raw_rounds=20, raw_seconds=60,
    direct_rounds=20, direct_seconds=120,
    sustain_seconds=60, sustain_max_rounds=3000,
    paced_rate=200_000, paced_seconds=60,   # the goal's rate, offered evenly (loadgen --rate)
    cached_raw_seconds=20, cached_raw_max_rounds=1500,
    flush_seconds=300,
    warmup_seconds=600,
    graph_devices=30,        # distinct devices whose graphs are requested once (misses)
    graph_repeat=10,         # requests of the same URL in a row (1 miss + hits)
    budget_seconds=12 * 60,
)
if QUICK:
    P.update(direct_devices=16, cached_devices=32, batch=8, raw_rounds=20, raw_seconds=5,
             direct_rounds=20, direct_seconds=20, sustain_seconds=5, sustain_max_rounds=4000,
             paced_seconds=5,
             cached_raw_seconds=3, cached_raw_max_rounds=3000, flush_seconds=60,
             warmup_seconds=120, graph_devices=5, graph_repeat=10, budget_seconds=180)
# the lead's knobs for exploring: connections and devices per batch of the load generator
for _k, _env in (("conns", "BENCH_CONNS"), ("batch", "BENCH_BATCH")):
    if os.environ.get(_env, "").isdigit() and int(os.environ[_env]) > 0:
        P[_k] = min(int(os.environ[_env]), 16 if _k == "conns" else 400)
# rounds the paced run may use: what its rate and time need, plus a margin (it ends on time)
P["paced_max_rounds"] = int(P["paced_rate"] * P["paced_seconds"]
                            / (P["cached_devices"] * (P["ifs"] + 1)) * 1.1) + 10
# rounds that may be used in all: timestamps are T0 + round * SPACING and must stay in the past
ROUND_BUDGET = (2 + 2 * P["raw_rounds"] + P["direct_rounds"] + P["sustain_max_rounds"]
                + P["paced_max_rounds"] + P["cached_raw_max_rounds"] + 10)
IF_FILE_BYTES = 1_135_008      # 6 DS x 23,646 rows x 8 bytes + header, as rrdstore.c creates
SYS_FILE_BYTES = 567_504

STARTED = time.time()
PROCS = []  # every process this script started, stopped in the end


def one_line(text, limit=400):
    """An error message fit for a table cell: one line, no '|', bounded."""
    text = " ".join(str(text).split()).replace("|", "/")
    return text if len(text) <= limit else text[:limit - 1] + "…"


class PhaseFailed(Exception):
    def __init__(self, msg):
        super().__init__(one_line(msg))


class Unavailable(Exception):
    def __init__(self, msg):
        super().__init__(one_line(msg))


def log(msg):
    print(f"[bench {time.time() - STARTED:6.1f}s] {msg}", flush=True)


def time_left():
    return P["budget_seconds"] - (time.time() - STARTED)


# --------------------------------------------------------------------------- processes

def run_json(argv, timeout):
    """Runs a helper that prints one JSON object; returns it (PhaseFailed otherwise)."""
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise PhaseFailed(f"{os.path.basename(argv[0])} ran over {timeout:.0f} s")
    out = r.stdout.strip().splitlines()
    try:
        return json.loads(out[-1])
    except (IndexError, ValueError):
        raise PhaseFailed(f"{os.path.basename(argv[0])} exited {r.returncode}: "
                          f"{(r.stderr or r.stdout).strip()[-300:]}")


class Daemon:
    def __init__(self, name, argv, logpath):
        self.name = name
        self.logpath = logpath
        self.logf = open(logpath, "ab")
        self.proc = subprocess.Popen(argv, stdout=self.logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        PROCS.append(self)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def log_tail(self, n=600):
        try:
            with open(self.logpath, encoding="utf-8", errors="replace") as f:
                return f.read()[-n:].strip()
        except OSError:
            return ""

    def stop(self, wait=60):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(wait)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.logf.close()
        if self in PROCS:
            PROCS.remove(self)
        return self.proc.returncode


def proc_cpu(pid):
    """user + system CPU seconds of a process (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_status(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def proc_hwm_mib(pid):
    v = proc_status(pid, "VmHWM")
    return int(v.split()[0]) / 1024 if v else None


class CpuMeter:
    """CPU share (cores) of some processes over a wall-clock interval."""

    def __init__(self, procs):
        self.procs = {k: p for k, p in procs.items() if p is not None}
        self.t0 = time.monotonic()
        self.c0 = {k: proc_cpu(p.pid) for k, p in self.procs.items()}

    def stop(self):
        wall = time.monotonic() - self.t0
        out = {"wall_s": wall}
        for k, p in self.procs.items():
            try:
                out[k] = (proc_cpu(p.pid) - self.c0[k]) / wall
            except OSError:
                out[k] = None
        return out


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_get(url, timeout=10):
    req = urllib.request.Request(url)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


# --------------------------------------------------------------------------- the district

def dev_names(i):
    return f"c{i // P['per_commune'] + 1:03d}", f"d{i + 1:05d}"


def files_of(data, ndev):
    out = []
    for i in range(ndev):
        c, d = dev_names(i)
        base = os.path.join(data, "rrd", c, d)
        out.append(os.path.join(base, "system.rrd"))
        out.extend(os.path.join(base, f"if-{k}.rrd") for k in range(1, P["ifs"] + 1))
    return out


class District:
    def __init__(self, root, ndev):
        self.root = root
        self.data = os.path.join(root, "data")
        rows = ["commune,site,site_type,device,class,address,snmp,contact"]
        for i in range(ndev):
            c, d = dev_names(i)
            n = i + 1
            rows.append(f"{c},s1,office,{d},pc,10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255},public,")
        with open(os.path.join(root, "inventory.csv"), "w", encoding="utf-8") as f:
            f.write("\n".join(rows) + "\n")
        cred = os.path.join(root, "credentials.conf")
        with open(cred, "w", encoding="utf-8") as f:
            f.write("[public]\nversion = 2c\ncommunity = public\n")
        os.chmod(cred, 0o600)

    def write_conf(self, name, port, rrdcached=None):
        path = os.path.join(self.root, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(f"""[general]
district = Bench
language = vi
inventory = inventory.csv
credentials = credentials.conf
data_dir = {self.data}
dashboards_dir = {TOP}/dashboards
[collector]
listen_address = 127.0.0.1
listen_port = {port}
rrd_step = 60
stale_after = 600
ingest_max_body = 67108864
; the bench's warm-up creates every file in one round
max_new_files_per_minute = 10000000
""")
            if rrdcached:
                f.write(f"rrdcached = {rrdcached}\n")
            f.write("[site-type office]\nlabel_vi = Van phong\nlabel_en = office\npc = 1\n")
        return path


class Collector:
    def __init__(self, district, logname, rrdcached=None):
        self.port = free_port()
        conf = district.write_conf(logname + ".conf", self.port, rrdcached)
        self.base = f"http://127.0.0.1:{self.port}"
        issue_secret(conf, os.path.join(district.data, "probe.secret"))
        self.d = Daemon("hbmon-collector", [COLLECTOR, "-c", conf],
                        os.path.join(district.root, logname + ".log"))
        deadline = time.time() + 30
        while True:
            try:
                if http_get(self.base + "/metrics", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if not self.d.alive():
                raise PhaseFailed("hbmon-collector did not start: " + self.d.log_tail(400))
            if time.time() > deadline:
                self.d.stop()
                raise PhaseFailed("hbmon-collector did not answer /metrics within 30 s")
            time.sleep(0.1)

    def metrics(self):
        st, _, body = http_get(self.base + "/metrics", timeout=30)
        if st != 200:
            raise PhaseFailed(f"/metrics answered {st}")
        out = {}
        for line in body.decode("utf-8", "replace").splitlines():
            m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?)\s+([0-9.eE+-]+)$", line)
            if m:
                out[m.group(1)] = float(m.group(2))
        return out

    def stop(self):
        return self.d.stop()


def metric_delta(before, after, name):
    if name not in after:
        return None
    return after[name] - before.get(name, 0)


class Rounds:
    """Hands out round numbers: timestamps T0 + round * SPACING, always newer, never future."""

    def __init__(self):
        self.t0 = int(time.time()) - ROUND_BUDGET * SPACING - 900
        self.next = 0

    def take(self, want):
        left = ROUND_BUDGET - self.next
        if left <= 0:
            raise PhaseFailed("out of timestamps (round budget)")
        return self.next, min(want, left)

    def used(self, next_round):
        self.next = max(self.next, next_round)


SECRET_FILE = None  # the probe credential loadgen posts with, issued by the collector


def issue_secret(conf, path):
    """`hbmon-collector probe add district`, once per data directory, as an administrator."""
    global SECRET_FILE
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        subprocess.run([COLLECTOR, "-c", conf, "probe", "add", "district", "--secret-file", path],
                       check=True, stdout=subprocess.DEVNULL)
    SECRET_FILE = path


def loadgen(base, ndev, rclock, nrounds, seconds, conns=None, timeout=300, rate=0):
    """rate: file updates per second offered (0: as fast as the collector takes them)."""
    r0, n = rclock.take(nrounds)
    try:
        res = run_json([os.path.join(BIN, "loadgen"), "--url", base + "/api/v1/ingest",
                        "--secret-file", SECRET_FILE,
                        "--devices", str(ndev), "--per-commune", str(P["per_commune"]),
                        "--ifs", str(P["ifs"]), "--batch", str(P["batch"]),
                        "--conns", str(conns or P["conns"]), "--ts0", str(rclock.t0),
                        "--spacing", str(SPACING), "--round0", str(r0), "--rounds", str(n),
                        "--seconds", str(seconds), "--timeout", str(timeout),
                        "--rate", str(rate)],
                       timeout=seconds + timeout + 60)
    except PhaseFailed:
        rclock.used(r0 + n)  # some of these rounds may have reached the files: never reuse them
        raise
    rclock.used(res.get("next_round", r0 + n))
    return res


def rrd_raw(listfile, rclock, nrounds, seconds):
    r0, n = rclock.take(nrounds)
    res = run_json([os.path.join(BIN, "rrd_raw"), "--files", listfile, "--ts0", str(rclock.t0),
                    "--spacing", str(SPACING), "--round0", str(r0), "--rounds", str(n),
                    "--seconds", str(seconds)], timeout=seconds + 120)
    rclock.used(res.get("next_round", r0 + n))
    if res.get("errors"):
        raise PhaseFailed(f"rrd_update_r errors: {res['errors']} ({res.get('first_error')})")
    return res


def write_list(path, files):
    with open(path, "w") as f:
        f.write("\n".join(files) + "\n")
    return path


def check_files(files):
    missing = [f for f in files if not os.path.exists(f)]
    return missing


# --------------------------------------------------------------------------- phases

def phase_direct(R, work, district, rclock):
    """hbmon direct librrd writes vs bare rrd_update_r on the same 10,000 files."""
    n = P["direct_devices"]
    files = files_of(district.data, n)
    listfile = write_list(os.path.join(work, "direct.list"), files)
    out = R["direct"] = {"devices": n, "files": len(files)}
    col = Collector(district, "collector-direct")
    R["_collector"] = col
    log(f"direct: warm-up round, creating {len(files)} files")
    warm_up(out, col, n, files, rclock)
    log("direct: raw rrd_update_r (before)")
    out["raw_before"] = rrd_raw(listfile, rclock, P["raw_rounds"], P["raw_seconds"])
    log("direct: hbmon ingest")
    m0 = col.metrics()
    cpu = CpuMeter({"collector": col.d})
    lg = loadgen(col.base, n, rclock, P["direct_rounds"], P["direct_seconds"])
    cpu = cpu.stop()
    m1 = col.metrics()
    upd = metric_delta(m0, m1, "hbmon_rrd_updates_total")
    h = out["hbmon"] = {
        "loadgen": lg, "cpu": cpu, "collector_hwm_mib": proc_hwm_mib(col.d.pid),
        "collector_threads": proc_status(col.d.pid, "Threads"),
        "metric_updates": upd,
        "metric_late": metric_delta(m0, m1, "hbmon_rrd_late_samples_total"),
        "metric_errors": metric_delta(m0, m1, "hbmon_rrd_errors_total"),
    }
    log("direct: raw rrd_update_r (after)")
    out["raw_after"] = rrd_raw(listfile, rclock, P["raw_rounds"], P["raw_seconds"])
    if upd is None:
        raise PhaseFailed("/metrics has no hbmon_rrd_updates_total: updates cannot be verified")
    if not lg.get("ok"):
        raise PhaseFailed(f"loadgen: {lg.get('first_error')}")
    h["rate"] = upd / lg["seconds"] if lg["seconds"] > 0 else 0
    h["http_rate"] = lg["file_updates_accepted"] / lg["seconds"] if lg["seconds"] > 0 else 0
    floor = max(out["raw_before"]["rate"], out["raw_after"]["rate"])
    out["raw_floor"] = floor
    out["ratio"] = h["rate"] / floor if floor else None
    if upd < lg["file_updates_accepted"]:
        out["note"] = (f"/metrics counted {upd:.0f} file updates for "
                       f"{lg['file_updates_accepted']} accepted over HTTP")


def i18n(lang="vi"):
    out = {}
    with open(os.path.join(TOP, "dashboards", "i18n", f"{lang}.ini"), encoding="utf-8") as f:
        for line in f:
            if "=" in line and not line.lstrip().startswith((";", "#", "[")):
                k, v = line.split("=", 1)
                out[k.strip()] = v.strip()
    return out


def phase_graphs(R, work, district):
    """hbmon /graph/ answers vs rrd_graph_v with the same arguments, on the same files."""
    col = R.get("_collector")
    if not col or not col.d.alive():
        raise PhaseFailed("needs the direct phase's collector, which is not running")
    out = R["graphs"] = {"formats": {}}
    tx = i18n("vi")
    n = P["direct_devices"]
    k = max(1, min(P["graph_devices"], n - 1))
    step = max(1, (n - 1) // k)
    devs = [i * step for i in range(k)]
    warm = n - 1 if n - 1 not in devs else None
    out["devices"] = len(devs)
    for fmt in ("PNG", "SVG"):
        ext = fmt.lower()
        res = out["formats"][fmt] = {}
        for kind in ("system", "if"):
            group = "system" if kind == "system" else "if-1"
            spec, urls = [], []
            for i in devs:
                c, d = dev_names(i)
                path = os.path.join(district.data, "rrd", c, d, group + ".rrd")
                if kind == "system":
                    title = f"{d} — {tx.get('graph.availability', '')}"
                    fields = [path, "system", title, "%", tx.get("graph.legend.avail", ""),
                              tx.get("graph.legend.out", "")]
                else:
                    title = f"{d} — {tx.get('graph.traffic_of_if', '')} 1"
                    fields = [path, "if", title, "bit/s", tx.get("graph.legend.in", ""),
                              tx.get("graph.legend.out", "")]
                spec.append("\t".join(fields))
                urls.append(f"{col.base}/graph/{c}/{d}/{group}.{ext}?period=day")
            specf = write_list(os.path.join(work, f"graph-{ext}-{kind}.spec"), spec)
            urlf = write_list(os.path.join(work, f"graph-{ext}-{kind}.urls"), urls)
            r = res[kind] = {}
            log(f"graphs: {fmt} {kind}: raw rrd_graph_v")
            try:
                raw = run_json([os.path.join(BIN, "rrdgraph_raw"), "--spec", specf, "--format",
                                fmt, "--repeat", "1"], timeout=300)
                r["raw"] = raw
                if not raw.get("ok"):
                    raise PhaseFailed(f"rrd_graph: {raw.get('first_error')}")
                # warm-up of the collector's renderer (fonts), on a graph not measured
                if warm is not None:
                    c, d = dev_names(warm)
                    st = http_get(f"{col.base}/graph/{c}/{d}/{group}.{ext}?period=day", 60)[0]
                    if st == 404 and fmt == "SVG":
                        raise Unavailable(f"the collector answers 404 for .{ext} graphs")
                log(f"graphs: {fmt} {kind}: hbmon (first request, repeats, conditional)")
                hb = run_json([os.path.join(BIN, "httpget"), "--list", urlf, "--repeat",
                               str(P["graph_repeat"]), "--conditional", "1", "--seconds", "120"],
                              timeout=240)
                r["hbmon"] = hb
                if hb.get("http_other") and not hb.get("http_200"):
                    if fmt == "SVG":
                        raise Unavailable(f"the collector does not serve .{ext} graphs "
                                          f"({hb.get('first_error')})")
                    raise PhaseFailed(f"graph requests: {hb.get('first_error')}")
                if not hb.get("ok"):
                    raise PhaseFailed(f"graph requests: {hb.get('first_error')}")
                r["ratio"] = (hb["first"]["median_ms"] / raw["median_ms"]
                              if raw["median_ms"] else None)
            except Unavailable as e:
                r["unavailable"] = str(e)
            except PhaseFailed as e:
                r["failed"] = str(e)


def rrdcached_cmd(sock, *args, timeout=60):
    return run_json([os.path.join(BIN, "rrdcached_raw"), args[0], "--sock", sock] + list(args[1:]),
                    timeout=timeout)


def phase_rrdcached(R, work, district, rclock):
    """hbmon handing updates to rrdcached, sustained, vs rrdcached fed with BATCH."""
    n = P["cached_devices"]
    files = files_of(district.data, n)
    out = R["rrdcached"] = {"devices": n, "files": len(files)}
    exe = shutil.which("rrdcached")
    if not exe:
        raise PhaseFailed("rrdcached is not installed (apt-get install rrdcached)")
    rc_dir = os.path.join(work, "rrdcached")
    jdir = os.path.join(rc_dir, "journal")
    os.makedirs(jdir)
    sock = os.path.join(rc_dir, "rrdcached.sock")
    # -w 3600: nothing is written during the measurement (the flush is timed separately);
    # no -B: the collector sends absolute paths; -F: a stop writes everything out
    rcd = Daemon("rrdcached", [exe, "-g", "-l", "unix:" + sock, "-p", os.path.join(rc_dir, "pid"),
                               "-j", jdir, "-b", rc_dir, "-w", "3600", "-f", "7200", "-F",
                               "-o", os.path.join(rc_dir, "rrdcached.log")],
                 os.path.join(rc_dir, "stdout.log"))
    R["_rrdcached"] = rcd
    deadline = time.time() + 20
    while not os.path.exists(sock):
        if not rcd.alive() or time.time() > deadline:
            raise PhaseFailed("rrdcached did not start: " + rcd.log_tail(300))
        time.sleep(0.05)
    out["rrdcached_cmd"] = " ".join(rcd.proc.args[1:]).replace(work, "$WORK")
    col = None
    try:
        col = Collector(district, "collector-rrdcached", rrdcached="unix:" + sock)
    except PhaseFailed as e:
        out["hbmon_failed"] = f"collector with rrdcached = unix:...: {e}"
    if col:
        R["_collector"] = col
        try:
            hbmon_rrdcached(out, col, rcd, sock, n, files, rclock)
        except PhaseFailed as e:
            out["hbmon_failed"] = str(e)
        if col.d.alive():
            out.setdefault("hbmon", {}).setdefault("collector_hwm_mib", proc_hwm_mib(col.d.pid))
        col.stop()
        R.pop("_collector", None)
    # the rrdcached floor, on the files that exist (all 20,000 if the collector made them)
    exist = [f for f in files if os.path.exists(f)]
    out["raw_files"] = len(exist)
    if not exist:
        raise PhaseFailed(out.get("hbmon_failed", "") +
                          ("; " if "hbmon_failed" in out else "") +
                          "no RRD files to feed rrdcached with")
    listfile = write_list(os.path.join(work, "rrdcached.list"), exist)
    log(f"rrdcached: BATCH floor on {len(exist)} files")
    r0, nr = rclock.take(P["cached_raw_max_rounds"])
    cpu = CpuMeter({"rrdcached": rcd})
    raw = rrdcached_cmd(sock, "update", "--files", listfile, "--ts0", str(rclock.t0),
                        "--spacing", str(SPACING), "--round0", str(r0), "--rounds", str(nr),
                        "--seconds", str(P["cached_raw_seconds"]),
                        timeout=P["cached_raw_seconds"] + 300)
    rclock.used(raw.get("next_round", r0 + nr))
    raw["cpu"] = cpu.stop()
    out["raw"] = raw
    log("rrdcached: FLUSHALL")
    fl = rrdcached_cmd(sock, "flushall", "--seconds", str(P["flush_seconds"]),
                       timeout=P["flush_seconds"] + 60)
    out["flush"] = fl
    out["rrdcached_hwm_mib"] = proc_hwm_mib(rcd.pid)
    rcd.stop(wait=120)
    R.pop("_rrdcached", None)
    if "hbmon_failed" in out:
        raise PhaseFailed(out["hbmon_failed"])


def warm_up(out, col, n, files, rclock):
    """One untimed round that creates the files; every one must then exist."""
    t = time.monotonic()
    wu = loadgen(col.base, n, rclock, 1, P["warmup_seconds"])
    out["warmup"] = {"seconds": time.monotonic() - t, "loadgen": wu}
    if not wu.get("ok"):
        raise PhaseFailed(f"warm-up round: {wu.get('first_error')}")
    missing = check_files(files)
    if missing:
        raise PhaseFailed(f"warm-up created {len(files) - len(missing)} of {len(files)} files "
                          f"(first missing: {missing[0]})")


def hbmon_rrdcached(out, col, rcd, sock, n, files, rclock):
    log(f"rrdcached: warm-up round ({len(files)} files, the missing ones are created)")
    warm_up(out, col, n, files, rclock)
    err = None
    try:
        log(f"rrdcached: hbmon sustained for {P['sustain_seconds']} s at the highest rate")
        sustained_run(out.setdefault("hbmon", {}), col, rcd, sock, n, rclock,
                      P["sustain_seconds"], P["sustain_max_rounds"])
    except PhaseFailed as e:
        err = e
    # the same collector and files, paced at the goal's rate: its CPU at 200,000 /s
    if not col.d.alive():
        out["paced_failed"] = "the collector is not running any more"
    elif time_left() < P["paced_seconds"] + 30:
        out["paced_failed"] = "skipped: the run's time budget is spent"
    else:
        log(f"rrdcached: hbmon paced at {P['paced_rate']:,} file updates/s for "
            f"{P['paced_seconds']} s")
        try:
            sustained_run(out.setdefault("paced", {}), col, rcd, sock, n, rclock,
                          P["paced_seconds"], P["paced_max_rounds"], rate=P["paced_rate"])
        except PhaseFailed as e:
            out["paced_failed"] = str(e)
        except OSError as e:  # the collector stopped answering: the BATCH floor still runs
            out["paced_failed"] = one_line(f"{type(e).__name__}: {e}")
    if err:
        raise err


def sustained_run(h, col, rcd, sock, n, rclock, secs, max_rounds, rate=0):
    """Feeds the collector for secs seconds (rate: file updates/s offered, 0 = all it takes)
    and fills h with what rrdcached received, the lowest 5 s window and the CPU used."""
    s0 = rrdcached_cmd(sock, "stats")
    m0 = col.metrics()
    cpu = CpuMeter({"collector": col.d, "rrdcached": rcd})
    lg = loadgen(col.base, n, rclock, max_rounds, secs, rate=rate)
    cpu = cpu.stop()
    m1 = col.metrics()
    s1 = rrdcached_cmd(sock, "stats")
    upd = metric_delta(m0, m1, "hbmon_rrd_updates_total")
    recv = s1.get("UpdatesReceived", 0) - s0.get("UpdatesReceived", 0)
    h.update({
        "rate_offered": rate or None,
        "loadgen": lg, "cpu": cpu, "collector_hwm_mib": proc_hwm_mib(col.d.pid),
        "collector_threads": proc_status(col.d.pid, "Threads"),
        "metric_updates": upd, "rrdcached_received": recv,
        "metric_late": metric_delta(m0, m1, "hbmon_rrd_late_samples_total"),
        "metric_errors": metric_delta(m0, m1, "hbmon_rrd_errors_total"),
    })
    if not lg.get("ok"):
        raise PhaseFailed(f"loadgen: {lg.get('first_error')}")
    if recv == 0:
        raise PhaseFailed("rrdcached received no update from the collector "
                          "(is the rrdcached option taken into account?)")
    # the verified count: what rrdcached says it received from the collector
    verified = min(recv, lg["file_updates_accepted"])
    h["verified_updates"] = verified
    h["rate"] = verified / lg["seconds"] if lg["seconds"] > 0 else 0
    # collector CPU seconds (utime+stime) per file update received by rrdcached, in µs
    if cpu.get("collector") is not None and verified:
        h["collector_us_per_update"] = cpu["collector"] * cpu["wall_s"] / verified * 1e6
    # the lowest rate over any 5 whole seconds: "sustained"
    ps = lg.get("samples_per_second", [])[: int(lg["seconds"])]
    win = 5 if len(ps) >= 5 else max(1, len(ps))
    if ps:
        h["min_window_rate"] = min(sum(ps[i:i + win]) for i in range(len(ps) - win + 1)) \
            * (P["ifs"] + 1) / win
        h["window_s"] = win


# --------------------------------------------------------------------------- machine, build

def machine_info(work_parent):
    info = base_info(TOP)
    try:
        with open("/proc/meminfo") as f:
            m = re.search(r"^MemTotal:\s*(\d+)", f.read(), re.M)
            info["mem_gib"] = int(m.group(1)) / 1024 / 1024 if m else None
    except OSError:
        info["mem_gib"] = None
    info["librrd"] = cmd(["pkg-config", "--modversion", "librrd"]) or "?"
    info["rrdcached"] = (cmd(["dpkg-query", "-W", "-f=${Version}", "rrdcached"]) or "?")
    info["libcurl"] = cmd(["pkg-config", "--modversion", "libcurl"]) or "?"
    info["libmicrohttpd"] = cmd(["pkg-config", "--modversion", "libmicrohttpd"]) or "?"
    fs = " ".join(cmd(["findmnt", "-n", "-o", "FSTYPE,SOURCE", "-T", work_parent]).split())
    info["work_fs"] = f"{work_parent} ({fs})" if fs else work_parent
    return info


def build_helpers():
    """Compiles bench/*.c into build/bench/; returns {helper: error} for those that failed."""
    os.makedirs(BIN, exist_ok=True)
    try:
        pc = subprocess.run(["pkg-config", "--cflags", "--libs", "librrd", "libcurl"],
                            capture_output=True, text=True, timeout=30)
        flags = pc.stdout.split()
        if pc.returncode != 0:
            return {h: "pkg-config librrd libcurl: " + pc.stderr.strip() for h in HELPERS}
    except OSError as e:
        return {h: f"pkg-config: {e}" for h in HELPERS}
    errors = {}
    for h in HELPERS:
        src, exe = os.path.join(BENCH, h + ".c"), os.path.join(BIN, h)
        newest = max(os.path.getmtime(src), os.path.getmtime(os.path.join(BENCH, "benchutil.h")))
        if os.path.exists(exe) and os.path.getmtime(exe) >= newest:
            continue
        r = subprocess.run([os.environ.get("CC", "cc"), "-O2", "-std=c11", "-Wall", "-Wextra",
                            "-o", exe, src] + flags, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            errors[h] = "does not compile: " + r.stderr.strip()[-300:]
    return errors


# --------------------------------------------------------------------------- report

def fnum(x, digits=0):
    if x is None:
        return "–"
    if isinstance(x, float) and digits:
        return f"{x:,.{digits}f}"
    return f"{x:,.0f}"


def fms(x):
    if x is None:
        return "–"
    return f"{x:.3f} ms" if x < 10 else f"{x:.1f} ms"


def fcores(x):
    return "–" if x is None else f"{x:.2f}"


def fus(x):
    return "–" if x is None else f"{x:.2f} µs"


def verdict(ok):
    return "**met**" if ok else "**NOT met**"


def report(R, info):
    L = []
    quick = " (BENCH_QUICK=1: smoke run, sizes far below the goals'; numbers are indicative only)" \
        if QUICK else ""
    L.append("# Storage benchmark results\n")
    L.append(f"Written by `make bench` (bench/run.py) on {info['date']}{quick}. "
             "See bench/README.md for what each number means.\n")
    L.append("Unit of every write rate: **file updates per second** — one RRD update of one "
             "file counts 1; one device sample with 24 interfaces is 25 file updates "
             "(system.rrd + 24 if-<n>.rrd).\n")

    d, c, g = R.get("direct", {}), R.get("rrdcached", {}), R.get("graphs", {})
    L.append("## Goals\n")
    L.append("| goal | hbmon | compared with | ratio | target | verdict |")
    L.append("|---|---|---|---|---|---|")
    # 1. direct
    if "direct_error" in R:
        L.append(f"| direct librrd path ≥ 80 % of raw rrd_update_r ({fnum(d.get('files'))} files) "
                 f"| – | – | – | ≥ 0.80 | failed: {R['direct_error']} |")
    else:
        h = d["hbmon"]
        L.append(f"| direct librrd path ≥ 80 % of raw rrd_update_r, HTTP batch to file "
                 f"({fnum(d['files'])} files) | {fnum(h['rate'])} /s | raw rrd_update_r "
                 f"{fnum(d['raw_floor'])} /s (faster of before/after) | {d['ratio']:.2f} | ≥ 0.80 | "
                 f"{verdict(d['ratio'] >= 0.8)} |")
    # 2. rrdcached: the highest-rate run, then the collector's CPU in the run paced at 200,000 /s
    if "rate" not in c.get("hbmon", {}):
        L.append(f"| rrdcached path ≥ 200,000 /s sustained {P['sustain_seconds']} s "
                 f"({fnum(c.get('files'))} files) | – | – | – | ≥ 1.00 | "
                 f"failed: {R.get('rrdcached_error', 'not run')} |")
    else:
        h = c["hbmon"]
        ran = h["loadgen"]["seconds"]
        ok = h["rate"] >= 200_000 and ran >= 0.95 * P["sustain_seconds"]
        minw = h.get("min_window_rate")
        short = "" if ran >= 0.95 * P["sustain_seconds"] else \
            f" (ran only {ran:.1f} s: out of rounds)"
        L.append(f"| rrdcached path ≥ 200,000 /s sustained {P['sustain_seconds']} s, end to end "
                 f"({fnum(c['files'])} files) | {fnum(h['rate'])} /s (lowest {h.get('window_s')} s "
                 f"window: {fnum(minw)} /s) | target 200,000 /s; rrdcached BATCH floor "
                 f"{fnum(c.get('raw', {}).get('rate'))} /s | {h['rate'] / 200_000:.2f} | ≥ 1.00 | "
                 f"{verdict(ok)}{short} |")
    pc, goal = c.get("paced", {}), P["paced_rate"]
    label = (f"… with the collector under one core at {fnum(goal)} /s (paced run: "
             f"{fnum(goal)} /s offered for {P['paced_seconds']} s, same files and collector)")
    cpu = pc.get("cpu", {}).get("collector")
    if "rate" not in pc or cpu is None:
        why = (c.get("paced_failed") or R.get("rrdcached_error") or
               ("collector CPU not readable" if "rate" in pc else "not run"))
        L.append(f"| {label} | – | 1 core | – | < 1.00 | failed: {why} |")
    else:
        ran = pc["loadgen"]["seconds"]
        # a paced run that could not carry the offer does not show the CPU at the goal's rate
        carried = pc["rate"] >= 0.99 * goal and ran >= 0.95 * P["paced_seconds"]
        short = "" if carried else f" (carried only {fnum(pc['rate'])} /s in {ran:.1f} s)"
        L.append(f"| {label} | {cpu:.2f} cores (accepted {fnum(pc['rate'])} /s, lowest "
                 f"{pc.get('window_s')} s window {fnum(pc.get('min_window_rate'))} /s) | 1 core | "
                 f"{cpu:.2f} | < 1.00 | {verdict(cpu < 1.0 and carried)}{short} |")
    us_p, us_m = pc.get("collector_us_per_update"), c.get("hbmon", {}).get("collector_us_per_update")
    budget_us = 1e6 / goal
    L.append(f"| collector CPU per file update (utime+stime ÷ updates received by rrdcached), "
             f"both runs | paced at {fnum(goal)} /s: {fus(us_p)}; highest rate "
             f"({fnum(c.get('hbmon', {}).get('rate'))} /s): {fus(us_m)} | 1 core ÷ {fnum(goal)} /s "
             f"= {fus(budget_us)} | {f'{us_p / budget_us:.2f}' if us_p is not None else '–'} | "
             f"< {fus(budget_us)} | information: the row above, per update |")
    # 3. graphs
    if "graphs_error" in R:
        L.append(f"| graphs within 1.2× raw rrd_graph | – | – | – | ≤ 1.20 | "
                 f"failed: {R['graphs_error']} |")
    hits = []
    for fmt, kinds in g.get("formats", {}).items():
        for kind, r in kinds.items():
            label = f"graph {fmt} {kind} ({'1 line' if kind == 'system' else '2 lines'}), " \
                    "first request vs raw rrd_graph_v"
            if "unavailable" in r:
                L.append(f"| {label} | – | – | – | ≤ 1.20 | unavailable: {r['unavailable']} |")
                continue
            if "failed" in r:
                L.append(f"| {label} | – | – | – | ≤ 1.20 | failed: {r['failed']} |")
                continue
            hb, raw = r["hbmon"], r["raw"]
            L.append(f"| {label} | {fms(hb['first']['median_ms'])} median | "
                     f"{fms(raw['median_ms'])} median | {r['ratio']:.2f} | ≤ 1.20 | "
                     f"{verdict(r['ratio'] <= 1.2)} |")
            hits.append((fmt, kind, hb))
    for fmt, kind, hb in hits:
        rh, rp = hb["repeat_hits"], hb["repeat"]
        label = f"graph {fmt} {kind}, repeated request served from cache"
        if rh["count"] == 0:
            why = ("no X-Hbmon-Cache header: the collector has no graph cache yet"
                   if rp["no_header"] == rp["count"] else
                   f"X-Hbmon-Cache said miss on all {rp['count']} repeats")
            L.append(f"| {label} | {fms(rp['median_ms'])} median (not from cache) | 1 ms | "
                     f"{rp['median_ms']:.2f} | < 1.00 | unavailable: {why} |")
        else:
            L.append(f"| {label} | {fms(rh['median_ms'])} median, p95 {fms(rh['p95_ms'])} "
                     f"({rh['count']} of {rp['count']} repeats were hits) | 1 ms | "
                     f"{rh['median_ms']:.2f} | < 1.00 | {verdict(rh['median_ms'] < 1.0)} |")
    L.append("")

    # details
    L.append("## Direct path (no rrdcached)\n")
    if d.get("hbmon"):
        h, lg = d["hbmon"], d["hbmon"]["loadgen"]
        L.append(f"{fnum(d['devices'])} devices × {P['ifs']} interfaces = {fnum(d['files'])} files; "
                 f"batches of {P['batch']} devices over {lg['conns']} keep-alive connections; "
                 "the floor is a single-threaded loop of rrd_update_r, one value per call.\n")
        L.append("| run | file updates | seconds | file updates/s | notes |")
        L.append("|---|---|---|---|---|")
        for key, name in (("raw_before", "raw rrd_update_r, before"),
                          ("raw_after", "raw rrd_update_r, after")):
            if key in d:
                x = d[key]
                L.append(f"| {name} | {fnum(x['updates'])} | {x['seconds']:.2f} | "
                         f"{fnum(x['rate'])} | {x['rounds_completed']} rounds |")
        L.append(f"| hbmon, HTTP batch → RRD file | {fnum(h.get('metric_updates'))} (per /metrics) | "
                 f"{lg['seconds']:.2f} | {fnum(h.get('rate'))} | {lg['batches']} batches, "
                 f"{lg['http_503']} × 503, batch latency median {lg['batch_ms_median']:.1f} ms / "
                 f"p99 {lg['batch_ms_p99']:.1f} ms; late {fnum(h.get('metric_late'))}, errors "
                 f"{fnum(h.get('metric_errors'))} |")
        cpu = h["cpu"]
        L.append(f"\nCollector during the hbmon run: {cpu['collector']:.2f} cores, "
                 f"{h.get('collector_threads')} threads, peak RSS (VmHWM) "
                 f"{fnum(h.get('collector_hwm_mib'), 1)} MiB; load generator "
                 f"{lg['cpu_seconds'] / max(lg['seconds'], 1e-9):.2f} cores. Warm-up (file creation) "
                 f"took {d['warmup']['seconds']:.1f} s.")
        if d.get("note"):
            L.append(f"\nNote: {d['note']}.")
    else:
        L.append(f"failed: {R.get('direct_error', 'not run')}")
    L.append("")

    L.append("## rrdcached path\n")
    if c:
        if c.get("rrdcached_cmd"):
            L.append(f"rrdcached started as `rrdcached {c['rrdcached_cmd']}` (write timeout "
                     "1 h: nothing reaches the disk during the measurement; the flush is timed "
                     "after it).\n")
        L.append("| run | file updates | seconds | file updates/s | notes |")
        L.append("|---|---|---|---|---|")
        runs = [(k, lbl, c[k]) for k, lbl in
                (("hbmon", "sustained at the highest rate"),
                 ("paced", f"paced at {fnum(P['paced_rate'])} /s offered"))
                if "rate" in c.get(k, {})]
        for key, lbl, h in runs:
            lg = h["loadgen"]
            offer = (f"{fnum(lg.get('file_updates_offered'))} offered, "
                     if key == "paced" else "")
            L.append(f"| hbmon → rrdcached, {lbl} | {fnum(h['verified_updates'])} (received "
                     f"by rrdcached) | {lg['seconds']:.2f} | {fnum(h['rate'])} | "
                     f"{fnum(c['files'])} files, {lg['rounds_completed']} rounds, {offer}"
                     f"{lg['batches']} batches, {lg['http_503']} × 503, lowest "
                     f"{h.get('window_s')} s window {fnum(h.get('min_window_rate'))} /s; "
                     f"/metrics updates {fnum(h.get('metric_updates'))}, late "
                     f"{fnum(h.get('metric_late'))}, errors {fnum(h.get('metric_errors'))} |")
        if "rate" not in c.get("hbmon", {}) and c.get("hbmon_failed"):
            L.append(f"| hbmon → rrdcached, sustained at the highest rate | – | – | – | "
                     f"failed: {c['hbmon_failed']} |")
        if c.get("paced_failed"):
            L.append(f"| hbmon → rrdcached, paced at {fnum(P['paced_rate'])} /s offered | – | "
                     f"– | – | failed: {c['paced_failed']} |")
        raw = c.get("raw")
        if raw:
            L.append(f"| BATCH client → rrdcached | {fnum(raw['updates'])} | {raw['seconds']:.2f} | "
                     f"{fnum(raw['rate'])} | {fnum(raw['files'])} files, one BATCH per round, "
                     f"{raw['errors']} errors{'; ' + raw['first_error'] if raw.get('first_error') else ''} |")
        fl = c.get("flush")
        if fl:
            L.append(f"| FLUSHALL (rrdcached writes what it holds) | {fnum(fl.get('values_written'))} "
                     f"values into {fnum(fl.get('files_written'))} files | {fl.get('seconds', 0):.2f} | "
                     f"{fnum(fl.get('rate'))} | {'ok' if fl.get('ok') else fl.get('first_error')} |")
        if runs:
            L.append("\nCPU is utime+stime from /proc/PID/stat over the wall time of the run "
                     "(1.00 = one core); µs per file update is the collector's CPU time divided "
                     "by the file updates rrdcached received.")
        for key, lbl, h in runs:
            lg, cpu = h["loadgen"], h["cpu"]
            us = h.get("collector_us_per_update")
            L.append(f"\nDuring the run {lbl}: collector {fcores(cpu.get('collector'))} cores, "
                     f"{fus(us)} per file update ({h.get('collector_threads')} threads, peak "
                     f"RSS {fnum(h.get('collector_hwm_mib'), 1)} MiB), rrdcached "
                     f"{fcores(cpu.get('rrdcached'))} cores, load generator "
                     f"{lg['cpu_seconds'] / max(lg['seconds'], 1e-9):.2f} cores.")
        if runs:
            L.append(f"\nrrdcached peak RSS {fnum(c.get('rrdcached_hwm_mib'), 1)} MiB. Warm-up "
                     f"took {c['warmup']['seconds']:.1f} s.")
        for key, lbl, h in runs:
            ps = h["loadgen"].get("samples_per_second", [])
            if ps:
                L.append(f"\nFile updates accepted per second, {lbl}: "
                         + ", ".join(fnum(x * (P['ifs'] + 1)) for x in ps[:120]) + ".")
        if raw and raw.get("cpu"):
            L.append(f"\nrrdcached during the BATCH run: {raw['cpu'].get('rrdcached') or 0:.2f} cores.")
    if "rrdcached_error" in R:
        L.append(f"\nfailed: {R['rrdcached_error']}")
    L.append("")

    L.append("## Graphs\n")
    if g.get("formats"):
        L.append(f"Each of {g.get('devices')} devices' graph requested once (a render: first "
                 f"request), then {P['graph_repeat'] - 1} more times on the same keep-alive "
                 "connection (repeats), then once with If-None-Match; the raw side renders the "
                 "same files once each with rrd_graph_v and the arguments collector/graph.c "
                 "builds (640×160, period=day: --start now-86400 --end now in Unix seconds). Times are "
                 "client-side, HTTP included, one keep-alive connection.\n")
        L.append("| graph | raw rrd_graph_v median / mean | hbmon first median / mean (misses) "
                 "| ratio "
                 "| repeats median (hit / miss / no header) | repeats that hit: median, p95 "
                 "| If-None-Match → 304 | bytes |")
        L.append("|---|---|---|---|---|---|---|---|")
        for fmt, kinds in g["formats"].items():
            for kind, r in kinds.items():
                name = f"{fmt} {kind}"
                if "hbmon" not in r:
                    L.append(f"| {name} | {fms(r.get('raw', {}).get('median_ms'))} | – | – | – | – "
                             f"| – | {r.get('unavailable') or r.get('failed')} |")
                    continue
                hb, raw = r["hbmon"], r["raw"]
                rp, rh = hb["repeat"], hb["repeat_hits"]
                L.append(f"| {name} | {fms(raw['median_ms'])} / {fms(raw['mean_ms'])} | "
                         f"{fms(hb['first']['median_ms'])} / {fms(hb['first']['mean_ms'])} "
                         f"({hb['first']['miss']} of {hb['first']['count']}) | "
                         f"{r['ratio']:.2f} | {fms(rp['median_ms'])} ({rp['hit']} / {rp['miss']} / "
                         f"{rp['no_header']}) | {fms(rh['median_ms']) if rh['count'] else '–'}, "
                         f"{fms(rh['p95_ms']) if rh['count'] else '–'} | "
                         f"{hb['http_304']} of {hb['conditional']['count']}"
                         f"{', ' + fms(hb['conditional']['median_ms']) if hb['conditional']['count'] else ''} "
                         f"| {fnum(hb['mean_bytes'])} (raw {fnum(raw['mean_bytes'])}) |")
    if "graphs_error" in R:
        L.append(f"\nfailed: {R['graphs_error']}")
    L.append("")

    L.append("## Machine and parameters\n")
    L.append("| | |")
    L.append("|---|---|")
    for k, v in (("date", info["date"]), ("nproc", info["nproc"]), ("CPU", info["cpu"]),
                 ("memory", f"{info['mem_gib']:.1f} GiB" if info.get("mem_gib") else "?"),
                 ("kernel", info["kernel"]), ("librrd", info["librrd"]),
                 ("rrdcached", info["rrdcached"]), ("libcurl", info["libcurl"]),
                 ("libmicrohttpd", info["libmicrohttpd"]), ("work directory", info["work_fs"]),
                 ("hbmon commit", info["commit"]),
                 ("rrd_step / sample spacing", f"60 s / {SPACING} s between rounds "
                  f"(timestamps start {ROUND_BUDGET * SPACING + 900} s in the past)"),
                 ("devices / interfaces / batch / connections",
                  f"{P['direct_devices']} (direct), {P['cached_devices']} (rrdcached) / "
                  f"{P['ifs']} / {P['batch']} devices / {P['conns']}"),
                 ("rrdcached runs", f"{P['sustain_seconds']} s at the highest rate, then "
                  f"{P['paced_seconds']} s paced at {fnum(P['paced_rate'])} file updates/s"),
                 ("run time", f"{time.time() - STARTED:.0f} s")):
        L.append(f"| {k} | {v} |")
    L.append("")
    return "\n".join(L)


# --------------------------------------------------------------------------- main

def main():
    R = {}
    parent = os.environ.get("BENCH_DIR") or tempfile.gettempdir()
    os.makedirs(parent, exist_ok=True)
    info = machine_info(parent)
    log(f"{'quick' if QUICK else 'full'} run; machine: {info['nproc']} × {info['cpu']}")
    if not os.access(COLLECTOR, os.X_OK):
        R["direct_error"] = R["rrdcached_error"] = R["graphs_error"] = \
            f"{COLLECTOR} missing: run make all"
    errs = build_helpers()
    for h, e in errs.items():
        log(f"helper {h}: {e}")
    work = tempfile.mkdtemp(prefix="hbmon-bench-", dir=parent)
    log(f"work directory {work}")
    try:
        district = District(work, max(P["direct_devices"], P["cached_devices"]))
        rclock = Rounds()
        need = P["cached_devices"] * (P["ifs"] * IF_FILE_BYTES + SYS_FILE_BYTES)
        free = shutil.disk_usage(work).free
        if free < need * 1.1 + (2 << 30) and not R:
            R["direct_error"] = R["rrdcached_error"] = R["graphs_error"] = (
                f"{free / 2**30:.1f} GiB free in {parent}, the RRD files need "
                f"{need / 2**30:.1f} GiB (set BENCH_DIR)")

        def guarded(key, fn, *args, needs=()):
            if f"{key}_error" in R:
                return
            missing = [h for h in needs if h in errs]
            if missing:
                R[f"{key}_error"] = f"helper {missing[0]} {errs[missing[0]]}"
                return
            if time_left() < 20:
                R[f"{key}_error"] = "skipped: the run's time budget is spent"
                return
            try:
                fn(R, work, *args)
            except (PhaseFailed, Unavailable) as e:
                R[f"{key}_error"] = str(e)
                log(f"{key}: failed: {e}")
            except Exception as e:  # noqa: BLE001 - a phase must not stop the others
                R[f"{key}_error"] = one_line(f"{type(e).__name__}: {e}")
                log(f"{key}: crashed:\n{traceback.format_exc()}")

        guarded("direct", phase_direct, district, rclock, needs=("loadgen", "rrd_raw"))
        guarded("graphs", phase_graphs, district, needs=("rrdgraph_raw", "httpget"))
        col = R.pop("_collector", None)
        if col:
            col.stop()
        guarded("rrdcached", phase_rrdcached, district, rclock,
                needs=("loadgen", "rrdcached_raw"))
    finally:
        for p in list(PROCS):
            p.stop(wait=30)
        for k in [k for k in R if k.startswith("_")]:
            R.pop(k)
        if os.environ.get("BENCH_KEEP"):
            log(f"kept {work}")
        else:
            log("removing the work directory")
            shutil.rmtree(work, ignore_errors=True)
    try:
        text = report(R, info)
    except Exception:  # noqa: BLE001 - the numbers must land somewhere
        text = ("# Storage benchmark results\n\nThe report could not be formatted:\n\n```\n"
                + traceback.format_exc() + "```\n\nRaw results:\n\n```json\n"
                + json.dumps(R, indent=1, default=str)[:200000] + "\n```\n")
    # the other benchmarks' sections (bench/snmp/run.py, bench/ingest_hold.py: each between
    # "<!-- NAME: written by ... -->" and "<!-- /NAME -->") stay as they were
    try:
        with open(RESULTS, encoding="utf-8") as f:
            old = f.read()
        for m in re.finditer(r"<!-- ([a-z-]+): written by .*?<!-- /\1 -->", old, re.S):
            text = text.rstrip("\n") + "\n\n" + m.group(0) + "\n"
    except OSError:
        pass
    with open(RESULTS, "w", encoding="utf-8") as f:
        f.write(text)
    os.makedirs(BIN, exist_ok=True)
    with open(os.path.join(BIN, "results.json"), "w", encoding="utf-8") as f:
        json.dump({"params": P, "quick": QUICK, "machine": info, "results": R}, f, indent=1)
    log(f"wrote {RESULTS} ({time.time() - STARTED:.0f} s)")
    print(text.split("## Direct path")[0])
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
