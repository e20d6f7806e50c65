"""Nothing lost: the probe keeps every batch in its disk spool until the collector has stored
it; outages, a full disk on either side and SIGKILLs of either daemon cost no acknowledged
sample, and nothing is written twice."""
import contextlib
import glob
import json
import math
import os
import random
import signal
import struct
import subprocess
import time
import zlib

import pytest

from conftest import Daemon, District, http, issue_secrets, metric, start_collector
from test_end_to_end import COMMUNE, OFFICE, SITE_TYPES

pytestmark = [pytest.mark.one_build, pytest.mark.apart]  # real time: one build, apart (conftest)

ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="mounts a small tmpfs (needs root)")


def devices(eps):
    def dev(name, ep, community):
        return {"commune": COMMUNE, "site": OFFICE, "site_type": "one-stop", "device": name,
                "class": "pc", "address": ep, "snmp": community.replace("/", "-"),
                "community": community}
    return [dev("PC 1", eps[0], "pc/linux-desktop"), dev("PC 2", eps[6], "pc/windows-xp")]


def make_district(root, fleet, extra=""):
    os.makedirs(root, exist_ok=True)
    return District(str(root), devices(fleet["endpoints"]), SITE_TYPES, extra=extra)


def start_probe(bindir, d, log="probe.log"):
    return Daemon([os.path.join(bindir, "hbmon-probe"), "-c", d.conf],
                  os.path.join(d.root, log))


def probe_metric(d, name, default=math.inf):
    try:
        return metric(d, f'{name}{{probe="district"}}')
    except AssertionError:  # no contact with the probe yet
        return default


def spool_left(d):
    return probe_metric(d, "hbmon_probe_spool_batches")


