"""A province reads a collector with the SNMP tools it already runs: HBMON-MIB passes smilint and
loads in net-snmp; the collector, an AgentX subagent of a real snmpd (its own configuration,
unix socket and port in a temp dir), answers snmpbulkwalk with the values of
/api/v1/readiness at the same moment (the collector's clock is frozen); a commune falling short
and recovering reaches a real snmptrapd as traps, and another as SNMPv3 informs it acknowledges
while a third receiver is down and the dashboard answers all along; the subagent survives odd
requests and snmpd restarting; this month's figures survive the collector restarting."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest

from conftest import TOP, Daemon, District, batch, free_port, http, sample, start_collector
from simfleet import SHARED

pytestmark = pytest.mark.one_build  # real time or outside programs: one build (conftest)

VN = timezone(timedelta(hours=7))
ROOT = ".1.3.6.1.4.1.99999"  # PLACEHOLDER enterprise number (mibs/HBMON-MIB.txt)
MIB = os.path.join(TOP, "mibs", "HBMON-MIB.txt")
COMMUNITY = "hbtinh"
SITE_TYPES = """[site-type one-stop]
label_vi = Bộ phận một cửa
label_en = one-stop office
hours = always
pc = 1
scanner = 1
router = 1
switch = 1
[commune-targets]
pc = all
"""
COMMUNES = ["Xã An Phú", "Xã Bình Minh", "Phường Hòa Lạc"]
DEVICES = [("PC", "pc"), ("Máy quét", "scanner"), ("Router xã", "router"), ("Switch", "switch")]
needs_tools = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("snmpd", "snmptrapd", "snmpbulkwalk", "smilint")),
    reason="snmpd, snmptrapd, snmp and smitools are needed (make deps)")


def test_mib_passes_smilint_and_loads_in_net_snmp():
    if not shutil.which("smilint"):
        pytest.skip("smitools is not installed (make deps)")
    # smilint finds the base modules (SNMPv2-SMI, SNMP-FRAMEWORK-MIB) on SMIPATH: Debian
    # ships them only in the non-free snmp-mibs-downloader
    r = subprocess.run(["smilint", "-l", "4", MIB], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "SMIPATH": os.path.join(SHARED, "mibs")})
    assert r.returncode == 0 and not r.stdout.strip() and not r.stderr.strip(), \
        r.stdout + r.stderr
    r = subprocess.run(["snmptranslate", "-M", f"+{TOP}/mibs:{SHARED}/mibs", "-m", "HBMON-MIB",
                        "-Tp"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and not r.stderr.strip(), r.stderr
    for name in ("hbmonCommuneTable", "hbmonTargetReasonVi", "hbmonClassTable",
                 "hbmonProbeBacklog", "hbmonCommuneShort", "hbmonCommuneRecovered"):
        assert name in r.stdout, name
    r = subprocess.run(["snmptranslate", "-M", f"+{TOP}/mibs:{SHARED}/mibs", "-m", "HBMON-MIB",
                        "-On", "HBMON-MIB::hbmonCommuneScore"], capture_output=True, text=True)
    assert r.stdout.strip() == ROOT + ".1.2.1.5", r.stdout + r.stderr


class Snmpd:
    """net-snmp's snmpd as the host's master agent: AgentX on a unix socket in tmp, SNMP on
    127.0.0.x:port UDP, read-only community, run as the current user, no system file read."""

    def __init__(self, root):
        self.root = root
        self.sock = os.path.join(root, "agentx.sock")
        self.addr = f"127.0.96.{os.getpid() % 200 + 2}:{free_port()}"
        os.makedirs(os.path.join(root, "persist"), exist_ok=True)
        self.conf = os.path.join(root, "snmpd.conf")
        with open(self.conf, "w") as f:
            f.write(f"[snmp] persistentDir {root}/persist\n"
                    f"agentaddress udp:{self.addr}\n"
                    "master agentx\n"
                    f"agentXSocket {self.sock}\n"
                    "agentXPerms 0700 0700\n"
                    f"rocommunity {COMMUNITY} 127.0.0.0/8\n")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["snmpd", "-f", "-Lf", os.path.join(self.root, "snmpd.log"), "-C", "-c", self.conf,
             "-I", "-smux", "-p", os.path.join(self.root, "snmpd.pid")],
            env={**os.environ, "SNMP_PERSISTENT_DIR": os.path.join(self.root, "persist")})
        deadline = time.time() + 20
        while time.time() < deadline:
            if snmp("snmpget", self, "1.3.6.1.2.1.1.3.0", check=False).returncode == 0:
                return
            time.sleep(0.2)
        raise AssertionError("snmpd did not start: " + self.log())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)

    def log(self):
        path = os.path.join(self.root, "snmpd.log")
        return open(path, errors="replace").read() if os.path.exists(path) else ""


def snmp(tool, agent, *args, check=True, timeout=60):
    r = subprocess.run([tool, "-v2c", "-c", COMMUNITY, "-t", "2", "-r", "1", "-On", "-Ox",
                        agent.addr, *args], capture_output=True, text=True, timeout=timeout)
    if check:
        assert r.returncode == 0, r.stdout + r.stderr
    return r


def parse_walk(text):
    """{oid: value}: numbers as int, strings (printed in hex by -Ox) decoded as UTF-8."""
    lines = []
    for line in text.splitlines():
        if line.startswith("."):
            lines.append(line)
        elif lines:  # a long hex string goes on over several lines
            lines[-1] += " " + line
    out = {}
    for line in lines:
        oid, _, rest = line.partition(" = ")
        kind, _, val = rest.partition(": ")
        if kind in ("Hex-STRING", "STRING"):
            out[oid] = bytes.fromhex(val.replace('"', '')).decode("utf-8") if kind == "Hex-STRING" \
                else val.strip('"')
        elif kind in ("INTEGER", "Gauge32"):
            out[oid] = int(val.split()[0])
        elif rest.startswith('""'):
            out[oid] = ""
        else:
            out[oid] = rest
    return out


def walk(agent):
    return parse_walk(snmp("snmpbulkwalk", agent, "-Cr50", ROOT).stdout)


def column(vals, table, col):
    """{index tuple: value} of one column of an HBMON-MIB table."""
    pre = f"{ROOT}.1.{table}.1.{col}."
    return {tuple(int(x) for x in oid[len(pre):].split(".")): v
            for oid, v in vals.items() if oid.startswith(pre)}


class Trapd:
    """snmptrapd accepting any community (disableAuthorization), or what auth says, logging
    to a file in tmp."""

    def __init__(self, root, auth="disableAuthorization yes\n"):
        self.port = free_port()
        self.log = os.path.join(root, "traps.log")
        conf = os.path.join(root, "snmptrapd.conf")
        with open(conf, "w") as f:
            f.write(f"[snmp] persistentDir {root}/persist-trapd\n{auth}")
        os.makedirs(os.path.join(root, "persist-trapd"), exist_ok=True)
        self.argv = ["snmptrapd", "-f", "-A", "-Lf", self.log, "-On", "-C", "-c", conf,
                     "-p", os.path.join(root, "trapd.pid"), f"udp:127.0.0.1:{self.port}"]
        self.env = {**os.environ, "SNMP_PERSISTENT_DIR": os.path.join(root, "persist-trapd")}
        self.start()

    def start(self):
        started = self.text().count("NET-SNMP version")
        self.proc = subprocess.Popen(self.argv, env=self.env)
        deadline = time.time() + 20
        while time.time() < deadline and self.text().count("NET-SNMP version") == started:
            time.sleep(0.1)

    def text(self):
        return open(self.log, errors="replace").read() if os.path.exists(self.log) else ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(20)


class Collector:
    """The collector on a clock the test moves, three communes of one site each; snmp: its
    [snmp] section (the subagent of snmpd and traps to trapd by default)."""

    def __init__(self, bindir, root, snmpd, trapd, snmp=None, creds=None):
        self.bindir = bindir
        self.clock = os.path.join(root, "clock")
        self.now = int(datetime(2026, 11, 23, 10, 0, tzinfo=VN).timestamp())
        self.set_clock()
        devs = [{"commune": c, "site": "Bộ phận một cửa", "site_type": "one-stop",
                 "device": name, "class": cls, "address": f"127.0.0.{10 + i}:161",
                 "snmp": "pub", "community": "public"}
                for i, (c, (name, cls)) in enumerate((c, d) for c in COMMUNES for d in DEVICES)]
        snmp = snmp or f"""agentx = 1
