"""Switch ports from the switches' own LLDP / CDP tables (issue 16): the real probe polls the Cisco
c3560 recording with the switch profile (profiles/neighbours.conf: cdpCacheTable, lldpLocPortTable,
lldpRemTable, lldpRemManAddrTable, none stored as RRD), served by snmpsim with an lldpRemTable
the recording lacks (a variant), and a printer recording beside it.

- An inventory switch polled by nobody here (its probe is another one) whose address is one of
  the CDP cache's (10.1.100.181, on Gi0/49) reads "Cắm vào: Switch lõi cổng Gi0/49" with the
  source in words: placement needs no answer from the device itself.
- A ping-only printer whose inventory MAC is an LLDP neighbour's chassis MAC is on the port
  lldpLocPortTable names (Gi0/3); an SNMP printer whose sysName an LLDP neighbour announces
  (in capitals, with a domain) is on Gi0/5.
- The switch's page lists its neighbours: each port, the neighbour linked to its inventory
  device, its model and kind in words, a hostile neighbour's markup and bad bytes as text.
"""
import glob
import html as htmlmod
import json
import os
import re
import time

from conftest import District, admin_cookie, batch, http, run_probe_once, start_collector
from test_lanhosts import commune_page
from test_lanplace import SITE_TYPES  # one-stop: a PC and a printer
from simfleet import SnmpSim

try:
    import words
except ImportError:  # pragma: no cover
    words = None

COMMUNE = "Xã Tân Phú"
SWITCH = "Switch lõi"
EP_SW, EP_PR = "127.92.16.1:1161", "127.92.16.2:1161"
SW_COMMUNITY, PR_COMMUNITY = "switch/cisco-c3560", "printer/hp-laserjet-500"
PRINTER_MAC = "0a:1b:2c:3d:4e:5f"
REM, MAN = "1.0.8802.1.1.2.1.4.1.1.", "1.0.8802.1.1.2.1.4.2.1."
HOSTILE_NAME = b"\xff\xfe<script>alert(1)</script>"
UNKNOWN_MAC = "02:aa:bb:cc:dd:01"


def lldp_rows():
    """An lldpRemTable (index TimeMark.LocalPortNum.Index) on local ports 3, 5 and 7: a host by
    its MAC, a printer by its name, and a neighbour whose values are built to break a page."""
    rows = {
        "0.3.1": {4: ("2", "4"), 5: ("4x", PRINTER_MAC.replace(":", "")), 6: ("2", "3"),
                  7: ("4x", PRINTER_MAC.replace(":", "")), 8: ("4", "eth0"),
                  9: ("4", "NPI3D4E5F"), 12: ("4x", "01")},
        "0.5.1": {4: ("2", "7"), 5: ("4", "printer-acc"), 6: ("2", "5"), 7: ("4", "Port 1"),
                  9: ("4", "ACCOUNTING-COLOR.xa.gov.vn"), 12: ("4x", "01")},
        # a camera nobody listed, known by its MAC (an unknown host of the LAN watch)
        "0.9.1": {4: ("2", "4"), 5: ("4x", UNKNOWN_MAC.replace(":", "")), 6: ("2", "3"),
                  7: ("4x", UNKNOWN_MAC.replace(":", "")), 9: ("4", "cam-sanh"),
                  12: ("4x", "01")},
        # a MAC chassis id of 5 bytes, a port id of one raw byte, markup and invalid UTF-8
        "0.7.1": {4: ("2", "4"), 5: ("4x", "0a1b2c3d4e"), 6: ("2", "7"), 7: ("4x", "ff"),
                  9: ("4x", HOSTILE_NAME.hex()), 12: ("4x", "20")},
    }
    out = {f"{REM}{col}.{idx}": v for idx, cols in rows.items() for col, v in cols.items()}
    # the printer's management address: in the index (subtype 1, length 4, the address)
    out[f"{MAN}3.0.5.1.1.4.10.1.200.9"] = ("2", "2")
    return out


