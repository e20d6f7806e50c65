"""The collector's link cut while the probe polls: the collector runs in a network namespace
of its own behind a veth pair, and the root side of the pair goes down (`ip link set down`),
for a dozen polls, longer than the probe waits on a post that makes no progress. Afterwards
every sample of the outage is in the RRD files at its own timestamp, none twice. Traffic
stays on loopback and in that namespace."""
import os
import signal
import subprocess
import time

import pytest

from conftest import Daemon, District, http, issue_secrets, metric
from test_end_to_end import SITE_TYPES
from test_spool import check_files, devices, gaps, rrd_file, spool_left, start_probe, wait_for
from test_trust import make_pair

ROOT = os.geteuid() == 0
pytestmark = [pytest.mark.skipif(not ROOT, reason="makes a network namespace (needs root)"),
              pytest.mark.one_build, pytest.mark.apart]  # real time: one build, apart (conftest)


def ip(*args, check=True):
    return subprocess.run(["ip", *args], capture_output=True, text=True, check=check)


@pytest.fixture
def cut_link():
    """A namespace and a veth pair into it, names and /30 unique to this process; yields
    (namespace, root-side device, namespace-side address). Torn down whatever happens,
    processes left in the namespace included (only this test starts any there)."""
    pid = os.getpid()
    ns, dev, net = f"hbmon-lc-{pid}", f"hblc{pid}", f"10.213.{pid % 250 + 1}"
    near, far = net + ".1", net + ".2"
    if ip("netns", "add", ns, check=False).returncode != 0:
        pytest.skip("ip netns add failed: no network namespaces here")
    try:
        ip("link", "add", dev, "type", "veth", "peer", "name", dev + "n")
        ip("link", "set", dev + "n", "netns", ns)
        ip("addr", "add", near + "/30", "dev", dev)
        ip("link", "set", dev, "up")
        # while the link is down its own route is gone: refuse there rather than let
        # packets for the namespace take the default route off this machine
        ip("route", "add", "unreachable", net + ".0/30", "metric", "4000")
        for args in (["addr", "add", far + "/30", "dev", dev + "n"],
                     ["link", "set", dev + "n", "up"], ["link", "set", "lo", "up"]):
            ip("netns", "exec", ns, "ip", *args)
        yield ns, dev, far
    finally:
        for p in ip("netns", "pids", ns, check=False).stdout.split():
            os.kill(int(p), signal.SIGKILL)
        ip("route", "del", "unreachable", net + ".0/30", "metric", "4000", check=False)
        ip("link", "del", dev, check=False)
        ip("netns", "del", ns, check=False)


class NsDistrict(District):
    """A district whose collector listens on `host` (the namespace side), over HTTPS: every
    helper that asks the collector by d.url() (metric, spool_left, ...) goes there."""

    def __init__(self, root, fleet, host, cert, key):
        super().__init__(root, devices(fleet["endpoints"]), SITE_TYPES)
        self.host = host
        self.use_tls(cert, key)
        with open(self.conf, encoding="utf-8") as f:
            text = f.read()
        text = text.replace("[collector]\n", f"[collector]\nlisten_address = {host}\n", 1)
        text = text.replace("https://127.0.0.1:", f"https://{host}:", 1)
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(text)

    def url(self, path):
        return f"https://{self.host}:{self.port}{path}"


def answers(d):
    """The collector serves its log-in page (through the veth, verifying its certificate)."""
    try:
        return http(d.url("/login"), timeout=2)[0] == 200
    except OSError:
        return False


def start_ns_collector(bindir, d, ns):
    """The real collector inside the namespace; `ip netns exec` execs it, so the Daemon's
    process is the collector itself and stop() returns its own status."""
    issue_secrets(bindir, d)  # a file in the data dir: written from here before the start
    c = Daemon(["ip", "netns", "exec", ns, os.path.join(bindir, "hbmon-collector"), "-c",
                d.conf], os.path.join(d.root, "collector.log"))
    wait_for(lambda: answers(d) or not c.alive(), 20, "the collector serving")
    assert c.alive() and answers(d), c.output()
    return c


def stored_until(d):
    """The newest sample both devices' files hold: the probe posts its spool oldest first,
    so a sample made after the link returned proves every earlier one was posted."""
    return min(int(subprocess.run(["rrdtool", "last", rrd_file(d, name)], capture_output=True,
                                  text=True, check=True).stdout) for name in ("PC 1", "PC 2"))


def cut(dev, seconds):
    """The root side of the veth down for `seconds`; returns (down, up) in wall seconds."""
    ip("link", "set", dev, "down")
    down = int(time.time())
    time.sleep(seconds)
    ip("link", "set", dev, "up")
    return down, int(time.time())


# longer than the uplink waits without progress (curl's speed over its last 5 s, then
# CURLOPT_LOW_SPEED_TIME 10 s): the post hung on the kept-alive connection is given up, the probe logs the outage, keeps spooling and
# retries with back-off
CUTS = (25,)


def test_collector_link_cut_loses_nothing(bindir, tmp_path, fleet, cut_link):
    ns, dev, far = cut_link
    cert, key = make_pair(bindir, tmp_path / "etc", far)
    os.makedirs(tmp_path / "site")
    d = NsDistrict(str(tmp_path / "site"), fleet, far, cert, key)
    c = start_ns_collector(bindir, d, ns)
    p = None
    try:
        p = start_probe(bindir, d)
        wait_for(lambda: metric(d, "hbmon_ingest_samples_total") >= 4, 30, "first samples")
        outages = []
        for seconds in CUTS:
            down, up = cut(dev, seconds)
            outages.append((down, up))
            # a reconnect within the 5 s connect timeout, back-off adds up to 15 s
            wait_for(lambda: stored_until(d) >= up + 2, 60, f"the {seconds} s cut's samples")
        wait_for(lambda: spool_left(d) == 0, 30, "the spool delivered")
        time.sleep(3)
        wait_for(lambda: spool_left(d) == 0, 30, "the spool delivered")
        assert metric(d, "hbmon_rrd_late_samples_total") == 0  # nothing written twice
        check_files(d)
        for down, up in outages:
            for name in ("PC 1", "PC 2"):
                assert gaps(rrd_file(d, name), down - 2, up + 2) == [], (name, down, up)
        log = p.output()
        assert "batches wait in the spool" in log, log[-3000:]
        assert "collector reachable again" in log, log[-3000:]
    finally:
        if p:
            assert p.stop() == 0, p.output()[-3000:]
        assert c.stop() == 0, c.output()[-3000:]
