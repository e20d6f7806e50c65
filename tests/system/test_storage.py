"""Storage: crash safety in both write paths, counters without spikes, late replays, graphs
(PNG, SVG, cache, ETag) and series export (JSON, CSV), against real librrd and rrdcached."""
import glob
import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.client import HTTPConnection
from urllib.parse import quote as urlquote

import pytest

from conftest import (District, admin_cookie, auth_header, batch, http, metric, sample,
                      start_collector)

COMMUNES = ["Xã Tân Lập", "Thị trấn Đông Anh", "../etc", "Phường 1/2"]
SITE = "[site-type office]\nlabel_vi = Văn phòng\nlabel_en = office\n"


def district(tmp_path, ndev, extra=""):
    devs = []
    for i in range(ndev):
        devs.append({"commune": COMMUNES[i % len(COMMUNES)], "site": "UBND",
                     "site_type": "office", "device": f"Máy {i}", "class": "switch",
                     "address": f"127.0.0.1:{20000 + i}", "snmp": "pub",
                     "community": "public"})
    return District(str(tmp_path), devs, SITE, collector_extra=extra), devs


def ifs(n, octets):
    return [{"index": k + 1, "oper": 1, "speed": 100000000, "in_octets": octets + k,
             "out_octets": octets, "in_errors": 0, "out_errors": 0, "hc": True}
            for k in range(n)]


class Poster(threading.Thread):
    """Posts one round of samples per second of sample time, as fast as acknowledged."""

    def __init__(self, dist, devs, t0, nifs, max_rounds=2000, max_seconds=30):
        super().__init__(daemon=True)
        self.dist, self.devs, self.t0, self.nifs = dist, devs, t0, nifs
        self.max_rounds, self.max_seconds = max_rounds, max_seconds
        self.acked = -1  # last round acknowledged with 200
        self.stop = False

    def start_and_wait(self, rounds, col):
        """Starts posting and returns once `rounds` rounds are acknowledged (30 s at most)."""
        self.start()
        deadline = time.time() + 30
        while self.acked < rounds and time.time() < deadline:
            time.sleep(0.05)
        assert self.acked >= rounds, col.output()

    def run(self):
        conn = HTTPConnection("127.0.0.1", self.dist.port, timeout=10)
        deadline = time.time() + self.max_seconds
        r = 0
        while not self.stop and r < self.max_rounds and time.time() < deadline:
            body = batch([sample(d["commune"], d["device"], self.t0 + r, ifs(self.nifs, r * 1000))
                          for d in self.devs], seq=r)
            try:
                conn.request("POST", "/api/v1/ingest", body,
                             {"Content-Type": "application/json",
                              "Authorization": auth_header(self.dist.url("/api/v1/ingest"),
                                                           body, None)})
                resp = conn.getresponse()
                resp.read()
            except OSError:
                return
            if resp.status == 200:
                self.acked = r
                r += 1
            elif resp.status == 503:
                time.sleep(0.05)
            else:
                raise AssertionError(f"ingest answered {resp.status}")


def rrd_files(dist):
    return sorted(glob.glob(os.path.join(dist.data, "rrd", "*", "*", "*.rrd")))


def check_files(dist, want_last, nfiles):
    """rrdtool info and fetch succeed on every file, and each holds data up to want_last."""
    files = rrd_files(dist)
    assert len(files) == nfiles, files[:5]
    for f in files:
        info = subprocess.run(["rrdtool", "info", f], capture_output=True, text=True)
        assert info.returncode == 0, f + info.stderr
        last = int(next(l for l in info.stdout.splitlines()
                        if l.startswith("last_update")).split("=")[1])
        assert last >= want_last, (f, last, want_last)
        fetch = subprocess.run(["rrdtool", "fetch", f, "AVERAGE", "-s", str(want_last - 60),
                                "-e", str(want_last)], capture_output=True, text=True)
        assert fetch.returncode == 0, f + fetch.stderr


