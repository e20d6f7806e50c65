#!/usr/bin/python3
"""Catch-up benchmark of hbmon-probe's spool (bench/README.md, "Catch-up").

The requirement: a probe with 1,000 devices and 2 hours of spooled 1-minute data delivers it
while live polling continues: caught up in under 5 minutes on this machine, live samples never
more than one interval late; and the spool's bytes per device-hour.

How (inside the SNMP bench's network namespace, on its snmpd fleet):
  1. one real cycle is captured: hbmon-probe --once posts to a capture server of ours;
  2. a real collector (build/hbmon-collector, rrd_step 60, rrdcached) is started with an
     inventory of the same devices and issues the probe's credential (`probe add`); one cycle
     dated before the spool creates every RRD file (a collector that had the devices before the
     outage has them; not timed);
  3. 2 hours of batches are made from the captured samples the way the daemon writes them (its
     polls spread over the 60 s interval, a batch flushed about every second: about 17 devices
     a batch, 60 a minute), timestamps in the 2 hours before now, counters advancing, and
     stored with bench/spoolfill.c (probe/spool.c's spool_append, the probe's own code);
  4. hbmon-probe starts as a daemon (interval 60, that spool, replay_per_s default) against
     the collector; the collector's /metrics is read every 0.5 s: the backlog the probe
     reports (hbmon_probe_spool_batches) and the age of the batch in flight
     (hbmon_probe_spool_oldest_age_seconds). Caught up: the first post that leaves nothing
     behind it; live lateness: the largest age while the batch in flight is one this process
     made (made after it started), and the probe's own "caught up" log line when it has one;
  5. nothing lost: rrdcached's received updates against what the spool held, and `rrdtool fetch
     --daemon` of a few devices' files: every 60 s row of the 2 hours has a value.

Disk: the collector makes its RRD files full size (about 1.1 MB an interface file, 0.6 MB the
others), so a device of the SNMP bench's fleet (42 interfaces, 11 storage rows: 54 files, about
55 MB) times 1,000 would need 55 GB. The catch-up device keeps the first BENCH_CATCHUP_ROWS (4)
rows of each table (`[probe] max_rows`): 9 files a device (a district's device has about 13),
about 7.4 GB for 1,000. The spool's bytes per device-hour are also given for the full device,
from a captured cycle.

Runs as a phase of bench/snmp/run.py (at its end; BENCH_CATCHUP=0 skips it), or alone:
    /usr/bin/python3 bench/snmp/catchup.py                  1,000 devices, 2 h of spool
    BENCH_QUICK=1 /usr/bin/python3 bench/snmp/catchup.py    100 devices, 10 minutes of spool
(as root: it makes the namespace, runs itself inside it, deletes it at the end). Alone, a full
run puts its Goals rows and its section into bench/snmp/RESULTS.md (replacing the catch-up ones),
a quick run only prints them. Environment: BENCH_BUILD (binaries' directory, default build),
BENCH_QUICK, BENCH_DIR, BENCH_KEEP, BENCH_SNMP_RESULTS, BENCH_CATCHUP_DEVICES,
BENCH_CATCHUP_MINUTES, BENCH_CATCHUP_ROWS, BENCH_CATCHUP_LIMIT (seconds the replay may take
before the bench gives up, default 420). Standard library only.
"""
import base64
import http.server
import json
import os
import re
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

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.dirname(HERE))
sys.dont_write_bytecode = True
import fleet  # noqa: E402
from benchinfo import base_info  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
ENABLED = os.environ.get("BENCH_CATCHUP", "1") not in ("", "0")
BUILD_DIR = os.path.join(TOP, os.environ.get("BENCH_BUILD", "") or "build")
PROBE_NAME = "bench"
IF_FILE_MB = 1_135_008 / 1e6   # an interface RRD file as rrdstore.c creates it (bench/run.py)
OTHER_FILE_MB = 567_504 / 1e6  # system.rrd, a 3-value group row


def _env_int(name, default, lo, hi):
    v = os.environ.get(name, "").strip()
    return min(max(int(v), lo), hi) if v.isdigit() else default


CU = dict(devices=1000, minutes=120, interval=60, rows=4, limit_s=420, after_s=20,
          check_devices=5, goal_s=300, replay_per_s=None, spool_mb=512)
if QUICK:
    CU.update(devices=100, minutes=10, limit_s=90, after_s=10, check_devices=3)
CU["devices"] = _env_int("BENCH_CATCHUP_DEVICES", CU["devices"], 10, 2500)
CU["minutes"] = _env_int("BENCH_CATCHUP_MINUTES", CU["minutes"], 5, 24 * 60)
CU["rows"] = _env_int("BENCH_CATCHUP_ROWS", CU["rows"], 1, 4096)
CU["limit_s"] = _env_int("BENCH_CATCHUP_LIMIT", CU["limit_s"], 30, 3600)

CAUGHT_RE = re.compile(r"caught up:\s*(\d+)\s*batches sent in\s*([\d.]+)\s*s.*?"
                       r"at most\s*(-?\d+(?:\.\d+)?)\s*s", re.S)


# --------------------------------------------------------------------------- small helpers

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_get(url, timeout=10):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def metrics(base):
    st, body = http_get(base + "/metrics", timeout=10)
    if st != 200:
        raise RuntimeError(f"/metrics answered {st}")
    out = {}
    for line in body.decode("utf-8", "replace").splitlines():
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?)\s+(-?[0-9.eE+]+)$", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def mdelta(a, b, name):
    return b.get(name, 0) - a.get(name, 0) if name in b else None


def rrdcached_stats(sock):
    """rrdcached's STATS as a dict (UpdatesReceived, ...)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(sock)
    s.sendall(b"STATS\n")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
        lines = data.decode("utf-8", "replace").splitlines()
        if lines and lines[0].split()[0].lstrip("-").isdigit():
            if len(lines) - 1 >= int(lines[0].split()[0]):
                break
    s.close()
    out = {}
    for line in data.decode("utf-8", "replace").splitlines()[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            try:
                out[k.strip()] = int(v.strip())
            except ValueError:
                pass
    return out


def dir_bytes(d):
    """(sum of st_size, sum of allocated bytes) of the spool's segment files."""
    size = alloc = 0
    for n in os.listdir(d):
        if n.startswith("seg-"):
            st = os.stat(os.path.join(d, n))
            size += st.st_size
            alloc += st.st_blocks * 512
    return size, alloc


