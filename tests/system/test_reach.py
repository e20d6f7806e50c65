"""ICMP echo and web checks. Devices without SNMP (attendance terminals, kiosks) are up or down by
ping; devices polled with SNMP carry their round-trip time and loss as the "icmp" group, which
value targets bound (LAN latency and loss). The hosts live in a network namespace of the
test's own, behind a veth pair: 10.231.7.1 here; 10.231.7.2 and .4 there; .3 nobody (its ARP
request goes unanswered: a dead host)."""
import json
import os
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import District, http, run_probe_once, start_collector
from simfleet import start_portals

NS = f"hbmon-reach-{os.getpid()}"
VETH = f"hbr{os.getpid() % 100000}"
SITE_TYPES = """[site-type one-stop]
label_vi = Bộ phận một cửa
attendance = 1
kiosk = 1
[site-type network]
label_vi = Mạng
router = 1
router.icmp.loss_pct = <= 5
router.icmp.rtt_ms = <= 50
"""


def ip(*args):
    return subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10)


@pytest.fixture(scope="module")
def lan():
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    r = ip("netns", "add", NS)
    if r.returncode != 0:
        pytest.skip("cannot make a network namespace here: " + r.stderr)
    snmpd = None
    try:
        for args in (["link", "add", VETH + "a", "type", "veth", "peer", "name", VETH + "b"],
                     ["link", "set", VETH + "b", "netns", NS],
                     ["addr", "add", "10.231.7.1/29", "dev", VETH + "a"],
                     ["link", "set", VETH + "a", "up"],
                     ["-n", NS, "addr", "add", "10.231.7.2/29", "dev", VETH + "b"],
                     ["-n", NS, "addr", "add", "10.231.7.4/29", "dev", VETH + "b"],
                     ["-n", NS, "link", "set", VETH + "b", "up"],
                     ["-n", NS, "link", "set", "lo", "up"]):
            r = ip(*args)
            assert r.returncode == 0, (args, r.stderr)
        # a router's agent in there, on .4
        d = tempfile.mkdtemp(prefix="hbmon-reach-")
        conf = os.path.join(d, "snmpd.conf")
        with open(conf, "w") as f:
            f.write(f"[snmp] persistentDir {d}/persist\nagentaddress udp:10.231.7.4:1161\n"
                    "rocommunity public\nsysName router-xa\n")
        os.makedirs(os.path.join(d, "persist"))
        snmpd = subprocess.Popen(["ip", "netns", "exec", NS, "snmpd", "-f", "-Lf",
                                  os.path.join(d, "log"), "-C", "-c", conf])
        deadline = time.time() + 20
        while time.time() < deadline:
            r = subprocess.run(["snmpget", "-v2c", "-c", "public", "-t", "1", "-r", "0",
                                "10.231.7.4:1161", "1.3.6.1.2.1.1.5.0"],
                               capture_output=True, text=True)
            if r.returncode == 0:
                break
            time.sleep(0.2)
        assert r.returncode == 0, "snmpd in the namespace did not start: " + r.stderr
        yield
    finally:
        if snmpd:
            snmpd.terminate()
            snmpd.wait(10)
        ip("netns", "del", NS)  # takes the veth pair with it
        ip("link", "del", VETH + "a")


def echo(on):
    # /proc/sys/net is the namespace's own for a process inside it
    r = subprocess.run(["ip", "netns", "exec", NS, "sh", "-c",
                        f"echo {0 if on else 1} > /proc/sys/net/ipv4/icmp_echo_ignore_all"],
                       capture_output=True, text=True, timeout=10)
    assert r.returncode == 0, r.stderr


