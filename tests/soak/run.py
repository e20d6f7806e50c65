#!/usr/bin/python3
"""Soak test of hbmon: a simulated district at full polling load, faults on a schedule.

What runs (all on this machine, as root):
  - the fleet: net-snmp snmpd agents (bench/snmp/fleet.py) in the network namespace
    `hbsoak-fleet`, SOAK_DEVICES (300) device addresses on 10.231.0.0/16 there, 10 a process,
    one process per commune; every device is a switch (IF-MIB, plus the agent's own
    snmpInPkts/snmpOutPkts counters, which start again from 0 when the agent restarts);
  - the real probe (build/hbmon-probe, as a daemon) inside that namespace, polling every 10 s;
  - the real collector (build/hbmon-collector) in the root namespace behind a veth pair
    (10.233.0.1 here, 10.233.0.2 the probe's side): the probe posts over HTTPS, verified with
    the certificate `hbmon-collector init` writes; rrd_step 1 s;
  - rrdcached, started here (own socket and journal);
  - the collector's data_dir on a tmpfs mounted here, sized for the district's RRD files;
  - a real SMTP server (aiosmtpd, STARTTLS required), as tests/system/test_alerts.py runs it.
Faults, on a schedule scaled to the run (each logged with its time): agents stopped and
started again (long enough for a commune to miss its target and mail, or briefly), agents
killed and restarted at once (counters reset), the probe's uplink cut (its side of the veth
down, then packets silently dropped), the collector SIGKILLed and started again, rrdcached
restarted, the SMTP server down while an alert fires, the data disk nearly full then full then
freed (two communes' alerts fire while nothing can be written, and a commune's devices first
answer, so their RRD files must wait for room), and the clock of both daemons stepped forward
and back through HBMON_CLOCK_FILE, which both read on every use (common/clock.c), so the
steps happen while they run. build_schedule() says in which order and why; --plan prints it.

Checked at the end: every sample the probe spooled (each spool segment hard-linked the moment
it appears, so the batches are read even after the probe deleted them) is looked up in its
device's system.rrd at its own second (avail, and sysUpTime for an up sample; rrd_step 1 s);
the collector's counters over its runs (refused, RRD errors, late, 503s); the probe's stop
line and spool; `rrdtool info` of every RRD file; no counter spike where agents restarted;
the first values of the files that waited for room; the mails aiosmtpd received against the
digests the schedule's outages must cause, and the alert events in hbmon.db; the peak RSS
(VmHWM) and CPU time of each daemon; the warnings and errors they logged, by kind.

At the end it prints one table and writes it into bench/RESULTS.md between
`<!-- soak: written by tests/soak/run.py -->` and `<!-- /soak -->` (the rest of the file
stays as it is). Exit status: 0 when nothing was lost outside the documented cases (spool cap;
samples dated not after their file's last update once the clock went back), every RRD file
is sound, no daemon exited that the schedule did not kill, the mails received are the mails
expected and hbmon.db's events hold each expected firing and resolution; 1 otherwise (the
reasons printed, with notes such as log floods that do not fail it); 2 when it cannot run
(not root, no build, a package missing).

Run:  sudo /usr/bin/python3 tests/soak/run.py          (make soak)
      /usr/bin/python3 tests/soak/run.py --plan      the schedule only, nothing started
Environment: SOAK_MINUTES (15; the whole run, setup and checks included, lasts about that;
3..45; below 9 the schedule is squeezed, faults overlap and no alert is planned: for trying
the script), SOAK_DEVICES (300; 120..1000, a multiple of 10), SOAK_DIR (work directory,
/tmp/hbmon-soak; emptied at the start, logs kept at the end), SOAK_BUILD (binaries'
directory, build), SOAK_RESULTS (report path, bench/RESULTS.md; "-" for none), SOAK_BLOCKS
(debugging: only these blocks of the schedule, e.g. "start,E2,disk,E3"; E3 is part of
the disk block; see build_schedule), SOAK_KEEP_DATA=1 (debugging: copy the data disk's files
into SOAK_DIR/kept-data before it is unmounted).
Standard library, plus python3-aiosmtpd and python3-pytest (the tests/system helpers it imports).
"""
import json
import math
import os
import pathlib
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(TOP, "bench", "snmp"))
sys.path.insert(1, os.path.join(TOP, "tests", "system"))
sys.path.insert(2, os.path.join(TOP, "bench"))

NS = "hbsoak-fleet"            # the fleet's (and the probe's) network namespace
VETH, VETH_NS = "hbsoak-up", "hbsoak-upn"
NET, DEAD_NET = "10.231", "10.232"  # device addresses, dead route (inside NS only)
LINK = "10.233.0"              # the veth /30: .1 the collector's side, .2 the probe's
COLLECTOR_ADDR, PROBE_ADDR = LINK + ".1", LINK + ".2"
PER_AGENT = 10                 # devices a snmpd process, = devices a commune
INTERVAL = 10
TIMEOUT_MS, RETRIES = 1000, 1
STALE_AFTER = 75               # > the longest silence a cut or a restart causes (no false alert)
PENDING, RECOVER, DIGEST = 40, 30, 60
EPISODE_DOWN = 65              # a commune's agent away this long: its target fires, surely
FLAP_DOWN = 8                  # this long: never fires (one poll missed at most)
NIFS = 0                       # no ifb links: ifTable = lo, dead0, the veth (3 files a device)
FILE_KB = {"system": 567, "icmp": 567, "if": 1135, "snmp_agent": 379}
OVERHEAD_S = 100               # setup, drain and checks, outside the fault schedule
SNMP_AGENT_GROUP = """
; added by tests/soak/run.py: the agent's own counters, which restart with the agent
[scalars snmp_agent]
in_pkts = snmpInPkts 1.3.6.1.2.1.11.1.0 counter
out_pkts = snmpOutPkts 1.3.6.1.2.1.11.2.0 counter
"""


def env_int(name, default, lo, hi):
    v = os.environ.get(name, "").strip()
    return min(max(int(v), lo), hi) if v.isdigit() else default


MINUTES = env_int("SOAK_MINUTES", 15, 3, 45)
DEVICES = env_int("SOAK_DEVICES", 300, 120, 1000) // PER_AGENT * PER_AGENT
WORK = os.path.abspath(os.environ.get("SOAK_DIR") or "/tmp/hbmon-soak")
BUILD = os.path.join(TOP, os.environ.get("SOAK_BUILD") or "build")
RESULTS = os.environ.get("SOAK_RESULTS") or os.path.join(TOP, "bench", "RESULTS.md")
SCHEDULE_S = max(90, MINUTES * 60 - OVERHEAD_S)
NCOMMUNES = DEVICES // PER_AGENT
LATE = NCOMMUNES - 1           # the commune whose agent first answers while the disk is full
# communes by role (indexes): long episodes, quick restarts (SIGKILL, counters reset), a flap
EPISODE_COMMUNES = [(0, 7), (4, 8), (6, 9)]
CRASH_COMMUNES = [1, 2, 3, 5]
FLAP_COMMUNE = 10

STARTED = time.time()
LOGF = None


def log(msg):
    line = f"[{time.time() - STARTED:7.1f}s] {msg}"
    print(line, flush=True)
    if LOGF:
        LOGF.write(line + "\n")
        LOGF.flush()


class Abort(Exception):
    pass


def commune_name(k):
    return f"Xã Thử {k + 1:02d}"


def device_name(j):
    return f"Switch {j + 1:02d}"


# --------------------------------------------------------------------------- the schedule

