#!/usr/bin/python3
"""make demo: a simulated district on this machine.

Serves the real device recordings of ../shared/devices/ with snmpsim on the inventory's
127.77.x.x addresses (127.78.x.x are left silent: devices switched off or unplugged) and the
communes' web portals on 127.0.0.1:8081 (/down-… answers 503), starts hbmon-collector and
hbmon-probe with etc/demo/hbmon.conf, and stops everything on Ctrl-C.
"""
import csv
import os
import signal
import subprocess
import sys
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(TOP, "tests", "system"))
from simfleet import SnmpSim, start_portals  # noqa: E402

CONF = os.path.join(TOP, "etc", "demo", "hbmon.conf")
DATA = os.path.join(TOP, "demo-data")


def main():
    os.chmod(os.path.join(TOP, "etc", "demo", "credentials.conf"), 0o600)
    os.makedirs(DATA, exist_ok=True)
    with open(os.path.join(TOP, "etc", "demo", "inventory.csv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    endpoints = sorted({r["address"] for r in rows
                        if r["address"].startswith("127.77.") and r["snmp"]})
    with open(os.path.join(TOP, "etc", "demo", "credentials.conf"), encoding="utf-8") as f:
        first_comm = next(l.split("=", 1)[1].strip() for l in f if l.startswith("community"))
    first_ep = endpoints[0]
    print(f"demo: starting snmpsim on {len(endpoints)} loopback addresses "
          f"({sum(1 for r in rows if r['address'].startswith('127.78.'))} devices left "
          "silent)...", flush=True)
    portals = start_portals(8081)
    sim = SnmpSim(endpoints)
    sim.endpoints.sort(key=lambda e: e != first_ep)
    procs = []
    try:
        comm = next(r for r in rows if r["address"] == first_ep)["snmp"]
        with open(os.path.join(TOP, "etc", "demo", "credentials.conf"), encoding="utf-8") as f:
            text = f.read()
        community = text.split(f"[{comm}]", 1)[1].split("community =", 1)[1].split()[0]
        sim.start(community or first_comm)
        build = os.path.join(TOP, "build")
        for prog in ("hbmon-collector", "hbmon-probe"):
            procs.append(subprocess.Popen([os.path.join(build, prog), "-c", CONF]))
            time.sleep(0.5)
        print("\ndemo: dashboard at http://127.0.0.1:8080/  (English: http://127.0.0.1:8080/?lang=en)"
              "\ndemo: data in demo-data/, configuration in etc/demo/. Ctrl-C stops everything.\n",
              flush=True)
        signal.signal(signal.SIGTERM, lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
        while all(p.poll() is None for p in procs):
            time.sleep(1)
        print("demo: a daemon exited; stopping", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ndemo: stopping", flush=True)
        return 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        sim.stop()
        portals.shutdown()


if __name__ == "__main__":
    sys.exit(main())
