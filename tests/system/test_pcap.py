"""hbmon-probe pcap: on every real capture in ../shared/pcaps, the hosts, names and LLDP / CDP
neighbours it reports are those tcpdump reads in the same file; on every hostile capture in
../shared/pcaps/hostile it ends cleanly, in bounded time, with valid JSON or a one-line error."""
import collections
import glob
import json
import os
import re
import subprocess

import pytest

from simfleet import SHARED

PCAPS = sorted(glob.glob(os.path.join(SHARED, "pcaps", "*.pcap")))
HOSTILE = sorted(glob.glob(os.path.join(SHARED, "pcaps", "hostile", "*.pcap")))

FRAME = re.compile(r"^\d\d:\d\d:\d\d\.\d+ ([0-9a-f:]{17}) > ([0-9a-f:]{17}), (.*)$")


def run_pcap(bindir, path, timeout=30):
    return subprocess.run([os.path.join(bindir, "hbmon-probe"), "pcap", path],
                          capture_output=True, timeout=timeout)


def tcpdump(path):
    """(link type, [{"src": mac, "lines": [...]}]) as `tcpdump -nn -v -e -r` prints them."""
    r = subprocess.run(["tcpdump", "-nn", "-v", "-e", "-r", path], capture_output=True,
                       timeout=60)
    err = r.stderr.decode("utf-8", "replace")
    link = re.search(r"link-type (\S+)", err)
    packets = []
    for line in r.stdout.decode("utf-8", "replace").splitlines():
        m = FRAME.match(line)
        if m:
            packets.append({"src": m.group(1), "lines": [m.group(3)]})
        elif packets:
            packets[-1]["lines"].append(line.strip())
    return (link.group(1) if link else None), packets


def station(mac):
    """A unicast, non-zero MAC: one the probe keeps a host for."""
    return not int(mac[:2], 16) & 1 and mac != "00:00:00:00:00:00"


def first(pattern, lines):
    for line in lines:
        m = re.search(pattern, line)
        if m:
            return m.group(1)
    return None


def cdp_expected(lines):
    mgmt = first(r"Management Addresses \(0x16\).*IPv4 \(1\) (\S+)", lines)
    return {"system_name": first(r"Device-ID \(0x01\), value length: \d+ bytes?: '(.*)'", lines),
            "port_id": first(r"Port-ID \(0x03\), value length: \d+ bytes?: '(.*)'", lines),
            "platform": first(r"Platform \(0x06\), value length: \d+ bytes?: '(.*)'", lines),
            "mgmt_address": "" if mgmt in (None, "0.0.0.0") else mgmt}


def lldp_expected(lines):
    port_id = None
    for i, line in enumerate(lines):
        if line.startswith("Port ID TLV") and i + 1 < len(lines):
            port_id = first(r"Subtype .*\(\d+\): (.*)$", [lines[i + 1]])
    return {"system_name": first(r"System Name TLV \(5\), length \d+: (.*)$", lines) or "",
            "port_id": port_id,
            "port_descr": first(r"Port Description TLV \(4\), length \d+: (.*)$", lines) or "",
            "mgmt_address": first(r"Management Address length 5, AFI IPv4 \(1\): (\S+)",
                                  lines) or ""}


def expected(packets):
    """What tcpdump says the capture holds: frames per source, names, addresses, vendor
    classes per client MAC, neighbours per (MAC, protocol)."""
    exp = {"frames": collections.Counter(), "names": collections.defaultdict(set),
           "addresses": collections.defaultdict(set), "vendor_class": {}, "neighbours": {}}
    for p in packets:
        src, lines = p["src"], p["lines"]
        if station(src):
            exp["frames"][src] += 1
        if "pid CDP" in lines[0]:
            exp["neighbours"][(src, "cdp")] = cdp_expected(lines)
        elif "LLDP" in lines[0]:
            # a port that sends zeros as its source is named by its chassis MAC
            mac = src if station(src) else first(r"Subtype MAC address \(4\): ([0-9a-f:]{17})",
                                                 lines)
            if mac and station(mac):
                exp["neighbours"][(mac, "lldp")] = lldp_expected(lines)
                exp["frames"].setdefault(mac, 0)
        text = "\n".join(lines)
        chaddr = first(r"Client-Ethernet-Address ([0-9a-f:]{17})", lines)
        if chaddr and station(chaddr):
            exp["frames"].setdefault(chaddr, 0)
        if chaddr and "BOOTP/DHCP, Request" in text:
            name = first(r'Hostname \(12\), length \d+: "(.*)"', lines)
            if name:
                exp["names"][chaddr].add(name)
            vendor = first(r'Vendor-Class \(60\), length \d+: "(.*)"', lines)
            if vendor:
                exp["vendor_class"][chaddr] = vendor
        tell = re.search(r"Request who-has \S+ tell ([\d.]+),", text)
        if tell and tell.group(1) != "0.0.0.0":
            exp["addresses"][src].add(tell.group(1))
        reply = re.search(r"Reply ([\d.]+) is-at ([0-9a-f:]{17})", text)
        if reply:
            exp["addresses"][reply.group(2)].add(reply.group(1))
    return exp


