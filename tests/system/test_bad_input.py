"""Bad input: clear errors naming file, line and field; the collector keeps running and keeps
what it had already accepted."""
import json
import os
import signal
import subprocess
import threading
import time

import pytest

from conftest import District, http, issue_secrets, run_probe_once, start_collector
from test_end_to_end import SITE_TYPES, device_dir, devices, rrd_lastupdate


@pytest.fixture
def district(tmp_path, fleet):
    return District(str(tmp_path), devices(fleet["endpoints"]), SITE_TYPES)


def check_config(bindir, district, prog="hbmon-collector"):
    issue_secrets(bindir, district)  # the probe's check includes its secret file
    return subprocess.run([os.path.join(bindir, prog), "-c", district.conf, "--check-config"],
                          capture_output=True, timeout=30)


def inventory_path(district):
    return os.path.join(district.root, "inventory.csv")


def rewrite_inventory(district, edit):
    path = inventory_path(district)
    with open(path, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(edit(data))


BAD_INVENTORIES = [
    # (what, edit of the good file, expected line, expected text)
    ("missing column",
     lambda b: b.replace(b",address,", b",", 1), 1, 'header: missing column "address"'),
    ("bad address",
     lambda b: b.replace(b"127.91.0.3:1161", b"127.91.0.300:1161"), 4,
     'address: "127.91.0.300:1161" is not an IPv4 or IPv6 address'),
    ("duplicate device",
     lambda b: b.replace("Máy in lạ".encode(), "Máy in HP".encode()), 6,
     'device: "Máy in HP" already named in commune'),
    ("non-UTF-8 bytes",
     lambda b: b.replace("Switch tầng 1".encode(), b"Switch t\xe2ng 1"), 4,
     "device: not valid UTF-8 text"),
    ("short row",
     lambda b: b.replace(b"printer,127.91.0.4:1161,printer-hp-laserjet-500,vanphong@example.gov.vn",
                         b"printer"), 5, "row has"),
]


@pytest.mark.parametrize("what,edit,line,text", BAD_INVENTORIES, ids=[b[0] for b in BAD_INVENTORIES])
def test_bad_inventory_is_reported_with_file_line_field(bindir, district, what, edit, line, text):
    assert check_config(bindir, district).returncode == 0
    rewrite_inventory(district, edit)
    for prog in ("hbmon-collector", "hbmon-probe"):
        r = check_config(bindir, district, prog)
        err = r.stderr.decode("utf-8", "replace")
        assert r.returncode != 0, what
        assert f"{inventory_path(district)}:{line}: " in err, err
        assert text in err, err


def test_bad_inventory_reload_keeps_collector_and_data(bindir, district):
    collector = start_collector(bindir, district)
    try:
        run_probe_once(bindir, district)
        before = json.loads(http(district.url("/api/v1/devices"))[2])
        rewrite_inventory(district, BAD_INVENTORIES[1][1])
        collector.proc.send_signal(signal.SIGHUP)
        deadline = time.time() + 10
        while "reload refused" not in collector.output() and time.time() < deadline:
            time.sleep(0.1)
        out = collector.output()
        assert "reload refused" in out
        assert f"{inventory_path(district)}:4: address:" in out
        assert collector.alive()
        assert json.loads(http(district.url("/api/v1/devices"))[2]) == before
    finally:
        assert collector.stop() == 0, collector.output()


def good_sample(ts, up=True):
    return {"commune": "Xã Tân Phú", "device": "PC kế toán", "ts": ts, "up": up,
            "sys": {"name": "pc", "uptime": 100}, "if": [{"index": 1, "oper": 1, "speed": 10}]}


def batch(samples):
    return json.dumps({"version": 1, "probe": "district", "seq": 1, "samples": samples}).encode()


# refused whole: the envelope is wrong, nothing in it can be trusted
BAD_BODIES = [
    (b"", "empty body"),
    (b"{not json", "not valid JSON"),
    (b"[1,2,3]", "expected an object"),
    (json.dumps({"version": 2, "probe": "district", "samples": []}).encode(),
     "version: out of range"),
    (b'{"version":1,"probe":"district\xff","samples":[]}', "not valid JSON"),
    (b"[" * 5000, "not valid JSON"),
]

# refused alone: one bad sample or interface entry, the rest of the batch is stored
PART_BODIES = [
    ([{"commune": "x", "device": "y", "ts": "yesterday", "up": True}],
     "samples[0]", "ts: expected an integer", 0),
    ([{"good": 1}, {"good": 1, "if": [{"index": 1, "speed": "fast"}]}],
     "samples[1].if[0]", "speed: expected an unsigned integer", 2),
    ([{"good": 1, "if": [{"index": -4}]}], "samples[0].if[0]", "index: out of range", 1),
    ([{"good": 1, "up": "yes"}], "samples[0]", "up: expected true or false", 0),
]


def test_bad_ingest_bodies_are_refused_and_accepted_data_stays(bindir, district):
    collector = start_collector(bindir, district)
    try:
        run_probe_once(bindir, district)
        rrd = os.path.join(device_dir(district, "PC kế toán"), "system.rrd")
        before_rrd = rrd_lastupdate(rrd)
        before = json.loads(http(district.url("/api/v1/devices"))[2])
        now = int(time.time())
        for body, text in BAD_BODIES:
            status, _, reply = http(district.url("/api/v1/ingest"), data=body)
            assert status == 400, (body[:80], reply)
            assert text in reply.decode(), (text, reply)
        big = b'{"version":1,"probe":"district","samples":[' + b" " * (17 << 20) + b"]}"
        assert http(district.url("/api/v1/ingest"), data=big, timeout=60)[0] == 413
        # a valid batch naming an unknown device: accepted as a batch, the sample refused
        status, _, reply = http(district.url("/api/v1/ingest"),
                                data=batch([{**good_sample(now), "device": "không có"}]))
        assert status == 200, reply
        assert json.loads(reply) == {
            "accepted": 0, "refused": {"samples": 1, "rows": 0},
            "refusals": [{"commune": "Xã Tân Phú", "device": "không có",
                          "reason": "no such device in the inventory"}]}
        assert collector.alive()
        assert json.loads(http(district.url("/api/v1/devices"))[2]) == before
        assert rrd_lastupdate(rrd) == before_rrd
        subprocess.run(["rrdtool", "info", rrd], check=True, capture_output=True)
        metrics = http(district.url("/metrics"))[2].decode()
        assert f"hbmon_ingest_batches_refused_total {len(BAD_BODIES)}" in metrics
        assert 'hbmon_ingest_samples_refused_total{reason="unknown_device"} 1' in metrics
        assert "batch refused: version: out of range" in collector.output()
    finally:
        assert collector.stop() == 0, collector.output()


def test_one_bad_part_is_refused_alone(bindir, district):
    """A bad sample or interface entry is named in the answer; its neighbours are stored."""
    collector = start_collector(bindir, district)
    try:
        rrd = os.path.join(device_dir(district, "PC kế toán"), "system.rrd")
        ts = int(time.time()) - 100
        for samples, where, reason, accepted in PART_BODIES:
            ts += 5
            body = batch([{**good_sample(ts), **{k: v for k, v in s.items() if k != "good"}}
                          if "good" in s else s for s in samples])
            status, _, reply = http(district.url("/api/v1/ingest"), data=body)
            assert status == 200, (where, reply)
            answer = json.loads(reply)
            assert answer["accepted"] == accepted, (where, answer)
            assert answer["refusals"][0]["where"] == where, answer
            assert reason in answer["refusals"][0]["reason"], answer
            if accepted:  # the good parts reached the file, at their own time
                assert int(subprocess.run(["rrdtool", "last", rrd], capture_output=True,
                                          text=True, check=True).stdout) == ts
        metrics = http(district.url("/metrics"))[2].decode()
        assert "hbmon_ingest_batches_refused_total 0" in metrics
        assert "refused, the rest kept; first samples[0]" in collector.output()
    finally:
        assert collector.stop() == 0, collector.output()


def test_large_bodies_are_decoded_and_answered_like_small_ones(bindir, district):
    """Bodies above 256 KiB are decoded off the event loop: the answers are the same, the
    good one is stored, the bad one refused with the byte where it went wrong, and requests
    that arrive meanwhile are answered."""
    collector = start_collector(bindir, district)
    try:
        rrd = os.path.join(device_dir(district, "PC kế toán"), "system.rrd")
        ts = int(time.time()) - 60
        pad = b" " * (3 << 20)
        good = batch([good_sample(ts)])
        good = good[:-1] + pad + good[-1:]  # the same batch, 3 MiB long
        bad = b'{"version":1,"probe":"district","samples":[' + pad + b"}"
        results = {}

        def post(name, body):
            results[name] = http(district.url("/api/v1/ingest"), data=body, timeout=60)

        threads = [threading.Thread(target=post, args=(n, b)) for n, b in
                   (("good", good), ("bad", bad))]
        for t in threads:
            t.start()
        for _ in range(5):  # the dashboard's API, while the bodies are read and decoded
            assert http(district.url("/api/v1/devices"))[0] == 200
        for t in threads:
            t.join(90)
        status, _, reply = results["good"]
        assert status == 200, reply
        assert json.loads(reply)["accepted"] == 1, reply
        status, _, reply = results["bad"]
        assert status == 400, reply
        assert f"not valid JSON at byte {len(bad) - 1}" in reply.decode(), reply
        assert int(subprocess.run(["rrdtool", "last", rrd], capture_output=True, text=True,
                                  check=True).stdout) == ts
        assert "hbmon_ingest_batches_refused_total 1" in http(district.url("/metrics"))[2].decode()
        assert collector.alive()
    finally:
        assert collector.stop() == 0, collector.output()


def test_demo_configuration_is_valid(bindir, tmp_path):
    """The files `make demo` runs with, and that users copy, pass --check-config."""
    top = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    for f in ("hbmon.conf", "inventory.csv", "credentials.conf"):
        with open(os.path.join(top, "etc", "demo", f), "rb") as src:
            (tmp_path / f).write_bytes(src.read())
    os.chmod(tmp_path / "credentials.conf", 0o600)
    conf = (tmp_path / "hbmon.conf").read_text(encoding="utf-8")
    conf = conf.replace("../../dashboards", os.path.join(top, "dashboards"))
    conf = conf.replace("../../demo-data", str(tmp_path / "data"))
    (tmp_path / "hbmon.conf").write_text(conf, encoding="utf-8")
    # the probe's secret, as run-demo.py issues it
    issue = subprocess.run([os.path.join(bindir, "hbmon-collector"), "-c",
                            str(tmp_path / "hbmon.conf"), "probe", "add", "district",
                            "--secret-file", str(tmp_path / "data" / "probe.secret")],
                           capture_output=True, text=True, timeout=30)
    assert issue.returncode == 0, issue.stderr
    for prog in ("hbmon-collector", "hbmon-probe"):
        r = subprocess.run([os.path.join(bindir, prog), "-c", str(tmp_path / "hbmon.conf"),
                            "--check-config"], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert "configuration OK: 10 communes, 20 sites, 120 devices" in r.stdout