agentx_socket = {snmpd.sock}
agentx_ping = 1
trap_receivers = udp:127.0.0.1:{trapd.port}
trap_community = provincetrap
"""
        extra = f"""[alerts]
pending = 0
recover = 0
startup_grace = 0
[snmp]
{snmp}"""
        self.dist = District(root, devs, SITE_TYPES, extra=extra, extra_creds=creds)
        with open(self.dist.conf, encoding="utf-8") as f:
            text = f.read().replace("stale_after = 600", "stale_after = 30")
        with open(self.dist.conf, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(self.dist.conf, 0o600)  # it holds the trap community
        self.col = start_collector(bindir, self.dist, env={"HBMON_CLOCK_FILE": self.clock})
        self.down = set()

    def restart(self):
        """Stopped and started again on the same data and clock: its exit status."""
        status = self.col.stop()
        self.col = start_collector(self.bindir, self.dist, env={"HBMON_CLOCK_FILE": self.clock})
        return status

    def set_clock(self):
        with open(self.clock + ".tmp", "w") as f:
            f.write(str(self.now))
        os.replace(self.clock + ".tmp", self.clock)

    def step(self, seconds=10):
        """Time passes; every device reports (those in self.down as down)."""
        self.now += seconds
        self.set_clock()
        body = batch([sample(c, d, self.now, up=(c, d) not in self.down)
                      for c in COMMUNES for d, _ in DEVICES], seq=self.now)
        assert http(self.dist.url("/api/v1/ingest"), body)[0] == 200

    def readiness(self, lang):
        st, _, body = http(self.dist.url(f"/api/v1/readiness?lang={lang}"))
        assert st == 200
        return json.loads(body)


@pytest.fixture
def stack(bindir, tmp_path):
    root = str(tmp_path)
    snmpd = Snmpd(root)
    snmpd.start()
    trapd = Trapd(root)
    col = None
    try:
        os.makedirs(os.path.join(root, "district"))
        col = Collector(bindir, os.path.join(root, "district"), snmpd, trapd)
        col.step(0)
        wait_for("the subagent registered", lambda: snmp(
            "snmpget", snmpd, ROOT + ".1.1.1.0", check=False).stdout.count("STRING") == 1)
        yield snmpd, trapd, col
    finally:
        status = col.col.stop() if col else 0
        trapd.stop()
        snmpd.stop()
        assert status == 0, col.col.output()


def wait_for(what, fn, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = fn()
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout} s")


VERDICT = {"met": 1, "missed": 2, "no_data": 3}
JUDGING = {"judged": 1, "off_hours": 2, "grace": 3, "maintenance": 4, "upstream": 5}


def check_against_json(vals, vi, en):
    """Every commune, site and target of the JSON, in the walk."""
    names = column(vals, 2, 2)
    assert sorted(names.values()) == sorted(c["name"] for c in en["communes"])
    index = {v: k[0] for k, v in names.items()}
    site_names = column(vals, 3, 2)
    assert vals[f"{ROOT}.1.1.1.0"] == en["district"]["name"]
    assert vals[f"{ROOT}.1.1.3.0"] == en["district"]["communes"]
    assert vals[f"{ROOT}.1.1.4.0"] == en["district"]["communes_met"]
    for c, cvi in zip(en["communes"], vi["communes"]):
        k = (index[c["name"]],)
        assert column(vals, 2, 3)[k] == VERDICT[c["verdict"]], c["name"]
        assert column(vals, 2, 5)[k] == round(c["score"] * 10), c["name"]
        assert column(vals, 2, 8)[k] == c["warnings"]
        assert column(vals, 2, 11)[k] == c["devices"]
        assert column(vals, 2, 12)[k] == c["devices_up"]
        assert column(vals, 2, 13)[k] == len(c["sites"])
        for s, svi in zip(c["sites"], cvi["sites"]):
            key = next(i for i, n in site_names.items() if i[0] == k[0] and n == s["name"])
            assert column(vals, 3, 4)[key] == VERDICT[s["verdict"]]
            assert column(vals, 3, 5)[key] == round(s["score"] * 10)
            for t, (tgt, tvi) in enumerate(zip(s["targets"], svi["targets"])):
                tk = (k[0], key[1], t + 1)
                assert column(vals, 4, 3)[tk] == tgt.get("class", tgt.get("site_type")), tk
                assert column(vals, 4, 5)[tk] == VERDICT[tgt["verdict"]], tk
                assert column(vals, 4, 6)[tk] == JUDGING[tgt.get("not_judged_because",
                                                                 "judged")]
                assert column(vals, 4, 7)[tk] == (1 if tgt["severity"] == "critical" else 2)
                assert column(vals, 4, 9)[tk] == tgt["up"]
                assert column(vals, 4, 10)[tk] == tgt["total"]
                assert column(vals, 4, 11)[tk] == tvi["reason"]
                assert column(vals, 4, 12)[tk] == tgt["reason"]
        for t, (tgt, tvi) in enumerate(zip(c["targets"], cvi["targets"])):
            tk = (k[0], 0, t + 1)  # a commune-wide target: site 0
            assert column(vals, 4, 5)[tk] == VERDICT[tgt["verdict"]]
            assert column(vals, 4, 11)[tk] == tvi["reason"]
            assert column(vals, 4, 12)[tk] == tgt["reason"]
        # devices per class: one of each
        for cls, (name, _) in zip((1, 3, 5, 4), (("pc", 0), ("scanner", 0), ("router", 0),
                                                   ("switch", 0))):
            assert column(vals, 5, 2)[(k[0], cls)] == name
            assert column(vals, 5, 3)[(k[0], cls)] == 1


@needs_tools
def test_walk_equals_the_json_and_traps_reach_snmptrapd(stack):
    snmpd, trapd, col = stack
    wait_for("readiness judged", lambda: all(
        c["verdict"] != "no_data" for c in col.readiness("en")["communes"]))
    vals = walk(snmpd)
    check_against_json(vals, col.readiness("vi"), col.readiness("en"))
    assert column(vals, 6, 2) == {(1,): "district"}  # the probe that posted
    assert column(vals, 6, 3)[(1,)] == col.now
    # snmpd's own MIB and ours side by side in one walk of the enterprises
    assert snmp("snmpget", snmpd, "1.3.6.1.2.1.1.3.0").returncode == 0

    # a commune falls short (its scanner down, once the start's settling is over) ...
    col.step(40)
    col.down = {("Xã Bình Minh", "Máy quét")}
    col.step(10)
    k = {v: i[0] for i, v in column(walk(snmpd), 2, 2).items()}["Xã Bình Minh"]
    name_hex = "".join(f"{b:02X}" for b in "Xã Bình Minh".encode())
    got = wait_for("hbmonCommuneShort at snmptrapd", lambda: ROOT + ".0.1" in trapd.text()
                   and trapd.text())
    flat = got.replace(" ", "").replace("\n", "")
    assert name_hex in flat
    assert f"{ROOT}.1.2.1.2.{k}" in got  # hbmonCommuneName.k
    assert "scanner — 0 up, 1 needed".encode().hex().upper() in flat  # its worst problem
    en = col.readiness("en")
    vals = walk(snmpd)
    check_against_json(vals, col.readiness("vi"), en)
    assert column(vals, 2, 3)[(k,)] == 2  # missed
    assert column(vals, 2, 21)[(k,)] == 1  # one alert firing
    # ... and recovers
    col.down = set()
    col.step(10)
    wait_for("hbmonCommuneRecovered at snmptrapd", lambda: ROOT + ".0.2" in trapd.text())
    assert trapd.text().count(ROOT + ".0.1") == 1  # one trap a change: no storm
    vals = walk(snmpd)
    # today's shares: judged time has passed since the samples
    assert column(vals, 2, 15)[(k,)] == 1000  # the router was up all along
    assert column(vals, 2, 19)[(k,)] == 1000


@needs_tools
def test_a_reload_moves_the_receivers(stack, tmp_path):
    """SIGHUP with other trap receivers: the next notification goes to the new one only; a
    changed subagent setting is said to need a restart, and the subagent goes on."""
    snmpd, trapd, col = stack
    os.makedirs(tmp_path / "other")
    other = Trapd(str(tmp_path / "other"))
    try:
        with open(col.dist.conf, encoding="utf-8") as f:
            text = f.read()
        text = text.replace(f"trap_receivers = udp:127.0.0.1:{trapd.port}",
                            f"trap_receivers = udp:127.0.0.1:{other.port}")
        with open(col.dist.conf, "w", encoding="utf-8") as f:
            f.write(text.replace("agentx_ping = 1", "agentx_ping = 2"))
        col.col.proc.send_signal(signal.SIGHUP)
        wait_for("the reload", lambda: "notification receivers" in col.col.output())
        assert "agentx_ping: changed, taken at the next restart" in col.col.output()
        col.step(40)
        col.down = {("Xã Bình Minh", "Máy quét")}
        col.step(10)
        wait_for("hbmonCommuneShort at the new receiver", lambda: ROOT + ".0.1" in other.text())
        assert ROOT + ".0.1" not in trapd.text()
        assert snmp("snmpget", snmpd, ROOT + ".1.1.1.0", check=False).stdout.count("STRING")
    finally:
        other.stop()


@needs_tools
def test_survives_odd_requests_and_snmpd_restarting(stack):
    snmpd, _, col = stack
    before = walk(snmpd)
    assert column(before, 2, 2)
    # requests a manager should not send: past our columns, absurd indexes and lengths, a SET
    odd = [ROOT + ".1.2.1.2.4294967295", ROOT + ".1.2.1.99.1",
           ROOT + ".1.2.1.2.1" + ".4294967295" * 100, ROOT + ".1.9", ROOT + ".0.1.0"]
    r = snmp("snmpget", snmpd, *odd, check=False)
    assert "No Such" in r.stdout or "noSuch" in r.stdout, r.stdout + r.stderr
    snmp("snmpgetnext", snmpd, *odd, check=False)
    snmp("snmpbulkget", snmpd, "-Cn0", "-Cr10000", ROOT, check=False)
    r = subprocess.run(["snmpset", "-v2c", "-c", COMMUNITY, "-t", "2", "-r", "0", snmpd.addr,
                        ROOT + ".1.2.1.2.1", "s", "hacked"], capture_output=True, text=True)
    assert r.returncode != 0
    host, port = snmpd.addr.rsplit(":", 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:  # not BER at all
        s.sendto(b"\x30\x82\xff\xff" + os.urandom(200), (host, int(port)))
    assert walk(snmpd) == before
    assert col.col.alive()

    # snmpd restarts: the subagent reconnects (agentx_ping = 1) and registers again
    snmpd.stop()
    time.sleep(1.5)
    snmpd.start()
    wait_for("the subagent back after snmpd restarted",
             lambda: snmp("snmpget", snmpd, ROOT + ".1.1.1.0", check=False).stdout.count(
                 "STRING") == 1, timeout=30)
    assert walk(snmpd) == before
    out = col.col.output()
    assert "lost the master agent" in out and out.count("connected to the master agent") >= 2


@needs_tools
def test_this_months_figures_survive_a_restart(stack):
    """LAN and Internet availability this month (and data coverage) go on after the collector
    restarts mid-month: taken back from the store, not counted again from the restart."""
    snmpd, _, col = stack
    wait_for("readiness judged", lambda: all(
        c["verdict"] != "no_data" for c in col.readiness("en")["communes"]))
    col.step(40)
    col.down = {("Xã Bình Minh", "Switch")}  # its LAN down for a while
    col.step(30)
    col.down = set()
    col.step(30)
    col.step(0)  # a tick after the last step: its time is counted
    k = {v: i[0] for i, v in column(walk(snmpd), 2, 2).items()}["Xã Bình Minh"]

    def month():
        vals = walk(snmpd)
        return {c: column(vals, 2, c) for c in (15, 16, 17, 18, 19, 20)}
    before = wait_for("this month's shares", lambda: (lambda m: m if m[18].get((k,)) and
                                                      m[18][(k,)] < 1000 else None)(month()))
    assert 0 < before[18][(k,)] < 1000 and before[16][(k,)] == 1000, before
    assert len(before[20]) == len(COMMUNES)
    assert col.restart() == 0, col.col.output()
    # the clock stands still: the new collector, once registered again, says the same
    after = wait_for("the month's shares after the restart",
                     lambda: (lambda m: m if m[20] else None)(month()))
    assert after == before
    assert "go on from before the restart" in col.col.output()

# the province's SNMPv3 user for informs: in the collector's credentials.conf, and created in
# snmptrapd under snmptrapd's own engine ID (the receiver of an inform is the authoritative
# engine, RFC 3414 1.5.1): the collector learns that ID by discovery
INFORM_CRED = {"version": "3", "user": "tinh-inform", "level": "authPriv",
               "auth_protocol": "SHA-256", "auth_password": "xac-thuc-tinh-2026",
               "priv_protocol": "AES", "priv_password": "ma-hoa-tinh-2026"}
INFORM_RECEIVER = ('createUser tinh-inform SHA-256 "xac-thuc-tinh-2026" AES "ma-hoa-tinh-2026"\n'
                   "authUser log tinh-inform\n")
PROMTOOL = shutil.which("promtool")


def inform_counts(col, receiver):
    """{family: value} of /metrics' inform counters for one receiver."""
    st, _, body = http(col.dist.url("/metrics"))
    assert st == 200
    out = {}
    for m in re.finditer(r'^hbmon_snmp_inform(s_\w+|_discoveries_total)\{receiver="([^"]*)"\} (\d+)$',
                         body.decode(), re.M):
        if m.group(2) == receiver:
            out[m.group(1)] = int(m.group(3))
    return out


