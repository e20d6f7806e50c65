#!/usr/bin/python3
"""SNMP-polling benchmark of hbmon-probe (bench/README.md, "SNMP polling").

Side by side in one run, on one fleet of net-snmp agents (fleet.py: 1,000 device addresses
served by snmpd processes, 25 addresses each, in the network namespace `hbmon-bench`), every
device polled for the IF-MIB columns descr, HC octets in/out, errors in/out, oper status and
hrStorageTable's descr, allocation units, size, used (about 300 varbinds a device):
  - bulkloop.c: a bare asynchronous net-snmp GETBULK loop, the floor;
  - hbmon-probe: one cycle with --once, then as a daemon at a 60 s interval for whole cycles;
  - collectd's snmp plugin (Debian collectd-core): polling with a cheap writer (the network
    plugin to a UDP sink of ours), then with the rrdtool writer;
  - prometheus-snmp-exporter with a hand-written module of numeric OIDs, every target
    scraped once a cycle by a bounded pool of HTTP clients;
then the same with 20 % of the devices dead (addresses that drop every packet) for
hbmon-probe and the bare loop.
Per poller: CPU microseconds per varbind (utime+stime of the poller process only, from
wait4() or /proc/PID/stat), wall time of a full cycle, share of devices polled in every
cycle, peak RSS (ru_maxrss or VmHWM).

Run as root: `/usr/bin/python3 bench/snmp/run.py` (the outer process makes the namespace and
runs itself again inside it with --inner; it deletes the namespace and every process in it
at the end, on an error and on Ctrl-C). Writes bench/snmp/RESULTS.md and
build/bench/snmp-results.json.
Environment: BENCH_QUICK=1 (100 devices, 5 s cycles, under a minute), BENCH_DIR (parent of
the work directory), BENCH_KEEP=1 (keep it), BENCH_SNMP_RESULTS (report path),
BENCH_DEVICES, BENCH_WINDOW (requests in flight: hbmon max_inflight, bulkloop window,
collectd ReadThreads is min(window, 16), exporter scrape concurrency; default 64),
BENCH_COLLECTD_BULK (collectd BulkSize; default the same max-repetitions as the others, 10;
0 = GETNEXT, collectd's own default), BENCH_NETNS (namespace name).
Standard library only.
"""
import http.server
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.dirname(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import fleet  # noqa: E402
from benchinfo import base_info, cmd, write_marked_section  # noqa: E402
import catchup  # noqa: E402  - the catch-up phase (bench/snmp/catchup.py), run last

TOP = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(TOP, "build")
BIN = os.path.join(BUILD, "bench")
BUILT_PROBE = os.path.join(BUILD, "hbmon-probe")
# the programs run: compiled or copied into the work directory at the start, so a
# `make clean` or a rebuild of build/ during the run changes nothing (set by use_workbin)
PROBE = BULKLOOP = RUSAGE = None
COLLECTD = "/usr/sbin/collectd"
EXPORTER = "/usr/bin/prometheus-snmp-exporter"
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
RESULTS = os.environ.get("BENCH_SNMP_RESULTS", os.path.join(HERE, "RESULTS.md"))
RESULTS_JSON = (os.path.splitext(RESULTS)[0] + ".json" if os.environ.get("BENCH_SNMP_RESULTS")
                else os.path.join(BIN, "snmp-results.json"))
TICK = os.sysconf("SC_CLK_TCK")


def env_int(name, default, lo, hi):
    v = os.environ.get(name, "")
    return min(max(int(v), lo), hi) if v.strip().isdigit() else default


P = dict(
    devices=1000, per_agent=fleet.PER_AGENT, nifs=fleet.NIFS,
    dead_every=5,              # every 5th device dead in the dead variant: 20 %
    window=64,                 # requests in flight (hbmon's default max_inflight)
    reps=10,                   # GETBULK max-repetitions for every poller that takes one
    timeout_ms=2000, retries=1,
    interval=60,               # hbmon daemon and collectd interval
    daemon_cycles=3,           # hbmon daemon, all alive: whole cycles measured
    dead_daemon_cycles=2,      # hbmon daemon, 20 % dead
    collectd_cycles=2,         # cycles measured after the first (start-up, RRD creation)
    collectd_rrd_cycles=1,
    exporter_cycles=2,
    rra_rows=100,              # collectd rrdtool RRARows (default 1200: 40 GB of files here)
    budget_s=14 * 60,
)
if QUICK:
    P.update(devices=100, interval=5, daemon_cycles=1, dead_daemon_cycles=1,
             collectd_cycles=1, collectd_rrd_cycles=1, exporter_cycles=1, budget_s=150)
P["devices"] = env_int("BENCH_DEVICES", P["devices"], 10, 2500)
P["window"] = env_int("BENCH_WINDOW", P["window"], 1, 500)
P["wide_window"] = env_int("BENCH_WIDE_WINDOW", 256, 0, 500)
P["collectd_bulk"] = env_int("BENCH_COLLECTD_BULK", P["reps"], 0, 100)

# The job: columns (numeric OIDs) walked on every device.
IF_COLS = [("ifDescr", "1.3.6.1.2.1.2.2.1.2"), ("ifHCInOctets", "1.3.6.1.2.1.31.1.1.1.6"),
           ("ifHCOutOctets", "1.3.6.1.2.1.31.1.1.1.10"), ("ifInErrors", "1.3.6.1.2.1.2.2.1.14"),
           ("ifOutErrors", "1.3.6.1.2.1.2.2.1.20"), ("ifOperStatus", "1.3.6.1.2.1.2.2.1.8")]
ST_COLS = [("hrStorageDescr", "1.3.6.1.2.1.25.2.3.1.3"),
           ("hrStorageAllocationUnits", "1.3.6.1.2.1.25.2.3.1.4"),
           ("hrStorageSize", "1.3.6.1.2.1.25.2.3.1.5"), ("hrStorageUsed", "1.3.6.1.2.1.25.2.3.1.6")]
JOB = IF_COLS + ST_COLS
# hbmon-probe asks every device for these four scalars first (sysDescr, sysObjectID, sysName,
# sysUpTime: is it up, has it restarted)
SYS = ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.1.3.0"]
# hbmon-probe before device-class profiles: 14 fixed IF-MIB columns, no hrStorage, GETBULK 8
LEGACY_COLS = [(n, o) for n, o in [
    ("ifDescr", "1.3.6.1.2.1.2.2.1.2"), ("ifType", "1.3.6.1.2.1.2.2.1.3"),
    ("ifSpeed", "1.3.6.1.2.1.2.2.1.5"), ("ifAdminStatus", "1.3.6.1.2.1.2.2.1.7"),
    ("ifOperStatus", "1.3.6.1.2.1.2.2.1.8"), ("ifInOctets", "1.3.6.1.2.1.2.2.1.10"),
    ("ifInErrors", "1.3.6.1.2.1.2.2.1.14"), ("ifOutOctets", "1.3.6.1.2.1.2.2.1.16"),
    ("ifOutErrors", "1.3.6.1.2.1.2.2.1.20"), ("ifName", "1.3.6.1.2.1.31.1.1.1.1"),
    ("ifHCInOctets", "1.3.6.1.2.1.31.1.1.1.6"), ("ifHCOutOctets", "1.3.6.1.2.1.31.1.1.1.10"),
    ("ifHighSpeed", "1.3.6.1.2.1.31.1.1.1.15"), ("ifAlias", "1.3.6.1.2.1.31.1.1.1.18")]]
LEGACY_REPS = 8

STARTED = time.time()
PROCS = []  # processes of the current phase, killed on the way out


def log(msg):
    print(f"[snmp-bench {time.time() - STARTED:6.1f}s] {msg}", flush=True)


def one_line(text, limit=300):
    text = " ".join(str(text).split()).replace("|", "/")
    return text if len(text) <= limit else text[:limit - 1] + "…"


class PhaseFailed(Exception):
    pass


def time_left():
    return P["budget_s"] - (time.time() - STARTED)


# --------------------------------------------------------------------------- processes

def proc_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def proc_cpu(pid):
    return proc_ticks(pid) / TICK


def proc_hwm_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def agents_cpu(fl):
    total = 0.0
    for pid in fl.pids():
        try:
            total += proc_cpu(pid)
        except OSError:
            pass
    return total


class Child:
    """A process run under rusage.c: its own CPU time and peak RSS from wait4() when it ends,
    from /proc/PID while it runs."""

    def __init__(self, name, argv, logpath, env=None):
        self.name = name
        self.logpath = logpath
        self.rufile = logpath + ".rusage"
        self.logf = open(logpath, "ab")
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen([RUSAGE, self.rufile, *argv], stdout=self.logf,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        self.ru = None
        self.status = None
        self.wall = None
        PROCS.append(self)
        self.pid = None
        end = time.monotonic() + 10
        while self.pid is None and time.monotonic() < end:
            try:
                with open(self.rufile) as f:
                    first = f.readline()
                if first.startswith("pid ") and first.endswith("\n"):
                    self.pid = int(first.split()[1])
                    break
            except (OSError, ValueError):
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.002)
        if self.pid is None:
            self.stop()
            raise PhaseFailed(f"{name} did not start: {self.log_tail()}")

    def alive(self):
        if self.ru is not None:
            return False
        if self.proc.poll() is None:
            return True
        self.logf.close()
        if self in PROCS:
            PROCS.remove(self)
        try:
            with open(self.rufile) as f:
                self.ru = json.loads(f.read().strip().splitlines()[-1])
            self.status = self.ru["status"] if not self.ru["signal"] else -self.ru["signal"]
            self.wall = self.ru["wall_s"]
        except (OSError, ValueError, IndexError, KeyError):
            self.ru = {}
            self.status = self.proc.returncode
            self.wall = time.monotonic() - self.t0
        return False

    def wait(self, timeout):
        end = time.monotonic() + timeout
        while self.alive():
            if time.monotonic() > end:
                return False
            time.sleep(0.01)
        return True

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.alive():
            try:
                os.kill(self.proc.pid, sig)  # rusage passes it on
            except ProcessLookupError:
                pass
            if not self.wait(timeout):
                for pid in (self.pid, self.proc.pid):
                    try:
                        if pid:
                            os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                self.wait(10)
        return self.status

    def cpu_s(self):
        if self.ru:
            return self.ru["utime_s"] + self.ru["stime_s"]
        return proc_cpu(self.pid)

    def maxrss_kb(self):
        if self.ru:
            return self.ru["maxrss_kb"]
        return proc_hwm_kb(self.pid)

    def log_tail(self, n=400):
        try:
            with open(self.logpath, encoding="utf-8", errors="replace") as f:
                return one_line(f.read()[-n:])
        except OSError:
            return ""


def kill_all():
    for c in list(PROCS):
        try:
            c.stop(timeout=5)
        except Exception:  # noqa: BLE001 - best effort on the way out
            pass


class CpuSampler(threading.Thread):
    """Samples a process's CPU ticks every 0.1 s: when was it busy."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.samples = []
        self.halt = threading.Event()
        self.start()

    def run(self):
        while not self.halt.is_set():
            try:
                self.samples.append((time.monotonic(), proc_ticks(self.pid)))
            except (OSError, IndexError, ValueError):
                return
            self.halt.wait(0.1)

    def ticks_at(self, t):
        """Ticks of the last sample at or before t."""
        best = None
        for ts, tk in self.samples:
            if ts <= t:
                best = tk
            else:
                break
        return best

    def busy_span(self, a, b):
        """(first, last) sample times within [a, b) at which the ticks grew."""
        first = last = None
        prev = None
        for ts, tk in self.samples:
            if prev is not None and a <= ts < b and tk > prev[1]:
                first = prev[0] if first is None else first
                last = ts
            prev = (ts, tk)
        return first, last

    def idle_since(self, t, secs):
        """True when the ticks did not grow over the last secs seconds (and t is past)."""
        if not self.samples:
            return False
        now = self.samples[-1][0]
        if now < t + secs:
            return False
        recent = [tk for ts, tk in self.samples if ts >= now - secs]
        return len(recent) >= 2 and recent[-1] == recent[0]

    def stop(self):
        self.halt.set()


# --------------------------------------------------------------------------- sinks

class IngestSink:
    """The collector's /api/v1/ingest as hbmon-probe sees it: answers 200, keeps the samples."""

    def __init__(self, port):
        self.samples = []  # (monotonic arrival, device, up, nifs, nrows, error)
        self.batches = 0
        self.bad = 0
        sink = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                t = time.monotonic()
                try:
                    doc = json.loads(body)
                    for s in doc["samples"]:
                        sink.samples.append((t, s["device"], bool(s["up"]), len(s.get("if") or []),
                                             sum(1 for g in (s.get("groups") or [])
                                                 if isinstance(g, dict) and g.get("g") == "storage"),
                                             s.get("error", "")))
                    sink.batches += 1
                except (ValueError, KeyError, TypeError):
                    sink.bad += 1
                out = b'{"ok":true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
        self.srv.daemon_threads = True
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def reset(self):
        self.samples = []
        self.batches = 0
        self.bad = 0

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


class CollectdSink(threading.Thread):
    """UDP sink of collectd's network plugin (binary protocol): value lists per host."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # SO_RCVBUFFORCE
        except OSError:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 << 20)
        self.sock.bind(("127.0.0.1", port))
        self.sock.settimeout(0.2)
        self.lists = []  # (monotonic arrival, host)
        self.packets = 0
        self.halt = threading.Event()
        self.start()

    def run(self):
        while not self.halt.is_set():
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            t = time.monotonic()
            self.packets += 1
            host = None
            off = 0
            while off + 4 <= len(data):
                ptype, plen = struct.unpack_from("!HH", data, off)
                if plen < 4:
                    break
                if ptype == 0x0000:
                    host = data[off + 4:off + plen].rstrip(b"\0").decode("utf-8", "replace")
                elif ptype == 0x0006:
                    self.lists.append((t, host))
                off += plen

    def stop(self):
        self.halt.set()
        self.join(2)
        self.sock.close()


# --------------------------------------------------------------------------- helpers

def use_workbin(work):
    global PROBE, BULKLOOP, RUSAGE
    d = os.path.join(work, "bin")
    os.makedirs(d, exist_ok=True)
    PROBE, BULKLOOP, RUSAGE = (os.path.join(d, n) for n in ("hbmon-probe", "bulkloop", "rusage"))


def build_helpers():
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "netsnmp"], capture_output=True,
                           text=True, timeout=30).stdout.split() or ["-lnetsnmp"]
    for exe, libs in ((RUSAGE, []), (BULKLOOP, flags)):
        src = os.path.join(HERE, os.path.basename(exe) + ".c")
        r = subprocess.run(["cc", "-O2", "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra", "-o",
                            exe, src, *libs], capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise PhaseFailed(f"{os.path.basename(src)} does not compile: "
                              + one_line(r.stderr, 300))


def ensure_probe():
    if not os.path.exists(BUILT_PROBE):
        log("building hbmon-probe (make)")
        r = subprocess.run(["make", "-C", TOP, "build/hbmon-probe"], capture_output=True,
                           text=True, timeout=900)
        if r.returncode != 0 or not os.path.exists(BUILT_PROBE):
            raise PhaseFailed("make build/hbmon-probe failed: " + one_line(r.stderr[-300:]))
    shutil.copy2(BUILT_PROBE, PROBE)


def targets(dead=False):
    """(device name, address) of every device; with dead, every dead_every-th is dead."""
    out = []
    for i in range(P["devices"]):
        is_dead = dead and i % P["dead_every"] == P["dead_every"] - 1
        out.append((f"d{i + 1:04d}", fleet.dead_addr(i) if is_dead else fleet.device_addr(i),
                    is_dead))
    return out


def row(name, **kw):
    r = dict(poller=name, status="ok")
    r.update(kw)
    return r


def failed_row(name, err):
    return row(name, status="failed: " + one_line(err))


# --------------------------------------------------------------------------- bare loop

def run_bulkloop(work, name, tg, cols, gets=None, reps=None):
    path = os.path.join(work, f"targets-{name}.txt")
    with open(path, "w") as f:
        f.write("".join(a + "\n" for _, a, _ in tg))
    argv = [BULKLOOP, "-c", fleet.COMMUNITY, "-r", str(reps or P["reps"]), "-w", str(P["window"]),
            "-t", str(P["timeout_ms"]), "-R", str(P["retries"]),
            "-C", ",".join(o for _, o in cols)]
    if gets:
        argv += ["-g", ",".join(gets)]
    out = os.path.join(work, f"bulkloop-{name}.out")
    c = Child("bulkloop", argv + [path], out)
    if not c.wait(max(30, time_left())):
        c.stop(signal.SIGKILL)
        raise PhaseFailed("bulkloop did not finish")
    with open(out) as f:
        lines = f.read().strip().splitlines()
    try:
        res = json.loads(lines[-1])
    except (IndexError, ValueError):
        raise PhaseFailed(f"bulkloop exited {c.status}: {c.log_tail()}")
    res["rusage_cpu_s"] = c.cpu_s()
    res["rusage_maxrss_kb"] = c.maxrss_kb()
    return res


def phase_bare(R, work, fl, key, label, tg, cols, gets=None, reps=None, per_dev=None):
    a0 = agents_cpu(fl)
    res = run_bulkloop(work, key, tg, cols, gets, reps)
    agents = agents_cpu(fl) - a0
    nlive = sum(1 for t in tg if not t[2])
    cpu = res["rusage_cpu_s"]
    vb = res["varbinds"]
    R["rows"][key] = row(
        label, job=f"{len(cols)} columns" + (f" + {len(gets)} scalars" if gets else "")
        + f", GETBULK {reps or P['reps']}", cycles=1, devices=len(tg), live=nlive,
        varbinds=vb, expected_varbinds=(per_dev or 0) * nlive, cpu_s=cpu,
        us_per_vb=cpu * 1e6 / vb if vb else None, cycle_wall_s=res["wall_s"],
        live_done_s=res["last_complete_s"],
        polled=res["complete"], polled_of=nlive, rss_kb=res["rusage_maxrss_kb"],
        agents_cores=agents / res["wall_s"] if res["wall_s"] else None,
        timeouts=res["timeouts"], errors=res["errors"], requests=res["requests"])
    log(f"{label}: {vb} varbinds, {res['complete']}/{len(tg)} devices, "
        f"{res['wall_s']:.2f} s, {cpu * 1e6 / max(vb, 1):.2f} µs/varbind")


# --------------------------------------------------------------------------- hbmon-probe

def hbmon_profiles_dir(work, cls):
    """The owner's profiles plus bench.conf (as <cls>.conf), in one folder."""
    d = os.path.join(work, f"profiles-{cls}")
    os.makedirs(d, exist_ok=True)
    src = os.path.join(TOP, "profiles")
    if os.path.isdir(src):
        for n in os.listdir(src):
            if n.endswith(".conf"):
                shutil.copy(os.path.join(src, n), d)
    shutil.copy(os.path.join(HERE, "profiles", "bench.conf"), os.path.join(d, f"{cls}.conf"))
    return d


def hbmon_write(dirpath, tg, port, interval, hb, window=None):
    """hbmon-probe's configuration, inventory and credentials; hb = (profiles dir, class)."""
    profiles, cls = hb
    os.makedirs(dirpath, exist_ok=True)
    with open(os.path.join(dirpath, "inventory.csv"), "w", encoding="utf-8") as f:
        f.write("commune,site,site_type,device,class,address,snmp,contact\n")
        for i, (name, addr, _) in enumerate(tg):
            f.write(f"c{i // 50 + 1:02d},s1,bench,{name},{cls},{addr},public,\n")
    cred = os.path.join(dirpath, "credentials.conf")
    with open(cred, "w", encoding="utf-8") as f:
        f.write(f"[public]\nversion = 2c\ncommunity = {fleet.COMMUNITY}\n")
    os.chmod(cred, 0o600)
    conf = os.path.join(dirpath, "hbmon.conf")
    # the capture server checks no credential, but the probe starts only with its secret
    secret = os.path.join(dirpath, "probe.secret")
    if not os.path.exists(secret):
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, os.urandom(32).hex().encode() + b"\n")
        os.close(fd)
    with open(conf, "w", encoding="utf-8") as f:
        f.write(f"""; written by bench/snmp/run.py
[general]
district = Bench
inventory = inventory.csv
credentials = credentials.conf
data_dir = {dirpath}/data
default_probe = bench

[probe]
name = bench
secret_file = probe.secret
collector_url = http://127.0.0.1:{port}/api/v1/ingest
interval = {interval}
timeout_ms = {P['timeout_ms']}
retries = {P['retries']}
max_inflight = {window or P['window']}
batch_max = 100
; SNMP against SNMP: the peers send no ICMP echoes
ping_snmp = 0
""")
        if profiles:
            f.write(f"profiles = {profiles}\n")
        f.write("\n[site-type bench]\nlabel_vi = Bench\nlabel_en = Bench\n")
    return conf