def paths_are_safe(dist):
    root = os.path.realpath(os.path.join(dist.data, "rrd"))
    for f in rrd_files(dist):
        assert os.path.realpath(f).startswith(root + "/"), f
        assert os.path.basename(os.path.dirname(os.path.dirname(f))) in \
            {os.path.basename(p) for p in glob.glob(os.path.join(root, "*"))}


@pytest.mark.one_build
def test_kill9_direct_keeps_acknowledged_data(bindir, tmp_path):
    dist, devs = district(tmp_path, 24)
    col = start_collector(bindir, dist)
    t0 = int(time.time()) - 3600
    p = Poster(dist, devs, t0, nifs=8)
    p.start_and_wait(15, col)
    col.proc.send_signal(signal.SIGKILL)  # in the middle of writes
    col.proc.wait()
    p.stop = True
    p.join(15)
    check_files(dist, t0 + p.acked, 24 * 9)
    paths_are_safe(dist)
    assert len(os.listdir(os.path.join(dist.data, "rrd"))) == len(COMMUNES)
    # and it starts again on those files and takes newer samples
    col = start_collector(bindir, dist)
    body = batch([sample(d["commune"], d["device"], t0 + p.acked + 5, ifs(8, 10**6))
                  for d in devs])
    assert http(dist.url("/api/v1/ingest"), body)[0] == 200
    assert metric(dist, "hbmon_rrd_errors_total") == 0
    assert col.stop() == 0, col.output()


