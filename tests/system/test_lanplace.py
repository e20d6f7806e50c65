"""Where a host is plugged in (issue 16): the real probe polls the D-Link DES-3200 recording with
the switch profile (profiles/bridge.conf: dot1dBasePortIfIndex, dot1dTpFdbTable and
dot1qTpFdbTable, learned rows only, none stored as RRD), and the collector places each MAC on a
port of the switch: a device whose inventory MAC the switch learned alone on a port reads
"Cắm vào: <switch> cổng <port name from the recording>", one learned on the port where dozens of
MACs are learned (the uplink) is marked as behind a shared port, and an unknown host of the LAN
report gets the same in its column of the commune page."""
import glob
import html as htmlmod
import json
import os
import re
import time

from conftest import District, batch, http, run_probe_once, snmprec, start_collector

SITE_TYPES = """[site-type one-stop]
label_vi = Bộ phận một cửa
label_en = one-stop office
hours = always
pc = 1
printer = 1
"""
COMMUNE = "Xã Tân Phú"
SWITCH = "Switch tầng 1"
FDB_PORT, FDB_STATUS = "1.3.6.1.2.1.17.4.3.1.2.", "1.3.6.1.2.1.17.4.3.1.3."
QFDB_PORT, QFDB_STATUS = "1.3.6.1.2.1.17.7.1.2.2.1.2.", "1.3.6.1.2.1.17.7.1.2.2.1.3."
BASE_IFINDEX = "1.3.6.1.2.1.17.1.4.1.2."


def text(rec, oid):
    typ, val = rec[oid]
    return bytes.fromhex(val).decode("utf-8") if typ == "4x" else val


def learned(rec):
    """{(port, mac)} the switch learned (status 3), from both tables, as the collector reads
    them: the MAC is the index (Q-BRIDGE: after the FDB id)."""
    out = set()
    for port_col, status_col, skip in ((FDB_PORT, FDB_STATUS, 0), (QFDB_PORT, QFDB_STATUS, 1)):
        for oid, (_, val) in rec.items():
            if not oid.startswith(port_col):
                continue
            idx = oid[len(port_col):]
            if rec.get(status_col + idx, ("", ""))[1] != "3" or int(val) == 0:
                continue
            mac = ":".join(f"{int(b):02x}" for b in idx.split(".")[skip:])
            out.add((int(val), mac))
    return out


def port_name(rec, port):
    ifindex = rec[BASE_IFINDEX + str(port)][1]
    name = text(rec, "1.3.6.1.2.1.31.1.1.1.1." + ifindex).strip()
    return name or text(rec, "1.3.6.1.2.1.2.2.1.2." + ifindex).strip()


def pick(rec):
    """A MAC learned alone on its port (an edge), and one learned only on the port with the
    most MACs (the uplink), with their ports."""
    fdb = learned(rec)
    count, ports = {}, {}
    for port, mac in fdb:
        count[port] = count.get(port, 0) + 1
        ports.setdefault(mac, set()).add(port)
    edge = sorted(m for m, p in ports.items() if len(p) == 1 and count[min(p)] == 1)
    uplink = max(count, key=count.get)
    behind = sorted(m for m, p in ports.items() if p == {uplink})
    assert edge and behind and count[uplink] > 4, (count, len(ports))
    return (edge[0], min(ports[edge[0]])), (edge[1], min(ports[edge[1]])), (behind[0], uplink)


def visible(page):
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", page, flags=re.S)
    return " ".join(htmlmod.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def get(dist, path):
    st, _, body = http(dist.url(path))
    assert st == 200, (path, st)
    return body.decode("utf-8")


def device_page(dist, commune_link, name, lang=""):
    page = get(dist, commune_link)
    link = re.search(rf'<a href="(/device/[^"]+)">{re.escape(name)}</a>', page).group(1)
    return get(dist, link + lang)


def test_switch_port_on_device_and_commune_pages(bindir, tmp_path, fleet):
    rec = snmprec(os.path.join(fleet["shared"], "devices", "switch", "dlink-des3200.snmprec"))
    (pc_mac, pc_port), (unknown_mac, unknown_port), (printer_mac, uplink) = pick(rec)

    def dev(name, cls, address, snmp="", community="", mac=""):
        return {"commune": COMMUNE, "site": "Một cửa", "site_type": "one-stop",
                "device": name, "class": cls, "address": address, "snmp": snmp,
                "community": community, "mac": mac}
    devices = [dev(SWITCH, "switch", fleet["endpoints"][2], "switch-dlink",
                   "switch/dlink-des3200"),
               # ping-only devices: only their inventory MAC ties them to the switch
               dev("Máy tính kế toán", "pc", "127.0.0.62", mac=pc_mac.upper()),
               dev("Máy in tầng 2", "printer", "127.0.0.63", mac=printer_mac)]
    dist = District(str(tmp_path), devices, SITE_TYPES)
    col = start_collector(bindir, dist)
    try:
        run_probe_once(bindir, dist)
        now = int(time.time())
        body = json.loads(batch([], seq=1))
        body["lan"] = [{"commune": COMMUNE, "iface": "eth1", "hosts": [
            {"mac": unknown_mac, "addrs": ["192.168.1.77"], "names": ["may-la"],
             "vendor": "", "class": "", "first": now - 60, "last": now, "frames": 3,
             "bytes": 300}]}]
        st, _, out = http(dist.url("/api/v1/ingest"), json.dumps(body).encode())
        assert st == 200, out

        overview = get(dist, "/")
        commune = re.search(r'<a href="(/commune/[^"?]+)">', overview).group(1)
        vi = visible(device_page(dist, commune, "Máy tính kế toán"))
        assert f"Cắm vào {SWITCH} cổng {port_name(rec, pc_port)}" in vi, vi
        en = visible(device_page(dist, commune, "Máy tính kế toán", "?lang=en"))
        assert f"Plugged into {SWITCH} port {port_name(rec, pc_port)}" in en, en
        vi = visible(device_page(dist, commune, "Máy in tầng 2"))
        assert (f"Cắm vào {SWITCH} cổng {port_name(rec, uplink)} (cổng dùng chung, có thể qua "
                "một bộ chuyển mạch khác)") in vi, vi

        # the switch's own page: its forwarding tables are not listed as measures
        sw = device_page(dist, commune, SWITCH)
        assert "Bảng địa chỉ MAC" not in sw and "Cổng cầu nối" not in sw
        assert "Cắm vào" not in visible(sw)

        page = get(dist, commune)
        lan = page[page.index('<section id="lan">'):]
        lan = lan[:lan.index("</section>")]
        row = next(r for r in lan.split("<tr>") if unknown_mac in r)
        assert f"{SWITCH} cổng {port_name(rec, unknown_port)}" in visible(row), row

        # no RRD file per forwarding row: only system and interfaces for the switch
        files = [os.path.basename(p) for p in glob.glob(os.path.join(dist.data, "**", "*.rrd"),
                                                          recursive=True)]
        assert not [f for f in files if f.startswith(("fdb", "bridge_port"))], files
    finally:
        col.stop()