def hbmon_mode(work):
    """How this hbmon-probe is told to poll the job: bench.conf as the profile of the inventory
    class `other` (the inventory's classes are the fixed list targets count); else (a binary
    without profiles) its fixed IF-MIB columns. Returns ((profiles dir, class), text)."""
    why = ""
    for cls in ("other",):
        prof = hbmon_profiles_dir(work, cls)
        conf = hbmon_write(os.path.join(work, f"hbmon-check-{cls}"), targets()[:2], 1, 60,
                           (prof, cls))
        r = subprocess.run([PROBE, "-c", conf, "--check-config"], capture_output=True,
                           text=True, timeout=60)
        if r.returncode == 0:
            return (prof, cls), f"profiles (bench/snmp/profiles/bench.conf as class `{cls}`)"
        first = (r.stderr or r.stdout).strip().splitlines()[:1]
        why = why or one_line(first[0].split(": ", 1)[-1] if first else f"exit {r.returncode}", 80)
    return (None, "switch"), f"its fixed IF-MIB columns (no profile support: {why})"


def hbmon_sample_ok(s, counts, profiles):
    """An up sample with the whole job: every interface row (and storage row)."""
    _, _, up, nifs, nrows, _ = s
    if not up or nifs < counts["if_rows"]:
        return False
    return not profiles or nrows >= counts["st_rows"]


