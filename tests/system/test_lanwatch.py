"""The passive LAN watch, live, on a small commune LAN built in network namespaces: a probe
namespace with a bridge, and veth pairs to three host namespaces — a PC answering ARP and ping,
a silent attendance terminal that only sends DHCP DISCOVER / REQUEST (with its host name) and
ARP announcements as raw frames, and an unregistered host that pings the probe.

`hbmon-probe watch br0` sees each host with its MAC, address and DHCP name. Then the real
probe and collector run in the probe namespace (the collector on its loopback), the probe
started as root with a run user: it keeps CAP_NET_RAW alone, the terminal is up because it
talks on the LAN though it answers no ping, goes down presence_minutes after it stops, and a
captured interface that disappears is logged and captured again when it returns. Every frame
stays inside these namespaces."""
import contextlib
import ctypes
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

from conftest import Daemon, District, http, issue_secrets, metric

ROOT = os.geteuid() == 0
needs_root = pytest.mark.skipif(not ROOT, reason="makes network namespaces (needs root)")
pytestmark = pytest.mark.one_build  # network namespaces, real time: one build (conftest)

CLONE_NEWNET = 0x40000000
COMMUNE = "Xã Tân Phú"
START = 1930356000  # the test's clock: a Tuesday, 09:00 in Asia/Ho_Chi_Minh
PRESENCE_MIN = 2

# The silent terminal: raw frames from inside its namespace, `count` rounds at most.
SENDER = r"""
import socket, struct, sys, time
ifname, mac, ip, name, count, gap = sys.argv[1:7]
mac = bytes.fromhex(mac.replace(":", ""))
ipb = socket.inet_aton(ip)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
def csum(b):
    t = sum(struct.unpack("!10H", b))
    t = (t >> 16) + (t & 0xffff)
    return (~(t + (t >> 16))) & 0xffff
def dhcp(msgtype, xid):
    opts = bytes([53, 1, msgtype, 50, 4]) + ipb + bytes([12, len(name)]) + name.encode() \
        + bytes([60, 6]) + b"ZK-ATT" + bytes([55, 4, 1, 3, 6, 15, 255])
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128sI", 1, 1, 6, 0, xid, 0, 0x8000, b"\0" * 4,
                        b"\0" * 4, b"\0" * 4, b"\0" * 4, mac + b"\0" * 10, b"", b"",
                        0x63825363) + opts
    udp = struct.pack("!HHHH", 68, 67, 8 + len(bootp), 0) + bootp
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), xid & 0xffff, 0, 64, 17, 0,
                      b"\0" * 4, b"\xff" * 4)
    iph = iph[:10] + struct.pack("!H", csum(iph)) + iph[12:]
    return b"\xff" * 6 + mac + b"\x08\x00" + iph + udp
def arp(m=mac, a=ipb):
    body = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, m, a, b"\0" * 6, a)
    return b"\xff" * 6 + m + b"\x08\x06" + body
# a second station behind a trunk: its ARP tagged VLAN 42, the tag left in the frame
tagged_mac = mac[:5] + bytes([mac[5] ^ 0x80])
tagged = arp(tagged_mac, ipb[:3] + bytes([ipb[3] + 100]))
tagged = tagged[:12] + struct.pack("!HH", 0x8100, 42) + tagged[12:]
for i in range(int(count)):
    s.send(dhcp(1, 0x1000 + i))
    s.send(dhcp(3, 0x1000 + i))
    s.send(arp())
    s.send(tagged)
    time.sleep(float(gap))
"""

UDP_SEND = r"""
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(3):
    s.sendto(b"hbmon", (sys.argv[1], 9))
    time.sleep(0.2)
"""


def ip(*args, check=True):
    r = subprocess.run(["ip", *args], capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"ip {' '.join(args)}: {r.stderr}")
    return r


def nsrun(ns, *argv, **kw):
    return subprocess.run(["ip", "netns", "exec", ns, *argv], capture_output=True, text=True,
                          **kw)