def build_schedule(S):
    """The faults as primitive actions [(t, action, args)], t in seconds after the probe
    starts, and the episodes that must make alerts [(a, b, communes, smtp window)].

    Blocks laid end to end, each long enough for what it does to settle:
      start      the collector judges nothing for stale_after; the uplink goes down (the
                 probe's side of the veth) for 25 s; an agent is SIGKILLed and restarted
      E1         two communes' agents away 65 s: each commune's target fires and resolves
                 before the next block can disturb it
      collector  the collector SIGKILLed (it forgets its alerts: nothing may be firing) and
                 started again; rrdcached restarted while the new collector takes the batches
                 the probe spooled meanwhile (as after a reboot)
      E2         two more communes away, the SMTP server down when their alerts fire
      disk       the data disk nearly full, then full: a third pair of communes (E3) fires
                 while nothing can be written (the digest waits for room), and the last
                 commune's agent first answers (its new files wait for room; meanwhile the
                 probe's spool waits behind that batch, so the disk is freed well before
                 stale_after); then freed
      clock      the clock stepped forward 40 s, back 25 s, back 15 s; a brief flap
      silent     packets to the collector silently dropped for 25 s
    Episodes go first when the run is short (E3, then E1, then E2); spare time is spread
    between the blocks; below the shortest layout everything is squeezed (no episode)."""
    cut = 25

    def episode(communes, at=0, smtp=None, extra=()):
        acts = [(at, "agent_stop", dict(commune=k, why="episode")) for k in communes]
        acts += [(at + EPISODE_DOWN, "agent_start", dict(commune=k)) for k in communes]
        if smtp:
            acts += [(at + smtp[0], "smtp", dict(up=False)), (at + smtp[1], "smtp", dict(up=True))]
        return acts + list(extra)

    def layout(keep):
        disk = [(0, "disk", dict(level="nearly")), (30, "disk", dict(level="full")),
                (58, "agent_start", dict(commune=LATE, why="first answer: its files wait for room")),
                (65, "disk", dict(level="free"))]
        e3 = "E3" in keep
        if e3:  # fires 42-52 s after it stops: inside the full phase
            disk += episode(EPISODE_COMMUNES[2], at=5)
        blocks = [  # (name, length, actions at offsets, episodes [(at, communes, smtp)])
            ("start", 90, [(45, "cut", dict(mode="link", dur=cut)), (45 + cut, "uncut", dict(mode="link")),
                           (20, "agent_crash", dict(commune=CRASH_COMMUNES[0]))], []),
            ("E1", 125, episode(EPISODE_COMMUNES[0]), [(0, EPISODE_COMMUNES[0], None)]),
            ("collector", 95, [(0, "collector_kill", {}), (5, "collector_start", {}),
                               (12, "rrdcached_restart", {}),
                               (50, "agent_crash", dict(commune=CRASH_COMMUNES[1]))], []),
            ("E2", 100, episode(EPISODE_COMMUNES[1], smtp=(30, 75),
                                extra=[(10, "agent_crash", dict(commune=CRASH_COMMUNES[2]))]),
             [(0, EPISODE_COMMUNES[1], (30, 75))]),
            ("disk", 125 if e3 else 85, disk, [(5, EPISODE_COMMUNES[2], None)] if e3 else []),
            ("clock", 60, [(0, "clock", dict(step=+40)),
                           (8, "agent_stop", dict(commune=FLAP_COMMUNE, why="flap")),
                           (8 + FLAP_DOWN, "agent_start", dict(commune=FLAP_COMMUNE)),
                           (25, "clock", dict(step=-25)), (50, "clock", dict(step=-15))], []),
            ("silent", 45, [(0, "cut", dict(mode="silent", dur=cut)), (cut, "uncut", dict(mode="silent")),
                            (10, "agent_crash", dict(commune=CRASH_COMMUNES[3]))], []),
        ]
        return [b for b in blocks if b[0] in keep or b[0] not in ("E1", "E2")]

    only = [x for x in os.environ.get("SOAK_BLOCKS", "").replace(",", " ").split() if x]
    keep = {"E1", "E2", "E3"}
    if only:  # a debugging aid: these blocks alone, in their order (E3 is part of disk)
        keep = set(only) & keep
    blocks = layout(keep)
    for drop in ("E3", "E1", "E2"):
        if sum(b[1] for b in blocks) <= S or only:
            break
        keep.discard(drop)
        blocks = layout(keep)
    if only:
        blocks = [b for b in blocks if b[0] in only]
    total = sum(b[1] for b in blocks)
    # squeezed, the last 50 s stay quiet: samples dated ahead by the clock's forward step
    # make later ones late until real time has caught up
    squeeze = 1.0 if total <= S else max(0.1, (S - 50) / total)
    gap = max(0.0, (S - total) / len(blocks))
    acts, episodes, t = [], [], 0.0
    for name, length, inner, eps in blocks:
        for off, action, kw in inner:
            kw = dict(kw)
            if "dur" in kw:
                kw["dur"] = max(8, round(kw["dur"] * squeeze))
            acts.append((round(t + off * squeeze, 1), action, kw))
        for at, communes, smtp in eps:
            a = round(t + at, 1)
            episodes.append((a, a + EPISODE_DOWN, communes,
                             (a + smtp[0], a + smtp[1]) if smtp else None))
        t += length * squeeze + gap
    # an uncut comes its (squeezed) cut's duration after the cut
    cuts = {kw["mode"]: (t, kw["dur"]) for t, a, kw in acts if a == "cut"}
    acts = [(round(sum(cuts[kw["mode"]]), 1), a, kw) if a == "uncut" else (t, a, kw)
            for t, a, kw in acts]
    acts.sort(key=lambda x: x[0])
    return acts, episodes, squeeze < 1.0


def expected_mails(episodes):
    """{(commune, kind, recipient): count}: per episode and commune, the digest that says
    the target is missed and the one that says it is met again, to its contact (Vietnamese)
    and to district IT (English)."""
    out = {}
    for _, _, communes, _ in episodes:
        for k in communes:
            for kind in ("missed", "met again"):
                for rcpt in (contact(k), "it@huyen.test"):
                    key = (commune_name(k), kind, rcpt)
                    out[key] = out.get(key, 0) + 1
    return out


def contact(k):
    return f"canbo@xa{k + 1:02d}.test"


def describe(t, action, kw):
    if action == "cut":
        return (f"uplink cut for {kw['dur']} s ("
                + ("the probe's side of the veth down" if kw["mode"] == "link"
                   else "packets to the collector silently dropped") + ")")
    if action == "uncut":
        return "uplink back"
    if action == "agent_crash":
        return f"agent of {commune_name(kw['commune'])} SIGKILLed and started again (counters reset)"
    if action == "agent_stop":
        return f"agent of {commune_name(kw['commune'])} stopped ({kw.get('why', '')})"
    if action == "agent_start":
        return f"agent of {commune_name(kw['commune'])} started" + (
            f" ({kw['why']})" if kw.get("why") else "")
    if action == "collector_kill":
        return "collector SIGKILLed"
    if action == "collector_start":
        return "collector started again"
    if action == "rrdcached_restart":
        return "rrdcached restarted (SIGTERM, journal replayed)"
    if action == "disk":
        return {"nearly": "data disk filled to 2 MiB free", "full": "data disk filled to the last byte",
                "free": "data disk freed"}[kw["level"]]
    if action == "clock":
        return f"clock stepped {'forward' if kw['step'] > 0 else 'back'} {abs(kw['step'])} s"
    if action == "smtp":
        return "SMTP server " + ("up" if kw["up"] else "down")
    return action


def print_plan():
    acts, episodes, squeezed = build_schedule(SCHEDULE_S)
    print(f"SOAK_MINUTES={MINUTES}: faults for {SCHEDULE_S} s, {DEVICES} devices, "
          f"{NCOMMUNES} communes" + (" (squeezed: faults overlap)" if squeezed else ""))
    for t, action, kw in acts:
        print(f"  {t:6.1f}  {describe(t, action, kw)}")
    exp = expected_mails(episodes)
    print(f"episodes that must mail: {len(episodes)} "
          + ", ".join(f"{a:.0f}-{b:.0f} s {'+'.join(commune_name(k) for k in c)}"
                      for a, b, c, _ in episodes))
    print(f"mails expected: {sum(exp.values())}")


# --------------------------------------------------------------------------- processes

def sh(*argv, check=True, timeout=30):
    r = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {(r.stderr or r.stdout).strip()[-300:]}")
    return r