def phase_hbmon_once(R, work, fl, sink, key, label, tg, hb, per_dev, counts, window=None):
    conf = hbmon_write(os.path.join(work, key), tg, sink.port, 60, hb, window)
    sink.reset()
    a0 = agents_cpu(fl)
    c = Child("hbmon-probe", [PROBE, "-c", conf, "--once"], os.path.join(work, key, "probe.log"))
    if not c.wait(max(60, min(300, time_left()))):
        c.stop(signal.SIGKILL)
        raise PhaseFailed("hbmon-probe --once did not finish")
    agents = agents_cpu(fl) - a0
    if c.status != 0:
        raise PhaseFailed(f"hbmon-probe --once exited {c.status}: {c.log_tail()}")
    live = {n for n, _, d in tg if not d}
    full = {s[1] for s in sink.samples if hbmon_sample_ok(s, counts, hb[0])}
    up = sum(1 for s in sink.samples if s[2])
    down = sum(1 for s in sink.samples if not s[2])
    vb = up * per_dev
    cpu = c.cpu_s()
    R["rows"][key] = row(
        label, job=R["hbmon_job"].replace(f"{P['window']} in flight", f"{window or P['window']} in flight"),
        cycles=1, devices=len(tg), live=len(live), varbinds=vb, window=window or P["window"],
        cpu_s=cpu, us_per_vb=cpu * 1e6 / vb if vb else None, cycle_wall_s=c.wall,
        polled=len(full & live), polled_of=len(live), rss_kb=c.maxrss_kb(),
        agents_cores=agents / c.wall, samples_up=up, samples_down=down,
        dead_reported_down=len({s[1] for s in sink.samples if not s[2]} - live),
        batches=sink.batches)
    log(f"{label}: {up} up / {down} down samples, {c.wall:.2f} s, "
        f"{cpu * 1e6 / max(vb, 1):.2f} µs/varbind, peak RSS {c.maxrss_kb() / 1024:.1f} MiB")


