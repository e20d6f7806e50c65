"""Alert digests as webhook POSTs ([webhook NAME], collector/webhook.h), played on the
collector's injectable clock against a real local HTTP receiver: the firing digest arrives
signed (HMAC-SHA256 of the body) with its schema's fields in Vietnamese; with the receiver
down for an hour the recovery digest waits in the outbox, retried with backoff, and once the
receiver is back it is delivered exactly once."""
import hashlib
import hmac
import json
import os
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import District, batch, free_port, http, sample, start_collector

VN = timezone(timedelta(hours=7))
COMMUNE, OTHER = "Xã Tân Lập", "Xã Khác"
SECRET = "bi-mat-cua-cau-noi-zalo-2026"
SITE_TYPES = """[site-type one-stop]
label_vi = Bộ phận một cửa
label_en = one-stop office
hours = always
scanner = 1
"""


class Receiver:
    """A chat bridge's endpoint: records each POST, answers 200; can be down."""

    def __init__(self, port):
        self.port, self.got, self.lock, self.server = port, [], threading.Lock(), None

    def start(self):
        rec = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with rec.lock:
                    rec.got.append((dict(self.headers), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def posts(self):
        with self.lock:
            return list(self.got)


class Clock:
    def __init__(self, root):
        self.path = os.path.join(root, "clock")
        self.now = int(datetime(2026, 11, 23, 9, 0, tzinfo=VN).timestamp())
        self.write()

    def write(self):
        with open(self.path + ".tmp", "w") as f:
            f.write(str(self.now))
        os.replace(self.path + ".tmp", self.path)


def minute(dist, clock, scanner_up):
    clock.now += 60
    clock.write()
    body = batch([sample(COMMUNE, "Máy quét", clock.now, up=scanner_up),
                  sample(OTHER, "Máy quét", clock.now, up=scanner_up)])
    assert http(dist.url("/api/v1/ingest"), body)[0] == 200
    assert http(dist.url("/api/v1/alerts"))[0] == 200


def outbox(dist):
    db = sqlite3.connect(os.path.join(dist.data, "hbmon.db"), timeout=10)
    try:
        return db.execute("SELECT id, rcpt, attempts, sent FROM outbox ORDER BY id").fetchall()
    finally:
        db.close()


def test_digests_posted_signed_and_delivered_once(bindir, tmp_path):
    port = free_port()
    rec = Receiver(port)
    rec.start()
    clock = Clock(str(tmp_path))
    devs = [{"commune": c, "site": "Một cửa", "site_type": "one-stop", "device": "Máy quét",
             "class": "scanner", "address": f"127.0.0.{20 + i}:161", "snmp": "pub",
             "community": "public"} for i, c in enumerate((COMMUNE, OTHER))]
    extra = f"""[alerts]
pending = 60
recover = 60
digest_interval = 60
startup_grace = 0
dashboard_url = http://hbmon.huyen.test
[webhook zalo]
url = http://127.0.0.1:{port}/hook
secret = {SECRET}
communes = {COMMUNE}
language = vi
"""
    dist = District(str(tmp_path), devs, SITE_TYPES, extra=extra)
    os.chmod(dist.conf, 0o600)  # it holds the webhook's secret
    col = start_collector(bindir, dist, env={"HBMON_CLOCK_FILE": clock.path})
    try:
        for _ in range(12):  # the collector settles (stale_after), then the scanner fails:
            minute(dist, clock, True)  # firing, one digest
        for _ in range(5):
            minute(dist, clock, False)
        posts = rec.posts()
        assert len(posts) == 1, [p[1][:200] for p in posts]
        headers, body = posts[0]
        want = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert headers["X-Hbmon-Signature"] == want
        assert headers["Content-Type"] == "application/json"
        first_id = headers["X-Hbmon-Delivery"]
        msg = json.loads(body)
        assert (msg["version"], msg["commune"], msg["language"]) == (1, COMMUNE, "vi")
        assert msg["district"] == "Huyện Thử" and msg["dashboard"] == "http://hbmon.huyen.test"
        assert msg["time"].endswith("+07:00")
        assert [c["kind"] for c in msg["changes"]] == ["firing"] * len(msg["changes"])
        assert any("máy quét" in c["what"] for c in msg["changes"]), msg["changes"]
        assert msg["firing"] and msg["firing"][0]["acknowledged_by"] is None
        assert COMMUNE in msg["subject"] and msg["text"]
        # the other commune's digest is not this bridge's (communes = …)
        assert all(json.loads(b)["commune"] == COMMUNE for _, b in posts)

        rec.stop()  # the bridge is down for an hour; the scanner comes back meanwhile
        for _ in range(60):
            minute(dist, clock, True)
        waiting = [r for r in outbox(dist) if r[1] == "webhook:zalo" and r[3] is None]
        assert len(waiting) == 1 and waiting[0][2] >= 5, outbox(dist)  # tried, backing off
        assert len(rec.posts()) == 1

        rec.start()  # back: the recovery digest arrives, once
        for _ in range(70):
            minute(dist, clock, True)
            if len(rec.posts()) > 1:
                break
        for _ in range(10):
            minute(dist, clock, True)
        posts = rec.posts()
        assert len(posts) == 2, [p[1][:200] for p in posts]
        headers, body = posts[1]
        assert headers["X-Hbmon-Delivery"] != first_id
        assert headers["X-Hbmon-Signature"] == \
            "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        msg = json.loads(body)
        assert [c["kind"] for c in msg["changes"]] == ["resolved"] * len(msg["changes"])
        assert msg["firing"] == []
        assert all(r[3] is not None for r in outbox(dist) if r[1] == "webhook:zalo")
    finally:
        assert col.stop() == 0, col.output()
        if rec.server:
            try:
                rec.stop()
            except OSError:
                pass


def test_webhook_config_mistakes_are_named(bindir, tmp_path):
    extra = """[webhook bad]
url = ftp://example.invalid/x
secret = short
colour = red
"""
    dist = District(str(tmp_path), [], SITE_TYPES, extra=extra)
    import subprocess
    r = subprocess.run([os.path.join(bindir, "hbmon-collector"), "-c", dist.conf,
                        "--check-config"], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    out = r.stdout + r.stderr
    assert "url: expected http://… or https://…" in out, out
    assert "colour: unknown key in [webhook bad]" in out, out
    assert "secret: at least 16 characters" in out, out
    assert "short" not in out  # a secret is never shown