@pytest.fixture
def informed(bindir, tmp_path):
    """A collector sending SNMPv3 informs to a real snmptrapd and to an address nobody
    listens on (the receiver down), no subagent."""
    root = str(tmp_path)
    trapd = Trapd(root, INFORM_RECEIVER)
    live, dead = f"udp:127.0.0.1:{trapd.port}", f"udp:127.0.0.1:{free_port()}"
    col = None
    try:
        os.makedirs(os.path.join(root, "district"))
        col = Collector(bindir, os.path.join(root, "district"), None, None,
                        snmp=f"informs = {live}, {dead}\ninform_credential = tinh-inform\n"
                             "inform_timeout = 2\ninform_retries = 2\n",
                        creds={"tinh-inform": INFORM_CRED})
        col.step(0)
        yield trapd, col, live, dead
    finally:
        status = col.col.stop() if col else 0
        trapd.stop()
        assert status == 0, col.col.output()


@needs_tools
def test_v3_informs_acknowledged_and_a_dead_receiver_holds_nothing_up(informed):
    trapd, col, live, dead = informed
    wait_for("readiness judged", lambda: all(
        c["verdict"] != "no_data" for c in col.readiness("en")["communes"]))
    assert inform_counts(col, live)["s_sent_total"] == 0
    col.step(40)
    col.down = {("Xã Bình Minh", "Máy quét")}
    col.step(10)
    # the dead receiver's engine-ID discovery waits out 3 tries of 2 s: the dashboard
    # answers all along (net-snmp's own discovery would stop the loop for those 6 s)
    t0, slowest = time.time(), 0.0
    while time.time() - t0 < 4:
        t = time.time()
        assert http(col.dist.url("/api/v1/readiness?lang=en"))[0] == 200
        slowest = max(slowest, time.time() - t)
    assert slowest < 1.0, f"a request took {slowest:.2f} s while an inform was pending"
    got = wait_for("hbmonCommuneShort at snmptrapd, as a v3 inform",
                   lambda: ROOT + ".0.1" in trapd.text() and trapd.text())
    flat = got.replace(" ", "").replace("\n", "")
    assert "".join(f"{b:02X}" for b in "Xã Bình Minh".encode()) in flat
    assert "scanner — 0 up, 1 needed".encode().hex().upper() in flat
    wait_for("the live receiver's acknowledgement, the dead one's failure", lambda:
             inform_counts(col, live).get("s_acknowledged_total") == 1
             and inform_counts(col, dead).get("s_failed_total") == 1, timeout=20)
    assert inform_counts(col, live) == {"s_sent_total": 1, "s_acknowledged_total": 1,
                                        "s_failed_total": 0, "s_pending": 0,
                                        "_discoveries_total": 1}
    assert inform_counts(col, dead)["_discoveries_total"] == 0
    assert "no answer to the engine-ID discovery" in col.col.output()

    # snmptrapd restarts with a new engine ID (-C: it reads no persistent file, as if it were
    # reinstalled); the commune recovers: the inform goes with the engine ID known, gets no
    # answer, and goes again once the new one is learnt. The dead receiver is tried again
    # (and fails again, one log line for the lot)
    trapd.stop()
    trapd.start()
    col.down = set()
    col.step(10)
    wait_for("hbmonCommuneRecovered at snmptrapd", lambda: ROOT + ".0.2" in trapd.text())
    wait_for("counted", lambda: inform_counts(col, live).get("s_acknowledged_total") == 2
             and inform_counts(col, dead).get("s_failed_total") == 2, timeout=30)
    assert inform_counts(col, live) == {"s_sent_total": 2, "s_acknowledged_total": 2,
                                        "s_failed_total": 0, "s_pending": 0,
                                        "_discoveries_total": 2}
    assert col.col.output().count("inform not acknowledged") == 1
    if PROMTOOL:
        body = http(col.dist.url("/metrics"))[2]
        r = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True,
                           timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