def visible(page):
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", page, flags=re.S)
    return " ".join(htmlmod.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def row_text(row):
    """A table row as read: inline elements joined to their text, cells apart."""
    return visible(re.sub(r"</?(?:span|small|a|code)\b[^>]*>", "", row))


def get(dist, path):
    st, _, body = http(dist.url(path))
    assert st == 200, (path, st)
    return body.decode("utf-8")


def device_link(dist, name):
    overview = get(dist, "/")
    commune = re.search(r'<a href="(/commune/[^"?]+)">', overview).group(1)
    page = get(dist, commune)
    return re.search(rf'<a href="(/device/[^"?]+)">{re.escape(name)}</a>', page).group(1)


def test_lldp_and_cdp_place_devices_and_list_neighbours(bindir, tmp_path):
    def dev(name, cls, address, snmp="", community="", mac="", probe=""):
        return {"commune": COMMUNE, "site": "Một cửa", "site_type": "one-stop",
                "device": name, "class": cls, "address": address, "snmp": snmp,
                "community": community, "mac": mac, "probe": probe}
    devices = [dev(SWITCH, "switch", EP_SW, "sw", SW_COMMUNITY),
               # polled by another probe: never reached from here, placed all the same
               dev("Switch tầng 2", "switch", "10.1.100.181", probe="other"),
               dev("Máy in tầng 1", "printer", "10.1.200.21", mac=PRINTER_MAC.upper(),
                   probe="other"),
               dev("Máy in màu", "printer", EP_PR, "pr", PR_COMMUNITY)]
    sim = SnmpSim([EP_SW, EP_PR], variants={EP_SW: (SW_COMMUNITY, lldp_rows())})
    sim.start(SW_COMMUNITY)
    dist = District(str(tmp_path), devices, SITE_TYPES)
    col = start_collector(bindir, dist)
    try:
        run_probe_once(bindir, dist)
        links = {d["device"]: device_link(dist, d["device"]) for d in devices}

        # placed by the switch's CDP cache (address), LLDP (chassis MAC, sysName)
        vi = visible(get(dist, links["Switch tầng 2"]))
        assert f"Cắm vào {SWITCH} cổng Gi0/49 (theo bảng thiết bị kề cận CDP)" in vi, vi
        vi = visible(get(dist, links["Máy in tầng 1"]))
        assert f"Cắm vào {SWITCH} cổng Gi0/3 (theo bảng thiết bị kề cận LLDP)" in vi, vi
        vi = visible(get(dist, links["Máy in màu"]))
        assert f"Cắm vào {SWITCH} cổng Gi0/5 (theo bảng thiết bị kề cận LLDP)" in vi, vi
        en = visible(get(dist, links["Máy in màu"] + "?lang=en"))
        assert f"Plugged into {SWITCH} port Gi0/5 (from its LLDP neighbour table)" in en, en

        # the switch's page: its neighbours, not its tables as measures
        page = get(dist, links[SWITCH])
        sec = page[page.index('<section id="neighbours">'):]
        sec = sec[:sec.index("</section>")]
        rows = sec.split("<tr>")[2:]
        assert len(rows) == 13, sec  # 4 LLDP, 9 CDP
        row = row_text(next(r for r in rows if "OLD-ShiTang-WIRELESS" in r))
        assert row.startswith("Gi0/49 Switch tầng 2 (OLD-ShiTang-WIRELESS) 10.1.100.181 "
                              "GigabitEthernet0/2 thiết bị định tuyến (router), thiết bị "
                              "chuyển mạch (switch) cisco WS-C3560-24PS CDP"), row
        assert f'href="{links["Switch tầng 2"]}"' in sec
        row = row_text(next(r for r in rows if "NPI3D4E5F" in r))
        assert row == "Gi0/3 Máy in tầng 1 (NPI3D4E5F) — eth0 máy trạm — LLDP", row
        row = row_text(next(r for r in rows if "Port 1" in r))
        assert row == ("Gi0/5 Máy in màu (ACCOUNTING-COLOR.xa.gov.vn) 10.1.200.9 Port 1 máy trạm "
                       "— LLDP"), row
        hostile = next(r for r in rows if "Gi0/7" in r)
        assert "<script>" not in hostile and "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile
        assert "\ufffd" in hostile and "sai độ dài" in visible(hostile)
        assert "<script>alert" not in page
        vi = visible(page)
        assert "Thiết bị kề cận" in vi and "Cắm vào" not in vi
        assert "Cổng LLDP của thiết bị" not in vi and "Thiết bị kề cận (CDP)" not in vi
        en = visible(get(dist, links[SWITCH] + "?lang=en"))
        assert "Neighbours" in en and "router, switch cisco WS-C3560-24PS CDP" in en

        if words:  # the words people read: inventory names and the devices' own texts allowed;
            # what neighbours call themselves ("xingzhenglou-1") is marked as the device's text
            allow = {d["device"] for d in devices} | {COMMUNE} | \
                words.device_provided(dist.url("/"), admin_cookie(dist.url("/")))
            assert "xingzhenglou-1" in visible(page)
            for name in (SWITCH, "Switch tầng 2", "Máy in tầng 1", "Máy in màu"):
                for lang in ("", "?lang=en"):
                    found = words.page_tokens(get(dist, links[name] + lang),
                                              "en" if lang else "vi", allow)
                    assert not found, (name, found)

        # an unknown host of the LAN watch is placed where a switch announces its MAC
        lan = {"commune": COMMUNE, "iface": "eth1", "hosts": [
            {"mac": UNKNOWN_MAC, "addrs": ["10.1.200.50"], "names": ["cam-sanh"], "vendor": "",
             "class": "", "first": int(time.time()) - 60, "last": int(time.time()),
             "frames": 3, "bytes": 300}]}
        body = json.loads(batch([], seq=10 ** 6))
        body["lan"] = [lan]
        st, _, out = http(dist.url("/api/v1/ingest"), json.dumps(body).encode())
        assert st == 200, out
        cpage = commune_page(dist, COMMUNE)
        lan_sec = cpage[cpage.index('<section id="lan">'):]
        row = next(r for r in lan_sec.split("<tr>") if UNKNOWN_MAC in r)
        assert f"{SWITCH} cổng Gi0/9 (theo bảng thiết bị kề cận LLDP)" in visible(row), row

        # no RRD file per neighbour row
        files = [os.path.basename(p) for p in glob.glob(os.path.join(dist.data, "**", "*.rrd"),
                                                          recursive=True)]
        assert not [f for f in files if f.startswith(("lldp", "cdp"))], files
        # a sanitizer build says what it found on the way out
        assert col.stop() == 0, col.output()[-3000:]
    finally:
        col.stop()
        sim.stop()