class Proc:
    """A daemon of ours. Reaped with wait4(), so its own CPU time is known exactly when it
    ends; its peak RSS (VmHWM) and CPU are sampled from /proc every 2 s while it runs."""

    LOCK = threading.Lock()

    def __init__(self, name, argv, logpath, env=None):
        self.name, self.argv, self.log = name, argv, logpath
        self.expected_end = False
        self.status = None
        self.cpu = 0.0
        self.hwm_kb = 0
        self.started = time.time()
        self.ended = None
        with open(logpath, "ab") as out:
            self.p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL,
                                      env={**os.environ, **(env or {})})
        self.pid = self.p.pid

    def _reap(self, flags):
        with Proc.LOCK:
            if self.status is not None:
                return True
            try:
                pid, st, ru = os.wait4(self.pid, flags)
            except ChildProcessError:
                self.status = -999
                self.ended = time.time()
                return True
            if pid == 0:
                return False
            self.status = os.waitstatus_to_exitcode(st)
            self.p.returncode = self.status
            # its own CPU time, exactly; not ru_maxrss, which counts the forked Python
            # before the exec: the peak RSS is VmHWM, sampled
            self.cpu = max(self.cpu, ru.ru_utime + ru.ru_stime)
            self.ended = time.time()
            return True

    def alive(self):
        return not self._reap(os.WNOHANG)

    def sample(self):
        if self.status is not None:
            return
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        self.hwm_kb = max(self.hwm_kb, int(line.split()[1]))
            with open(f"/proc/{self.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            tick = os.sysconf("SC_CLK_TCK")
            self.cpu = max(self.cpu, (int(fields[11]) + int(fields[12])) / tick)
        except (OSError, IndexError, ValueError):
            pass

    def send(self, sig):
        if self.status is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def wait(self, timeout):
        end = time.time() + timeout
        while time.time() < end:
            if self._reap(os.WNOHANG):
                return self.status
            time.sleep(0.05)
        return None

    def stop(self, sig=signal.SIGTERM, timeout=30):
        """Ends it (sig, then SIGKILL after timeout); its exit status."""
        self.expected_end = True
        self.sample()
        self.send(sig)
        if self.wait(timeout) is None:
            log(f"{self.name}: still running {timeout} s after signal {int(sig)}: SIGKILL")
            self.send(signal.SIGKILL)
            self.wait(10)
        return self.status

    def tail(self, n=1500):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return ""


class SpoolTap:
    """Every batch the probe spools, one by one. A spool segment lives only until its batches
    are acknowledged (often milliseconds), so each new segment file is hard-linked into a
    folder of ours the moment inotify says it was created (the probe keeps appending to the
    same inode); at the end the links are read as tests/system/test_spool.read_spool reads a
    spool (complete records whose CRC holds). A segment gone before it could be linked
    leaves a gap in the sequence numbers, counted."""

    IN_CREATE, IN_MOVED_TO = 0x100, 0x80

    def __init__(self, d, keep):
        import ctypes
        from test_spool import HEADER  # probe/spool.h's record header
        self.header = HEADER
        self.d, self.keep = d, keep
        os.makedirs(keep, exist_ok=True)
        self.batches = {}  # seq: [(commune/device, ts, up, uptime ticks or None)]
        self.linked = 0
        self.libc = ctypes.CDLL("libc.so.6", use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_CLOEXEC | os.O_NONBLOCK)
        if self.fd < 0 or self.libc.inotify_add_watch(
                self.fd, d.encode(), self.IN_CREATE | self.IN_MOVED_TO) < 0:
            raise OSError(ctypes.get_errno(), "inotify on " + d)

    def link(self, name):
        if name.startswith("seg-") and not os.path.exists(os.path.join(self.keep, name)):
            try:
                os.link(os.path.join(self.d, name), os.path.join(self.keep, name))
                self.linked += 1
            except OSError:
                pass  # gone already: its batches show as not captured

    def run(self, stop):
        import select
        import struct as st
        while not stop.is_set():
            if not select.select([self.fd], [], [], 0.2)[0]:
                continue
            try:
                buf = os.read(self.fd, 65536)
            except BlockingIOError:
                continue
            pos = 0
            while pos + 16 <= len(buf):
                _, mask, _, ln = st.unpack_from("iIII", buf, pos)
                name = buf[pos + 16:pos + 16 + ln].split(b"\0", 1)[0].decode(errors="replace")
                pos += 16 + ln
                self.link(name)
        os.close(self.fd)

    def read(self):
        """Parses every linked segment (and what the spool holds now)."""
        for n in os.listdir(self.d):
            self.link(n)
        h = self.header
        for n in sorted(os.listdir(self.keep)):
            with open(os.path.join(self.keep, n), "rb") as f:
                data = f.read()
            pos = 0
            while pos + h.size <= len(data):
                magic, length, seq, _, crc = h.unpack_from(data, pos)
                end = pos + h.size + length
                body = data[pos + h.size:end]
                if end > len(data) or magic != b"\xffSP1" or \
                        zlib.crc32(data[pos:pos + 24] + body) != crc:
                    break
                self.batches.setdefault(seq, [
                    (f"{x['commune']}/{x['device']}", int(x["ts"]), bool(x.get("up")),
                     (x.get("sys") or {}).get("uptime"))
                    for x in json.loads(body)["samples"]])
                pos = end


# --------------------------------------------------------------------------- the soak

class Soak:
    def __init__(self):
        self.bin = os.path.join(WORK, "bin")
        self.etc = os.path.join(WORK, "etc")
        self.data = os.path.join(WORK, "data")
        self.rcd_dir = os.path.join(WORK, "rrdcached")
        self.sock = os.path.join(self.rcd_dir, "rrdcached.sock")
        self.clock_file = os.path.join(WORK, "clock")
        self.offset = 0
        self.clock_steps = []  # (real time, clock before, clock after)
        self.stop_threads = threading.Event()
        self.collectors = []   # Proc, with .metrics (last scrape) and .scraped_at
        self.rrdcacheds = []
        self.probe = None
        self.fleet = None
        self.smtp = None
        self.inbox = None
        self.mounted = False
        self.veth = False
        self.guard_route = False
        self.faults = []       # (t, description)
        self.crashes = []
        self.problems = []
        self.T0 = None
        self.port = None
        self.ctx = None
        self.fillers = []
        self.cut_state = None
        self.late_appeared = None
        self.metrics_log = None
        self.threads = []
        self.plan = None
        self.squeezed = False
        self.tap = None
        self.waiting = (0, 0, 0)
        self.mail_queued = None

    # ---- clock
    def now_clock(self):
        return int(time.time()) + self.offset

    def write_clock(self):
        tmp = self.clock_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(self.now_clock()))
        os.replace(tmp, self.clock_file)

    def clock_thread(self):
        while not self.stop_threads.is_set():
            try:
                self.write_clock()
            except OSError as e:
                log(f"clock file: {e}")
            self.stop_threads.wait(0.2)

    # ---- collector HTTP
    def url(self, path):
        return f"https://{COLLECTOR_ADDR}:{self.port}{path}"

    def get(self, path, timeout=5):
        req = urllib.request.Request(self.url(path))
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=self.ctx) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def scrape(self):
        st, body = self.get("/metrics")
        if st != 200:
            raise OSError(f"/metrics answered {st}")
        out = {}
        for line in body.decode("utf-8", "replace").splitlines():
            m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?)\s+(-?[0-9.eE+]+)$", line)
            if m:
                out[m.group(1)] = float(m.group(2))
        return out

    def scrape_into(self, c):
        try:
            m = self.scrape()
        except (OSError, ValueError):
            return None
        if c.alive():
            c.metrics, c.scraped_at = m, time.time()
        return m

    def monitor_thread(self):
        while not self.stop_threads.is_set():
            for p in [self.probe] + self.collectors[-1:] + self.rrdcacheds[-1:]:
                if p is not None:
                    p.sample()
            c = self.collectors[-1] if self.collectors else None
            if c is not None and c.alive():
                m = self.scrape_into(c)
                if m is not None and self.metrics_log:
                    keep = {k: v for k, v in m.items() if k.startswith((
                        "hbmon_ingest_samples_total", "hbmon_ingest_batches_total",
                        "hbmon_probe_spool", "hbmon_rrd_", "hbmon_ingest_storage",
                        "hbmon_ingest_busy", "hbmon_devices", "hbmon_write_queue"))}
                    self.metrics_log.write(json.dumps({"t": round(time.time() - STARTED, 1),
                                                       "collector": len(self.collectors),
                                                       **keep}) + "\n")
                    self.metrics_log.flush()
            self.stop_threads.wait(2)

    # ---- setup
    def prepare_dir(self):
        if os.path.isdir(WORK) and os.listdir(WORK) and not os.path.exists(
                os.path.join(WORK, "soak.log")):
            raise Abort(f"SOAK_DIR {WORK} is not empty and not a soak work directory: "
                        "choose another")
        # a run that was killed may have left its data disk mounted
        for line in reversed(open("/proc/mounts").read().splitlines()):
            mp = line.split()[1]
            if mp == os.path.join(WORK, "data"):
                sh("umount", "-l", mp, check=False)
        shutil.rmtree(WORK, ignore_errors=True)
        for d in (WORK, self.bin, self.etc, self.data, self.rcd_dir,
                  os.path.join(self.rcd_dir, "journal"), os.path.join(WORK, "spool"),
                  os.path.join(WORK, "logs")):
            os.makedirs(d, exist_ok=True)

    def copy_bins(self):
        for n in ("hbmon-probe", "hbmon-collector"):
            src = os.path.join(BUILD, n)
            if not os.access(src, os.X_OK):
                raise Abort(f"{src} is missing: run make first")
            shutil.copy2(src, os.path.join(self.bin, n))

    def profiles(self):
        """The project's profiles, the switch class with the agent's own counters added."""
        d = os.path.join(WORK, "profiles")
        shutil.copytree(os.path.join(TOP, "profiles"), d)
        with open(os.path.join(d, "switch.conf"), "a", encoding="utf-8") as f:
            f.write(SNMP_AGENT_GROUP)
        return d

    def network(self):
        import fleet
        fleet.netns_create(nifs=NIFS, name=NS, net=NET, dead_net=DEAD_NET)
        if os.path.exists(f"/sys/class/net/{VETH}"):
            sh("ip", "link", "del", VETH, check=False)
        taken = sh("ip", "-4", "-o", "addr", "show", "to", LINK + ".0/30").stdout.strip()
        if taken:
            raise Abort(f"{LINK}.0/30 is in use on this machine already: {taken[:200]}")
        sh("ip", "link", "add", VETH, "type", "veth", "peer", "name", VETH_NS)
        self.veth = True
        sh("ip", "link", "set", VETH_NS, "netns", NS)
        sh("ip", "addr", "add", COLLECTOR_ADDR + "/30", "dev", VETH)
        sh("ip", "link", "set", VETH, "up")
        # should this side ever lose its route, refuse rather than use the default route
        if sh("ip", "route", "add", "unreachable", LINK + ".0/30", "metric", "4000",
              check=False).returncode == 0:
            self.guard_route = True
        for args in (["addr", "add", PROBE_ADDR + "/30", "dev", VETH_NS],
                     ["link", "set", VETH_NS, "up"]):
            sh("ip", "-n", NS, *args)

    def mount_data(self):
        est_kb = DEVICES * (FILE_KB["system"] + FILE_KB["icmp"] + (NIFS + 3) * FILE_KB["if"]
                            + FILE_KB["snmp_agent"])
        size_mb = int(est_kb / 1024 * 1.12) + 96
        sh("mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0750", "hbsoak-data", self.data)
        self.mounted = True
        return size_mb

    def write_config(self, profiles, cert, key, smtp_port, smtp_cert):
        rows = ["commune,site,site_type,device,class,address,snmp,contact"]
        import fleet
        for i in range(DEVICES):
            k, j = divmod(i, PER_AGENT)
            site, stype = ("Kho thiết bị", "spare") if k == LATE else ("Bộ phận một cửa", "office")
            rows.append(f"{commune_name(k)},{site},{stype},{device_name(j)},switch,"
                        f"{fleet.device_addr(i, NET)},public,{contact(k)}")
        with open(os.path.join(self.etc, "inventory.csv"), "w", encoding="utf-8") as f:
            f.write("\n".join(rows) + "\n")
        cred = os.path.join(self.etc, "credentials.conf")
        with open(cred, "w", encoding="utf-8") as f:
            f.write(f"[public]\nversion = 2c\ncommunity = {fleet.COMMUNITY}\n")
        os.chmod(cred, 0o600)
        conf = os.path.join(self.etc, "hbmon.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(f"""; written by tests/soak/run.py
[general]
district = Huyện Thử Tải
language = vi
inventory = {self.etc}/inventory.csv
credentials = {cred}
data_dir = {self.data}
dashboards_dir = {TOP}/dashboards

[collector]
listen_address = {COLLECTOR_ADDR}
listen_port = {self.port}
tls_cert = {cert}
tls_key = {key}
rrd_step = 1
stale_after = {STALE_AFTER}
rrdcached = unix:{self.sock}
# the soak scrapes /metrics with no log-in (the readiness figures are not what it watches)
metrics_public = 1

[probe]
name = district
secret_file = {self.etc}/probe.secret
ca_file = {cert}
collector_url = https://{COLLECTOR_ADDR}:{self.port}/api/v1/ingest
spool_dir = {WORK}/spool
interval = {INTERVAL}
timeout_ms = {TIMEOUT_MS}
retries = {RETRIES}
profiles = {profiles}

[alerts]
smtp_url = smtp://127.0.0.1:{smtp_port}
smtp_ca_file = {smtp_cert}
mail_from = hbmon@huyen.test
recipients = it@huyen.test/en
pending = {PENDING}
recover = {RECOVER}
digest_interval = {DIGEST}
startup_grace = 0

[site-type office]
label_vi = Bộ phận một cửa
label_en = one-stop office
hours = always
switch = {PER_AGENT}

[site-type spare]
label_vi = Kho thiết bị
label_en = store room
hours = always
""")
        self.conf = conf
        self.check_config("hbmon-collector")
        return conf

    def check_config(self, exe):
        r = subprocess.run([os.path.join(self.bin, exe), "-c", self.conf, "--check-config"],
                           capture_output=True, text=True, timeout=60,
                           env={**os.environ, "HBMON_CLOCK_FILE": self.clock_file})
        if r.returncode != 0:
            raise Abort(f"{exe} --check-config: {(r.stdout + r.stderr).strip()[-800:]}")

    def start_rrdcached(self):
        n = len(self.rrdcacheds) + 1
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        p = Proc(f"rrdcached-{n}", ["rrdcached", "-g", "-l", "unix:" + self.sock,
                                    "-p", os.path.join(self.rcd_dir, "rrdcached.pid"),
                                    "-j", os.path.join(self.rcd_dir, "journal"),
                                    "-b", self.data, "-w", "60", "-z", "20", "-f", "300",
                                    "-o", os.path.join(WORK, "logs", f"rrdcached-{n}.log")],
                 os.path.join(WORK, "logs", f"rrdcached-{n}.out"))
        end = time.time() + 30
        while not self.rcd_answers():
            if not p.alive():
                raise Abort(f"rrdcached exited {p.status}: {p.tail()}")
            if time.time() > end:
                raise Abort("rrdcached did not answer within 30 s")
            time.sleep(0.1)
        self.rrdcacheds.append(p)
        return p

    def rcd_cmd(self, cmd, timeout=10):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        try:
            s.connect(self.sock)
            s.sendall(cmd.encode() + b"\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
                lines = data.decode("utf-8", "replace").splitlines()
                if lines:
                    head = lines[0].split()[0]
                    if head.lstrip("-").isdigit() and len(lines) - 1 >= max(int(head), 0):
                        break
            return data.decode("utf-8", "replace")
        finally:
            s.close()

    def rcd_answers(self):
        try:
            return self.rcd_cmd("STATS", 2).split()[0].isdigit()
        except OSError:
            return False

    def rcd_stats(self):
        out = {}
        for line in self.rcd_cmd("STATS").splitlines()[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                if v.strip().isdigit():
                    out[k.strip()] = int(v.strip())
        return out

    def start_collector(self):
        n = len(self.collectors) + 1
        c = Proc(f"collector-{n}", [os.path.join(self.bin, "hbmon-collector"), "-c", self.conf],
                 os.path.join(WORK, "logs", f"collector-{n}.log"),
                 {"HBMON_CLOCK_FILE": self.clock_file})
        c.metrics, c.scraped_at, c.how = {}, None, None
        end = time.time() + 30
        while True:
            try:
                if self.get("/metrics", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            if not c.alive():
                raise Abort(f"collector exited {c.status}: {c.tail()}")
            if time.time() > end:
                c.stop(signal.SIGKILL)
                raise Abort("the collector did not serve /metrics within 30 s: " + c.tail())
            time.sleep(0.1)
        self.collectors.append(c)
        return c

    def start_probe(self):
        self.probe = Proc("probe", ["ip", "netns", "exec", NS, os.path.join(self.bin, "hbmon-probe"),
                                    "-c", self.conf],
                          os.path.join(WORK, "logs", "probe.log"),
                          {"HBMON_CLOCK_FILE": self.clock_file})

    def start_smtp(self):
        from test_alerts import smtp_server
        self.smtp = smtp_server(self.inbox, self.smtp_port, self.smtp_tls)
        self.smtp.start()

    # ---- faults
    def fault(self, t, action, kw):
        desc = describe(t, action, kw)
        rel = time.time() - self.T0
        self.faults.append((rel, desc, action))
        log(f"fault at {rel:6.1f} s (planned {t:.0f}): {desc}")
        if action == "cut":
            if kw["mode"] == "link":
                sh("ip", "-n", NS, "link", "set", VETH_NS, "down")
            else:
                sh("ip", "-n", NS, "route", "add", COLLECTOR_ADDR + "/32", "dev", "dead0")
            self.cut_state = kw["mode"]
        elif action == "uncut":
            if kw["mode"] == "link":
                sh("ip", "-n", NS, "link", "set", VETH_NS, "up")
            else:
                sh("ip", "-n", NS, "route", "del", COLLECTOR_ADDR + "/32", "dev", "dead0")
            self.cut_state = None
        elif action == "agent_crash":
            self.fleet.stop_agent(kw["commune"], sig=signal.SIGKILL)
            self.fleet.start_agent(kw["commune"])
        elif action == "agent_stop":
            self.fleet.stop_agent(kw["commune"])
        elif action == "agent_start":
            self.fleet.start_agent(kw["commune"])
            if kw["commune"] == LATE:
                self.late_appeared = self.now_clock()
        elif action == "collector_kill":
            c = self.collectors[-1]
            self.scrape_into(c)  # its counters, as late as can be
            c.expected_end, c.how = True, "SIGKILL"
            c.send(signal.SIGKILL)
            c.wait(10)
        elif action == "collector_start":
            self.start_collector()
        elif action == "rrdcached_restart":
            r = self.rrdcacheds[-1]
            try:
                r.stats = self.rcd_stats()
            except OSError:
                r.stats = {}
            st = r.stop(signal.SIGTERM, 30)
            if st not in (0, None):
                self.problems.append(f"rrdcached exited {st} on SIGTERM")
            self.start_rrdcached()
        elif action == "disk":
            self.disk(kw["level"])
        elif action == "clock":
            before = self.now_clock()
            self.offset += kw["step"]
            self.write_clock()
            self.clock_steps.append((time.time(), before, self.now_clock(), kw["step"]))
        elif action == "smtp":
            if kw["up"]:
                self.start_smtp()
            else:
                self.smtp.stop()
                self.smtp = None

    def disk(self, level):
        if level == "free":
            for p in self.fillers:
                os.unlink(p)
            self.fillers = []
            st = os.statvfs(self.data)
            log(f"  data disk: {st.f_bavail * st.f_frsize // 1024} KiB free")
            return
        path = os.path.join(self.data, f"filler-{len(self.fillers) + 1}")
        self.fillers.append(path)
        st = os.statvfs(self.data)
        free = st.f_bavail * st.f_frsize
        keep = 2 << 20 if level == "nearly" else 0
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            if free > keep:
                try:
                    os.posix_fallocate(fd, 0, free - keep)
                except OSError:
                    pass
            if level == "full":  # whatever is left, to the last page
                chunk = b"\0" * 4096
                off = os.fstat(fd).st_size
                while True:
                    try:
                        os.pwrite(fd, chunk, off)
                        off += 4096
                    except OSError:
                        break
        finally:
            os.close(fd)
        st = os.statvfs(self.data)
        log(f"  data disk: {st.f_bavail * st.f_frsize // 1024} KiB free")

    # ---- health
    def check_health(self):
        for p in [self.probe, self.collectors[-1] if self.collectors else None,
                  self.rrdcacheds[-1] if self.rrdcacheds else None]:
            if p is None or p.expected_end or p.alive():
                continue
            rel = time.time() - self.T0 if self.T0 else 0
            msg = f"{p.name} exited by itself (status {p.status}) at {rel:.0f} s"
            log("CRASH: " + msg + "\n" + p.tail(2000))
            self.crashes.append(msg)
            p.expected_end = True
            if p is self.probe:
                self.start_probe()
            elif p.name.startswith("collector"):
                p.how = "crashed"
                self.start_collector()
            else:
                self.start_rrdcached()

    def sleep_until(self, t_abs):
        while True:
            left = t_abs - time.time()
            if left <= 0:
                return
            self.check_health()
            time.sleep(min(0.5, left))

    def wait_for(self, cond, seconds, what):
        end = time.time() + seconds
        while time.time() < end:
            self.check_health()
            try:
                if cond():
                    return True
            except (OSError, ValueError):
                pass
            time.sleep(0.5)
        log(f"not within {seconds} s: {what}")
        return False

    # ---- the run
    def run(self):
        from test_alerts import Inbox
        from test_trust import make_pair
        import fleet

        self.prepare_dir()
        global LOGF
        LOGF = open(os.path.join(WORK, "soak.log"), "a", encoding="utf-8")
        self.metrics_log = open(os.path.join(WORK, "logs", "metrics.jsonl"), "a")
        acts, episodes, self.squeezed = build_schedule(SCHEDULE_S)
        self.plan = (acts, episodes)
        log(f"soak: {DEVICES} devices, {NCOMMUNES} communes, faults for {SCHEDULE_S} s; "
            f"work directory {WORK}")
        self.copy_bins()
        profiles = self.profiles()
        self.write_clock()
        threading.Thread(target=self.clock_thread, daemon=True).start()

        log("network: namespace, veth")
        self.network()
        size_mb = self.mount_data()
        log(f"data disk: tmpfs of {size_mb} MiB on {self.data}")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        cert, key = make_pair(self.bin, pathlib.Path(WORK) / "tls", COLLECTOR_ADDR)
        self.ctx = ssl.create_default_context(cafile=cert)
        self.smtp_tls = make_pair(self.bin, pathlib.Path(WORK) / "smtp-tls", "127.0.0.1")
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.smtp_port = s.getsockname()[1]
        s.close()
        self.write_config(profiles, cert, key, self.smtp_port, self.smtp_tls[0])

        class TimedInbox(Inbox):
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                r = await super().handle_DATA(server, session, envelope)
                with self.lock:
                    self.msgs[-1] = self.msgs[-1] + (time.time(),)
                return r

        self.inbox = TimedInbox()
        self.start_smtp()

        log(f"fleet: {NCOMMUNES} snmpd agents in {NS} (the last, {commune_name(LATE)}'s, later)")
        self.fleet = fleet.Fleet(WORK, DEVICES, per_agent=PER_AGENT, name=NS, net=NET, log=log)
        self.fleet.start(skip={LATE})
        self.fleet.wait_ready(60)

        log("rrdcached, collector")
        self.start_rrdcached()
        r = subprocess.run([os.path.join(self.bin, "hbmon-collector"), "-c", self.conf, "probe",
                            "add", "district", "--secret-file",
                            os.path.join(self.etc, "probe.secret")],
                           capture_output=True, text=True, timeout=60,
                           env={**os.environ, "HBMON_CLOCK_FILE": self.clock_file})
        if r.returncode != 0:
            raise Abort("probe add: " + (r.stderr or r.stdout).strip()[-300:])
        self.check_config("hbmon-probe")
        self.start_collector()
        threading.Thread(target=self.monitor_thread, daemon=True).start()
        log("probe")
        self.tap = SpoolTap(os.path.join(WORK, "spool"), os.path.join(WORK, "spool-tap"))
        threading.Thread(target=self.tap.run, args=(self.stop_threads,), daemon=True).start()
        self.start_probe()
        self.T0 = time.time()
        self.t0_clock = self.now_clock()
        for t, action, kw in acts:
            self.sleep_until(self.T0 + t)
            self.fault(t, action, kw)
        self.sleep_until(self.T0 + SCHEDULE_S)
        log("schedule done: every fault healed; draining")
        self.drain(episodes)
        return self.finish(episodes)

    def spool_left(self):
        m = self.scrape()
        return (m.get('hbmon_probe_spool_batches{probe="district"}', math.inf),
                m.get('hbmon_probe_last_contact_age_seconds{probe="district"}', math.inf))

    def drain(self, episodes):
        def drained():
            left, age = self.spool_left()
            return left == 0 and age < 15
        self.wait_for(drained, 90, "the probe's spool delivered")
        exp = sum(expected_mails(episodes).values())
        last_b = max([b for _, b, _, _ in episodes], default=0)
        limit = max(30, min(240, self.T0 + last_b + 200 - time.time()))
        self.wait_for(lambda: len(self.inbox.msgs) >= exp, limit, f"{exp} mails")
        time.sleep(5)  # and nothing more comes
        try:
            st, body = self.get("/api/v1/alerts")
            self.mail_queued = json.loads(body).get("mail_queued") if st == 200 else None
        except (OSError, ValueError):
            self.mail_queued = None

    # ---- accounting
    def finish(self, episodes):
        probe_clock_stop = self.now_clock()
        log("stopping the probe (SIGTERM)")
        st = self.probe.stop(signal.SIGTERM, 60)
        if st != 0:
            self.problems.append(f"hbmon-probe exited {st} on SIGTERM")
        try:
            self.waiting = self.spool_waiting()
        except (OSError, ValueError) as e:
            self.problems.append(f"reading the probe's spool: {e}")
            self.waiting = (0, 0, 0)
        time.sleep(1)
        c = self.collectors[-1]
        self.scrape_into(c)
        final = dict(c.metrics)
        log("stopping the collector (SIGTERM)")
        c.how = "SIGTERM"
        st = c.stop(signal.SIGTERM, 30)
        if st != 0:
            self.problems.append(f"hbmon-collector exited {st} on SIGTERM")
        events = self.read_events()
        log("rrdcached: FLUSHALL, then SIGTERM")
        r = self.rrdcacheds[-1]
        try:
            self.rcd_cmd("FLUSHALL")
            self.wait_for(lambda: self.rcd_stats().get("QueueLength", 1) == 0, 60,
                          "rrdcached's queue written")
            r.stats = self.rcd_stats()
        except OSError as e:
            self.problems.append(f"rrdcached: {e}")
            r.stats = {}
        st = r.stop(signal.SIGTERM, 60)
        if st != 0:
            self.problems.append(f"rrdcached exited {st} on SIGTERM")
        self.stop_threads.set()
        log("checking the RRD files")
        rrd = self.check_rrd(probe_clock_stop)
        return self.report(episodes, final, events, rrd)

    def spool_waiting(self):
        """(batches, samples, up samples) the probe's spool holds unacknowledged: a stopped
        probe keeps its last batch there for its next start."""
        from test_spool import HEADER  # probe/spool.h's record header
        d = os.path.join(WORK, "spool")
        acked = 0
        try:
            with open(os.path.join(d, "state")) as f:
                for line in f:
                    if line.startswith("acked "):
                        acked = int(line.split()[1])
                    elif line.startswith("last "):
                        self.spool_last = int(line.split()[1])
        except (OSError, ValueError):
            pass
        self.spool_acked = acked
        batches = samples = up = 0
        for seg in sorted(n for n in os.listdir(d) if n.startswith("seg-")):
            with open(os.path.join(d, seg), "rb") as f:
                data = f.read()
            off = 0
            while off + HEADER.size <= len(data):
                _, length, seq, _, _ = HEADER.unpack_from(data, off)
                end = off + HEADER.size + length
                if end > len(data):
                    break
                if seq > acked:
                    batch = json.loads(data[off + HEADER.size:end])
                    batches += 1
                    samples += len(batch["samples"])
                    up += sum(1 for x in batch["samples"] if x.get("up"))
                off = end
        return batches, samples, up

    def verify_samples(self, at):
        """Every sample the probe spooled, looked up in its device's system.rrd at its own
        second: an up sample is there when avail is 1 and uptime is its sysUpTime; a down one
        when avail is 0. Those not there are explained when dated inside a clock step's
        window (back: from the new time to the latest time shown before it, when samples are
        not newer than their file's last update; forward: the first sample after it, further
        than the heartbeat from the one before), or still in the spool; else lost."""
        wins, top = [], None
        for _, before, after, step in self.clock_steps:
            top = before if top is None else max(top, before)
            wins.append((after - 2, (top if step < 0 else after) + 2 * INTERVAL))
        out = {"batches": 0, "samples": 0, "up": 0, "stored": 0, "clock": 0, "waiting": 0,
               "lost": [], "not_captured": 0}
        self.tap.read()
        batches = self.tap.batches
        if batches:
            last = max(getattr(self, "spool_last", 0), max(batches))
            out["not_captured"] = sum(1 for q in range(min(batches), last + 1) if q not in batches)
        acked = getattr(self, "spool_acked", 0)
        for seq in sorted(batches):
            out["batches"] += 1
            for name, ts, up, ticks in batches[seq]:
                out["samples"] += 1
                out["up"] += up
                v = at.get(name, {}).get(ts)
                if v and len(v) > 1 and not math.isnan(v[0]) and (
                        (up and v[0] > 0.5 and (ticks is None or (not math.isnan(v[1]) and
                                                                  round(v[1]) == ticks // 100)))
                        or (not up and v[0] < 0.5)):
                    out["stored"] += 1
                elif seq > acked:
                    out["waiting"] += 1
                elif any(w0 <= ts <= w1 for w0, w1 in wins):
                    out["clock"] += 1
                else:
                    near = {t: [None if math.isnan(x) else round(x) for x in at[name][t][:2]]
                            for t in range(ts - 2, ts + 3) if t in at.get(name, {})}
                    out["lost"].append(f"{name} {'up' if up else 'down'} sample dated {ts} "
                                       f"(batch {seq}, sysUpTime {ticks}; system.rrd "
                                       f"avail/uptime around it: {near})")
        return out

    def read_events(self):
        path = os.path.join(self.data, "hbmon.db")
        try:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
            cols = [r[1] for r in db.execute("pragma table_info(events)")]
            rows = db.execute("select * from events").fetchall()
            db.close()
            return [dict(zip(cols, r)) for r in rows]
        except sqlite3.Error as e:
            self.problems.append(f"reading the events of hbmon.db: {e}")
            return []

    def check_rrd(self, probe_clock_stop):
        """rrdtool info of every file; each device's system.rrd read at 1 s: up samples
        stored, samples missing between two stored ones (from sysUpTime), gaps."""
        base = os.path.join(self.data, "rrd")
        files = []
        for root, _, names in os.walk(base):
            files += [os.path.join(root, n) for n in names if n.endswith(".rrd")]
        files.sort()
        rt = subprocess.Popen(["rrdtool", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, bufsize=1)

        def cmd(line):
            rt.stdin.write(line + "\n")
            rt.stdin.flush()
            out = []
            while True:
                ln = rt.stdout.readline()
                if not ln:
                    return out, "rrdtool ended"
                if ln.startswith("OK "):
                    return out, None
                if ln.startswith("ERROR"):
                    return out, ln.strip()
                out.append(ln.rstrip("\n"))

        res = {"files": len(files), "ok": 0, "bad": [], "stale": [], "by_kind": {}}
        for path in files:
            out, err = cmd(f"info {path}")
            kv = {}
            for ln in out:
                if " = " in ln:
                    k, v = ln.split(" = ", 1)
                    kv[k] = v.strip('"')
            nds = len({k.split("]")[0] for k in kv if k.startswith("ds[")})
            kind = os.path.basename(path).split("-")[0].split(".")[0]
            res["by_kind"][kind] = res["by_kind"].get(kind, 0) + 1
            if err or kv.get("step") != "1" or nds == 0 or "last_update" not in kv:
                res["bad"].append(f"{path}: {err or 'header: step ' + str(kv.get('step')) + ', ' + str(nds) + ' data sources'}")
                continue
            res["ok"] += 1
            if int(kv["last_update"]) < probe_clock_stop - 60:
                res["stale"].append(f"{os.path.relpath(path, base)}: last update "
                                    f"{probe_clock_stop - int(kv['last_update'])} s before the probe stopped")
        # clock windows, in clock (RRD) time
        steps = [(before, after) for _, before, after, _ in self.clock_steps]
        segs, windows = clock_model(self.clock_steps, self.t0_clock)
        start = self.t0_clock - 30
        end = probe_clock_stop + 30
        stored_up = missing_clock = missing_other = 0
        gaps_expl = 0
        unexplained = []
        restarts = unchecked = 0
        spikes = []
        late_first = []
        dump = {}
        at = {}
        for dev in sorted(os.listdir(base)) if os.path.isdir(base) else []:
            for d in sorted(os.listdir(os.path.join(base, dev))):
                ddir = os.path.join(base, dev, d)
                name = f"{urllib.parse.unquote(dev)}/{urllib.parse.unquote(d)}"
                out, err = cmd(f"fetch {ddir}/system.rrd AVERAGE -r 1 -s {start} -e {end}")
                if err:
                    unexplained.append(f"{name}: system.rrd: {err}")
                    continue
                rows = parse_fetch(out)
                at[name] = {t: v for t, v in rows}
                a = analyse_system(rows, steps, segs, windows)
                dump[name] = a.pop("runs")
                stored_up += a["up"]
                missing_clock += a["missing_clock"]
                missing_other += a["missing_other"]
                gaps_expl += a["gaps_explained"]
                restarts += a["restarts"]
                unchecked += a["unchecked"]
                unexplained += [f"{name}: {u}" for u in a["unexplained"]]
                sa = os.path.join(ddir, "snmp_agent.rrd")
                if os.path.exists(sa):
                    out, err = cmd(f"fetch {sa} AVERAGE -r 1 -s {start} -e {end}")
                    vals = [v for _, row in parse_fetch(out) for v in row if not math.isnan(v)]
                    if vals and max(vals) > 1000:
                        spikes.append(f"{name}: snmp_agent.rrd {max(vals):.0f}/s")
                if urllib.parse.unquote(dev) == commune_name(LATE):
                    out, err = cmd(f"fetch {ddir}/if-1.rrd AVERAGE -r 1 -s {start} -e {end}")
                    known = [t for t, row in parse_fetch(out) if len(row) > 4 and not math.isnan(row[4])]
                    late_first.append(known[0] if known else None)
        rt.stdin.close()
        rt.wait(30)
        with open(os.path.join(WORK, "logs", "system-rrd-runs.json"), "w") as f:
            json.dump({"clock_steps": self.clock_steps, "t0_clock": self.t0_clock,
                       "late_appeared": self.late_appeared, "devices": dump}, f)
        res.update(truth=self.verify_samples(at),
                   stored_up=stored_up, missing_clock=missing_clock,
                   missing_other=missing_other, gaps_explained=gaps_expl, unexplained=unexplained,
                   restarts=restarts, unchecked=unchecked, spikes=spikes, late_first=late_first)
        return res

    # ---- the report
    def report(self, episodes, final, events, rrd):
        problems = list(self.problems)
        plog = self.probe.tail(1 << 20)
        m = re.findall(r"stopping: (\d+) polls, (\d+) answered, (\d+) timeouts, .*?"
                       r"(\d+) batches sent, (\d+) refused, (\d+) lost, (\d+) waiting in the spool",
                       plog)
        if m:
            polls, answered, timeouts, sent, p_refused, lost, waiting = map(int, m[-1])
        else:
            polls = answered = timeouts = sent = p_refused = lost = waiting = None
            problems.append("the probe's stop line is missing")
        cap_hit = "cap of" in plog and "reached" in plog

        # the collector's counters over its runs: a run stopped by SIGTERM says its sample
        # count in its last line; one SIGKILLed, its last scrape (taken just before the kill)
        def csum(name):
            return sum(c.metrics.get(name, 0) for c in self.collectors)
        accepted = 0
        for c in self.collectors:
            mm = re.findall(r"stopping: (\d+) samples accepted", c.tail(1 << 20))
            accepted += int(mm[-1]) if mm else int(c.metrics.get("hbmon_ingest_samples_total", 0))
        refused = {k: csum(f'hbmon_ingest_samples_refused_total{{reason="{k}"}}')
                   for k in ("unknown_device", "clock", "not_assigned", "malformed")}
        rows_refused = csum('hbmon_ingest_rows_refused_total{reason="malformed"}')
        rrd_errors = csum("hbmon_rrd_errors_total")
        late = csum("hbmon_rrd_late_samples_total")
        updates = csum("hbmon_rrd_updates_total")
        storage_503 = csum("hbmon_ingest_storage_failed_total")
        busy_503 = csum("hbmon_ingest_busy_total")
        dups = csum("hbmon_ingest_duplicate_batches_total")
        created = csum("hbmon_rrd_files_created_total")
        files_refused = sum(csum(f'hbmon_rrd_files_refused_total{{reason="{k}"}}')
                            for k in ("device_quota", "probe_rate"))
        spool_lost_col = final.get('hbmon_probe_spool_lost_batches_total{probe="district"}', 0)
        lost_spool = max(lost or 0, int(spool_lost_col))
        lost_refused = int(sum(refused.values()) + rows_refused)
        tr = rrd["truth"]
        lost_total = (0 if cap_hit else lost_spool) + lost_refused + int(rrd_errors) \
            + (p_refused or 0) + len(tr["lost"]) + len(rrd["unexplained"])
        if p_refused:
            problems.append(f"the collector refused {p_refused} of the probe's batches (dropped)")
        if lost_spool and not cap_hit:
            problems.append(f"the probe's spool lost {lost_spool} batches (not the spool cap)")
        if lost_refused:
            problems.append(f"the collector refused {lost_refused} samples or rows: {refused}")
        if rrd_errors:
            problems.append(f"{int(rrd_errors)} RRD updates failed (hbmon_rrd_errors_total)")
        if tr["lost"]:
            problems.append(f"{len(tr['lost'])} samples the probe spooled are not in their "
                            "system.rrd, outside the clock steps' windows, e.g. "
                            + "; ".join(tr["lost"][:5]))
        if rrd["unexplained"]:
            problems.append(f"RRD: {len(rrd['unexplained'])} stretches without data outside "
                            "the clock steps, e.g. " + "; ".join(rrd["unexplained"][:5]))
        if tr["not_captured"] > 3:
            problems.append(f"{tr['not_captured']} batches went through the spool unread: "
                            "the sample-by-sample check is incomplete")
        if polls is not None and tr["samples"] and abs(tr["samples"] - polls) > 64:
            problems.append(f"the probe made {polls} polls but spooled {tr['samples']} samples")
        w_batches, w_samples, w_up = self.waiting
        if waiting != w_batches:
            problems.append(f"the probe said {waiting} batches wait in its spool; it holds {w_batches}")
        if rrd["bad"]:
            problems.append(f"{len(rrd['bad'])} RRD files bad, e.g. {rrd['bad'][:3]}")
        if rrd["stale"]:
            problems.append(f"{len(rrd['stale'])} RRD files not updated at the end, e.g. {rrd['stale'][:3]}")
        if rrd["spikes"]:
            problems.append(f"counter spikes after agent restarts: {rrd['spikes'][:3]}")
        late_ok = [t for t in rrd["late_first"] if t is not None and self.late_appeared
                   and t <= self.late_appeared + 3 * INTERVAL]
        if len(late_ok) != len(rrd["late_first"]) or not rrd["late_first"]:
            problems.append(f"{commune_name(LATE)} (first answered while the disk was full): "
                            f"if-1.rrd first value {rrd['late_first']} vs agent start "
                            f"{self.late_appeared}")
        problems += self.crashes

        # mail
        exp = expected_mails(episodes)
        got = {}
        unparsed, probe_mails = [], []
        from test_alerts import subject
        for item in self.inbox.msgs:
            rcpt, msg = item[0], item[1]
            subj = subject(msg)
            mm = re.match(r"\[hbmon\] (.+?): (.*)$", subj)
            if not mm:
                unparsed.append(subj)
                continue
            if mm.group(1) == "Huyện Thử Tải":
                # the probe's own alert (silent while the uplink was cut): district IT's,
                # not a commune's; counted apart
                probe_mails.append(subj)
                continue
            kind = "met again" if ("đã khắc phục" in mm.group(2) or "met again" in mm.group(2)) \
                else "missed"
            key = (mm.group(1), kind, rcpt)
            got[key] = got.get(key, 0) + 1
        if probe_mails:
            print(f"probe alerts mailed to district IT: {len(probe_mails)} ({probe_mails[0]})")
        n_exp, n_got = sum(exp.values()), len(self.inbox.msgs) - len(probe_mails)
        if got != exp:
            diff = sorted(set(exp) | set(got))
            problems.append("mails received differ from expected: " + "; ".join(
                f"{k[0]} {k[1]} to {k[2]}: expected {exp.get(k, 0)}, got {got.get(k, 0)}"
                for k in diff if exp.get(k, 0) != got.get(k, 0)))
        if self.mail_queued:
            problems.append(f"{self.mail_queued} mails still queued at the end")
        firing = [e for e in events if e.get("kind") == "firing"]
        resolved = [e for e in events if e.get("kind") == "resolved"]
        mail_failed = [e for e in events if e.get("kind") == "mail_failed"]
        # the alert history (the report's incidents): one "firing" and one "resolved" event
        # per commune and episode, none elsewhere
        want = {}
        for _, _, communes, _ in episodes:
            for k in communes:
                want[commune_name(k)] = want.get(commune_name(k), 0) + 1
        for kind, evs in (("firing", firing), ("resolved", resolved)):
            have = {}
            for e in evs:
                have[e.get("commune")] = have.get(e.get("commune"), 0) + 1
            if have != want:
                problems.append(f"alert history: {kind} events " + "; ".join(
                    f"{c}: {have.get(c, 0)} recorded, {want.get(c, 0)} expected"
                    for c in sorted(set(have) | set(want), key=str)
                    if have.get(c, 0) != want.get(c, 0)))
        with open(os.path.join(WORK, "logs", "events.json"), "w", encoding="utf-8") as f:
            json.dump(events, f, ensure_ascii=False, indent=0)

        errors = errors_by_kind([os.path.join(WORK, "logs", f) for f in sorted(os.listdir(os.path.join(WORK, "logs")))
                                 if f.endswith(".log")])
        # rows
        def n(x):
            return "?" if x is None else f"{int(x):,}"

        def proc_row(procs):
            return (f"{max(p.hwm_kb for p in procs) / 1024:.1f} MiB / "
                    f"{sum(p.cpu for p in procs):.1f} s ({len(procs)} run{'s' if len(procs) > 1 else ''}"
                    + (", " + ", ".join(p.how or "" for p in procs if getattr(p, 'how', None)) if
                       any(getattr(p, 'how', None) for p in procs) else "") + ")")
        total_s = time.time() - STARTED
        commit = sh("git", "-C", TOP, "rev-parse", "--short", "HEAD", check=False).stdout.strip()
        dirty = sh("git", "-C", TOP, "status", "--porcelain", "--untracked-files=no",
                   check=False).stdout.strip()
        fault_txt = "; ".join(f"{t:.0f} {d}" for t, d, _ in self.faults)
        verdict = "PASS" if not problems else "FAIL"
        rows = [
            ("run", f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(STARTED))}, hbmon "
                    f"{commit}{' + uncommitted changes' if dirty else ''}, {os.cpu_count()} cores; "
                    f"SOAK_MINUTES={MINUTES}: faults for {SCHEDULE_S} s, whole run {total_s:.0f} s"),
            ("district", f"{DEVICES} switches in {NCOMMUNES} communes ({NCOMMUNES} snmpd agents in netns "
                         f"{NS}, {NET}.0.0/16), polled every {INTERVAL} s ({DEVICES / INTERVAL:.0f} "
                         f"devices/s, ICMP + SNMP); probe → collector over HTTPS across a veth; "
                         f"rrdcached with journal; rrd_step 1 s; data_dir on a tmpfs; aiosmtpd "
                         f"with STARTTLS"),
            ("faults injected (s after the probe started)", fault_txt),
            ("samples taken (probe: polls; answered / timed out)",
             f"{n(polls)} ({n(answered)} / {n(timeouts)})"),
            ("samples accepted by the collector (Σ over its runs; a batch sent again after a 503 "
             "or a SIGKILL counts again)", n(accepted)),
            ("samples spooled by the probe, read one by one from its spool as it wrote them: "
             "batches / samples (up)", f"{n(tr['batches'])} / {n(tr['samples'])} ({n(tr['up'])})"
             + (f"; {tr['not_captured']} batches not read" if tr["not_captured"] else "")),
            ("… stored: in their device's system.rrd at their own second (avail, and sysUpTime "
             "for an up sample)", n(tr["stored"])),
            ("… not stored, dated inside a clock step's window (documented: a sample not newer "
             "than its file's last update is dropped as late; the first after the forward step "
             "is further than the heartbeat from the last)", n(tr["clock"])),
            ("… still in the probe's spool at its stop (sent at its next start)",
             n(tr["waiting"]) + f" ({n(w_batches)} batch{'es' if w_batches != 1 else ''})"),
            ("lost (spool lost + batches refused + samples refused + RRD errors + samples not "
             "stored elsewhere + stretches without data)",
             f"**{n(lost_total)}** ({n(0 if cap_hit else lost_spool)} + {n(p_refused)} + "
             f"{n(lost_refused)} + {n(rrd_errors)} + {n(len(tr['lost']))} + "
             f"{n(len(rrd['unexplained']))})"
             + (" — spool cap reached (documented)" if cap_hit else "")),
            ("cross-check from sysUpTime (polls between two stored up samples of one agent "
             "life): missing around the clock steps / elsewhere",
             f"{n(rrd['missing_clock'])} / {n(rrd['missing_other'])}"),
            ("batches answered 503 (storage failed / busy); duplicates acknowledged",
             f"{n(storage_503)} / {n(busy_503)}; {n(dups)}"),
            ("RRD updates (Σ): written / dropped as late; files created",
             f"{n(updates)} / {n(late)}; {n(created)} (refused by quota {n(files_refused)})"),
            ("files first wanted while the disk was full (late commune's if-1.rrd): first value "
             "within 30 s of the agent's start", f"{len(late_ok)} / {len(rrd['late_first'])}"),
            ("counters reset (agent restarts seen in sysUpTime between two up samples): largest "
             "stored rate of snmpInPkts/snmpOutPkts",
             f"{rrd['restarts']} restarts; "
             + ("none above 1000/s" if not rrd["spikes"] else "; ".join(rrd["spikes"][:3]))),
            ("alerts: firing / resolved events", f"{len(firing)} / {len(resolved)}"),
            ("mails expected / received", f"**{n_exp} / {n_got}**"
             + (f" ({len(mail_failed)} attempts failed while the SMTP server was down, sent later)"
                if mail_failed else "")),
            ("RRD files verified with rrdtool info: ok / bad (stale)",
             f"{n(rrd['ok'])} / {len(rrd['bad'])} ({len(rrd['stale'])}); "
             + ", ".join(f"{k} {v}" for k, v in sorted(rrd["by_kind"].items()))),
            ("hbmon-probe: peak RSS / CPU", proc_row([self.probe])),
            ("hbmon-collector: peak RSS / CPU", proc_row(self.collectors)),
            ("rrdcached: peak RSS / CPU", proc_row(self.rrdcacheds)),
        ]
        notes = []
        for (daemon, kind), (count, per_min) in sorted(errors.items(), key=lambda x: (-x[1][0], x[0])):
            rows.append((f"logged: {daemon} {kind}", f"{n(count)} (at most {per_min} a minute)"))
            if per_min > 30:
                notes.append(f"log flood: {daemon} {kind} up to {per_min} lines a minute")
        rows.append(("verdict", f"**{verdict}**" + ("" if not problems else ": "
                                                    + "; ".join(problems))))
        if notes:
            rows.append(("notes (not failures)", "; ".join(notes)))
        table = "| soak | |\n|---|---|\n" + "".join(
            f"| {a} | {str(b).replace('|', '/')} |\n" for a, b in rows)
        print()
        print(table)
        if RESULTS != "-":
            write_results(table)
        for p in problems:
            log("PROBLEM: " + p)
        log(f"{verdict} ({total_s:.0f} s); logs in {WORK}/logs")
        return 0 if not problems else 1

    # ---- cleanup
    def cleanup(self):
        self.stop_threads.set()
        for p in [self.probe] + self.collectors + self.rrdcacheds:
            if p is not None and p.status is None:
                p.expected_end = True
                p.stop(signal.SIGTERM, 15)
        if self.smtp:
            try:
                self.smtp.stop()
            except Exception:  # noqa: BLE001 - already stopped
                pass
        if self.fleet:
            try:
                self.fleet.stop()
            except Exception as e:  # noqa: BLE001
                log(f"cleanup: fleet: {e}")
        try:
            import fleet
            fleet.netns_destroy(NS, log=log)
        except Exception as e:  # noqa: BLE001
            log(f"cleanup: netns: {e}")
        if self.veth:
            sh("ip", "link", "del", VETH, check=False)
        if self.guard_route:
            sh("ip", "route", "del", "unreachable", LINK + ".0/30", "metric", "4000", check=False)
        if self.mounted and os.environ.get("SOAK_KEEP_DATA", "") not in ("", "0"):
            log(f"keeping the data disk's files in {WORK}/kept-data")
            sh("cp", "-a", self.data, os.path.join(WORK, "kept-data"), check=False, timeout=600)
        if self.mounted:
            r = sh("umount", self.data, check=False)
            if r.returncode != 0:
                sh("umount", "-l", self.data, check=False)


def parse_fetch(lines):
    rows = []
    for ln in lines:
        if ":" not in ln:
            continue
        t, rest = ln.split(":", 1)
        if not t.strip().isdigit():
            continue
        vals = []
        for v in rest.split():
            try:
                vals.append(float(v))
            except ValueError:
                vals.append(math.nan)
        rows.append((int(t), vals))
    return rows


def clock_model(clock_steps, t0_clock):
    """From the clock steps [(real time, clock before, clock after, step)]: the offset's
    segments [(real from, real to, offset)] and, in real time, the windows where samples
    may go missing because of a step: from two intervals before it until real time has
    passed what the clock had shown before it (plus two intervals)."""
    segs, windows = [], []
    off, start = 0, t0_clock - 3600
    for real, before, after, step in clock_steps:
        segs.append((start, real, off))
        windows.append((real - 2 * INTERVAL, real + max(off, 0) + 2 * INTERVAL))
        off += step
        start = real
    segs.append((start, math.inf, off))
    return segs, windows


def analyse_system(rows, steps, segs, windows):
    """One device's system.rrd at 1 s (avail, uptime, rtt). A stored up sample is a run of
    equal uptime values (GAUGE: a sample's value fills the seconds since the previous one),
    its time the run's last second. Its real time is its clock time less the offset then: of
    the clock's segments that fit, the one that puts its agent's start (real time less
    sysUpTime) where the previous sample put it, else (a restart) the first at least an
    interval after the previous sample. Between two up samples
    of one agent life, with no down sample between, the polls made = their real distance /
    interval, so the samples missing are known, and where. A restart (another start time)
    or a down sample between leaves that span unchecked."""
    runs = []  # [kind, first t, last t, uptime]
    for t, v in rows:
        av = v[0] if v else math.nan
        up = v[1] if len(v) > 1 else math.nan
        if math.isnan(av):
            key = ("gap", None)
        elif av < 0.5:
            key = ("down", None)
        else:
            key = ("up", None if math.isnan(up) else round(up))
        if runs and (runs[-1][0], runs[-1][3]) == key:
            runs[-1][2] = t
        else:
            runs.append([key[0], t, t, key[1]])
    while runs and runs[0][0] == "gap":
        runs.pop(0)
    while runs and runs[-1][0] == "gap":
        runs.pop()
    res = {"up": 0, "missing_clock": 0, "missing_other": 0, "gaps_explained": 0,
           "unexplained": [], "missing_where": [], "restarts": 0, "unchecked": 0,
           "runs": runs}

    def near_step(t0, t1):
        """[t0, t1] (clock time) meets a clock step's window: from the earlier of its two
        times to the later, widened by two intervals."""
        return any(t0 <= max(b, a) + 2 * INTERVAL and t1 >= min(b, a) - 2 * INTERVAL
                   for b, a in steps)

    def real(ts, uptime, prev):
        """(real time, same agent life as prev?) of an up sample dated ts."""
        cands = sorted(ts - off for ra, rb, off in segs if ra - 1 <= ts - off < rb + 1) or \
            [ts - segs[-1][2]]
        if prev is not None:
            best = min(cands, key=lambda c: abs(c - uptime - prev[1]))
            if abs(best - uptime - prev[1]) <= 2.5:
                return best, True
            later = [c for c in cands if c >= prev[0] + INTERVAL - 1]
            return (later[0] if later else cands[-1]), False
        return cands[0], False

    prev = None  # (real time, agent start) of the last up sample, if no down sample since
    for r in runs:
        kind = r[0]
        if kind == "gap":
            if near_step(r[1], r[2]):
                res["gaps_explained"] += 1
            else:
                res["unexplained"].append(f"no data for {r[2] - r[1] + 1} s from {r[1]}")
            continue
        if kind == "down":
            prev = None
            continue
        res["up"] += 1
        if r[3] is None:
            prev = None
            continue
        rt, same = real(r[2], r[3], prev)
        boot = rt - r[3]
        if prev is not None:
            if not same:
                res["restarts"] += 1
                if rt - prev[0] > INTERVAL + 3:
                    res["unchecked"] += 1
            else:
                missing = max(0, round((rt - prev[0]) / INTERVAL) - 1)
                if missing:
                    if any(prev[0] <= w1 and rt >= w0 for w0, w1 in windows):
                        res["missing_clock"] += missing
                    else:
                        res["missing_other"] += missing
                        res["missing_where"].append(
                            f"{missing} samples missing between {r[1]} and {r[2]} "
                            f"(sysUpTime {r[3]}, real {prev[0]:.0f} → {rt:.0f})")
        prev = (rt, boot)
    return res


def errors_by_kind(paths):
    """{(daemon, "level: module: first words"): (count, most in one minute)} of the warning
    and error lines."""
    out = {}
    minutes = {}
    pat = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (hbmon-[a-z]+) (error|warning): "
                     r"([\w-]+): (.*)$")
    for path in paths:
        base = os.path.basename(path)
        try:
            f = open(path, encoding="utf-8", errors="replace")
        except OSError:
            continue
        with f:
            for line in f:
                m = pat.match(line.rstrip("\n"))
                if m:
                    daemon, level, module, msg = m.groups()
                    minute = line[:16]
                elif base.startswith("rrdcached") and line.strip():
                    daemon, level, module, msg = "rrdcached", "log", "", line.strip()
                    minute = None
                else:
                    continue
                msg = re.sub(r"https?://\S+", "<url>", msg)
                msg = re.sub(r"[\w.+-]+@[\w.-]+", "<mail>", msg)
                msg = re.sub(r"(/[^\s:,]+)+", "<path>", msg)
                msg = re.sub(r"\b\d+(\.\d+)*\b", "N", msg)
                words = " ".join(msg.split()[:7])
                key = (daemon, f"{level}: {module + ': ' if module else ''}{words}…")
                out[key] = out.get(key, 0) + 1
                mk = (key, minute)
                minutes[mk] = minutes.get(mk, 0) + 1
    return {k: (v, max(c for (kk, _), c in minutes.items() if kk == k)) for k, v in out.items()}


def write_results(table):
    """The soak's section of bench/RESULTS.md, between its markers (benchinfo's helper, as
    every benchmark writes its own)."""
    from benchinfo import write_marked_section
    write_marked_section(
        RESULTS, "<!-- soak: written by tests/soak/run.py -->", "<!-- /soak -->",
        "## Soak\n\nWritten by `tests/soak/run.py` (`make soak`): a simulated district at full "
        "polling load with faults injected on a schedule; what it runs and checks is in the "
        "script's docstring.\n\n" + table)
    log(f"wrote the soak section of {RESULTS}")


def main():
    if "--plan" in sys.argv[1:]:
        print_plan()
        return 0
    if os.geteuid() != 0:
        print("tests/soak/run.py must run as root: it makes a network namespace, a veth pair and "
              "a tmpfs mount (sudo make soak)", file=sys.stderr)
        return 2
    for exe in ("rrdcached", "rrdtool", "snmpd", "ip"):
        if not shutil.which(exe):
            print(f"tests/soak/run.py: {exe} is not installed (make deps)", file=sys.stderr)
            return 2
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        print("tests/soak/run.py: python3-aiosmtpd is not installed (make deps)", file=sys.stderr)
        return 2
    for n in ("hbmon-probe", "hbmon-collector"):
        if not os.access(os.path.join(BUILD, n), os.X_OK):
            print(f"tests/soak/run.py: {os.path.join(BUILD, n)} is missing: run make first",
                  file=sys.stderr)
            return 2

    def on_signal(signum, _frame):
        raise Abort(f"signal {signum}")
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    limit = MINUTES * 60 + 300
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(
        Abort(f"the run took longer than {limit} s")))
    signal.alarm(limit)
    soak = Soak()
    rc = 1
    try:
        rc = soak.run()
    except Abort as e:
        log(f"ABORTED: {e}")
        rc = 1
    except Exception:  # noqa: BLE001 - cleaned up below whatever happened
        log("ERROR:\n" + traceback.format_exc())
        rc = 1
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        log("cleaning up")
        soak.cleanup()
    return rc


if __name__ == "__main__":
    sys.exit(main())