def wait_for(cond, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


def wait_delivered(d, seconds=60):
    """Until the probe has reported an empty spool, twice a few seconds apart."""
    wait_for(lambda: spool_left(d) == 0, seconds, "the spool delivered")
    time.sleep(3)
    wait_for(lambda: spool_left(d) == 0, seconds, "the spool delivered")


def rrd_file(d, name):
    import urllib.parse
    q = lambda s: urllib.parse.quote(s, safe="-_.")
    return os.path.join(d.data, "rrd", q(COMMUNE), q(name), "system.rrd")


def gaps(path, start, end):
    """Seconds in [start, end) where the file has no availability value (rrdtool fetch at
    its 1 s step): a gap longer than the heartbeat (three intervals) means lost samples. The
    window ends at the file's last update at the latest."""
    last = int(subprocess.run(["rrdtool", "last", path], capture_output=True, text=True,
                              check=True).stdout)
    end = min(end, last - 1)  # fetch labels a row by its start: the last one is open
    out = subprocess.run(["rrdtool", "fetch", path, "AVERAGE", "-r", "1", "-s", str(start),
                          "-e", str(end)], capture_output=True, text=True, check=True).stdout
    missing = []
    for line in out.splitlines():
        if ":" not in line:
            continue
        ts, vals = line.split(":", 1)
        if vals.split()[0].lower() in ("nan", "-nan"):
            missing.append(int(ts))
    if missing:
        print(path, start, end, out)
    return missing


def check_files(d):
    files = glob.glob(os.path.join(d.data, "rrd", "*", "*", "*.rrd"))
    assert files
    for f in files:
        subprocess.run(["rrdtool", "info", f], check=True, capture_output=True)


def first_update(path):
    return int(subprocess.run(["rrdtool", "first", path, "--rraindex", "0"],
                              capture_output=True, text=True, check=True).stdout)


def test_collector_outage_loses_nothing(bindir, tmp_path, fleet):
    d = make_district(tmp_path / "site", fleet)
    c = start_collector(bindir, d)
    p = start_probe(bindir, d)
    try:
        wait_for(lambda: metric(d, "hbmon_ingest_samples_total") >= 4, 30, "first samples")
        c.stop()
        down = int(time.time())
        time.sleep(12)  # six polls of each device with nobody to take them
        c = start_collector(bindir, d)
        up = int(time.time())
        wait_delivered(d)
        assert metric(d, "hbmon_rrd_late_samples_total") == 0  # nothing sent twice
        for name in ("PC 1", "PC 2"):
            assert gaps(rrd_file(d, name), down - 2, up + 2) == [], name
        assert "batches wait in the spool" in p.output()
    finally:
        assert p.stop() == 0, p.output()[-3000:]
        assert c.stop() == 0, c.output()[-3000:]


@contextlib.contextmanager
def tmpfs(path, size):
    os.makedirs(path, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                   check=True)
    try:
        yield str(path)
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(where):
    """Fills the volume; returns the filler's path (delete it to give the space back)."""
    path = os.path.join(where, "filler")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    return path


@needs_root
def test_collector_disk_full_answers_503_and_loses_nothing(bindir, tmp_path, fleet):
    site = tmp_path / "site"
    with tmpfs(tmp_path / "data", "128m") as data:
        d = make_district(site, fleet, extra=f"spool_dir = {tmp_path}/spool\n")
        with open(d.conf, encoding="utf-8") as f:
            conf = f.read()
        with open(d.conf, "w", encoding="utf-8") as f:
            f.write(conf.replace(f"data_dir = {d.data}", f"data_dir = {data}"))
        d.data = data
        c = start_collector(bindir, d)
        filler = fill(data)
        p = start_probe(bindir, d)
        try:
            start = int(time.time())
            wait_for(lambda: metric(d, "hbmon_ingest_storage_failed_total") >= 2, 30,
                     "batches answered 503 on the full disk")
            assert not glob.glob(os.path.join(data, "rrd", "*", "*", "system.rrd"))
            time.sleep(6)
            os.unlink(filler)  # the space comes back
            wait_delivered(d, 90)
            end = int(time.time())
            check_files(d)
            for name in ("PC 1", "PC 2"):
                path = rrd_file(d, name)
                # the file starts with the probe's first sample, not when space returned
                assert first_update(path) <= start + 4, name
                assert gaps(path, start + 5, end - 2) == [], name
            assert "rrd_create: the disk is full or failing" in c.output()
        finally:
            assert p.stop() == 0, p.output()[-3000:]
            assert c.stop() == 0, c.output()[-3000:]


@needs_root
def test_probe_spool_volume_full_counts_the_loss_and_recovers(bindir, tmp_path, fleet):
    with tmpfs(tmp_path / "spool", "64k") as spool:
        d = make_district(tmp_path / "site", fleet, extra=f"spool_dir = {spool}/district\n")
        issue_secrets(bindir, d)
        p = start_probe(bindir, d)  # no collector yet: batches pile up in the spool
        try:
            wait_for(lambda: "spool: batch of" in p.output(), 120, "the spool volume full")
            assert p.alive()
            c = start_collector(bindir, d)
            try:
                wait_for(lambda: probe_metric(d, "hbmon_probe_spool_lost_batches_total", 0) > 0,
                         60, "the loss reported")
                wait_delivered(d, 90)
                t = int(time.time())
                time.sleep(5)
                for name in ("PC 1", "PC 2"):  # new samples flow again
                    assert gaps(rrd_file(d, name), t, int(time.time()) - 1) == [], name
                assert "spool: writing again" in p.output()
            finally:
                assert c.stop() == 0, c.output()[-3000:]
        finally:
            assert p.stop() == 0, p.output()[-3000:]


ROUNDS = 20
HEADER = struct.Struct("<4sIQqI")  # probe/spool.h: magic, length, seq, wall time, CRC-32


def read_spool(path):
    """The batches a spool directory holds, read as the probe would; a torn tail (the record
    a SIGKILL cut) ends a segment, anything else wrong fails the test."""
    seqs = []
    for seg in sorted(glob.glob(os.path.join(path, "seg-*.spool"))):
        with open(seg, "rb") as f:
            data = f.read()
        off = 0
        while off + HEADER.size <= len(data):
            magic, length, seq, _, crc = HEADER.unpack_from(data, off)
            end = off + HEADER.size + length
            assert magic == b"\xffSP1", (seg, off)
            if end > len(data):
                break  # torn tail
            body = data[off + HEADER.size:end]
            assert zlib.crc32(data[off:off + 24] + body) == crc, (seg, off)
            assert json.loads(body)["samples"]
            seqs.append(seq)
            off = end
    assert seqs == sorted(seqs)
    return seqs


def test_sigkill_loops_lose_no_acknowledged_sample(bindir, tmp_path, fleet):
    """The probe killed while spooling, then the collector killed during ingest, 20 rounds
    each: every file still reads, the spool still opens, and no sample the probe had spooled
    is missing. Each probe life is long enough to spool its first round (about 1.3 s), so a
    gap over the heartbeat (three intervals) in a file can only be a lost sample."""
    d = make_district(tmp_path / "site", fleet)
    spool = os.path.join(d.data, "spool", "district")
    rnd = random.Random(7)
    c = start_collector(bindir, d)
    p = None
    try:
        p = start_probe(bindir, d)
        wait_for(lambda: metric(d, "hbmon_ingest_samples_total") >= 4, 30, "first samples")
        start = int(time.time())
        for i in range(ROUNDS):
            time.sleep(rnd.uniform(1.5, 3.0))
            p.proc.send_signal(signal.SIGKILL)
            p.proc.wait()
            read_spool(spool)
            p = start_probe(bindir, d, f"probe-{i}.log")
        for i in range(ROUNDS):
            time.sleep(rnd.uniform(0.2, 1.2))
            c.proc.send_signal(signal.SIGKILL)
            c.proc.wait()
            c = start_collector(bindir, d)
        wait_delivered(d, 90)
        end = int(time.time())
        assert p.alive()
        check_files(d)
        for name in ("PC 1", "PC 2"):
            assert gaps(rrd_file(d, name), start, end) == [], name
        logs = "".join(open(f, encoding="utf-8", errors="replace").read()
                       for f in glob.glob(os.path.join(d.root, "probe*.log")))
        assert "fatal" not in logs.lower(), logs[-3000:]
    finally:
        if p:
            assert p.stop() == 0, p.output()[-3000:]
        assert c.stop() == 0, c.output()[-3000:]


def test_probe_works_from_its_cached_assignment_while_the_collector_is_away(bindir, tmp_path,
                                                                            fleet):
    """The probe polls what the collector assigns it (its own inventory is empty), caches
    it, and after a restart with the collector away polls the same devices from the cache;
    what it spooled meanwhile reaches the files once the collector is back."""
    d = make_district(tmp_path / "site", fleet)
    with open(d.conf, encoding="utf-8") as f:
        conf = f.read()
    probe_conf = os.path.join(d.root, "probe.conf")
    with open(probe_conf, "w", encoding="utf-8") as f:
        f.write(conf.replace("[general]\n", "[general]\ninventory = probe-inventory.csv\n", 1))
    with open(os.path.join(d.root, "probe-inventory.csv"), "w", encoding="utf-8") as f:
        f.write("commune,site,site_type,device,class,address,snmp,contact\n")
    probe = lambda log: Daemon([os.path.join(bindir, "hbmon-probe"), "-c", probe_conf],
                               os.path.join(d.root, log))
    c = start_collector(bindir, d)
    p = probe("probe-1.log")
    try:
        wait_for(lambda: metric(d, "hbmon_ingest_samples_total") >= 4, 30, "first samples")
        assert "polling 2 devices" in p.output(), p.output()[-2000:]
        assert p.stop() == 0
        c.stop()
        p = probe("probe-2.log")  # the collector is away
        wait_for(lambda: "working from the one cached" in p.output(), 30, "the cache used")
        assert "polling 2 devices" in p.output(), p.output()[-2000:]
        down = int(time.time())
        time.sleep(6)
        c = start_collector(bindir, d)
        up = int(time.time())
        wait_delivered(d)
        for name in ("PC 1", "PC 2"):
            assert gaps(rrd_file(d, name), down, up) == [], name
    finally:
        assert p.stop() == 0, p.output()[-3000:]
        assert c.stop() == 0, c.output()[-3000:]


def test_probe_follows_a_changed_assignment(bindir, tmp_path, fleet):
    """The collector's answer carries the digest of the probe's assignment: after the
    inventory gives the probe another device (and the collector reloads it), the probe starts
    again by itself, polls it, and sends nothing twice."""
    d = make_district(tmp_path / "site", fleet)
    inv = os.path.join(d.root, "inventory.csv")
    with open(inv, encoding="utf-8") as f:
        rows = f.read().splitlines()
    header, pc1, pc2 = rows[0] + ",probe", rows[1] + ",", rows[2] + ",elsewhere"
    with open(inv, "w", encoding="utf-8") as f:
        f.write("\n".join([header, pc1, pc2]) + "\n")
    c = start_collector(bindir, d)
    p = start_probe(bindir, d)
    try:
        wait_for(lambda: metric(d, "hbmon_ingest_samples_total") >= 3, 30, "first samples")
        assert "polling 1 devices" in p.output(), p.output()[-2000:]
        time.sleep(3)  # the same assignment: no restart
        assert "assignment for this probe changed" not in p.output()
        with open(inv, "w", encoding="utf-8") as f:
            f.write("\n".join([header, pc1, rows[2] + ","]) + "\n")
        c.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: os.path.exists(rrd_file(d, "PC 2")), 40, "PC 2 polled")
        out = p.output()
        assert out.count("assignment for this probe changed") == 1, out[-3000:]
        assert "polling 2 devices" in out, out[-2000:]
        wait_delivered(d)
        assert metric(d, "hbmon_rrd_late_samples_total") == 0  # nothing sent twice
        assert p.alive()  # the same process, started again in place
    finally:
        assert p.stop() == 0, p.output()[-3000:]
        assert c.stop() == 0, c.output()[-3000:]


