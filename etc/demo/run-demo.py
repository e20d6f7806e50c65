#!/usr/bin/python3
"""make demo: a simulated district on this machine, with a history.

Serves the real device recordings of ../shared/devices/ with snmpsim on the inventory's
127.77.x.x addresses, each commune's copy with values of its own (district.py: a full disk
here, a low toner there), leaves 127.78.x.x silent (devices switched off or unplugged), and
serves the communes' web portals on 127.0.0.1:8081 (/down… answers 503). Then:

1. the probe polls the district once and its batch is kept (the devices' real shape);
2. history.py writes the past days from it, with district.py's incidents, in the ingest format;
3. `hbmon-collector import` stores them (RRD files, alert events) as a migrating site would;
4. hbmon-collector and hbmon-probe start with etc/demo/hbmon.conf.

Each run starts from an empty demo-data/. Ctrl-C stops everything it started.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "system"))
sys.path.insert(0, HERE)
import history  # noqa: E402
from district import COMMUNES, DEAD, devices, edits  # noqa: E402
from simfleet import SHARED, SnmpSim, start_portals  # noqa: E402

CONF = os.path.join(HERE, "hbmon.conf")
DATA = os.path.join(TOP, "demo-data")
BUILD = os.path.join(TOP, "build")
HISTORY_DAYS = int(os.environ.get("HBMON_DEMO_DAYS", "31"))


def say(msg):
    print(f"demo: {msg}", flush=True)


IF_OPER, IF_SPEED, IF_HIGH_SPEED = "1.3.6.1.2.1.2.2.1.8.", "1.3.6.1.2.1.2.2.1.5.", \
    "1.3.6.1.2.1.31.1.1.1.15."
# ifInOctets, ifOutOctets (Counter32), ifHCInOctets, ifHCOutOctets (Counter64)
OCTETS = {"1.3.6.1.2.1.2.2.1.10.": "65", "1.3.6.1.2.1.2.2.1.16.": "65",
          "1.3.6.1.2.1.31.1.1.1.6.": "70", "1.3.6.1.2.1.31.1.1.1.10.": "70"}


def live_octets(rec, weighted_s, weight):
    """The recording's octet counters of running ports growing from their recorded value at
    the rate the history ends with (snmpsim's numeric variation), so live graphs carry on."""
    values = {}
    with open(os.path.join(SHARED, "devices", rec + ".snmprec"), encoding="utf-8",
              errors="replace") as f:
        rows = dict(line.rstrip("\n").split("|", 2)[::2] for line in f if line.count("|") >= 2)
    for oid, kind in ((o, k) for o in rows for p, k in OCTETS.items() if o.startswith(p)):
        i = oid.rsplit(".", 1)[1]
        speed = int(rows.get(IF_SPEED + i, "0") or 0)
        if speed >= 0xffffffff:
            speed = int(rows.get(IF_HIGH_SPEED + i, "0") or 0) * 1000000
        today = int(rows[oid]) if rows[oid].isdigit() else 0
        rate = history.octet_rate(speed, today, weighted_s) * weight
        if rows.get(IF_OPER + i) == "1" and rate >= 1:
            wrap = ",wrap=1" if kind == "65" else ""
            values[oid] = (f"{kind}:numeric", f"initial={today},rate={rate:.0f}{wrap}")
    return values


def demo_now():
    """The demo's "now": the clock file the daemons read too (HBMON_CLOCK_FILE: a test pins
    the demo to a working morning), or the real clock."""
    path = os.environ.get("HBMON_CLOCK_FILE")
    if path:
        try:
            with open(path, encoding="ascii") as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            pass
    return int(time.time())


def fleet():
    """The SNMP endpoints, and for each the community's copy with the commune's values."""
    endpoints, variants = [], {}
    now = demo_now()
    weighted_s = history.weighted_seconds(now, min(history.RICH_DAYS, HISTORY_DAYS))
    weight = history.traffic_weight(now)
    for k in range(len(COMMUNES)):
        for n, (_, _, name, _, rec) in enumerate(devices(k), start=1):
            if (k, name) in DEAD:
                continue
            ep = f"127.77.{k + 1}.{n}:1161"
            endpoints.append(ep)
            values = {**live_octets(rec, weighted_s, weight), **edits(k, rec)}
            if values:
                variants[ep] = (rec, values)
    return endpoints, variants


class _Capture(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.batches.append(json.loads(body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def poll_once():
    """One poll of the whole district by the real probe, its samples caught on the way."""
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    srv.batches = []
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    with open(CONF, encoding="utf-8") as f:
        text = f.read()
    url = f"http://127.0.0.1:{srv.server_address[1]}/api/v1/ingest"
    fd, conf = tempfile.mkstemp(suffix=".conf", dir=HERE)  # relative paths stay right
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text.replace("collector_url = http://127.0.0.1:8080/api/v1/ingest",
                                 f"collector_url = {url}"))
        r = subprocess.run([os.path.join(BUILD, "hbmon-probe"), "-c", conf, "--once"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"hbmon-probe --once failed: {r.stderr[-2000:]}")
    finally:
        os.unlink(conf)
        srv.shutdown()
    return [s for b in srv.batches for s in b["samples"]]


def import_history(samples):
    """history.py writes the batches straight into `hbmon-collector import -`: both cores work."""
    log = open(os.path.join(DATA, "import.log"), "w", encoding="utf-8")  # the alerts it replays
    imp = subprocess.Popen([os.path.join(BUILD, "hbmon-collector"), "-c", CONF, "import", "-"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True,
                           encoding="utf-8")
    log.close()
    try:
        history.write(imp.stdin, samples, demo_now(), HISTORY_DAYS, CONF)
        imp.stdin.close()
        out = imp.stdout.read()
    except BaseException:  # Ctrl-C, or the importer gone (its log says why)
        imp.kill()
        imp.wait()
        raise
    if imp.wait(600) != 0:
        raise RuntimeError(f"hbmon-collector import failed ({imp.returncode}): see "
                           f"{os.path.join(DATA, 'import.log')}")
    return out.strip()


def start_daemons():
    procs = []
    for prog in ("hbmon-collector", "hbmon-probe"):
        procs.append(subprocess.Popen([os.path.join(BUILD, prog), "-c", CONF]))
        time.sleep(0.5)
    return procs


def stop(procs):
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()


# The demo's logins, printed when it starts (README's quick start names them): an
# administrator, and the officer in charge of one commune, who sees that commune only.
LOGINS = (("admin", "demo-admin-2026", "admin", None, "Quản trị viên (demo)"),
          ("canbo.tanphu", "demo-canbo-2026", "officer", "Xã Tân Phú", "Cán bộ Xã Tân Phú (demo)"))


def add_users():
    for user, password, role, commune, name in LOGINS:
        args = [os.path.join(BUILD, "hbmon-collector"), "-c", CONF, "user", "add", user,
                "--role", role, "--name", name] + (["--commune", commune] if commune else [])
        subprocess.run(args, input=password + "\n", text=True, check=True,
                       stdout=subprocess.DEVNULL)


def prepare():
    """Everything before the daemons start: the agents, the portals, the history."""
    t0 = time.time()
    os.chmod(os.path.join(HERE, "credentials.conf"), 0o600)
    shutil.rmtree(DATA, ignore_errors=True)
    os.makedirs(DATA)
    # the probe's credential, issued by the collector as an administrator does it
    subprocess.run([os.path.join(BUILD, "hbmon-collector"), "-c", CONF, "probe", "add", "district",
                    "--secret-file", os.path.join(DATA, "probe.secret")],
                   check=True, stdout=subprocess.DEVNULL)
    add_users()
    endpoints, variants = fleet()
    say(f"starting snmpsim on {len(endpoints)} loopback addresses ({len(DEAD)} devices left "
        f"silent, {len(variants)} with values of their commune)...")
    portals = start_portals(8081)
    sim = SnmpSim(endpoints, variants=variants)
    try:
        sim.start(devices(0)[0][4])
        say(f"polling the district once for the shape of its devices ({time.time() - t0:.0f} s)")
        samples = poll_once()
        say(f"writing {HISTORY_DAYS} days of history through hbmon-collector import "
            f"({time.time() - t0:.0f} s)")
        say(import_history(samples))
    except BaseException:
        sim.stop()
        portals.shutdown()
        raise
    say(f"ready in {time.time() - t0:.0f} s")
    return sim, portals


def main():
    try:
        sim, portals = prepare()
    except KeyboardInterrupt:
        say("stopped")
        return 0
    except (OSError, RuntimeError, subprocess.SubprocessError) as e:
        say(f"cannot start: {e}")
        return 1
    procs = []
    try:
        procs = start_daemons()
        print("\ndemo: dashboard at http://127.0.0.1:8080/  (English: http://127.0.0.1:8080/?lang=en)"
              + "".join(f"\ndemo: log in as {u} / {p}  ({'administrator' if r == 'admin' else 'officer of ' + c})"
                        for u, p, r, c, _ in LOGINS)
              + "\ndemo: data in demo-data/, configuration in etc/demo/. Ctrl-C stops everything.\n",
              flush=True)
        signal.signal(signal.SIGTERM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
        while all(p.poll() is None for p in procs):
            time.sleep(1)
        print("demo: a daemon exited; stopping", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        say("stopping")
        return 0
    finally:
        stop(procs)
        sim.stop()
        portals.shutdown()


if __name__ == "__main__":
    sys.exit(main())