@contextlib.contextmanager
def in_netns(ns):
    """This thread in namespace ns (sockets it opens meanwhile stay there): the test asks the
    collector, which listens on the probe namespace's loopback."""
    libc = ctypes.CDLL(None, use_errno=True)
    with open("/proc/thread-self/ns/net") as home, open(f"/run/netns/{ns}") as there:
        if libc.setns(there.fileno(), CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns")
        try:
            yield
        finally:
            libc.setns(home.fileno(), CLONE_NEWNET)


class Lan:
    """The namespaces: probe (bridge br0, 10.77.N.1/24), pc (.11), silent (no address: it
    only claims .12 in its frames), stranger (.13)."""

    def __init__(self):
        sfx = secrets.token_hex(3)
        self.probe, self.pc, self.silent, self.stranger = (
            f"hbmon-lw-{k}-{sfx}" for k in ("probe", "pc", "silent", "stranger"))
        self.names = [self.probe, self.pc, self.silent, self.stranger]
        n = secrets.randbelow(200) + 20
        self.net = f"10.77.{n}"
        self.mac = {k: f"02:4c:{n:02x}:00:00:{i:02x}" for i, k in
                    ((0x11, "pc"), (0x12, "silent"), (0x13, "stranger"))}

    def up(self):
        for ns in self.names:
            if ip("netns", "add", ns, check=False).returncode != 0:
                pytest.skip("ip netns add failed: no network namespaces here")
        p = self.probe
        ip("-n", p, "link", "set", "lo", "up")
        ip("-n", p, "link", "add", "br0", "type", "bridge")
        ip("-n", p, "addr", "add", self.net + ".1/24", "dev", "br0")
        ip("-n", p, "link", "set", "br0", "up")
        for ns, key in ((self.pc, "pc"), (self.silent, "silent"), (self.stranger, "stranger")):
            port = "p-" + key
            ip("-n", p, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns)
            ip("-n", p, "link", "set", port, "master", "br0")
            ip("-n", p, "link", "set", port, "up")
            ip("-n", ns, "link", "set", "eth0", "address", self.mac[key])
            ip("-n", ns, "link", "set", "eth0", "up")
            ip("-n", ns, "link", "set", "lo", "up")
        ip("-n", self.pc, "addr", "add", self.net + ".11/24", "dev", "eth0")
        ip("-n", self.stranger, "addr", "add", self.net + ".13/24", "dev", "eth0")
        # the terminal's own stack stays quiet: no IPv6 router solicitations, no address
        nsrun(self.silent, "sysctl", "-qw", "net.ipv6.conf.eth0.disable_ipv6=1")

    def down(self):
        for ns in self.names:
            for pid in ip("netns", "pids", ns, check=False).stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            ip("netns", "del", ns, check=False)

    def sender(self, count, gap):
        """The silent terminal talking: `count` rounds of DHCP DISCOVER, REQUEST and ARP."""
        return subprocess.Popen(["ip", "netns", "exec", self.silent, "/usr/bin/python3", "-c",
                                 SENDER, "eth0", self.mac["silent"], self.net + ".12",
                                 "MAYCC-01", str(count), str(gap)])

    def chatter(self):
        """The probe sends the PC a datagram (the PC answers the ARP request); the stranger
        sends the probe one (it asks by ARP). No ping binary needed: the kernels ARP."""
        for ns, to in ((self.probe, ".11"), (self.stranger, ".1")):
            r = nsrun(ns, "/usr/bin/python3", "-c", UDP_SEND, self.net + to, timeout=20)
            assert r.returncode == 0, r.stderr


@pytest.fixture
def lan():
    net = Lan()
    try:
        net.up()
        yield net
    finally:
        net.down()


def by_mac(report):
    return {h["mac"]: h for h in report["hosts"]}


@needs_root
def test_watch_sees_every_host(bindir, lan):
    w = subprocess.Popen(["ip", "netns", "exec", lan.probe, os.path.join(bindir, "hbmon-probe"),
                          "watch", "br0", "--seconds", "5"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1)  # the handle open
    s = lan.sender(6, 0.3)
    lan.chatter()
    s.wait(20)
    out, err = w.communicate(timeout=30)
    assert w.returncode == 0, err
    rep = json.loads(out)
    assert rep["interface"] == "br0"
    assert sum(rep["malformed"].values()) == 0, rep["malformed"]
    hosts = by_mac(rep)
    pc, silent, stranger = (hosts.get(lan.mac[k]) for k in ("pc", "silent", "stranger"))
    assert pc and lan.net + ".11" in pc["addresses"], rep
    assert silent and lan.net + ".12" in silent["addresses"], rep
    assert "MAYCC-01" in silent["names"], silent
    assert silent["dhcp_vendor_class"] == "ZK-ATT" and silent["dhcp_fingerprint"] == "1,3,6,15"
    assert silent["frames"] >= 18  # 6 rounds of three frames
    assert stranger and lan.net + ".13" in stranger["addresses"], rep
    # a VLAN-tagged frame is decoded (veth strips the tag, libpcap gives it back; a tag left in
    # the frame, as on a trunk without offload, is the unit test of the filter)
    tagged = lan.mac["silent"][:-2] + "%02x" % (int(lan.mac["silent"][-2:], 16) ^ 0x80)
    assert lan.net + ".112" in hosts.get(tagged, {}).get("addresses", []), rep


@needs_root
def test_watch_on_a_missing_interface_says_so(bindir, lan):
    r = nsrun(lan.probe, os.path.join(bindir, "hbmon-probe"), "watch", "nosuch0", "--seconds",
              "1", timeout=20)
    assert r.returncode == 1 and "nosuch0" in r.stderr and r.stdout == "", r
    r = nsrun(lan.probe, os.path.join(bindir, "hbmon-probe"), "watch", "br0", "--seconds", "0",
              timeout=20)
    assert r.returncode == 2 and "--seconds" in r.stderr, r


def proc_status(pid):
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        return dict(line.rstrip("\n").split(":\t", 1) for line in f if ":\t" in line)


def set_clock(path, t):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(str(t))
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def wait_for(what, cond, timeout, daemons):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for d in daemons:
            assert d.alive(), d.output()
        got = cond()
        if got:
            return got
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}:\n" +
                         "\n".join(d.output()[-3000:] for d in daemons))