def test_a_wrong_answer_keeps_the_batch(bindir, tmp_path):
    """Something that is not the collector answers the ingest address (a proxy, a wrong
    server): its 404s say nothing about the batch, which stays in the spool and is posted
    again, and the probe names the likely cause once. Only 400 and 413 drop a batch."""
    import http.server
    import threading
    seen = []  # (seq, status answered)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status = 404 if len(seen) < 3 else 200
            seen.append((body["seq"], status))
            out = b'{"accepted":1}' if status == 200 else b"not here\n"
            self.send_response(status)
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def do_GET(self):
            self.send_error(404)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    devs = [{"commune": "Xã A", "site": "Một cửa", "site_type": "one-stop", "device": "PC 1",
             "class": "pc", "address": "127.0.0.1", "snmp": "", "contact": ""}]
    d = District(str(tmp_path), devs, "[site-type one-stop]\nlabel_vi = Một cửa\npc = 1\n",
                 interval=1)
    with open(d.conf, encoding="utf-8") as f:
        text = f.read().replace(f"127.0.0.1:{d.port}/", f"127.0.0.1:{srv.server_port}/")
    with open(d.conf, "w", encoding="utf-8") as f:
        f.write(text)
    secret = tmp_path / "probe.secret"
    secret.write_text("x" * 32 + "\n")
    secret.chmod(0o600)
    p = Daemon([os.path.join(bindir, "hbmon-probe"), "-c", d.conf], str(tmp_path / "p.log"))
    try:
        deadline = time.time() + 60
        while sum(1 for _, st in seen if st == 200) < 3 and time.time() < deadline:
            assert p.alive(), p.output()
            time.sleep(0.2)
    finally:
        assert p.stop() == 0, p.output()
        srv.shutdown()
    refused = {seq for seq, st in seen if st == 404}
    stored = {seq for seq, st in seen if st == 200}
    assert refused and refused <= stored, seen  # every batch answered 404 came again
    assert "not the collector's ingest address" in p.output(), p.output()
    assert "dropped" not in p.output(), p.output()
