#!/usr/bin/python3
"""The device fleet of the SNMP-polling benchmark: net-snmp snmpd agents in a network namespace.

The namespace (default `hbmon-bench`) holds:
  - lo, up, with 10.77.0.0/16: device i answers on 10.77.<i // 250>.<i % 250 + 1>:161
    (another /16 with `net=`, as tests/soak/run.py uses);
  - NIFS interfaces of type ifb (`bif0`...; the kernel here has no `dummy` links) so that
    every agent's ifTable has NIFS + 2 rows (lo, the ifbs, dead0);
  - dead0 (ifb, up) with the route 10.78.0.0/16: a packet to a "dead" device
    10.78.<i // 250>.<i % 250 + 1> leaves through dead0 and is dropped without a word, so a
    poller times out (no ICMP unreachable, which would make net-snmp fail fast).
Agents are `snmpd -f -C -c CONF` processes, each serving PER_AGENT addresses
(`agentaddress udp:A:161,udp:B:161,...`), community `public`, read-only, no connection
logging, persistent files in the work directory (SNMP_PERSISTENT_DIR), no MIB files read.
hrStorageTable is whatever snmpd finds on this machine (memory and mounted file systems).

As a program (for trying things by hand):
    fleet.py up [NDEVICES] [WORKDIR]   netns + agents, left running
    fleet.py down                       kills every process in the netns, deletes it
Standard library only. Must run as root.
"""
import os
import subprocess
import sys
import time

NETNS = os.environ.get("BENCH_NETNS", "hbmon-bench")
PER_AGENT = 25
NIFS = 40
COMMUNITY = "public"


NET, DEAD_NET = "10.77", "10.78"  # the first two octets of the /16s (net=, dead_net=)


def device_addr(i, net=NET):
    return f"{net}.{i // 250}.{i % 250 + 1}"


def dead_addr(i, dead_net=DEAD_NET):
    return f"{dead_net}.{i // 250}.{i % 250 + 1}"


def _ip(*args, check=True, inp=None):
    return subprocess.run(["ip", *args], input=inp, capture_output=True, text=True,
                          check=check)


def netns_exists(name=NETNS):
    return os.path.exists(f"/run/netns/{name}")


def netns_pids(name=NETNS):
    r = _ip("netns", "pids", name, check=False)
    return [int(p) for p in r.stdout.split() if p.isdigit()]


def netns_destroy(name=NETNS, log=None):
    """Kills every process in the namespace (TERM, then KILL), deletes it. Idempotent."""
    if not netns_exists(name):
        return
    me = os.getpid()
    for sig, wait in ((15, 3.0), (9, 2.0)):
        pids = [p for p in netns_pids(name) if p != me]
        if not pids:
            break
        for p in pids:
            try:
                os.kill(p, sig)
            except ProcessLookupError:
                pass
        end = time.time() + wait
        while time.time() < end and any(_alive(p) for p in pids):
            time.sleep(0.05)
    left = [p for p in netns_pids(name) if p != me and _alive(p)]
    if left and log:
        log(f"netns {name}: processes {left} still there")
    _ip("netns", "delete", name, check=False)


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def netns_create(nifs=NIFS, name=NETNS, net=NET, dead_net=DEAD_NET):
    """Creates the namespace with its addresses, ifb interfaces and the dead route."""
    netns_destroy(name)
    _ip("netns", "add", name)
    cmds = ["link set lo up", f"addr add {net}.0.0/16 dev lo",
            "link add dead0 type ifb", "link set dead0 up",
            f"route add {dead_net}.0.0/16 dev dead0"]
    for k in range(nifs):
        cmds += [f"link add bif{k} type ifb", f"link set bif{k} up"]
    r = _ip("-n", name, "-batch", "-", check=False, inp="\n".join(cmds) + "\n")
    if r.returncode != 0:
        netns_destroy(name)
        raise RuntimeError(f"configuring netns {name}: {r.stderr.strip()[-300:]}")


def in_netns_argv(argv, name=NETNS):
    return ["ip", "netns", "exec", name, *argv]