def devices(d, ns):
    with in_netns(ns):
        st, _, body = http(d.url("/api/v1/devices"))
    assert st == 200, body
    return {x["device"]: x for x in json.loads(body)}


def spare(lan, how):
    """A second captured interface, made or removed (a veth pair: no dummy module needed)."""
    if how == "add":
        ip("-n", lan.probe, "link", "add", "spare0", "type", "veth", "peer", "name", "spare1")
        ip("-n", lan.probe, "link", "set", "spare0", "up")
        ip("-n", lan.probe, "link", "set", "spare1", "up")
    else:
        ip("-n", lan.probe, "link", "del", "spare0")


def district(top, lan):
    devs = [{"commune": COMMUNE, "site": "Một cửa", "site_type": "one-stop",
             "device": "Máy chấm công", "class": "attendance", "address": lan.net + ".12",
             "snmp": ""},
            {"commune": COMMUNE, "site": "Một cửa", "site_type": "one-stop", "device": "PC 1",
             "class": "pc", "address": lan.net + ".11", "snmp": ""}]
    types = "[site-type one-stop]\nlabel_vi = Một cửa\npc = 1\nattendance = 1\n"
    extra = (f"capture = br0, spare0\n\n[capture br0]\npresence_minutes = {PRESENCE_MIN}\n\n")
    d = District(top, devs, types, extra=extra, interval=1)
    with open(d.conf, encoding="utf-8") as f:
        text = f.read().replace("[general]\n", "[general]\nuser = nobody\n", 1)
    with open(d.conf, "w", encoding="utf-8") as f:
        f.write(text)
    return d


