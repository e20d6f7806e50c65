"""Nothing forged: every ingest request proves its probe, writes only that probe's devices and
never dates a sample ahead of the collector's clock (issue 13's attacks, as regressions)."""
import base64
import json
import os
import socket
import subprocess
import time

import pytest

from conftest import SECRETS, Daemon, District, batch, http, issue_secrets, metric, sample, start_collector
from test_end_to_end import SITE_TYPES

COMMUNE = "Xã Tân Phú"
OFFICE = "Bộ phận một cửa"


def dev(name, cls, ep, probe=""):
    return {"commune": COMMUNE, "site": OFFICE, "site_type": "one-stop", "device": name,
            "class": cls, "address": ep, "snmp": "pub", "community": "public", "probe": probe}


@pytest.fixture
def district(tmp_path):
    # nobody answers on these addresses: only posted batches write anything
    devs = [dev("PC 1", "pc", "127.93.0.1:1161"), dev("PC 2", "pc", "127.93.0.2:1161"),
            dev("Máy quét", "scanner", "127.93.0.3:1161"),
            dev("Máy in", "printer", "127.93.0.4:1161", probe="other")]
    return District(str(tmp_path), devs, SITE_TYPES)


def devices(d):
    return {x["device"]: x for x in json.loads(http(d.url("/api/v1/devices"))[2])}


def all_up(ts, names=("PC 1", "PC 2", "Máy quét", "Máy in")):
    return batch([sample(COMMUNE, n, ts) for n in names])


def collector_cli(bindir, d, *args):
    return subprocess.run([os.path.join(bindir, "hbmon-collector"), "-c", d.conf, *args],
                          capture_output=True, text=True, timeout=30)


def test_forged_batches_write_nothing(bindir, district):
    c = start_collector(bindir, district)
    try:
        before = devices(district)
        ready = http(district.url("/api/v1/readiness"))[2]
        now = int(time.time())
        url = district.url("/api/v1/ingest")
        # no credential, a wrong secret, a made-up probe: 401 before the body is read
        for auth in (False, ("district", "0" * 64), ("intruder", "f" * 64), ("district", "")):
            st, hdrs, body = http(url, all_up(now), auth=auth)
            assert st == 401, (auth, st, body)
            assert "Basic" in hdrs.get("WWW-Authenticate", "")
        assert metric(district, "hbmon_ingest_unauthorized_total") == 4
        assert metric(district, "hbmon_ingest_samples_total") == 0
        assert devices(district) == before
        assert http(district.url("/api/v1/readiness"))[2] == ready
        # the refusals are logged with the peer, but a flood is not: a few lines a minute,
        # then one with the count of the rest (here when the collector stops); bad bodies
        # with a valid credential likewise
        for _ in range(50):
            http(url, all_up(now), auth=False)
        for _ in range(50):
            http(url, b"{not json", auth=("district", SECRETS[district.port]["district"]))
        log = c.output()
        assert "127.0.0.1: batch refused: no credential" in log, log
        assert log.count("batch refused") <= 10, log
        assert metric(district, "hbmon_log_lines_suppressed_total") >= 90
    finally:
        assert c.stop() == 0
    log = c.output()
    assert "credential refused: …and 49 more from 127.0.0.1 in the last minute" in log, log
    assert "batch refused: …and 45 more from 127.0.0.1 in the last minute" in log, log


def test_a_probe_writes_only_its_own_devices(bindir, district):
    c = start_collector(bindir, district)
    try:
        now = int(time.time())
        url = district.url("/api/v1/ingest")
        # "other" may write the printer the inventory gives it, not the default probe's PCs
        st, _, body = http(url, all_up(now, ("PC 1", "Máy in")).replace(b'"district"',
                                                                         b'"other"'))
        assert st == 200 and json.loads(body)["accepted"] == 1, body
        assert metric(district, "hbmon_ingest_samples_refused_total{reason=\"not_assigned\"}") == 1
        devs = devices(district)
        assert devs["Máy in"]["status"] == "up" and devs["PC 1"]["status"] != "up"
        # a batch naming another probe than its credential is refused whole
        secrets = issue_secrets(bindir, district)
        st, _, body = http(url, all_up(now), auth=("other", secrets["other"]))
        assert st == 400 and b"credential" in body, body
        # the default probe writes the devices without a probe column, not "other"'s printer
        st, _, body = http(url, all_up(now + 1))
        assert st == 200 and json.loads(body)["accepted"] == 3, body
        assert metric(district, "hbmon_ingest_samples_refused_total{reason=\"not_assigned\"}") == 2
    finally:
        assert c.stop() == 0