def phase_hbmon_daemon(R, work, fl, sink, key, label, tg, hb, per_dev, counts, cycles):
    interval = P["interval"]
    ndead = sum(1 for t in tg if t[2])
    margin = 3 + (P["timeout_ms"] * (1 + P["retries"]) / 1000 if ndead else 0)
    need = cycles * interval + margin + 10
    if time_left() < need:
        raise PhaseFailed(f"skipped: needs {need:.0f} s, {time_left():.0f} s left in the budget")
    conf = hbmon_write(os.path.join(work, key), tg, sink.port, interval, hb)
    sink.reset()
    a0 = agents_cpu(fl)
    c = Child("hbmon-probe", [PROBE, "-c", conf], os.path.join(work, key, "probe.log"))
    t0 = c.t0
    end = t0 + cycles * interval + margin
    hwm = None
    while time.monotonic() < end:
        if not c.alive():
            raise PhaseFailed(f"hbmon-probe exited {c.status}: {c.log_tail()}")
        hwm = proc_hwm_kb(c.pid) or hwm
        time.sleep(0.5)
    agents = agents_cpu(fl) - a0
    c.stop()
    wall = c.wall
    live = {n for n, _, d in tg if not d}
    per = {}
    for s in sink.samples:
        per.setdefault(s[1], []).append(s)
    every = sum(1 for n in live
                if sum(1 for s in per.get(n, []) if hbmon_sample_ok(s, counts, hb[0])) >= cycles)
    dead_every = sum(1 for n, _, d in tg if d and sum(1 for s in per.get(n, []) if not s[2]) >= cycles)
    gaps = []
    for n in live:
        ts = sorted(s[0] for s in per.get(n, []) if s[2])
        gaps += [b - a for a, b in zip(ts, ts[1:])]
    up = sum(1 for s in sink.samples if s[2])
    vb = up * per_dev
    cpu = c.cpu_s()
    R["rows"][key] = row(
        label, job=R["hbmon_job"], cycles=cycles, interval_s=interval, devices=len(tg),
        live=len(live), varbinds=vb, cpu_s=cpu, us_per_vb=cpu * 1e6 / vb if vb else None,
        cycle_wall_s=None, window_s=wall, polled=every, polled_of=len(live),
        dead=ndead, dead_every=dead_every,
        max_gap_s=max(gaps) if gaps else None, min_gap_s=min(gaps) if gaps else None,
        rss_kb=c.maxrss_kb() or hwm, agents_cores=agents / wall, samples_up=up,
        samples_down=sum(1 for s in sink.samples if not s[2]), batches=sink.batches,
        bad_batches=sink.bad)
    log(f"{label}: {cycles} × {interval} s, {every}/{len(live)} live devices in every cycle"
        + (f", {dead_every}/{ndead} dead reported down every cycle" if ndead else "")
        + f", {cpu * 1e6 / max(vb, 1):.2f} µs/varbind, peak RSS {(c.maxrss_kb() or 0) / 1024:.1f} MiB")


# --------------------------------------------------------------------------- collectd

def collectd_conf(work, rrd, port, tg):
    base = os.path.join(work, "collectd-rrd" if rrd else "collectd")
    os.makedirs(base, exist_ok=True)
    o = {n: "." + oid for n, oid in JOB}
    lines = ['Hostname "bench-collectd"', "FQDNLookup false", f'BaseDir "{base}"',
             f'PIDFile "{base}/collectd.pid"', 'PluginDir "/usr/lib/collectd"',
             'TypesDB "/usr/share/collectd/types.db"', "AutoLoadPlugin false",
             f"Interval {P['interval']}", f"ReadThreads {min(P['window'], 16)}", "WriteThreads 4",
             "LoadPlugin logfile",
             f'<Plugin logfile>\n  LogLevel "info"\n  File "{base}/collectd.log"\n'
             '  Timestamp true\n</Plugin>',
             "LoadPlugin snmp"]
    if rrd:
        lines += ["LoadPlugin rrdtool",
                  f'<Plugin rrdtool>\n  DataDir "{base}/rrd"\n  RRARows {P["rra_rows"]}\n</Plugin>']
    else:
        lines += ["<LoadPlugin network>\n  FlushInterval 1\n</LoadPlugin>",
                  f'<Plugin network>\n  Server "127.0.0.1" "{port}"\n</Plugin>']
    lines.append("<Plugin snmp>")
    lines.append(f'''  <Data "if_octets">
    Type "if_octets"
    Table true
    TypeInstanceOID "{o['ifDescr']}"
    Values "{o['ifHCInOctets']}" "{o['ifHCOutOctets']}"
  </Data>
  <Data "if_errors">
    Type "if_errors"
    Table true
    TypeInstancePrefix "if"
    Values "{o['ifInErrors']}" "{o['ifOutErrors']}"
  </Data>
  <Data "if_oper">
    Type "gauge"
    Table true
    TypeInstancePrefix "oper"
    Values "{o['ifOperStatus']}"
  </Data>
  <Data "storage">
    Type "df"
    Table true
    TypeInstanceOID "{o['hrStorageDescr']}"
    Values "{o['hrStorageSize']}" "{o['hrStorageUsed']}"
  </Data>
  <Data "storage_units">
    Type "gauge"
    Table true
    TypeInstancePrefix "units"
    Values "{o['hrStorageAllocationUnits']}"
  </Data>''')
    for name, addr, _ in tg:
        lines.append(f'''  <Host "{name}">
    Address "{addr}"
    Version 2
    Community "{fleet.COMMUNITY}"
    Collect "if_octets" "if_errors" "if_oper" "storage" "storage_units"
    Timeout {max(1, P['timeout_ms'] // 1000)}
    Retries {P['retries']}
    BulkSize {P['collectd_bulk']}
  </Host>''')
    lines.append("</Plugin>")
    path = os.path.join(base, "collectd.conf")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return base, path