@needs_root
def test_presence_privileges_and_a_lost_interface(bindir, lan):
    nobody = pwd.getpwnam("nobody")
    top = tempfile.mkdtemp(prefix="hbmon-lanwatch-", dir="/tmp")
    os.chmod(top, 0o755)  # nobody reaches its files
    sender = col = probe = None
    try:
        d = district(top, lan)
        clock = os.path.join(top, "clock")
        set_clock(clock, START)
        os.makedirs(d.data)
        spare(lan, "add")
        for root, dirs, files in os.walk(top):
            for name in dirs + files + ["."]:
                os.chown(os.path.join(root, name), nobody.pw_uid, nobody.pw_gid)
        issue_secrets(bindir, d)  # the collector's CLI runs as nobody too
        env = {"HBMON_CLOCK_FILE": clock}
        col = Daemon(["ip", "netns", "exec", lan.probe, os.path.join(bindir, "hbmon-collector"),
                      "-c", d.conf], os.path.join(top, "collector.log"), env)
        sender = lan.sender(400, 0.3)  # two minutes at most
        probe = Daemon(["ip", "netns", "exec", lan.probe, os.path.join(bindir, "hbmon-probe"),
                        "-c", d.conf, "-v"], os.path.join(top, "probe.log"), env)
        daemons = (col, probe)

        def status(name):
            try:
                return devices(d, lan.probe)[name]["status"]
            except OSError:
                return None

        # the terminal ignores ping (it holds no address) but talks: up by presence
        wait_for("the terminal up", lambda: status("Máy chấm công") == "up", 40, daemons)
        assert status("PC 1") == "up"  # by ping
        dev = devices(d, lan.probe)["Máy chấm công"]
        assert dev["error"] == "", dev

        # started as root: nobody, CAP_NET_RAW alone, capture opened before the drop
        st = proc_status(probe.proc.pid)
        assert st["Uid"] == "\t".join([str(nobody.pw_uid)] * 4), st
        assert int(st["CapEff"], 16) == 1 << 13 and int(st["CapPrm"], 16) == 1 << 13, st
        log = probe.output()
        assert "running as user nobody, with CAP_NET_RAW only" in log
        assert "br0: watching the LAN of " + COMMUNE in log
        assert "LAN records" in log  # its hosts rode in a batch the spool took
        assert "refused" not in col.output()

        # an interface that goes away is logged, the probe goes on, and it comes back
        spare(lan, "del")
        wait_for("the lost interface logged", lambda: "spare0: cannot capture" in
                 probe.output(), 20, daemons)
        spare(lan, "add")
        wait_for("capture again (as nobody, with CAP_NET_RAW)",
                 lambda: "spare0: capturing again" in probe.output(), 30, daemons)

        # it stops talking: down once presence_minutes have passed without a frame
        sender.kill()
        sender.wait()
        time.sleep(1)
        set_clock(clock, START + PRESENCE_MIN * 60 + 90)
        wait_for("the terminal down", lambda: status("Máy chấm công") == "down", 30, daemons)
        dev = devices(d, lan.probe)["Máy chấm công"]
        assert "last heard on the LAN" in dev["error"], dev
        assert status("PC 1") == "up"
        lan_rrd = [os.path.join(r, f) for r, _, fs in os.walk(d.data) for f in fs
                   if f == "lan.rrd"]
        assert lan_rrd, "no lan.rrd: the seen_secs row was not stored"
    finally:
        if sender:
            sender.kill()
        if probe:
            assert probe.stop() == 0, probe.output()
            assert "lanwatch" in probe.output() and "frames" in probe.output()
        if col:
            assert col.stop() == 0, col.output()
        shutil.rmtree(top, ignore_errors=True)