def test_devices_without_snmp_and_lan_loss(bindir, tmp_path, lan):
    common = {"commune": "Xã A", "snmp": ""}
    devs = [dict(common, site="Một cửa", site_type="one-stop", device="Máy chấm công",
                 **{"class": "attendance"}, address="10.231.7.2"),
            dict(common, site="Một cửa", site_type="one-stop", device="Ki-ốt",
                 **{"class": "kiosk"}, address="10.231.7.3"),
            dict(common, site="Mạng", site_type="network", device="Router",
                 **{"class": "router"}, address="10.231.7.4:1161", snmp="pub",
                 community="public")]
    dist = District(str(tmp_path), devs, SITE_TYPES)
    col = start_collector(bindir, dist)
    try:
        def devices():
            st, _, out = http(dist.url("/api/v1/devices"))
            assert st == 200
            return {d["device"]: d for d in json.loads(out)}

        def network_targets():
            ready = json.loads(http(dist.url("/api/v1/readiness"))[2])
            site = next(s for s in ready["communes"][0]["sites"] if s["type"] == "network")
            return {f'{t.get("group", "")}.{t.get("metric", t.get("class"))}': t
                    for t in site["targets"]}

        echo(True)
        run_probe_once(bindir, dist)
        d = devices()
        assert d["Máy chấm công"]["status"] == "up", d
        assert d["Ki-ốt"]["status"] == "down"
        assert d["Ki-ốt"]["error"] == "no answer to 3 ICMP echo requests"
        assert d["Router"]["status"] == "up"
        targets = network_targets()
        assert targets["icmp.loss_pct"]["met"] and targets["icmp.rtt_ms"]["met"], targets
        for dev in ("M%C3%A1y%20ch%E1%BA%A5m%20c%C3%B4ng", "Router"):
            assert os.path.exists(os.path.join(dist.data, "rrd", "X%C3%A3%20A", dev, "icmp.rrd")), dev
        # the measurements on the device page and the series API
        # names in URLs are their folder names, percent-encoded once more
        st, _, out = http(dist.url("/api/v1/series/X%25C3%25A3%2520A/Router/icmp?period=hour"))
        assert st == 200 and "loss_pct" in out.decode(), out

        # the hosts stop answering ping: the terminal is down; the router still answers SNMP
        # but loses every echo, and the loss target says so, naming it
        echo(False)
        time.sleep(1.1)  # a new second for the samples
        run_probe_once(bindir, dist)
        d = devices()
        assert d["Máy chấm công"]["status"] == "down"
        assert d["Router"]["status"] == "up"
        loss = network_targets()["icmp.loss_pct"]
        assert not loss["met"] and loss["worst"] == 100 and loss["worst_at"] == "Router", loss
        assert "Router" in loss["reason"]
    finally:
        echo(True)
        assert col.stop() == 0, col.output()


def test_portals_by_their_web_page(bindir, tmp_path):
    srv = start_portals()
    web = f"http://127.0.0.1:{srv.server_address[1]}"
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
    common = {"site": "UBND", "site_type": "office", "class": "portal", "address": "",
              "snmp": ""}
    devs = [dict(common, commune="Xã A", device="Cổng TTĐT", url=f"{web}/moved"),
            dict(common, commune="Xã B", device="Cổng TTĐT", url=f"{web}/down"),
            dict(common, commune="Xã B", device="Cổng cũ",
                 url=f"http://127.0.0.1:{closed.getsockname()[1]}/")]
    dist = District(str(tmp_path), devs, "[site-type office]\nlabel_vi = UBND\n"
                    "[commune-targets]\nportal = 1\n")
    col = start_collector(bindir, dist)
    try:
        run_probe_once(bindir, dist)
        st, _, out = http(dist.url("/api/v1/devices"))
        d = {(x["commune"], x["device"]): x for x in json.loads(out)}
        assert d[("Xã A", "Cổng TTĐT")]["status"] == "up"  # after the redirect
        assert d[("Xã B", "Cổng TTĐT")]["status"] == "down"
        assert d[("Xã B", "Cổng TTĐT")]["error"] == "HTTP 503"
        assert d[("Xã B", "Cổng cũ")]["status"] == "down"
        assert "onnect" in d[("Xã B", "Cổng cũ")]["error"], d[("Xã B", "Cổng cũ")]
        ready = json.loads(http(dist.url("/api/v1/readiness"))[2])
        assert [c["met"] for c in ready["communes"]] == [True, False]
        assert ready["communes"][1]["targets"][0]["reason"].startswith("toàn đơn vị: 0 trang thông tin điện tử hoạt động (cần 1)")
        # the page's status and time, stored and shown like any measurement
        f = os.path.join(dist.data, "rrd", "X%C3%A3%20A", "C%E1%BB%95ng%20TT%C4%90T", "http.rrd")
        assert os.path.exists(f)
        page = http(dist.url("/device/X%25C3%25A3%2520A/C%25E1%25BB%2595ng%2520TT%25C4%2590T"))[2]
        assert "Trang web</a>: truy cập được" in page.decode() and f"{web}/moved" in page.decode()
    finally:
        closed.close()
        srv.shutdown()
        assert col.stop() == 0, col.output()