def test_samples_dated_ahead_are_refused(bindir, district):
    c = start_collector(bindir, district)
    try:
        now = int(time.time())
        url = district.url("/api/v1/ingest")
        # 299 s ahead used to pass, and made the real probe's next samples "late"
        st, _, body = http(url, all_up(now + 299, ("PC 1",)))
        assert st == 200 and json.loads(body)["accepted"] == 0, body
        assert metric(district, "hbmon_ingest_samples_refused_total{reason=\"clock\"}") == 1
        st, _, body = http(url, all_up(now + 5, ("PC 1",)))
        assert st == 200 and json.loads(body)["accepted"] == 1, body
    finally:
        assert c.stop() == 0


def test_revoked_probe_is_shut_out(bindir, district):
    secrets = issue_secrets(bindir, district)
    c = start_collector(bindir, district)
    try:
        url = district.url("/api/v1/ingest")
        now = int(time.time())
        body = all_up(now, ("Máy in",)).replace(b'"district"', b'"other"')
        assert http(url, body)[0] == 200
        r = collector_cli(bindir, district, "probe", "list")
        assert r.returncode == 0 and "other\tvalid" in r.stdout, r.stdout + r.stderr
        assert secrets["other"] not in r.stdout  # shown once, at issue, never again
        r = collector_cli(bindir, district, "probe", "revoke", "other")
        assert r.returncode == 0, r.stderr
        assert http(url, body)[0] == 401  # at once: no restart, no reload
        assert "other\trevoked" in collector_cli(bindir, district, "probe", "list").stdout
        # issuing again gives a new secret; the old one stays refused
        r = collector_cli(bindir, district, "probe", "add", "other")
        assert r.returncode == 0, r.stderr
        new = r.stdout.split()[3]
        assert new != secrets["other"] and len(new) == 64
        assert http(url, body, auth=("other", secrets["other"]))[0] == 401
        assert http(url, body, auth=("other", new))[0] == 200
    finally:
        assert c.stop() == 0


