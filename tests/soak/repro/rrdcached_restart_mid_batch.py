#!/usr/bin/python3
"""Reproduces a collector bug the soak found (tests/soak/run.py): rrdcached going away while
the collector writes a round that makes its table of files grow.

collector/rrdstore.c rrdstore_write() keeps, in files[], pointers to entries of rs->map (the
file -> last update table) taken by lookup() for each file of the round; lookup() may call
grow_map(), which moves the table and frees the old one. When the rrdcached BATCH then fails
(or rrdcached reports an error for a line), the failure path writes through those pointers
(files[f].e->last = LAST_UNKNOWN, rrdstore.c:709; on_batch_error() reads f->e->path):
  - into freed memory: the real entries keep the time of the update that was never stored,
    so when the probe sends the batch again (it was answered 503) those samples are dropped
    as "late" and the batch is answered 200: samples acknowledged and lost;
  - heap corruption: the collector dies with SIGSEGV (ASan: heap-buffer-overflow, WRITE of
    size 8 at rrdstore.c:709 in rrdstore_write, thread T1).
Here: a collector (build/hbmon-collector, or $BIN/hbmon-collector) with rrdcached, one batch of
300 devices' first samples (1,200 new files: the table grows during the round), rrdcached
SIGTERMed DELAY seconds after the post starts, the batch sent again until 200, then every
device's system.rrd read back. Loopback only (127.0.0.1, a free port); the inventory's
device addresses are never polled. About 10 s a delay.

    sudo /usr/bin/python3 tests/soak/repro/rrdcached_restart_mid_batch.py [DELAY...]
    (default delays 0.02 0.05 0.1 0.2; BIN=build-asan for the sanitizer's report)
"""
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(TOP, "tests", "system"))
from conftest import District, batch, http, sample, start_collector  # noqa: E402


def run(bindir, delay, n=300):
    root = pathlib.Path(tempfile.mkdtemp(prefix="hbmon-repro-rcd-"))
    sock = str(root / "rcd.sock")
    (root / "journal").mkdir()
    procs = []

    def rrdcached():
        if os.path.exists(sock):
            os.unlink(sock)
        p = subprocess.Popen(["rrdcached", "-g", "-l", "unix:" + sock, "-j", str(root / "journal"),
                              "-b", str(root), "-w", "60", "-p", str(root / "pid"),
                              "-o", str(root / "rrdcached.log")],
                             stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        procs.append(p)
        end = time.time() + 10
        while not os.path.exists(sock) and time.time() < end:
            time.sleep(0.01)
        return p

    devs = [{"commune": f"C{i // 10}", "site": "S", "site_type": "one-stop", "device": f"D{i}",
             "class": "switch", "address": f"127.0.{1 + i // 250}.{1 + i % 250}:161",
             "snmp": "pub", "community": "public"} for i in range(n)]
    d = District(str(root), devs, "[site-type one-stop]\nlabel_vi = x\nlabel_en = x\n",
                 collector_extra=f"rrdcached = unix:{sock}\n", rrd_step=1, interval=10)
    col = None
    try:
        first = rrdcached()
        col = start_collector(bindir, d)
        ts = int(time.time()) - 100
        ifs = [{"index": k, "oper": 1, "speed": 1000, "in_octets": 5, "out_octets": 5}
               for k in (1, 2, 3)]
        body = batch([sample(f"C{i // 10}", f"D{i}", ts, ifs=ifs, uptime=100) for i in range(n)])

        def stop_rrdcached():
            time.sleep(delay)
            first.send_signal(signal.SIGTERM)
            first.wait()
        t = threading.Thread(target=stop_rrdcached)
        t.start()
        answers = []

        def post():
            try:
                answers.append(http(d.url("/api/v1/ingest"), body, timeout=30)[0])
            except OSError as e:
                answers.append(type(e).__name__)
        post()
        t.join()
        rrdcached()
        while answers[-1] != 200 and col.alive() and len(answers) < 40:
            time.sleep(0.5)
            post()
        if not col.alive():
            print(f"delay {delay}: the collector died (status {col.proc.poll()}); answers "
                  f"{answers}; last lines:\n    " + "\n    ".join(col.output().splitlines()[-3:]))
            return
        files = [str(p) for p in pathlib.Path(d.data, "rrd").rglob("system.rrd")]
        subprocess.run(["rrdtool", "flushcached", "--daemon", "unix:" + sock] + files,
                       capture_output=True, timeout=60)
        missing = 0
        for i in range(n):
            f = pathlib.Path(d.data, "rrd", f"C{i // 10}", f"D{i}", "system.rrd")
            out = subprocess.run(["rrdtool", "lastupdate", str(f)], capture_output=True,
                                 text=True).stdout.split()
            missing += not (len(out) >= 4 and out[-4] == f"{ts}:")
        late = [line for line in http(d.url("/metrics"))[2].decode().splitlines()
                if line.startswith("hbmon_rrd_late_samples_total")]
        print(f"delay {delay}: answers {answers}; devices whose acknowledged sample is not in "
              f"system.rrd: {missing} of {n}; {late[0] if late else ''}")
    finally:
        if col:
            col.stop()
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                p.wait()
        shutil.rmtree(root, ignore_errors=True)


def main():
    bindir = os.path.join(TOP, os.environ.get("BIN", "build"))
    delays = [float(x) for x in sys.argv[1:]] or [0.02, 0.05, 0.1, 0.2]
    for delay in delays:
        run(bindir, delay)


if __name__ == "__main__":
    main()