class Capture:
    """A stand-in for /api/v1/ingest that answers 200 and keeps every body."""

    def __init__(self):
        self.bodies = []
        cap = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                n = int(self.headers.get("Content-Length") or 0)
                cap.bodies.append(self.rfile.read(n))
                out = b'{"accepted":0}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def do_GET(self):  # noqa: N802 - the assignment: none here, the probe uses its inventory
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.srv.daemon_threads = True
        self.port = self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def samples(self):
        """Every sample, by device name (the last one seen)."""
        out = {}
        for b in self.bodies:
            for s in json.loads(b)["samples"]:
                out[s["device"]] = s
        return out

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


# --------------------------------------------------------------------------- configuration

def write_inventory(d, tg, cls):
    """The devices as bench/snmp/run.py's hbmon_write lists them (the same names, communes,
    addresses, class), read by the collector and the probe alike."""
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "inventory.csv"), "w", encoding="utf-8") as f:
        f.write("commune,site,site_type,device,class,address,snmp,contact\n")
        for i, (name, addr, _) in enumerate(tg):
            f.write(f"c{i // 50 + 1:02d},s1,bench,{name},{cls},{addr},public,\n")
    cred = os.path.join(d, "credentials.conf")
    with open(cred, "w", encoding="utf-8") as f:
        f.write(f"[public]\nversion = 2c\ncommunity = {fleet.COMMUNITY}\n")
    os.chmod(cred, 0o600)