class Fleet:
    """snmpd agents serving ndevices addresses, in the namespace."""

    def __init__(self, workdir, ndevices, per_agent=PER_AGENT, name=NETNS, log=print, net=NET):
        self.dir = os.path.join(workdir, "fleet")
        self.ndevices = ndevices
        self.per_agent = per_agent
        self.name = name
        self.log = log
        self.net = net
        self.procs = []

    def addrs(self):
        return [device_addr(i, self.net) for i in range(self.ndevices)]

    def start(self, detach=False, skip=()):
        """Starts every agent (agent a serves devices a * per_agent ...), but those in skip:
        their slots in self.procs stay None until start_agent(a)."""
        os.makedirs(self.dir, exist_ok=True)
        addrs = self.addrs()
        for a, k in enumerate(range(0, len(addrs), self.per_agent)):
            group = addrs[k:k + self.per_agent]
            conf = os.path.join(self.dir, f"snmpd-{a:03d}.conf")
            with open(conf, "w") as f:
                f.write("# hbmon SNMP bench agent: read-only, community public\n"
                        "agentaddress " + ",".join(f"udp:{x}:161" for x in group) + "\n"
                        f"rocommunity {COMMUNITY} default\n"
                        "dontLogTCPWrappersConnects yes\n")
            self.procs.append(None if a in skip else self._spawn(a, group, conf, detach))

    def _spawn(self, a, group, conf, detach=False):
        env = dict(os.environ, SNMP_PERSISTENT_DIR=os.path.join(self.dir, "persist"), MIBS="",
                   SNMPCONFPATH=self.dir)
        argv = in_netns_argv(["snmpd", "-f", "-C", "-c", conf,
                              "-Lf", os.path.join(self.dir, f"snmpd-{a:03d}.log"),
                              "-p", os.path.join(self.dir, f"snmpd-{a:03d}.pid")],
                             self.name)
        p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=detach)
        p.first, p.last, p.conf = group[0], group[-1], conf
        return p

    def stop_agent(self, a, sig=15, timeout=5):
        """Stops agent a (SIGTERM, or sig: 9 for a crash) and reaps it; its slot becomes None.
        Returns its exit status (None if it was not running)."""
        p = self.procs[a]
        self.procs[a] = None
        if p is None:
            return None
        if p.poll() is None:
            p.send_signal(sig)
        try:
            return p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            return p.wait()

    def start_agent(self, a):
        """Starts agent a again (after stop_agent, or one skipped by start): a new snmpd
        process, so its sysUpTime and its own counters (snmpInPkts ...) start from zero."""
        if self.procs[a] is not None and self.procs[a].poll() is None:
            return self.procs[a]
        group = self.addrs()[a * self.per_agent:(a + 1) * self.per_agent]
        self.procs[a] = self._spawn(a, group, os.path.join(self.dir, f"snmpd-{a:03d}.conf"))
        return self.procs[a]

    def wait_ready(self, timeout=30):
        """Every agent answers on its first and last address; RuntimeError otherwise."""
        end = time.time() + timeout
        pending = [(p, a) for p in self.procs if p is not None for a in {p.first, p.last}]
        while pending and time.time() < end:
            dead = [p for p, _ in pending if p.poll() is not None]
            if dead:
                raise RuntimeError(f"snmpd for {dead[0].conf} exited {dead[0].returncode}: "
                                   + self._log_tail(dead[0]))
            checks = [(p, a, subprocess.Popen(
                in_netns_argv(["snmpget", "-v2c", "-c", COMMUNITY, "-t", "0.5", "-r", "0",
                               "-On", a, "1.3.6.1.2.1.1.3.0"], self.name),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, MIBS="")))
                for p, a in pending]
            pending = [(p, a) for p, a, c in checks if c.wait() != 0]
            if pending:
                time.sleep(0.3)
        if pending:
            raise RuntimeError(f"{len(pending)} agent addresses not answering after {timeout} s, "
                               f"e.g. {pending[0][1]}")

    def _log_tail(self, p):
        try:
            with open(p.conf.replace(".conf", ".log"), errors="replace") as f:
                return " ".join(f.read()[-300:].split())
        except OSError:
            return "(no log)"

    def pids(self):
        return [p.pid for p in self.procs if p is not None and p.poll() is None]

    def walk(self, addr, base, reps=25):
        """Rows under one column (numeric OID) of one device, by snmpbulkwalk."""
        r = subprocess.run(in_netns_argv(["snmpbulkwalk", "-v2c", "-c", COMMUNITY, "-On",
                                          f"-Cr{reps}", "-t", "2", "-r", "1", addr, base],
                                         self.name),
                           capture_output=True, text=True, timeout=60,
                           env=dict(os.environ, MIBS=""))
        if r.returncode != 0:
            raise RuntimeError(f"snmpbulkwalk {addr} {base}: {r.stderr.strip()[-200:]}")
        pre = "." + base.lstrip(".") + "."
        return sum(1 for line in r.stdout.splitlines() if line.startswith(pre))

    def stop(self):
        self.procs = [p for p in self.procs if p is not None]
        for p in self.procs:
            if p.poll() is None:
                p.terminate()
        end = time.time() + 5
        for p in self.procs:
            try:
                p.wait(max(0.1, end - time.time()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = []


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "up":
        n = int(sys.argv[2]) if len(sys.argv) > 2 else 100
        work = sys.argv[3] if len(sys.argv) > 3 else "/tmp/hbmon-fleet"
        netns_create()
        fl = Fleet(work, n)
        fl.start(detach=True)
        fl.wait_ready()
        print(f"netns {NETNS}: {n} devices on {device_addr(0)}..{device_addr(n - 1)}:161, "
              f"{len(fl.procs)} snmpd processes; dead addresses 10.78.x.y; work dir {work}")
    elif len(sys.argv) == 2 and sys.argv[1] == "down":
        netns_destroy(log=print)
        print(f"netns {NETNS} removed")
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