def rrd_hosts_since(datadir, t_wall):
    """Hosts whose every RRD file was written at or after t_wall (epoch seconds)."""
    n = 0
    try:
        hosts = os.listdir(datadir)
    except OSError:
        return 0
    for h in hosts:
        files = []
        for root, _, fs in os.walk(os.path.join(datadir, h)):
            files += [os.path.join(root, x) for x in fs if x.endswith(".rrd")]
        try:
            if files and all(os.stat(x).st_mtime >= t_wall for x in files):
                n += 1
        except OSError:
            pass
    return n


def phase_collectd(R, work, fl, key, label, rrd, cycles, counts, per_dev):
    """collectd from start for whole cycles of P['interval']: the first cycle(s) (start-up, RRD
    file creation) run until collectd is idle at a cycle boundary; then `cycles` are measured."""
    interval = P["interval"]
    warm_max = (1 if QUICK else 2) if rrd else 1
    need = (cycles + 1) * interval + 20
    if time_left() < need:
        raise PhaseFailed(f"skipped: needs {need:.0f} s, {time_left():.0f} s left in the budget")
    tg = targets()
    port = 25826
    sink = None if rrd else CollectdSink(port)
    base, conf = collectd_conf(work, rrd, port, tg)
    lists_per_host = 3 * counts["if_rows"] + 2 * counts["st_rows"]
    wall_now = lambda: time.time()  # noqa: E731
    try:
        a0 = agents_cpu(fl)
        c = Child("collectd", [COLLECTD, "-f", "-C", conf], os.path.join(base, "stdout.log"))
        samp = CpuSampler(c.pid)
        t_first = c.t0  # collectd starts every host's first read as soon as it is up

        def wait_until(t, stop_when_idle_after=None):
            while time.monotonic() < t:
                if not c.alive():
                    raise PhaseFailed(f"collectd exited {c.status}: {c.log_tail()}")
                if stop_when_idle_after is not None and samp.idle_since(stop_when_idle_after, 2.0):
                    return
                time.sleep(0.2)

        # warm-up: whole cycles until collectd is idle (its previous cycle done) at a boundary
        k = 1
        warm_note = ""
        while True:
            b = t_first + k * interval - 1.0
            wait_until(b)
            t0b, t1b = samp.ticks_at(b - 1.5), samp.ticks_at(b)
            if t0b is not None and t0b == t1b:
                break
            if k >= warm_max or time_left() < (cycles + 1) * interval + 10:
                warm_note = f"still busy at the start of cycle {k + 1}"
                break
            k += 1
        m_start = t_first + k * interval - 1.0
        ticks0 = samp.ticks_at(m_start)
        cyc = []
        for j in range(cycles):
            a = t_first + (k + j) * interval - 1.0
            b = a + interval
            last = j == cycles - 1
            wait_until(b, stop_when_idle_after=a + 1.5 if last else None)
            done = min(time.monotonic(), b)
            info = dict(start=a, end=done)
            if rrd:
                info["hosts_complete"] = rrd_hosts_since(os.path.join(base, "rrd"),
                                                         wall_now() - (time.monotonic() - a))
            cyc.append(info)
        time.sleep(0.5 if sink else 0)
        cpu = proc_cpu(c.pid) - (ticks0 or 0) / TICK
        hwm = proc_hwm_kb(c.pid)
        agents = agents_cpu(fl) - a0
        elapsed = time.monotonic() - c.t0
        samp.stop()
        c.stop()
        walls, complete = [], []
        for info in cyc:
            f, l = samp.busy_span(info["start"], info["end"] + 0.2)
            info["busy_s"] = (l - f) if f is not None else None
            if sink:
                seen, arr = {}, []
                hi = info["end"] + (1.5 if info is cyc[-1] else 0.0)
                for t, h in sink.lists:
                    if info["start"] <= t < hi:
                        seen[h] = seen.get(h, 0) + 1
                        arr.append(t)
                info["hosts_complete"] = sum(1 for v in seen.values() if v >= lists_per_host)
                info["span_s"] = (max(arr) - min(arr)) if arr else None
            walls.append(info.get("span_s") or info["busy_s"])
            complete.append(info["hosts_complete"])
        fb, lb = samp.busy_span(c.t0, t_first + k * interval - 1.0)
        vb = sum(complete) * per_dev
        R["rows"][key] = row(
            label, job=f"{len(JOB)} columns, " + (f"GETBULK {P['collectd_bulk']}"
                                                  if P["collectd_bulk"] else "GETNEXT")
            + f", {min(P['window'], 16)} read threads", cycles=cycles, interval_s=interval,
            devices=len(tg), live=len(tg), varbinds=vb,
            cpu_s=cpu, us_per_vb=cpu * 1e6 / vb if vb else None,
            cycle_wall_s=max((w for w in walls if w is not None), default=None),
            polled=min(complete) if complete else None, polled_of=len(tg), rss_kb=hwm,
            agents_cores=agents / elapsed, cycles_detail=cyc, warmup_cycles=k,
            warmup_busy_s=(lb - fb) if fb is not None else None, warmup_note=warm_note,
            packets=sink.packets if sink else None)
        log(f"{label}: {k} warm-up cycle(s) {warm_note}, {cycles} measured, "
            f"{cpu * 1e6 / max(vb, 1):.2f} µs/varbind, cycle walls {walls}, hosts complete "
            f"{complete}, peak RSS {(hwm or 0) / 1024:.1f} MiB")
    finally:
        if sink:
            sink.stop()
        if rrd and os.environ.get("BENCH_KEEP", "") in ("", "0"):
            shutil.rmtree(os.path.join(base, "rrd"), ignore_errors=True)


# --------------------------------------------------------------------------- snmp_exporter

def exporter_conf(work):
    d = os.path.join(work, "exporter")
    os.makedirs(d, exist_ok=True)
    types = {"ifDescr": "DisplayString", "hrStorageDescr": "DisplayString",
             "ifHCInOctets": "counter", "ifHCOutOctets": "counter", "ifInErrors": "counter",
             "ifOutErrors": "counter"}
    # snmp_exporter 0.21's format: modules at the top level, auth inside each module
    y = ["bench:", "  walk:"]
    y += [f"  - {oid}" for _, oid in JOB]
    y += ["  version: 2", f"  max_repetitions: {P['reps']}", f"  retries: {P['retries']}",
          f"  timeout: {P['timeout_ms']}ms", "  auth:", f"    community: {fleet.COMMUNITY}",
          "  metrics:"]
    for name, oid in JOB:
        idx = "ifIndex" if name.startswith("if") else "hrStorageIndex"
        y += [f"  - name: {name}", f"    oid: {oid}", f"    type: {types.get(name, 'gauge')}",
              f"    help: {name} ({oid})", "    indexes:", f"    - labelname: {idx}",
              "      type: gauge"]
    path = os.path.join(d, "snmp.yml")
    with open(path, "w") as f:
        f.write("\n".join(y) + "\n")
    return d, path