def test_probe_refuses_a_secret_others_can_read(bindir, district):
    issue_secrets(bindir, district)
    path = os.path.join(district.root, "probe.secret")
    os.chmod(path, 0o644)
    r = subprocess.run([os.path.join(bindir, "hbmon-probe"), "-c", district.conf,
                        "--check-config"], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert f"{path}: holds a secret but other users can read it (chmod 600)" in r.stderr
    with open(path, encoding="ascii") as f:
        assert f.read().strip() not in r.stderr  # never echoed


def make_pair(bindir, where, *hosts):
    """The key and self-signed certificate `hbmon-collector init` writes for a site."""
    args = [a for h in hosts for a in ("--host", h)]
    r = subprocess.run([os.path.join(bindir, "hbmon-collector"), "init", *args, str(where)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return str(where / "tls.crt"), str(where / "tls.key")


def test_probe_posts_over_verified_https(bindir, tmp_path, fleet):
    eps = fleet["endpoints"]
    devs = [{**dev("PC kế toán", "pc", eps[0]), "snmp": "pc-linux-desktop",
             "community": "pc/linux-desktop"}]
    os.makedirs(tmp_path / "site")
    d = District(str(tmp_path / "site"), devs, SITE_TYPES)
    cert, key = make_pair(bindir, tmp_path / "etc", "127.0.0.1")
    assert oct(os.stat(key).st_mode & 0o777) == "0o600"
    d.use_tls(cert, key)
    c = start_collector(bindir, d)
    try:
        assert d.url("/").startswith("https://")
        r = subprocess.run([os.path.join(bindir, "hbmon-probe"), "-c", d.conf, "--once"],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr[-3000:]
        assert metric(d, "hbmon_ingest_samples_total") >= 1
        assert devices(d)["PC kế toán"]["status"] == "up"
        # plain HTTP on the TLS port gets nothing
        with pytest.raises(Exception):
            http(d.url("/metrics").replace("https:", "http:"), timeout=3)
    finally:
        assert c.stop() == 0
    # a probe trusting another certificate does not talk to this collector at all
    other, _ = make_pair(bindir, tmp_path / "elsewhere", "127.0.0.1")
    with open(d.conf, encoding="utf-8") as f:
        text = f.read()
    with open(d.conf, "w", encoding="utf-8") as f:
        f.write(text.replace(f"ca_file = {cert}", f"ca_file = {other}"))
    c = start_collector(bindir, d)
    try:
        log = tmp_path / "probe.log"
        p = Daemon([os.path.join(bindir, "hbmon-probe"), "-c", d.conf], str(log))
        deadline = time.time() + 20
        while time.time() < deadline and "certificate" not in p.output().lower():
            time.sleep(0.2)
        p.stop()
        assert "certificate" in p.output().lower(), p.output()[-2000:]
        assert metric(d, "hbmon_ingest_batches_total") == 0
    finally:
        assert c.stop() == 0


def test_secrets_never_cross_the_lan_in_clear(bindir, district):
    issue_secrets(bindir, district)
    with open(district.conf, encoding="utf-8") as f:
        text = f.read()
    lan = text.replace("[collector]\n", "[collector]\nlisten_address = 0.0.0.0\n", 1)
    lan = lan.replace("collector_url = http://127.0.0.1:", "collector_url = http://10.20.30.40:")
    with open(district.conf, "w", encoding="utf-8") as f:
        f.write(lan)
    r = subprocess.run([os.path.join(bindir, "hbmon-collector"), "-c", district.conf,
                        "--check-config"], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert "listen_address = 0.0.0.0 without tls_cert and tls_key" in r.stderr, r.stderr
    r = subprocess.run([os.path.join(bindir, "hbmon-probe"), "-c", district.conf,
                        "--check-config"], capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert "plain http only to this machine" in r.stderr, r.stderr


def closed_by_server(s):
    """The server ended this connection: reading reaches the end of the stream (or a reset)."""
    s.settimeout(1)
    try:
        for _ in range(100):
            if s.recv(65536) == b"":
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        pass
    return False


@pytest.mark.one_build
def test_slow_clients_do_not_shut_out_the_probe_or_the_dashboard(bindir, district):
    """128 connections sending a header byte every 2 s, and an upload at 5 bytes a second:
    the dashboard and the probe's ingest still answer at once, and the slow ones are cut."""
    c = start_collector(bindir, district)
    socks = []
    try:
        for i in range(128):  # from 16 addresses: the per-address limit is not what saves us
            s = socket.create_connection(("127.0.0.1", district.port), timeout=5,
                                         source_address=(f"127.0.0.{50 + i % 16}", 0))
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
            socks.append(s)
        secret = issue_secrets(bindir, district)["district"]
        cred = base64.b64encode(f"district:{secret}".encode()).decode()
        up = socket.create_connection(("127.0.0.1", district.port), timeout=5,
                                      source_address=("127.0.0.99", 0))
        up.sendall(f"POST /api/v1/ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {cred}\r\n"
                   "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n".encode())
        t0 = time.time()
        st, _, _ = http(district.url("/"), timeout=5)
        assert st == 200
        st, _, body = http(district.url("/api/v1/ingest"), all_up(int(time.time()), ("PC 1",)),
                           timeout=5)
        assert st == 200 and json.loads(body)["accepted"] == 1, body
        assert time.time() - t0 < 5
        while time.time() < t0 + 16:  # bounded: two seconds a turn, sixteen at most
            for s in socks + [up]:
                try:
                    s.send(b"X")
                except OSError:
                    pass
            time.sleep(2)
        assert sum(map(closed_by_server, socks + [up])) == 129
        assert metric(district, 'hbmon_http_connections_cut_total{reason="slow_request"}') >= 128
        assert metric(district, 'hbmon_http_connections_cut_total{reason="slow_upload"}') == 1
        st, _, _ = http(district.url("/"), timeout=5)
        assert st == 200
    finally:
        for s in socks:
            s.close()
        assert c.stop() == 0, c.output()[-2000:]


def test_a_file_flood_stops_at_the_quotas(bindir, tmp_path):
    """A device sending ever new interfaces gets no more files than its quota; a probe creates
    no more new files a minute than its rate; the rest is refused, counted and shown."""
    devs = [dev("PC 1", "pc", "127.93.0.1:1161"), dev("PC 2", "pc", "127.93.0.2:1161")]
    d = District(str(tmp_path), devs, SITE_TYPES,
                 collector_extra="max_files_per_device = 20\nmax_new_files_per_minute = 30\n")
    c = start_collector(bindir, d)
    try:
        now = int(time.time())
        url = d.url("/api/v1/ingest")
        many = [{"index": i, "oper": 1, "speed": 100} for i in range(1, 201)]
        st, _, body = http(url, batch([sample(COMMUNE, "PC 1", now, ifs=many)]))
        assert st == 200 and json.loads(body)["accepted"] == 1, body
        assert metric(d, 'hbmon_rrd_files_refused_total{reason="device_quota"}') == 181
        # the probe's minute of new files (30) is 20 spent: PC 2 gets 10 of its 51
        st, _, body = http(url, batch([sample(COMMUNE, "PC 2", now, ifs=many[:50])]))
        assert st == 200, body
        assert metric(d, 'hbmon_rrd_files_refused_total{reason="probe_rate"}') == 41
        files = [f for _, _, fs in os.walk(os.path.join(d.data, "rrd")) for f in fs]
        assert len(files) == 30, files
        # known files keep taking data: the quota limits names, not updates
        st, _, body = http(url, batch([sample(COMMUNE, "PC 1", now + 1, ifs=many)]))
        assert st == 200 and json.loads(body)["accepted"] == 1
        assert metric(d, "hbmon_rrd_files_created_total") == 30
        page = http(d.url("/device/X%25C3%25A3%2520T%25C3%25A2n%2520Ph%25C3%25BA/PC%25201"))
        assert page[0] == 200 and "Giới hạn lưu trữ" in page[2].decode(), page[2][:300]
    finally:
        assert c.stop() == 0, c.output()[-2000:]