class RrdCached:
    def __init__(self, root, data):
        self.sock = os.path.join(root, "rrdcached.sock")
        self.argv = ["rrdcached", "-g", "-l", f"unix:{self.sock}", "-j",
                     os.path.join(root, "journal"), "-p", os.path.join(root, "rrdcached.pid"),
                     "-b", data, "-w", "3600", "-z", "1", "-f", "7200"]
        os.makedirs(os.path.join(root, "journal"), exist_ok=True)
        os.makedirs(data, exist_ok=True)
        self.log = open(os.path.join(root, "rrdcached.log"), "ab")
        self.start()

    def start(self, flush_at_exit=False):
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        self.proc = subprocess.Popen(self.argv + (["-F"] if flush_at_exit else []),
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while not os.path.exists(self.sock):
            assert time.time() < deadline and self.proc.poll() is None, "rrdcached did not start"
            time.sleep(0.05)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(30)


@pytest.mark.one_build
def test_kill9_rrdcached_mode_journal_replays(bindir, tmp_path):
    """The collector dies mid-write; what rrdcached acknowledged is in its journal, and reaches
    the files when rrdcached restarts and replays it (rrdcached writes its journal through
    stdio: surviving a kill -9 of rrdcached itself is not what its journal promises)."""
    data = os.path.join(str(tmp_path), "data", "rrd")
    cached = RrdCached(str(tmp_path), data)
    try:
        dist, devs = district(tmp_path, 24, f"rrdcached = unix:{cached.sock}")
        col = start_collector(bindir, dist)
        t0 = int(time.time()) - 3600
        p = Poster(dist, devs, t0, nifs=8)
        p.start_and_wait(15, col)
        assert metric(dist, "hbmon_rrd_errors_total") == 0
        col.proc.send_signal(signal.SIGKILL)
        col.proc.wait()
        p.stop = True
        p.join(15)
        cached.stop()  # without -F: nothing written to the files, the journal is kept
        behind = [f for f in rrd_files(dist) if rrd_last(f) < t0 + p.acked]
        assert behind, "rrdcached wrote the files: the journal was not needed"
        cached.start(flush_at_exit=True)  # replays the journal
        cached.stop()                      # and writes everything to the files
    finally:
        if cached.proc.poll() is None:
            cached.stop()
    check_files(dist, t0 + p.acked, 24 * 9)


def rrd_last(f):
    out = subprocess.run(["rrdtool", "last", f], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def test_counters_wrap_and_restart_without_spikes(bindir, tmp_path):
    dist, devs = district(tmp_path, 1)
    col = start_collector(bindir, dist)
    c, d = devs[0]["commune"], devs[0]["device"]
    t0 = int(time.time()) - 600
    rate = 1000  # octets per second, 8 kbit/s
    samples, octets, uptime = [], 4294967295 - 40 * rate, 500000
    for k in range(120):
        if k == 80:  # the agent restarts: uptime and counters start again
            octets, uptime = 0, 0
        samples.append(sample(c, d, t0 + k, [{"index": 1, "oper": 1, "speed": 10**6,
                                               "in_octets": octets % 2**32,
                                               "out_octets": octets % 2**32,
                                               "in_errors": 0, "out_errors": 0}],
                              uptime=uptime))
        octets += rate
        uptime += 100
    for s in samples:  # one sample per batch, as polls arrive
        assert http(dist.url("/api/v1/ingest"), batch([s]))[0] == 200
    st, hdr, body = http(dist.url(
        f"/api/v1/series/{quote(c)}/{quote(d)}/if-1?start={t0}&end={t0 + 119}&resolution=1"))
    assert st == 200, body
    series = json.loads(body)
    assert series["ds"][:2] == ["in_octets", "out_octets"]
    vals = [r[1] for r in series["rows"] if r[1] is not None]
    assert len(vals) >= 100, series["rows"]
    assert max(vals) <= rate * 1.01, max(vals)  # no spike at the wrap or the restart
    assert sum(1 for v in vals if abs(v - rate) < 1) >= 100
    # CSV: the same rows, a header, local time
    st, hdr, body = http(dist.url(
        f"/api/v1/series/{quote(c)}/{quote(d)}/if-1?start={t0}&end={t0 + 119}"
        "&resolution=1&format=csv"))
    assert st == 200 and hdr["Content-Type"].startswith("text/csv")
    lines = body.decode().splitlines()
    assert lines[0].startswith("timestamp,time,in_octets,out_octets")
    assert len(lines) == len(series["rows"]) + 1
    assert lines[1].split(",")[1].endswith("+0700")
    assert col.stop() == 0, col.output()


def quote(s):
    """A name as it appears in URLs: its directory name, percent-encoded again."""
    return urlquote(name_path(s), safe="")


def name_path(name):
    """name_to_path for the names of these tests (short ones)."""
    out = []
    for i, b in enumerate(name.encode()):
        ch = chr(b)
        if ch.isascii() and (ch.isalnum() or ch in "_-" or (ch == "." and i > 0)):
            out.append(ch)
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def test_late_replays_are_counted_not_errors(bindir, tmp_path):
    dist, devs = district(tmp_path, 2)
    col = start_collector(bindir, dist)
    t0 = int(time.time()) - 100
    first = batch([sample(d["commune"], d["device"], t0 + 10, ifs(2, 0)) for d in devs])
    older = batch([sample(d["commune"], d["device"], t0, ifs(2, 0)) for d in devs])
    for body in (first, first, older):
        assert http(dist.url("/api/v1/ingest"), body)[0] == 200
    assert metric(dist, "hbmon_rrd_late_samples_total") == 2 * 2 * 3
    assert metric(dist, "hbmon_rrd_errors_total") == 0
    # the replay is in order again for a new interface: its file is made, the others are late
    newer_if = batch([sample(devs[0]["commune"], devs[0]["device"], t0 + 5,
                             ifs(3, 0))])
    assert http(dist.url("/api/v1/ingest"), newer_if)[0] == 200
    assert len(glob.glob(os.path.join(dist.data, "rrd", "*", "*", "if-3.rrd"))) == 1
    assert col.stop() == 0, col.output()


def test_graphs_png_svg_cached_with_etag(bindir, tmp_path):
    dist, devs = district(tmp_path, 1)
    col = start_collector(bindir, dist)
    c, d = quote(devs[0]["commune"]), quote(devs[0]["device"])
    now = int(time.time())
    for k in range(5):
        body = batch([sample(devs[0]["commune"], devs[0]["device"], now - 10 + k, ifs(1, k))])
        assert http(dist.url("/api/v1/ingest"), body)[0] == 200
    url = dist.url(f"/graph/{c}/{d}/system.svg?period=hour")
    st, hdr, svg = http(url)
    assert st == 200 and hdr["Content-Type"] == "image/svg+xml", svg[:200]
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg
    assert hdr["X-Hbmon-Cache"] == "miss" and hdr["ETag"]
    st, hdr2, svg2 = http(url)
    assert st == 200 and hdr2["X-Hbmon-Cache"] == "hit" and svg2 == svg
    assert hdr2["ETag"] == hdr["ETag"] and "max-age" in hdr2["Cache-Control"]
    req = urllib.request.Request(url, headers={"If-None-Match": hdr["ETag"],
                                              "Cookie": admin_cookie(url)})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 304
    # new data for the device: drawn again
    body = batch([sample(devs[0]["commune"], devs[0]["device"], now - 2, ifs(1, 9))])
    assert http(dist.url("/api/v1/ingest"), body)[0] == 200
    assert http(url)[1]["X-Hbmon-Cache"] == "miss"
    st, hdr, png = http(dist.url(f"/graph/{c}/{d}/if-1.png?period=custom&start={now - 600}"
                                 f"&end={now}"))
    assert st == 200 and png.startswith(b"\x89PNG"), png[:100]
    for bad in ("start=yesterday", f"start={now}&end={now - 60}", "end=2026-13-45"):
        assert http(dist.url(f"/graph/{c}/{d}/system.png?{bad}"))[0] == 400, bad
    assert http(dist.url(f"/graph/{c}/{d}/system.gif"))[0] == 404
    assert http(dist.url(f"/api/v1/series/{c}/{d}/system?cf=SUM"))[0] == 400
    assert http(dist.url(f"/api/v1/series/{c}/{d}/if-7"))[0] == 404
    assert col.stop() == 0, col.output()


def test_rrdcached_mode_serves_fresh_series_and_graphs(bindir, tmp_path):
    """Values still held by rrdcached are flushed before a graph or a series is read."""
    data = os.path.join(str(tmp_path), "data", "rrd")
    cached = RrdCached(str(tmp_path), data)
    try:
        dist, devs = district(tmp_path, 1, f"rrdcached = unix:{cached.sock}")
        col = start_collector(bindir, dist)
        c, d = quote(devs[0]["commune"]), quote(devs[0]["device"])
        t0 = int(time.time()) - 600
        for k in range(10):
            body = batch([sample(devs[0]["commune"], devs[0]["device"], t0 + k,
                                 ifs(1, k * 1000))])
            assert http(dist.url("/api/v1/ingest"), body)[0] == 200
        assert metric(dist, "hbmon_rrdcached_batches_total") >= 10
        path = rrd_files(dist)[0]
        assert rrd_last(path) < t0 + 9  # still in rrdcached (-w 3600), not in the file
        # a probe's backlog: 400 samples of one file in one batch, more than one command line
        # of rrdcached holds (8 KiB): split, all taken
        backlog = batch([sample(devs[0]["commune"], devs[0]["device"], t0 - 500 + k,
                                ifs(1, k * 1000)) for k in range(400)])
        before = metric(dist, "hbmon_rrd_late_samples_total")
        assert http(dist.url("/api/v1/ingest"), backlog)[0] == 200
        assert metric(dist, "hbmon_rrd_late_samples_total") == before + 800  # older: late
        newer = batch([sample(devs[0]["commune"], devs[0]["device"], t0 + 10 + k,
                              ifs(1, (10 + k) * 1000)) for k in range(400)])
        assert http(dist.url("/api/v1/ingest"), newer)[0] == 200
        assert metric(dist, "hbmon_rrd_errors_total") == 0
        assert metric(dist, "hbmon_rrd_updates_total") == 2 * 410
        st, _, body = http(dist.url(f"/api/v1/series/{c}/{d}/if-1?start={t0}&end={t0 + 409}"
                                    "&resolution=1"))
        assert st == 200, body
        rows = json.loads(body)["rows"]
        rates = [r[1] for r in rows if r[1] is not None]
        assert rates and all(abs(v - 1000) < 1 for v in rates), rows
        st, hdr, png = http(dist.url(f"/graph/{c}/{d}/if-1.png?period=hour"))
        assert st == 200 and png.startswith(b"\x89PNG")
        assert col.stop() == 0, col.output()
    finally:
        cached.stop()


def test_writer_backlog_answers_503_then_accepts(bindir, tmp_path):
    """While the writer is busy (here: creating 400 files), a probe is told to come back."""
    dist, devs = district(tmp_path, 17, "write_queue_max = 1")
    col = start_collector(bindir, dist)
    t0 = int(time.time()) - 100
    big = batch([sample(d["commune"], d["device"], t0, ifs(24, 0)) for d in devs[:16]])
    res = {}
    th = threading.Thread(target=lambda: res.update(big=http(dist.url("/api/v1/ingest"), big,
                                                              timeout=60)[0]))
    th.start()
    deadline = time.time() + 10
    while metric(dist, "hbmon_write_queue_batches") < 1 and time.time() < deadline:
        time.sleep(0.01)
    small = batch([sample(devs[16]["commune"], devs[16]["device"], t0, ifs(1, 0))])
    st, hdr, _ = http(dist.url("/api/v1/ingest"), small)
    th.join(60)
    assert res["big"] == 200
    assert st == 503 and hdr["Retry-After"] == "1"
    assert metric(dist, "hbmon_ingest_busy_total") == 1
    assert http(dist.url("/api/v1/ingest"), small)[0] == 200  # sent again: taken
    assert metric(dist, "hbmon_rrd_updates_total") == 16 * 25 + 2
    assert col.stop() == 0, col.output()


def test_device_page_custom_range_links(bindir, tmp_path):
    dist, devs = district(tmp_path, 1)
    col = start_collector(bindir, dist)
    c, d = quote(devs[0]["commune"]), quote(devs[0]["device"])
    today = time.strftime("%Y-%m-%d", time.localtime())
    now = int(time.time())
    body = batch([sample(devs[0]["commune"], devs[0]["device"], now - 5, ifs(1, 0))])
    assert http(dist.url("/api/v1/ingest"), body)[0] == 200
    st, _, page = http(dist.url(f"/device/{c}/{d}?period=custom&start={today}&end={today}"
                                "&lang=en"))
    page = page.decode()
    assert st == 200 and 'name="start" value="' + today + '"' in page
    img = re.search(r'<img src="([^"]+system\.png[^"]*)"', page).group(1).replace("&amp;", "&")
    assert f"start={today}" in img and "lang=en" in img
    st, hdr, png = http(dist.url(img))
    assert st == 200 and png.startswith(b"\x89PNG")
    csv = re.search(r'<a href="(/api/v1/series/[^"]+format=csv)"', page).group(1)
    st, hdr, body = http(dist.url(csv.replace("&amp;", "&")))
    assert st == 200 and body.startswith(b"timestamp,time,avail,uptime,rtt")
    # the whole local day, end date included: one-minute rows (the archive that covers a day
    # with the tests' 1 s step), the first at 00:01 local time
    rows = body.decode().splitlines()[1:]
    assert 1439 <= len(rows) <= 1441, len(rows)
    assert rows[0].split(",")[1] == today + "T00:01:00+0700", rows[0]
    assert http(dist.url(f"/device/{c}/{d}?period=custom"))[0] == 200
    assert http(dist.url(f"/device/{c}/{d}?start=2026-02-30x"))[0] == 400
    assert col.stop() == 0, col.output()


@pytest.mark.one_build
def test_sigterm_under_load_stores_what_it_acknowledged(bindir, tmp_path):
    """A stop while probes keep posting: clean exit, every acknowledged batch on disk."""
    dist, devs = district(tmp_path, 24)
    col = start_collector(bindir, dist)
    t0 = int(time.time()) - 3600
    p = Poster(dist, devs, t0, nifs=8)
    p.start_and_wait(10, col)
    assert col.stop() == 0, col.output()  # SIGTERM, with posts still arriving
    p.stop = True
    p.join(15)
    check_files(dist, t0 + p.acked, 24 * 9)