@needs_root
def test_lan_changes_go_out_without_polled_devices(bindir, lan, tmp_path):
    """A probe with no device of its own still sends what it hears, in batches of LAN changes
    alone, which the collector takes."""
    devs = [{"commune": COMMUNE, "site": "Một cửa", "site_type": "one-stop", "device": "PC 1",
             "class": "pc", "address": lan.net + ".11", "snmp": "", "probe": "other"}]
    d = District(str(tmp_path), devs, "[site-type one-stop]\npc = 1\n", interval=2,
                 extra=f"capture = br0\n\n[capture br0]\ncommune = {COMMUNE}\n\n")
    issue_secrets(bindir, d)
    col = Daemon(["ip", "netns", "exec", lan.probe, os.path.join(bindir, "hbmon-collector"),
                  "-c", d.conf], os.path.join(d.root, "collector.log"))
    probe = None
    sender = lan.sender(30, 0.3)
    try:
        probe = Daemon(["ip", "netns", "exec", lan.probe, os.path.join(bindir, "hbmon-probe"),
                        "-c", d.conf, "-v"], os.path.join(d.root, "probe.log"))
        wait_for("a LAN batch delivered", lambda: "LAN records" in probe.output() and
                 ns_metric(d, lan.probe, "hbmon_ingest_batches_total") >= 1, 30, (col, probe))
        assert "polling 0 devices" in probe.output()
        assert ns_metric(d, lan.probe, "hbmon_ingest_batches_refused_total") == 0
        assert "refused" not in col.output(), col.output()
    finally:
        sender.kill()
        if probe:
            assert probe.stop() == 0, probe.output()
        assert col.stop() == 0, col.output()


def ns_metric(d, ns, name):
    """One value of the collector's /metrics (0 while it does not answer yet)."""
    try:
        with in_netns(ns):
            return metric(d, name)
    except OSError:
        return 0


def check_config(bindir, root, extra, communes=(COMMUNE,)):
    devs = [{"commune": c, "site": "Một cửa", "site_type": "one-stop", "device": f"PC {i}",
             "class": "pc", "address": f"10.9.0.{i + 1}", "snmp": ""}
            for i, c in enumerate(communes)]
    os.makedirs(root)
    d = District(root, devs, "[site-type one-stop]\npc = 1\n", extra=extra)
    with open(os.path.join(root, "probe.secret"), "w", encoding="ascii") as f:
        f.write("x" * 43 + "\n")
    os.chmod(os.path.join(root, "probe.secret"), 0o600)
    r = subprocess.run([os.path.join(bindir, "hbmon-probe"), "-c", d.conf, "--check-config"],
                       capture_output=True, text=True, timeout=30)
    return d, r


def test_capture_configuration(bindir, tmp_path):
    """The commune of each captured LAN: the only one among the probe's devices, else the
    section to add is named; sections, names and communes are checked."""
    d, r = check_config(bindir, str(tmp_path / "one"), "capture = eth1\n")
    assert r.returncode == 0, r.stdout + r.stderr
    d, r = check_config(bindir, str(tmp_path / "two"), "capture = eth1, eth2\n\n"
                        "[capture eth2]\ncommune = Xã Phú Lâm\n",
                        communes=(COMMUNE, "Xã Phú Lâm", "Xã Phú Hội"))
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert (f"{d.conf}: [probe] capture: which commune's LAN is eth1? This probe's devices are "
            "in 3 communes") in out, out
    assert "add a section [capture eth1] with commune = <its name>" in out, out
    assert "eth2" not in out.replace("eth1, eth2", ""), out  # eth2 says which
    d, r = check_config(bindir, str(tmp_path / "bad"),
                        "capture = eth1, eth1, a/b\nlan_hosts_max = 1\n\n[capture eth1]\n"
                        "commune = Xã Không Có\npresence_minutes = 0\nspeed = 1\n\n"
                        "[capture eth3]\ncommune = Xã Tân Phú\n")
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    for want in ('"eth1": named twice', '"a/b": expected interface names',
                 "lan_hosts_max: expected an integer from 2",
                 "presence_minutes: expected an integer from 1 to 1440",
                 "speed: unknown key in [capture eth1]",
                 "[capture eth3]: eth3 is not in [probe] capture",
                 'no commune "Xã Không Có" in the inventory'):
        assert want in out, (want, out)