def phase_exporter(R, work, fl, key, label, cycles, counts, per_dev):
    d, conf = exporter_conf(work)
    port = 9116
    c = Child("snmp_exporter", [EXPORTER, f"--config.file={conf}",
                                f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
              os.path.join(d, "exporter.log"))
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if not c.alive():
            raise PhaseFailed(f"snmp_exporter exited {c.status}: {c.log_tail()}")
        if time.monotonic() > deadline:
            c.stop()
            raise PhaseFailed("snmp_exporter did not answer within 30 s")
        time.sleep(0.1)
    tg = targets()
    expect_if = counts["if_rows"]

    def scrape(addr):
        url = f"{base}/snmp?module=bench&target={addr}"
        try:
            with urllib.request.urlopen(url, timeout=60) as r:
                body = r.read().decode("utf-8", "replace")
                if r.status != 200:
                    return False
        except (OSError, urllib.error.HTTPError):
            return False
        return body.count("\nifHCInOctets{") >= expect_if and \
            body.count("\nhrStorageUsed{") >= counts["st_rows"]

    try:
        a0 = agents_cpu(fl)
        c0 = proc_cpu(c.pid)
        t0 = time.monotonic()
        walls, oks = [], []
        with ThreadPoolExecutor(max_workers=P["window"]) as pool:
            for _ in range(cycles):
                if time_left() < 20:
                    break
                ts = time.monotonic()
                res = list(pool.map(scrape, [a for _, a, _ in tg]))
                walls.append(time.monotonic() - ts)
                oks.append(sum(res))
        cpu = proc_cpu(c.pid) - c0
        agents = agents_cpu(fl) - a0
        hwm = proc_hwm_kb(c.pid)
        wall = time.monotonic() - t0
    finally:
        c.stop()
    vb = sum(oks) * per_dev
    R["rows"][key] = row(
        label, job=f"{len(JOB)} walks, GETBULK {P['reps']}, {P['window']} scrapes at once",
        cycles=len(walls), devices=len(tg), live=len(tg), varbinds=vb, cpu_s=cpu,
        us_per_vb=cpu * 1e6 / vb if vb else None, cycle_wall_s=max(walls) if walls else None,
        polled=min(oks) if oks else None, polled_of=len(tg), rss_kb=hwm,
        agents_cores=agents / wall if wall else None, cycle_walls=walls)
    log(f"{label}: {len(walls)} cycles, {oks} complete scrapes, "
        f"{cpu * 1e6 / max(vb, 1):.2f} µs/varbind, peak RSS {(hwm or 0) / 1024:.1f} MiB")


# --------------------------------------------------------------------------- report

def machine_info():
    info = base_info(TOP, utc=True)
    for pkg in ("snmpd", "libsnmp40", "collectd-core", "prometheus-snmp-exporter"):
        info[pkg] = cmd(["dpkg-query", "-W", "-f=${Version}", pkg]) or "?"
    try:
        with open("/proc/loadavg") as f:
            info["loadavg_start"] = f.read().split()[0]
    except OSError:
        pass
    return info


def f2(x, nd=2):
    return "—" if x is None else f"{x:,.{nd}f}"


def fint(x):
    return "—" if x is None else f"{x:,.0f}"


def report(R):
    rows = R["rows"]
    bare = rows.get("bare", {}).get("us_per_vb")
    bare_h = rows.get("bare_hbmon", {}).get("us_per_vb")
    out = ["# SNMP polling benchmark results", "",
           f"Written by `bench/snmp/run.py` on {R['machine']['date']}"
           + (" — **BENCH_QUICK=1 smoke run: sizes far below the goals', ratios only indicative**"
              if QUICK else "") + ". See bench/README.md (SNMP polling) for the method.", ""]
    c = R.get("counts", {})
    out += [f"Fleet: {P['devices']} devices (snmpd {R['machine'].get('snmpd', '?')}, "
            f"{P['per_agent']} addresses a process, {R.get('agents', '?')} processes) in network "
            f"namespace `{fleet.NETNS}`; each device has {c.get('if_rows', '?')} ifTable rows and "
            f"{c.get('st_rows', '?')} hrStorageTable rows. The job: {len(IF_COLS)} IF-MIB columns "
            f"({', '.join(n for n, _ in IF_COLS)}) and {len(ST_COLS)} hrStorageTable columns "
            f"({', '.join(n for n, _ in ST_COLS)}) = **{c.get('job', '?')} varbinds a device**, "
            f"counted from the fleet (snmpbulkwalk of one device, rows × columns) for every poller "
            f"alike. hbmon-probe polled {R.get('hbmon_mode', '?')}: "
            f"{c.get('hbmon', '?')} varbinds a device (its 4 system scalars included)"
            + ("; that is not the others' job, so compare it per varbind, and with the bare loop "
               "run on its own job" if "fixed" in R.get("hbmon_mode", "") else "") + ". "
            f"Timeout {P['timeout_ms']} ms, {P['retries']} retry, GETBULK max-repetitions "
            f"{P['reps']}, {P['window']} devices in flight, for every poller that has these knobs.",
            ""]
    # goals
    g = []

    def goal(name, value, versus, ratio, target, ok):
        g.append(f"| {name} | {value} | {versus} | {ratio} | {target} | "
                 + ("**met**" if ok is True else "**NOT met**" if ok is False else str(ok)) + " |")

    h1 = rows.get("hbmon_once", {})
    if h1.get("us_per_vb") and bare_h:
        r_ = h1["us_per_vb"] / bare_h
        goal("hbmon-probe CPU per varbind within 2× of the bare async loop, same job",
             f"{h1['us_per_vb']:.2f} µs (--once)", f"bare loop, hbmon's job: {bare_h:.2f} µs",
             f"{r_:.2f}", "≤ 2.00", r_ <= 2.0)
    hd = rows.get("hbmon_daemon", {})
    if hd.get("us_per_vb") and bare_h:
        r_ = hd["us_per_vb"] / bare_h
        goal("… the same, daemon at a 60 s interval" if not QUICK else "… the same, daemon",
             f"{hd['us_per_vb']:.2f} µs", f"{bare_h:.2f} µs", f"{r_:.2f}", "≤ 2.00", r_ <= 2.0)
    hb = h1.get("us_per_vb")
    for k, nm in (("exporter", "snmp_exporter"), ("collectd", "collectd's polling alone")):
        o = rows.get(k, {}).get("us_per_vb")
        if hb and o:
            goal(f"hbmon-probe CPU per varbind ≥ 3× lower than {nm}", f"{hb:.2f} µs",
                 f"{o:.2f} µs", f"{o / hb:.2f}× lower", "≥ 3.00×", o / hb >= 3.0)
        elif hb:
            goal(f"hbmon-probe CPU per varbind ≥ 3× lower than {nm}", f"{hb:.2f} µs",
                 rows.get(k, {}).get("status", "not run"), "—", "≥ 3.00×", "not measured")
    if hd.get("polled_of"):
        goal(f"every device polled in every cycle, {hd.get('interval_s')} s interval, "
             f"{hd['devices']} devices", f"{hd['polled']} of {hd['polled_of']} in each of "
             f"{hd['cycles']} cycles", "all", f"{hd['polled'] / hd['polled_of']:.3f}", "1.000",
             hd["polled"] == hd["polled_of"])
    hdd = rows.get("hbmon_dead_daemon", {})
    if hdd.get("polled_of"):
        goal("… with 20 % of devices dead (live ones polled every cycle, dead ones reported down)",
             f"{hdd['polled']} of {hdd['polled_of']} live, {hdd['dead_every']} of {hdd['dead']} dead",
             "all", f"{(hdd['polled'] + hdd['dead_every']) / (hdd['polled_of'] + hdd['dead']):.3f}",
             "1.000", hdd["polled"] == hdd["polled_of"] and hdd["dead_every"] == hdd["dead"])
    give_up = P["timeout_ms"] * (1 + P["retries"]) / 1000
    notes = []
    for dk in ("hbmon_dead_once", "hbmon_dead_once_wide"):
        hdo = rows.get(dk, {})
        if not (hdo.get("cycle_wall_s") and h1.get("cycle_wall_s")):
            continue
        bound = h1["cycle_wall_s"] + give_up
        goal(f"with 20 % dead, a cycle (--once, max_inflight {hdo['window']}) no longer than the "
             "live devices' cycle + one timeout × tries", f"{hdo['cycle_wall_s']:.2f} s",
             f"live cycle {h1['cycle_wall_s']:.2f} s + {P['timeout_ms'] / 1000:g} s × "
             f"{1 + P['retries']} = {bound:.2f} s", f"{hdo['cycle_wall_s'] / bound:.2f}", "≤ 1.00",
             hdo["cycle_wall_s"] <= bound)
    bd = rows.get("bare_dead", {})
    if bd.get("cycle_wall_s") and bd.get("devices", 0) > bd.get("live", 0):
        ndead = bd["devices"] - bd["live"]
        notes.append(f"For comparison, the bare loop keeps a dead device in one of its {P['window']} "
                     f"slots for the whole {give_up:g} s (timeout × tries): {ndead} dead devices "
                     f"need at least {ndead} × {give_up:g} ÷ {P['window']} = "
                     f"{ndead * give_up / P['window']:.1f} s; its 20 %-dead cycle took "
                     f"{bd['cycle_wall_s']:.2f} s.")
    for k in ("hbmon_daemon", "hbmon_once"):
        if rows.get(k, {}).get("rss_kb"):
            v = rows[k]["rss_kb"] / 1024
            goal(f"peak RSS under 32 MB, {rows[k]['devices']} devices ({k.split('_')[1]})",
                 f"{v:.1f} MiB", "32 MB = 30.5 MiB", f"{v / 30.52:.2f}", "< 1.00", v < 30.52)
    for cu_row in catchup.goal_rows(R.get("catchup")):  # the catch-up phase's goals
        goal(*cu_row)
    if g:
        out += ["## Goals", "", "| goal | hbmon | compared with | ratio | target | verdict |",
                "|---|---|---|---|---|---|", *g, ""] + [n + "\n" for n in notes]
    # table
    out += ["## Pollers", "",
            "| poller | job | varbinds measured | CPU s | µs CPU / varbind | × bare loop | "
            "cycle wall | devices polled in every cycle | peak RSS | agents busy |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for k, r in rows.items():
        if r.get("status") != "ok":
            out.append(f"| {r['poller']} | — | — | — | — | — | — | — | — | {r['status']} |")
            continue
        ref = bare_h if k.startswith("hbmon") and bare_h else bare
        ratio = f"{r['us_per_vb'] / ref:.2f}" if r.get("us_per_vb") and ref else "—"
        if k.startswith("hbmon") and bare_h and bare_h != bare:
            ratio += " (hbmon's job)"
        if r.get("cycle_wall_s") is not None:
            wall = f"{r['cycle_wall_s']:.2f} s"
            if r.get("live_done_s") and r.get("live", 0) < r.get("devices", 0):
                wall += f" (last live device done at {r['live_done_s']:.2f} s)"
        elif r.get("interval_s"):
            wall = (f"polls spread over {r['interval_s']} s; a device's samples "
                    f"{f2(r.get('min_gap_s'), 1)}–{f2(r.get('max_gap_s'), 1)} s apart")
        else:
            wall = "—"
        pol = (f"{r['polled']} / {r['polled_of']}" if r.get("polled") is not None else "—")
        if r.get("dead"):
            pol += f" live; dead reported down every cycle: {r['dead_every']} / {r['dead']}"
        elif r.get("live", 0) < r.get("devices", 0):
            pol += f" live ({r['devices'] - r['live']} dead)"
        cyc = f", {r['cycles']} cycle{'s' if r['cycles'] != 1 else ''}"
        out.append(f"| {r['poller']} | {r.get('job', '')}{cyc} | {fint(r.get('varbinds'))} | "
                   f"{f2(r.get('cpu_s'), 3)} | {f2(r.get('us_per_vb'))} | {ratio} | {wall} | "
                   f"{pol} | {f2((r.get('rss_kb') or 0) / 1024, 1)} MiB | "
                   f"{f2(r.get('agents_cores'))} cores |")
    out += ["",
            "CPU is utime+stime of the poller's process only (wait4() for bulkloop and "
            "hbmon-probe; /proc/PID/stat over the measured cycles for collectd and snmp_exporter), "
            "divided by the varbinds of the devices it polled completely in that time. Peak RSS: "
            "ru_maxrss / VmHWM. \"agents busy\": CPU of all snmpd processes over the phase's wall "
            "time (1.00 = one core). collectd: the first cycle (start-up, RRD file creation) is "
            "not measured; its cycle wall is the span of its network writer's packets (polling) "
            "or of its CPU activity (rrdtool). snmp_exporter: every target scraped once a cycle, "
            f"{P['window']} HTTP requests at once; cycle wall is the time to scrape them all. "
            "hbmon-probe daemon: a device counts when it was sampled up with every row, as often "
            "as there were cycles.", ""]
    out += catchup.section(R.get("catchup"))
    m = R["machine"]
    out += ["## Machine and parameters", "", "| | |", "|---|---|"]
    for k in ("date", "nproc", "cpu", "kernel", "loadavg_start", "snmpd", "collectd-core",
              "prometheus-snmp-exporter", "commit"):
        out.append(f"| {k} | {m.get(k, '?')} |")
    out.append(f"| parameters | {json.dumps({k: v for k, v in P.items()})} |")
    out.append(f"| run time | {R.get('elapsed_s', 0):.0f} s |")
    if R.get("errors"):
        out += ["", "## Errors", ""] + [f"- {e}" for e in R["errors"]]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- main

def phase(R, key, label, fn, *a):
    if time_left() < 5:
        R["rows"][key] = failed_row(label, "skipped: time budget used up")
        return
    try:
        fn(*a)
    except PhaseFailed as e:
        R["rows"][key] = failed_row(label, str(e))
        log(f"{label}: {e}")
    except Exception as e:  # noqa: BLE001 - one phase failing does not stop the others
        R["rows"][key] = failed_row(label, f"{type(e).__name__}: {e}")
        R["errors"].append(f"{label}: {one_line(traceback.format_exc(), 600)}")
        log(f"{label}: {traceback.format_exc()}")
    finally:
        kill_all()


def inner(work):
    def on_signal(*_):
        raise KeyboardInterrupt()
    # explicitly: a shell starts background jobs with SIGINT ignored, and that is inherited
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    R = {"rows": {}, "errors": [], "params": P, "machine": machine_info(), "quick": QUICK}
    fl = None
    sink = None
    try:
        use_workbin(work)
        build_helpers()
        ensure_probe()
        for exe in (COLLECTD, EXPORTER, "/usr/sbin/snmpd"):
            if not os.path.exists(exe):
                R["errors"].append(f"{exe} missing (make deps)")
        log(f"fleet: {P['devices']} devices, {P['per_agent']} a snmpd process")
        fl = fleet.Fleet(work, P["devices"], P["per_agent"], log=log)
        fl.start()
        fl.wait_ready(60)
        R["agents"] = len(fl.procs)
        # the job's size, from the fleet: rows of every column on the first and last device
        rows_ = {}
        for n, oid in JOB + LEGACY_COLS:
            if n not in rows_:
                rows_[n] = fl.walk(fleet.device_addr(0), oid)
        last = {n: fl.walk(fleet.device_addr(P["devices"] - 1), oid) for n, oid in JOB}
        if any(last[n] != rows_[n] for n in last):
            R["errors"].append(f"devices differ: first {rows_}, last {last}")
        counts = dict(if_rows=rows_["ifDescr"], st_rows=rows_["hrStorageDescr"],
                      job=sum(rows_[n] for n, _ in JOB),
                      legacy=len(SYS) + sum(rows_[n] for n, _ in LEGACY_COLS), columns=rows_)
        hb, mode = hbmon_mode(work)
        profiles = hb[0]
        counts["hbmon"] = len(SYS) + counts["job"] if profiles else counts["legacy"]
        R["counts"], R["hbmon_mode"] = counts, mode
        hb_cols = JOB if profiles else LEGACY_COLS
        hb_reps = P["reps"] if profiles else LEGACY_REPS
        R["hbmon_job"] = (f"{len(SYS)} scalars + {len(hb_cols)} columns, GETBULK {hb_reps}, "
                          f"{P['window']} in flight")
        log(f"job: {counts['job']} varbinds a device ({counts['if_rows']} interfaces, "
            f"{counts['st_rows']} storage rows); hbmon-probe: {mode}, {counts['hbmon']} varbinds")
        sink = IngestSink(0)
        live, dead = targets(), targets(dead=True)

        phase(R, "bare", "bare async GETBULK loop (floor)", phase_bare, R, work, fl, "bare",
              "bare async GETBULK loop (floor)", live, JOB, None, None, counts["job"])
        phase(R, "bare_hbmon", "bare loop, hbmon-probe's job", phase_bare, R, work, fl,
              "bare_hbmon", "bare loop, hbmon-probe's job", live, hb_cols, SYS, hb_reps,
              counts["hbmon"])
        phase(R, "hbmon_once", "hbmon-probe --once", phase_hbmon_once, R, work, fl, sink,
              "hbmon_once", "hbmon-probe --once", live, hb, counts["hbmon"], counts)
        phase(R, "hbmon_daemon", "hbmon-probe daemon", phase_hbmon_daemon, R, work, fl, sink,
              "hbmon_daemon", f"hbmon-probe daemon, interval {P['interval']} s", live, hb,
              counts["hbmon"], counts, P["daemon_cycles"])
        phase(R, "collectd", "collectd snmp, polling", phase_collectd, R, work, fl, "collectd",
              "collectd snmp plugin, polling (network writer)", False, P["collectd_cycles"],
              counts, counts["job"])
        phase(R, "collectd_rrd", "collectd snmp + rrdtool", phase_collectd, R, work, fl,
              "collectd_rrd", "collectd snmp plugin + rrdtool writer", True,
              P["collectd_rrd_cycles"], counts, counts["job"])
        phase(R, "exporter", "snmp_exporter", phase_exporter, R, work, fl, "exporter",
              "prometheus-snmp-exporter", P["exporter_cycles"], counts, counts["job"])
        phase(R, "bare_dead", "bare loop, 20 % dead", phase_bare, R, work, fl, "bare_dead",
              "bare loop, 20 % dead", dead, JOB, None, None, counts["job"])
        phase(R, "hbmon_dead_once", "hbmon-probe --once, 20 % dead", phase_hbmon_once, R, work,
              fl, sink, "hbmon_dead_once", "hbmon-probe --once, 20 % dead", dead, hb,
              counts["hbmon"], counts)
        if P["wide_window"] > P["window"]:
            lbl = f"hbmon-probe --once, 20 % dead, max_inflight {P['wide_window']}"
            phase(R, "hbmon_dead_once_wide", lbl, phase_hbmon_once, R, work, fl, sink,
                  "hbmon_dead_once_wide", lbl, dead, hb, counts["hbmon"], counts,
                  P["wide_window"])
        phase(R, "hbmon_dead_daemon", "hbmon-probe daemon, 20 % dead", phase_hbmon_daemon, R,
              work, fl, sink, "hbmon_dead_daemon",
              f"hbmon-probe daemon, interval {P['interval']} s, 20 % dead", dead, hb,
              counts["hbmon"], counts, P["dead_daemon_cycles"])
        # --- catch-up (bench/snmp/catchup.py): 2 h of spool replayed to a real collector while
        # the daemon polls the same fleet; BENCH_CATCHUP=0 skips it
        if catchup.ENABLED:
            R["catchup"] = catchup.run_phase(sys.modules[__name__], work, fl)
            kill_all()
    except KeyboardInterrupt:
        R["errors"].append("interrupted")
        log("interrupted")
    except Exception as e:  # noqa: BLE001
        R["errors"].append(one_line(f"{type(e).__name__}: {e}"))
        log(traceback.format_exc())
    finally:
        kill_all()
        if sink:
            sink.close()
        if fl:
            fl.stop()
    R["elapsed_s"] = time.time() - STARTED
    md = report(R)
    os.makedirs(BIN, exist_ok=True)  # build/ may have been cleaned meanwhile
    with open(RESULTS_JSON, "w") as f:
        json.dump(R, f, indent=1, default=str)
    if "interrupted" not in R["errors"]:
        with open(RESULTS, "w") as f:
            f.write(md)
        if not QUICK:
            summarize_in_bench_results(md)
    print(md)
    return 0 if not R["errors"] and all(r.get("status") == "ok" for r in R["rows"].values()) else 1


def outer():
    if os.geteuid() != 0:
        print("bench/snmp/run.py: needs root (network namespace)", file=sys.stderr)
        return 2
    parent = os.environ.get("BENCH_DIR") or None
    work = tempfile.mkdtemp(prefix="hbmon-snmp-bench-", dir=parent)
    os.chmod(work, 0o755)
    rc = 1
    child = None

    def on_term(*_):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    try:
        log(f"network namespace {fleet.NETNS}, work directory {work}")
        fleet.netns_create(P["nifs"])
        child = subprocess.Popen(fleet.in_netns_argv([sys.executable, os.path.abspath(__file__),
                                                      "--inner", work]))
        rc = child.wait()
    except KeyboardInterrupt:
        if child and child.poll() is None:
            child.send_signal(signal.SIGINT)
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
        rc = 130
    except Exception as e:  # noqa: BLE001
        print(f"bench/snmp/run.py: {e}", file=sys.stderr)
        rc = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        fleet.netns_destroy(log=log)
        if os.environ.get("BENCH_KEEP", "") in ("", "0"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept {work}")
    return rc


MARK_BEGIN, MARK_END = "<!-- snmp-polling: written by bench/snmp/run.py -->", "<!-- /snmp-polling -->"


def summarize_in_bench_results(md):
    """bench/RESULTS.md carries every benchmark's numbers: this run's report goes in its own
    section there (headings one level down), which bench/run.py keeps when it rewrites the
    storage part."""
    body = "\n".join("#" + line if line.startswith("#") else line for line in md.splitlines())
    write_marked_section(os.path.join(os.path.dirname(HERE), "RESULTS.md"), MARK_BEGIN, MARK_END,
                         f"{body.strip()}\n\n(Full report: bench/snmp/RESULTS.md; raw numbers: "
                         "build/bench/snmp-results.json.)")


def report_only(path):
    """Writes RESULTS.md again from a results JSON of an earlier run (no measurement)."""
    global QUICK
    with open(path) as f:
        R = json.load(f)
    P.update(R["params"])
    QUICK = R.get("quick", False)
    md = report(R)
    with open(RESULTS, "w") as f:
        f.write(md)
    print(md)
    return 0


if __name__ == "__main__":
    if len(sys.argv) in (2, 3) and sys.argv[1] == "--report":
        sys.exit(report_only(sys.argv[2] if len(sys.argv) == 3 else RESULTS_JSON))
    if len(sys.argv) == 3 and sys.argv[1] == "--inner":
        sys.exit(inner(sys.argv[2]))
    sys.exit(outer())