def write_conf(d, rp, port, profiles, max_rows, spool_dir, spool_mb, secret, sock=None):
    """One hbmon.conf for the collector and the probe (rp: bench/snmp/run.py's P)."""
    path = os.path.join(d, "hbmon.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"""; written by bench/snmp/catchup.py
[general]
district = Bench
language = en
inventory = inventory.csv
credentials = credentials.conf
data_dir = {d}/data
dashboards_dir = {TOP}/dashboards
default_probe = {PROBE_NAME}

[collector]
listen_address = 127.0.0.1
listen_port = {port}
rrd_step = 60
stale_after = 600
; the warm-up cycle makes every device's files at once
max_new_files_per_minute = 10000000
""")
        if sock:
            f.write(f"rrdcached = unix:{sock}\n")
        f.write(f"""
[probe]
name = {PROBE_NAME}
secret_file = {secret}
collector_url = http://127.0.0.1:{port}/api/v1/ingest
spool_dir = {spool_dir}
spool_mb = {spool_mb}
interval = {CU['interval']}
timeout_ms = {rp['timeout_ms']}
retries = {rp['retries']}
max_inflight = {rp['window']}
batch_max = 100
ping_snmp = 0
""")
        if max_rows:
            f.write(f"max_rows = {max_rows}\n")
        if profiles:
            f.write(f"profiles = {profiles}\n")
        f.write("\n[site-type bench]\nlabel_vi = Bench\nlabel_en = Bench\n")
    return path


def random_secret(path):
    if not os.path.exists(path):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, os.urandom(32).hex().encode() + b"\n")
        os.close(fd)


# --------------------------------------------------------------------------- the daemon's batches

def offsets(n, interval):
    """When in its interval the daemon polls device i: its first polls are spread over
    min(interval, n / 16) seconds (probe/main.c FIRST_ROUND_PER_S) and every device then comes
    once an interval."""
    spread = min(float(interval), n / 16.0)
    return [spread * i / n for i in range(n)]


def batch_plan(offs, batch_max=100, flush_s=1.0):
    """Devices of each batch in one interval: a batch is flushed 1 s after its first sample
    (FLUSH_MS) or at batch_max samples. [(first offset, [device indexes])]"""
    plan, cur, t_b = [], [], None
    for i, o in enumerate(offs):
        if cur and (o >= t_b + flush_s or len(cur) >= batch_max):
            plan.append((t_b, cur))
            cur = []
        if not cur:
            t_b = o
        cur.append(i)
    if cur:
        plan.append((t_b, cur))
    return plan


class Templates:
    """A device's captured sample, re-encoded with its timestamp, uptime and octet counters
    moved on by m minutes (1 Mbit/s each way on every interface)."""

    def __init__(self, samples):
        self.s = samples  # list of dicts, in device order

    def encode(self, i, ts, m):
        s = self.s[i]
        s["ts"] = ts
        sysd = s.get("sys")
        base = s.setdefault("_base", {})
        if isinstance(sysd, dict) and "uptime" in sysd:
            base.setdefault("uptime", sysd["uptime"])
            sysd["uptime"] = (base["uptime"] + m * 6000) % (1 << 32)
        for k, f in enumerate(s.get("if") or []):
            for key in ("in_octets", "out_octets"):
                if key in f:
                    b = base.setdefault(f"{key}{k}", f[key])
                    f[key] = b + m * 7_500_000
        b = s.pop("_base")
        txt = json.dumps(s, separators=(",", ":"), ensure_ascii=False)
        s["_base"] = b
        return txt


def make_batches(tpl, n, t_start, minutes, interval, epoch, seq0):
    """Yields (wall, body bytes, samples in it) for `minutes` intervals from t_start."""
    plan = batch_plan(offsets(n, interval))
    offs = offsets(n, interval)
    seq = seq0
    env_epoch = f'"epoch":"{epoch}",' if epoch else ""
    for m in range(minutes):
        t_m = t_start + m * interval
        for t_b, devs in plan:
            parts = [tpl.encode(i, int(t_m + offs[i] + 0.05), m) for i in devs]
            body = (f'{{"version":1,"probe":"{PROBE_NAME}",{env_epoch}"seq":{seq},"samples":['
                    + ",".join(parts) + "]}").encode("utf-8")
            yield int(t_m + t_b + 1.0), body, len(devs)
            seq += 1


def files_per_sample(s):
    """RRD files a sample updates: system.rrd, one per interface, one per stored group row."""
    n = 1 + len(s.get("if") or [])
    for g in s.get("groups") or []:
        if isinstance(g, dict) and g.get("rrd", True) is not False and (g.get("v") or g.get("c")):
            n += 1
    return n


def per_device_hour(tpl_samples, n, interval):
    """Spool payload bytes and record bytes (28-byte header each) per device-hour, from one
    interval's batches made of these samples."""
    tpl = Templates([dict(s) for s in tpl_samples])
    payload = recs = 0
    for _, body, _ in make_batches(tpl, n, int(time.time()) - 3600, 1, interval,
                                   "0123456789abcdef", 1):
        payload += len(body)
        recs += 1
    per_h = 3600.0 / interval
    return payload * per_h / n, (payload + 28 * recs) * per_h / n, recs


# --------------------------------------------------------------------------- the phase

class Ctx:
    """What the phase needs of bench/snmp/run.py (the module, passed in: as run.py's __main__
    or imported by the standalone run)."""

    def __init__(self, rn):
        self.rn = rn
        self.log = lambda msg: rn.log("catch-up: " + msg)


def copy_bins(work):
    d = os.path.join(work, "bin", "catchup")
    os.makedirs(d, exist_ok=True)
    out = {}
    for n in ("hbmon-probe", "hbmon-collector"):
        src = os.path.join(BUILD_DIR, n)
        if not os.path.exists(src):
            raise RuntimeError(f"{src} missing (make BUILD={os.path.relpath(BUILD_DIR, TOP)} all)")
        shutil.copy2(src, os.path.join(d, n))
        out[n] = os.path.join(d, n)
    exe = os.path.join(d, "spoolfill")
    r = subprocess.run(["cc", "-O2", "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra",
                        "-I" + os.path.join(TOP, "common"), "-I" + os.path.join(TOP, "probe"),
                        "-o", exe, os.path.join(TOP, "bench", "spoolfill.c"),
                        os.path.join(TOP, "probe", "spool.c"), os.path.join(TOP, "common", "log.c"),
                        "-lz"], capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("bench/spoolfill.c does not compile: " + " ".join(r.stderr.split())[:300])
    out["spoolfill"] = exe
    return out


def capture(cx, bins, d, tg, hb, max_rows, tag):
    """One --once cycle of hbmon-probe to a capture server: {device: sample}."""
    rn = cx.rn
    cd = os.path.join(d, f"capture-{tag}")
    write_inventory(cd, tg, hb[1])
    random_secret(os.path.join(cd, "probe.secret"))
    cap = Capture()
    try:
        conf = write_conf(cd, rn.P, cap.port, hb[0], max_rows, os.path.join(cd, "spool"), 64,
                          "probe.secret")
        c = rn.Child("hbmon-probe --once", [bins["hbmon-probe"], "-c", conf, "--once"],
                     os.path.join(cd, "probe.log"))
        if not c.wait(120):
            c.stop(signal.SIGKILL)
            raise RuntimeError("hbmon-probe --once did not finish in 120 s")
        if c.status != 0:
            raise RuntimeError(f"hbmon-probe --once exited {c.status}: {c.log_tail()}")
        got = cap.samples()
    finally:
        cap.close()
    up = [n for n, _, _ in tg if got.get(n, {}).get("up")]
    if len(up) < len(tg):
        raise RuntimeError(f"capture {tag}: {len(up)} of {len(tg)} devices answered")
    return [got[n] for n, _, _ in tg], sum(len(b) for b in cap.bodies), len(cap.bodies)


class Daemons:
    def __init__(self):
        self.rcd = self.col = None


def start_collector(cx, bins, d, conf, sock, dm):
    rn = cx.rn
    rc_dir = os.path.join(d, "rrdcached")
    jdir = os.path.join(rc_dir, "journal")
    os.makedirs(jdir, exist_ok=True)
    exe = shutil.which("rrdcached") or "/usr/bin/rrdcached"
    if not os.path.exists(exe):
        raise RuntimeError("rrdcached is not installed")
    # as bench/run.py runs it: nothing written back to the files during the measurement
    # (-w 3600), the journal kept; no -F: the files are thrown away at the end
    dm.rcd = rn.Child("rrdcached", [exe, "-g", "-l", "unix:" + sock, "-p",
                                    os.path.join(rc_dir, "pid"), "-j", jdir, "-b", rc_dir,
                                    "-w", "3600", "-f", "7200"],
                      os.path.join(rc_dir, "rrdcached.log"))
    end = time.time() + 20
    while not os.path.exists(sock):
        if not dm.rcd.alive() or time.time() > end:
            raise RuntimeError("rrdcached did not start: " + dm.rcd.log_tail())
        time.sleep(0.05)
    os.makedirs(os.path.join(d, "data"), exist_ok=True)
    secret = os.path.join(d, "probe.secret")
    r = subprocess.run([bins["hbmon-collector"], "-c", conf, "probe", "add", PROBE_NAME,
                        "--secret-file", secret], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("hbmon-collector probe add: " + " ".join((r.stderr or r.stdout).split())[:300])
    dm.col = rn.Child("hbmon-collector", [bins["hbmon-collector"], "-c", conf],
                      os.path.join(d, "collector.log"))
    return secret


def wait_http(base, child, what, timeout=30):
    end = time.time() + timeout
    while True:
        try:
            if http_get(base + "/metrics", timeout=2)[0] == 200:
                return
        except OSError:
            pass
        if not child.alive():
            raise RuntimeError(f"{what} exited {child.status}: {child.log_tail()}")
        if time.time() > end:
            raise RuntimeError(f"{what} did not answer /metrics within {timeout} s")
        time.sleep(0.1)


def post(base, secret, body, timeout=120):
    req = urllib.request.Request(base + "/api/v1/ingest", data=body, method="POST",
                                 headers={"Content-Type": "application/json",
                                          "Authorization": "Basic " + base64.b64encode(
                                              f"{PROBE_NAME}:{secret}".encode()).decode()})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def warm_up(cx, base, secret, tpl, n, t0):
    """One interval dated t0 (before the spool) through the ingest: every RRD file made."""
    for _, body, _ in make_batches(tpl, n, t0, 1, CU["interval"], None, 1):
        for _ in range(60):
            st, ans = post(base, secret, body)
            if st == 200:
                break
            if st != 503:
                raise RuntimeError(f"warm-up post answered {st}: {ans[:200]!r}")
            time.sleep(0.5)
        else:
            raise RuntimeError("warm-up post: 503 for 30 s")


def fill_spool(cx, bins, spool_dir, cap_mb, tpl, n, t_start, minutes):
    r = subprocess.run([bins["spoolfill"], spool_dir, str(cap_mb), "epoch"], capture_output=True,
                       text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("spoolfill epoch: " + r.stderr.strip()[-300:])
    info = json.loads(r.stdout)
    p = subprocess.Popen([bins["spoolfill"], spool_dir, str(cap_mb), "append"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    batches = samples = 0
    max_wall = 0
    try:
        for wall, body, k in make_batches(tpl, n, t_start, minutes, CU["interval"],
                                          info["epoch"], info["last_seq"] + 1):
            p.stdin.write(struct.pack("<Qq", len(body), wall) + body)
            batches += 1
            samples += k
            max_wall = max(max_wall, wall)
        p.stdin.close()
    except BrokenPipeError:
        pass
    out = p.stdout.read()
    err = p.stderr.read()
    p.wait(60)
    if p.returncode != 0:
        raise RuntimeError("spoolfill append: " + err.decode(errors="replace").strip()[-300:])
    res = json.loads(out.decode().strip().splitlines()[-1])
    res.update(epoch=info["epoch"], batches=batches, samples=samples, max_wall=max_wall)
    if res["appended"] != batches or res["lost_batches"]:
        raise RuntimeError(f"spoolfill stored {res['appended']} of {batches} batches, "
                           f"{res['lost_batches']} lost (spool_mb {cap_mb})")
    return res


def rrd_fetch(sock, path, start, end):
    """[(row end time, first value or None)] from rrdtool fetch through rrdcached."""
    r = subprocess.run(["rrdtool", "fetch", "--daemon", "unix:" + sock, path, "AVERAGE",
                        "-r", "60", "-s", str(start), "-e", str(end)],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"rrdtool fetch {os.path.basename(path)}: {r.stderr.strip()[-200:]}")
    rows = []
    for line in r.stdout.splitlines():
        if ":" not in line:
            continue
        t, vals = line.split(":", 1)
        if not t.strip().isdigit():
            continue
        v = vals.split()
        x = v[0] if v else "nan"
        rows.append((int(t), None if "nan" in x.lower() else float(x)))
    return rows


def check_rows(sock, data, commune, dev, files, t_from, t_to):
    """Rows ending in [t_from, t_to] of each file: (rows with a value, rows expected)."""
    have = want = 0
    missing = []
    for f in files:
        path = os.path.join(data, "rrd", commune, dev, f)
        rows = [(t, v) for t, v in rrd_fetch(sock, path, t_from - 60, t_to) if t_from <= t <= t_to]
        want += (t_to - t_from) // 60 + 1
        have += sum(1 for _, v in rows if v is not None)
        missing += [f"{f}@{t}" for t, v in rows if v is None][:3]
    return have, want, missing


def run_phase(rn, work, fl):
    """The catch-up measurement; returns its results (status "ok" or "failed: why")."""
    cx = Ctx(rn)
    t_phase = time.monotonic()
    cu = {"status": "ok", "params": dict(CU), "quick": QUICK, "build": os.path.relpath(BUILD_DIR, TOP)}
    cu.update({k: v for k, v in base_info(TOP, utc=True).items() if k in ("date", "commit")})
    dm = Daemons()
    d = os.path.join(work, "catchup")
    try:
        measure(cx, work, fl, d, cu, dm)
    except Exception as e:  # noqa: BLE001 - the phase reports, the run goes on
        cu["status"] = "failed: " + rn.one_line(f"{type(e).__name__}: {e}" if not isinstance(
            e, RuntimeError) else str(e), 300)
        cx.log(traceback.format_exc())
    finally:
        for c in (dm.col, dm.rcd):
            if c is not None:
                try:
                    c.stop(timeout=20)
                except Exception:  # noqa: BLE001
                    pass
        if os.environ.get("BENCH_KEEP", "") in ("", "0"):
            shutil.rmtree(os.path.join(d, "data", "rrd"), ignore_errors=True)
            shutil.rmtree(os.path.join(d, "rrdcached"), ignore_errors=True)
    cu["phase_s"] = time.monotonic() - t_phase
    cx.log(f"{cu['status']}; phase took {cu['phase_s']:.0f} s")
    return cu


def measure(cx, work, fl, d, cu, dm):
    rn = cx.rn
    log = cx.log
    n = min(CU["devices"], fl.ndevices)
    cu["devices"] = n
    os.makedirs(d, exist_ok=True)
    bins = copy_bins(work)
    tg = rn.targets()[:n]
    hb = (rn.hbmon_profiles_dir(work, "other"), "other")

    # 1. one real cycle: the catch-up device (max_rows) and, for its bytes, the full one
    full, full_bytes, _ = capture(cx, bins, d, tg, hb, None, "full")
    dev, cap_bytes, cap_batches = capture(cx, bins, d, tg, hb, CU["rows"], "catchup")
    nifs = [len(s.get("if") or []) for s in dev]
    ngroups = [files_per_sample(s) - 1 - len(s.get("if") or []) for s in dev]
    fps = sum(files_per_sample(s) for s in dev)
    cu.update(ifs=max(nifs), group_rows=max(ngroups), files_per_device=fps / n,
              full_ifs=max(len(s.get("if") or []) for s in full),
              full_files_per_device=sum(files_per_sample(s) for s in full) / n,
              full_rrd_gb=sum(len(s.get("if") or []) * IF_FILE_MB
                              + (files_per_sample(s) - len(s.get("if") or [])) * OTHER_FILE_MB
                              for s in full) / 1e3)
    fp, fr, _ = per_device_hour(full, n, CU["interval"])
    cu["full_payload_per_dev_h"], cu["full_record_per_dev_h"] = fp, fr
    log(f"captured {n} devices: {cu['ifs']} interfaces + {cu['group_rows']} storage rows a device "
        f"({cu['files_per_device']:.0f} RRD files); the full device ({cu['full_ifs']} interfaces): "
        f"{fr / 1024:.0f} KiB a device-hour in the spool")

    # disk for the collector's files
    need_gb = sum(ni * IF_FILE_MB + (1 + ng) * OTHER_FILE_MB for ni, ng in zip(nifs, ngroups)) / 1e3
    st = os.statvfs(d)
    free_gb = st.f_bavail * st.f_frsize / 1e9
    cu["rrd_gb"] = need_gb
    if free_gb < need_gb + 5:
        raise RuntimeError(f"the collector's RRD files need {need_gb:.1f} GB, {free_gb:.1f} GB free "
                           "(BENCH_CATCHUP_ROWS, BENCH_CATCHUP_DEVICES)")

    # 2. the collector, rrdcached, the probe's credential
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sock = os.path.join(d, "rrdcached.sock")
    spool_dir = os.path.join(d, "spool")
    write_inventory(d, tg, hb[1])
    # spool cap: the default, unless 2 h of this device do not fit (then said in the report)
    est_mb = cap_bytes * 1.1 * CU["minutes"] / 2**20  # one cycle's bodies, `minutes` times
    cap_mb = CU["spool_mb"] if est_mb * 1.2 < CU["spool_mb"] else int(est_mb * 1.5) + 16
    cu["spool_mb"] = cap_mb
    conf = write_conf(d, rn.P, port, hb[0], CU["rows"], spool_dir, cap_mb, "probe.secret", sock)
    secret_file = start_collector(cx, bins, d, conf, sock, dm)
    wait_http(base, dm.col, "hbmon-collector")
    with open(secret_file) as f:
        secret = f.read().strip()
    tpl = Templates(dev)
    t = time.monotonic()
    warm_t0 = (int(time.time()) // 60) * 60 - (CU["minutes"] + 10) * CU["interval"]
    warm_up(cx, base, secret, tpl, n, warm_t0)
    m_w = metrics(base)
    cu["warmup_s"] = time.monotonic() - t
    cu["files_created"] = m_w.get("hbmon_rrd_files_created_total")
    log(f"warm-up: {cu['files_created']:.0f} RRD files made in {cu['warmup_s']:.1f} s")
    if m_w.get("hbmon_rrd_files_refused_total", 0):
        raise RuntimeError(f"the collector refused {m_w['hbmon_rrd_files_refused_total']:.0f} files")

    # 3. the spool: `minutes` intervals ending now
    t_start = (int(time.time()) // 60) * 60 - CU["minutes"] * CU["interval"]
    t = time.monotonic()
    sp = fill_spool(cx, bins, spool_dir, cap_mb, tpl, n, t_start, CU["minutes"])
    cu["fill_s"] = time.monotonic() - t
    size, alloc = dir_bytes(spool_dir)
    hours = CU["minutes"] * CU["interval"] / 3600.0
    cu.update(spool_batches=sp["batches"], spool_samples=sp["samples"],
              spool_payload=sp["payload_bytes"], spool_file_bytes=size, spool_alloc_bytes=alloc,
              spool_t_start=t_start, spool_hours=hours, spool_max_wall=sp["max_wall"],
              payload_per_dev_h=sp["payload_bytes"] / n / hours,
              file_per_dev_h=size / n / hours, alloc_per_dev_h=alloc / n / hours,
              spool_updates=sp["samples"] * fps / n)
    log(f"spool: {sp['batches']} batches, {sp['samples']} samples, {sp['payload_bytes'] / 2**20:.1f} "
        f"MiB payload, {size / 2**20:.1f} MiB in segment files, written in {cu['fill_s']:.1f} s")
    while int(time.time()) <= sp["max_wall"] + 1:  # the spooled batches predate the probe
        time.sleep(0.2)

    # 4. the probe, live, against the collector
    m0 = metrics(base)
    s0 = rrdcached_stats(sock)
    plog = os.path.join(d, "probe.log")
    wall0 = time.time()
    probe = rn.Child("hbmon-probe", [bins["hbmon-probe"], "-c", conf], plog)
    t0 = probe.t0
    col_cpu0, rcd_cpu0 = dm.col.cpu_s(), dm.rcd.cpu_s()
    key = f'{{probe="{PROBE_NAME}"}}'
    # (s since start, backlog behind the last post, how late that post's batch was, when it was
    # made, posts so far)
    timeline = []
    caught = None
    live_after = 0.0   # how late live batches were once the backlog was gone
    live_first = None  # when the first post of a batch made by this process was seen
    prev_posts = 0
    line = None
    deadline = t0 + CU["limit_s"]
    stop_at = None
    hwm = None
    while True:
        now = time.monotonic()
        if not probe.alive():
            raise RuntimeError(f"hbmon-probe exited {probe.status}: {probe.log_tail()}")
        try:
            m = metrics(base)
        except (OSError, RuntimeError):
            m = None
        wall = time.time()
        if m is not None and ("hbmon_probe_spool_batches" + key) in m:
            backlog = m["hbmon_probe_spool_batches" + key]
            age = m.get("hbmon_probe_spool_oldest_age_seconds" + key, 0)
            contact = m.get("hbmon_probe_last_contact_age_seconds" + key, 0)
            posts = mdelta(m0, m, "hbmon_probe_batches_total" + key) or 0
            made = wall - age  # when the batch of the last post was made (the probe's clock)
            late = age - contact  # how long it had waited when the collector got it
            timeline.append((round(now - t0, 2), int(backlog), int(late), int(made), int(posts)))
            if made >= int(wall0) and posts > 0:
                if live_first is None:
                    live_first = wall
                if caught is not None and posts > prev_posts:  # a new post since caught up
                    live_after = max(live_after, late)
            prev_posts = posts
            if caught is None and posts > 0 and backlog == 0:
                caught = now - t0
                stop_at = now + CU["after_s"]
                log(f"caught up after {caught:.1f} s ({posts:.0f} posts)")
        hwm = rn.proc_hwm_kb(probe.pid) or hwm
        if line is None:
            try:
                with open(plog, encoding="utf-8", errors="replace") as f:
                    mm = CAUGHT_RE.search(f.read())
                if mm:
                    line = mm
            except OSError:
                pass
        if stop_at is not None and now >= stop_at and (line or now >= stop_at + 10):
            break
        if now >= deadline:
            log(f"not caught up within {CU['limit_s']} s: giving up")
            break
        time.sleep(max(0.0, 0.5 - (time.monotonic() - now)))
    elapsed = time.monotonic() - t0
    m1 = metrics(base)
    s1 = rrdcached_stats(sock)
    col_cpu, rcd_cpu = dm.col.cpu_s() - col_cpu0, dm.rcd.cpu_s() - rcd_cpu0
    probe.stop()
    # the oldest batch made after the start (the first polls' batch, flushed 1 s after them
    # at the earliest) waited from then until the backlog before it was gone: at most this
    bound = live_first - (wall0 + 1.0) if live_first is not None else None
    cu.update(caught_s=caught, elapsed_s=elapsed, live_late_bound_s=bound,
              live_late_after_s=live_after if caught is not None else None,
              probe_cpu_s=probe.cpu_s(), probe_rss_kb=probe.maxrss_kb() or hwm,
              collector_cpu_s=col_cpu, rrdcached_cpu_s=rcd_cpu, timeline=timeline)
    if line:
        cu.update(log_batches=int(line.group(1)), log_seconds=float(line.group(2)),
                  log_live_wait_s=float(line.group(3)), log_line=rn.one_line(line.group(0), 300))
    if caught is None:
        last = timeline[-1] if timeline else None
        cu["backlog_left"] = last[1] if last else None
        sent = last[4] if last else 0
        cu["posts_per_s"] = sent / elapsed if elapsed else None
        if last and sent:
            cu["extrapolated_s"] = elapsed * (sent + last[1]) / sent
    # what reached the collector
    posts = mdelta(m0, m1, "hbmon_probe_batches_total" + key) or 0
    samples = mdelta(m0, m1, "hbmon_ingest_samples_total") or 0
    cu.update(posts=posts, samples_in=samples,
              busy=mdelta(m0, m1, "hbmon_ingest_busy_total"),
              late_samples=mdelta(m0, m1, "hbmon_rrd_late_samples_total"),
              rrd_errors=mdelta(m0, m1, "hbmon_rrd_errors_total"),
              refused=sum(v for k, v in m1.items() if k.startswith("hbmon_ingest_samples_refused_total"))
              - sum(v for k, v in m0.items() if k.startswith("hbmon_ingest_samples_refused_total")),
              duplicates=mdelta(m0, m1, "hbmon_ingest_duplicate_batches_total"),
              lost=m1.get("hbmon_probe_spool_lost_batches_total" + key),
              updates_received=s1.get("UpdatesReceived", 0) - s0.get("UpdatesReceived", 0),
              updates_expected=samples * fps / n,  # every sample taken, all its files
              live_samples=samples - cu["spool_samples"] if caught is not None else None,
              live_due=sum(1 + int((elapsed - o) // CU["interval"])
                           for o in offsets(n, CU["interval"]) if o < elapsed - 2))
    if cu.get("log_batches") and cu.get("log_seconds"):
        cu["posts_per_s"] = cu["log_batches"] / cu["log_seconds"]
    elif caught:
        cu["posts_per_s"] = cu["spool_batches"] / caught
    log(f"{posts:.0f} posts, {samples:.0f} samples taken, rrdcached received "
        f"{cu['updates_received']:,} updates (spool: {cu['spool_updates']:,.0f}); live lateness "
        f"≤ {_f(bound, 1)} s (metrics), {live_after:.0f} s once caught up; log: "
        f"{cu.get('log_line', 'no caught-up line')}")

    # 5. nothing lost: a few devices' files, every 60 s row of the spool's span
    data = os.path.join(d, "data")
    picks = sorted({0, n - 1, n // 2, n // 3, (2 * n) // 3})[:max(2, CU["check_devices"])]
    have = want = 0
    missing = []
    t_from, t_to = t_start + 2 * 60, t_start + (CU["minutes"] - 1) * 60
    for i in picks:
        name = tg[i][0]
        files = ["system.rrd"]
        if dev[i].get("if"):
            files.append(f"if-{dev[i]['if'][0]['index']}.rrd")
        h, w, miss = check_rows(sock, data, f"c{i // 50 + 1:02d}", name, files, t_from, t_to)
        have += h
        want += w
        missing += miss
    cu.update(check_devices=[tg[i][0] for i in picks], rows_have=have, rows_want=want,
              rows_missing=missing[:10], check_from=t_from, check_to=t_to)
    log(f"rrdtool fetch: {have} of {want} one-minute rows have a value")


# --------------------------------------------------------------------------- report

def _f(x, nd=0):
    return "—" if x is None else f"{x:,.{nd}f}"


def live_lateness(cu):
    """The live lateness judged: the probe's own figure when it logs one, else the bound from
    /metrics."""
    if cu.get("log_live_wait_s") is not None:
        return cu["log_live_wait_s"]
    return cu.get("live_late_bound_s")


def goal_rows(cu):
    """Rows for the Goals table of bench/snmp/RESULTS.md: (goal, hbmon, compared with, ratio,
    target, verdict) with verdict True, False or a text."""
    if not cu:
        return []
    n, mins = cu.get("devices", CU["devices"]), cu.get("params", CU)["minutes"]
    span = f"{mins // 60} h" if mins % 60 == 0 else f"{mins} min"
    name = f"catch-up: {n:,} devices, {span} of spooled 1-minute data delivered while polling goes on"
    if not str(cu.get("status", "")).startswith("ok"):
        return [(name, "—", "—", "—", "—", cu.get("status", "not run"))]
    goal_s = cu["params"]["goal_s"]
    interval = cu["params"]["interval"]
    rows = []
    if cu.get("caught_s") is not None:
        rows.append((name + ", in under 5 minutes",
                     f"{cu['caught_s']:.0f} s ({cu['spool_batches']:,} batches, "
                     f"{cu['posts_per_s']:.0f} posts/s)",
                     f"{goal_s} s", f"{cu['caught_s'] / goal_s:.2f}", "< 1.00",
                     cu["caught_s"] < goal_s))
    else:
        ext = cu.get("extrapolated_s")
        rows.append((name + ", in under 5 minutes",
                     f"not caught up in {cu['elapsed_s']:.0f} s ({cu.get('backlog_left')} batches "
                     f"left" + (f"; at its rate about {ext:.0f} s" if ext else "") + ")",
                     f"{goal_s} s", f"> {cu['elapsed_s'] / goal_s:.2f}", "< 1.00", False))
    worst = live_lateness(cu)
    if worst is not None:
        txt = f"{worst:.0f} s"
        if cu.get("log_live_wait_s") is not None:
            txt += f" (probe log; /metrics: ≤ {_f(cu.get('live_late_bound_s'))} s)"
        else:
            txt += " (/metrics bound; no \"caught up\" line in the probe's log)"
        rows.append(("catch-up: live samples never more than one interval late", txt,
                     f"interval {interval} s", f"{worst / interval:.2f}", "≤ 1.00",
                     worst <= interval))
    else:
        rows.append(("catch-up: live samples never more than one interval late", "—",
                     f"interval {interval} s", "—", "≤ 1.00",
                     "not measured: never caught up within the limit"))
    ok_rows = cu.get("rows_want") and cu["rows_have"] == cu["rows_want"]
    ok_upd = cu.get("updates_received", 0) >= cu.get("spool_updates", 0)
    rows.append(("catch-up: nothing lost (rrdcached's updates ≥ the spool's; every 1-minute row "
                 "of the checked files has a value)",
                 f"{cu.get('updates_received', 0):,} updates; rows {cu.get('rows_have')} of "
                 f"{cu.get('rows_want')}",
                 f"spool: {cu.get('spool_updates', 0):,.0f} updates", "—", "all",
                 bool(ok_rows and ok_upd and not cu.get("lost"))))
    rows.append(("catch-up: spool bytes per device-hour (for information)",
                 f"{cu['payload_per_dev_h'] / 1024:,.1f} KiB payload, "
                 f"{cu['file_per_dev_h'] / 1024:,.1f} KiB on disk",
                 f"full bench device ({cu['full_ifs']} interfaces): "
                 f"{cu['full_record_per_dev_h'] / 1024:,.0f} KiB", "—", "—", "reported"))
    return rows


def section(cu):
    """The report's "Catch-up" section (markdown lines)."""
    if not cu:
        return []
    out = ["<!-- catch-up: written by bench/snmp/catchup.py -->", "## Catch-up (spool replay)", ""]
    if not str(cu.get("status", "")).startswith("ok"):
        return out + [f"Not measured: {cu.get('status')}", "", "<!-- /catch-up -->", ""]
    p = cu["params"]
    n = cu["devices"]
    hours = cu["spool_hours"]
    span = f"{hours:g} h" if hours >= 1 else f"{hours * 60:.0f} min"
    gb_spool = cu["spool_file_bytes"] / 2**20
    full2h = cu["full_record_per_dev_h"] * 2 * 1000 / 2**20
    out += [
        f"Measured {cu.get('date', '?')}, commit {cu.get('commit', '?')}, binaries of "
        f"`{cu.get('build', 'build')}/`" + (" — **BENCH_QUICK=1 smoke run**" if cu.get("quick")
                                            else "") + ".", "",
        f"{n:,} devices of the fleet, each polled with the bench profile limited to its first "
        f"{p['rows']} rows a table (`[probe] max_rows`): {cu['ifs']} interfaces and "
        f"{cu['group_rows']} storage rows, {cu['files_per_device']:.0f} RRD files a device (the "
        f"fleet's full device, {cu['full_ifs']} interfaces, would need "
        f"{cu['full_files_per_device']:.0f} files of 0.6–1.1 MB each: "
        f"{cu['full_rrd_gb']:,.0f} GB for {n:,} devices, against {cu['rrd_gb']:,.1f} GB here). "
        f"One real cycle (hbmon-probe --once) was captured, then {span} of batches made "
        f"from it the way the daemon writes them (polls spread over the {p['interval']} s "
        f"interval, a batch flushed every second: {cu['spool_batches']:,} batches, "
        f"{cu['spool_samples']:,} samples, timestamps in the {span} before the start, octet "
        f"counters advancing) and stored by `bench/spoolfill.c` with `spool_append` "
        f"({cu['fill_s']:.0f} s). A real collector (rrd_step 60, rrdcached `-w 3600`) had every "
        f"file already (one cycle dated before the spool: {cu['files_created']:,.0f} files, "
        f"{cu['warmup_s']:.0f} s, not timed). Then hbmon-probe started as a daemon (interval "
        f"{p['interval']} s, replay_per_s default 200, spool_mb {cu['spool_mb']}), polling the "
        f"fleet while it replayed; the collector's /metrics was read every 0.5 s.", "",
        "| | |", "|---|---|",
        f"| spool | {cu['spool_batches']:,} batches, {cu['spool_samples']:,} samples, "
        f"{cu['spool_payload'] / 2**20:,.1f} MiB payload, {gb_spool:,.1f} MiB of segment files "
        f"({cu['spool_alloc_bytes'] / 2**20:,.1f} MiB allocated) |",
        f"| spool bytes per device-hour | {cu['payload_per_dev_h'] / 1024:,.1f} KiB payload, "
        f"{cu['file_per_dev_h'] / 1024:,.1f} KiB on disk ({cu['files_per_device']:.0f}-file "
        f"device); full bench device ({cu['full_ifs']} interfaces, "
        f"{cu['full_files_per_device']:.0f} files): {cu['full_payload_per_dev_h'] / 1024:,.0f} KiB "
        f"payload, {cu['full_record_per_dev_h'] / 1024:,.0f} KiB with record headers: "
        f"{full2h:,.0f} MiB for 1,000 devices × 2 h, "
        + (f"more than the default spool_mb (512), which holds {512 / full2h * 2:.1f} h of them"
           if full2h > 512 else "within the default spool_mb (512)") + " |",
        "| caught up (first post with nothing behind it) | "
        + (f"{cu['caught_s']:.1f} s after the probe started" if cu.get("caught_s") is not None
           else f"not within {cu['elapsed_s']:.0f} s ({cu.get('backlog_left')} batches left)")
        + (f"; probe log: {cu['log_batches']:,} batches in {cu['log_seconds']:.1f} s"
           if cu.get("log_batches") is not None else "; no \"caught up\" line in the probe's log")
        + " |",
        f"| replay rate | {_f(cu.get('posts_per_s'))} posts/s (replay_per_s 200 allows 200) |",
        "| live lateness | " + (f"probe log: batches made after the start waited at most "
                                f"{cu['log_live_wait_s']:.0f} s; " if cu.get("log_live_wait_s")
                                is not None else "")
        + (f"/metrics: ≤ {cu['live_late_bound_s']:.1f} s (from 1 s after the start, when the "
           "first live batch is made at the earliest, to the first post of a live batch, "
           "±0.5 s)" if cu.get("live_late_bound_s") is not None else "/metrics: —")
        + (f"; once caught up, live batches reached the collector within "
           f"{cu['live_late_after_s']:.0f} s" if cu.get("live_late_after_s") is not None else "")
        + " |",
        f"| reached the collector | {cu['posts']:,.0f} posts, {cu['samples_in']:,.0f} samples "
        f"({_f(cu.get('live_samples'))} live, {cu['live_due']:,} polls were due); rrdcached "
        f"received {cu['updates_received']:,} updates (the spool's {cu['spool_updates']:,.0f}; "
        f"{_f(cu.get('updates_expected'))} for all the samples taken); 503 answers {_f(cu.get('busy'))}, late samples "
        f"{_f(cu.get('late_samples'))}, RRD errors {_f(cu.get('rrd_errors'))}, refused samples "
        f"{_f(cu.get('refused'))}, spool losses {_f(cu.get('lost'))} |",
        f"| rows checked | {cu['rows_have']} of {cu['rows_want']} one-minute rows have a value "
        f"(`rrdtool fetch --daemon`, system.rrd and the first interface of "
        f"{', '.join(cu['check_devices'])}, rows ending "
        f"{time.strftime('%H:%M', time.gmtime(cu['check_from']))}–"
        f"{time.strftime('%H:%M', time.gmtime(cu['check_to']))} UTC)"
        + (f"; missing: {', '.join(cu['rows_missing'])}" if cu.get("rows_missing") else "") + " |",
        f"| CPU over the {cu['elapsed_s']:.0f} s measured | probe {cu['probe_cpu_s']:.1f} s, "
        f"collector {cu['collector_cpu_s']:.1f} s, rrdcached {cu['rrdcached_cpu_s']:.1f} s; probe "
        f"peak RSS {_f((cu.get('probe_rss_kb') or 0) / 1024, 1)} MiB |",
        f"| phase run time | {cu['phase_s']:.0f} s |", ""]
    if cu.get("caught_s") and cu.get("posts_per_s"):
        r = cu["posts_per_s"]
        made = cu["spool_batches"] / (hours * 60)  # batches the daemon makes a minute
        net = r - made / 60.0  # the backlog shrinks by this a second while polling goes on
        most = p["interval"] * net / made  # minutes of outage caught up within one interval
        out += ["Batches go strictly oldest first, one in flight, at most `replay_per_s` (200) "
                "a second: a batch polled after the start waits behind the whole backlog, so "
                "live lateness is about the catch-up time itself. The replay ran at "
                f"{r:.0f} posts/s; the daemon makes {made:.0f} batches a minute, so a minute of "
                f"outage takes about {made / net:.2f} s to catch up, and live samples stay "
                f"within one interval ({p['interval']} s) after an outage of up to about "
                f"{most:.0f} minutes ({most / 60:.1f} h) with this many devices; after 4 h they "
                f"would be about {240 * made / net:.0f} s late.", ""]
    out += ["<!-- /catch-up -->", ""]
    return out


def goal_line(r):
    name, value, versus, ratio, target, ok = r
    return (f"| {name} | {value} | {versus} | {ratio} | {target} | "
            + ("**met**" if ok is True else "**NOT met**" if ok is False else str(ok)) + " |")


def merge_into(path, cu):
    """Puts the catch-up Goals rows and section into an existing RESULTS.md (replacing the
    previous ones)."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        lines = ["# SNMP polling benchmark results", ""]
    text = "\n".join(lines)
    b, e = "<!-- catch-up: written by bench/snmp/catchup.py -->", "<!-- /catch-up -->"
    if b in text and e in text:
        text = text[:text.index(b)].rstrip("\n") + "\n\n" + text[text.index(e) + len(e):].lstrip("\n")
    lines = [x for x in text.splitlines() if not x.startswith("| catch-up")]
    new_rows = [goal_line(r) for r in goal_rows(cu)]
    if "## Goals" in lines:
        i = lines.index("## Goals") + 1
        while i < len(lines) and not lines[i].startswith("|"):
            i += 1
        while i < len(lines) and lines[i].startswith("|"):
            i += 1
        lines[i:i] = new_rows
    else:
        lines += ["## Goals", "", "| goal | hbmon | compared with | ratio | target | verdict |",
                  "|---|---|---|---|---|---|", *new_rows, ""]
    sec = section(cu)
    at = next((k for k, x in enumerate(lines) if x.startswith("## Machine and parameters")), len(lines))
    lines[at:at] = sec
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines).rstrip("\n") + "\n")


# --------------------------------------------------------------------------- standalone

def _load_run():
    import run as rn  # bench/snmp/run.py, for its fleet, process and probe helpers
    rn.P["devices"] = max(rn.P["devices"], CU["devices"])
    return rn


def inner(work):
    def on_signal(*_):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    rn = _load_run()
    fl = None
    cu = None
    try:
        rn.use_workbin(work)
        rn.build_helpers()
        rn.log(f"fleet: {CU['devices']} devices")
        fl = fleet.Fleet(work, CU["devices"], rn.P["per_agent"], log=rn.log)
        fl.start()
        fl.wait_ready(60)
        cu = run_phase(rn, work, fl)
    except KeyboardInterrupt:
        rn.log("interrupted")
        cu = {"status": "failed: interrupted"}
    except Exception as e:  # noqa: BLE001
        rn.log(traceback.format_exc())
        cu = {"status": f"failed: {type(e).__name__}: {e}"}
    finally:
        rn.kill_all()
        if fl:
            fl.stop()
    jdir = os.path.join(BUILD_DIR, "bench")
    os.makedirs(jdir, exist_ok=True)
    with open(os.path.join(jdir, "catchup-results.json"), "w") as f:
        json.dump(cu, f, indent=1, default=str)
    md = ["| goal | hbmon | compared with | ratio | target | verdict |", "|---|---|---|---|---|---|"]
    md += [goal_line(r) for r in goal_rows(cu)] + [""] + section(cu)
    print("\n".join(md))
    results = os.environ.get("BENCH_SNMP_RESULTS", os.path.join(HERE, "RESULTS.md"))
    if not QUICK and cu.get("status") != "failed: interrupted":
        merge_into(results, cu)
        rn.log(f"catch-up rows and section written into {results}")
    return 0 if str(cu.get("status")).startswith("ok") else 1


def outer():
    if os.geteuid() != 0:
        print("bench/snmp/catchup.py: needs root (network namespace)", file=sys.stderr)
        return 2
    work = tempfile.mkdtemp(prefix="hbmon-catchup-bench-", dir=os.environ.get("BENCH_DIR") or None)
    os.chmod(work, 0o755)
    rc, child = 1, None

    def on_term(*_):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    try:
        print(f"[catch-up] network namespace {fleet.NETNS}, work directory {work}", flush=True)
        fleet.netns_create(fleet.NIFS)
        child = subprocess.Popen(fleet.in_netns_argv([sys.executable, os.path.abspath(__file__),
                                                      "--inner", work]))
        rc = child.wait()
    except KeyboardInterrupt:
        if child and child.poll() is None:
            child.send_signal(signal.SIGINT)
            try:
                child.wait(60)
            except subprocess.TimeoutExpired:
                child.kill()
        rc = 130
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        fleet.netns_destroy()
        if os.environ.get("BENCH_KEEP", "") in ("", "0"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"[catch-up] kept {work}")
    return rc


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--inner":
        sys.exit(inner(sys.argv[2]))
    sys.exit(outer())