def clean(s):
    return not re.search(r"[\x00-\x1f\x7f]", s)


@pytest.mark.parametrize("path", PCAPS, ids=[os.path.basename(p) for p in PCAPS])
def test_capture_matches_tcpdump(bindir, path):
    link, packets = tcpdump(path)
    r = run_pcap(bindir, path)
    err = r.stderr.decode("utf-8", "replace")
    if link != "EN10MB":
        # a capture of another link layer: a clear one-line error naming file and link type
        assert r.returncode == 1, err
        assert r.stdout == b""
        assert err.count("\n") == 1 and path in err and link in err, err
        return
    assert r.returncode == 0, err
    doc = json.loads(r.stdout)
    assert doc["file"] == path
    assert doc["frames"] == len(packets)
    assert sum(doc["malformed"].values()) == 0, doc["malformed"]
    hosts = {h["mac"]: h for h in doc["hosts"]}
    exp = expected(packets)
    assert set(hosts) == set(exp["frames"]), "hosts differ from tcpdump's sources and clients"
    for mac, n in exp["frames"].items():
        assert hosts[mac]["frames"] == n, mac
    for mac, names in exp["names"].items():
        assert names <= set(hosts[mac]["names"]), mac
    for mac, vendor in exp["vendor_class"].items():
        assert hosts[mac]["dhcp_vendor_class"] == vendor, mac
    for mac, addrs in exp["addresses"].items():
        assert addrs <= set(hosts[mac]["addresses"]), mac
    for h in doc["hosts"]:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", h["first_seen"])
        assert h["first_seen"] <= h["last_seen"]
        assert all(clean(s) for s in h["names"] + [h["vendor"], h["dhcp_vendor_class"]])
    got = {(n["mac"], n["protocol"]): n for n in doc["neighbours"]}
    assert set(got) == set(exp["neighbours"])
    for key, want in exp["neighbours"].items():
        for field, value in want.items():
            if value is not None:
                assert got[key][field] == value, (key, field)
        assert all(clean(v) for v in got[key].values() if isinstance(v, str))
        # its system name is one of the host's names
        if want["system_name"]:
            assert want["system_name"] in hosts[key[0]]["names"]


@pytest.mark.parametrize("path", HOSTILE, ids=[os.path.basename(p) for p in HOSTILE])
def test_hostile_capture_ends_cleanly(bindir, path):
    r = run_pcap(bindir, path, timeout=20)  # a TLV loop would hang here
    err = r.stderr.decode("utf-8", "replace")
    assert r.returncode in (0, 1), f"exit {r.returncode}: {err[-2000:]}"
    if r.returncode == 0:
        doc = json.loads(r.stdout)
        assert doc["frames"] >= 1
        for h in doc["hosts"]:
            assert all(clean(s) for s in h["names"])
    else:
        assert err.count("\n") == 1 and path in err, err


def test_missing_file_and_usage(bindir, tmp_path):
    missing = str(tmp_path / "none.pcap")
    r = run_pcap(bindir, missing)
    assert r.returncode == 1
    assert missing in r.stderr.decode()
    r = subprocess.run([os.path.join(bindir, "hbmon-probe"), "pcap"], capture_output=True,
                       timeout=10)
    assert r.returncode == 2 and b"usage" in r.stderr
