#!/usr/bin/python3
"""Writes the demo district's inventory.csv and credentials.conf.

Devices answer from the real recordings in ../shared/devices/ served by snmpsim on
127.77.<commune>.<n>:1161; devices on 127.78.x.x have no agent behind them (switched off,
unplugged): the demo shows them down and their sites short of target. Each commune also has
an attendance terminal without SNMP (checked by ping) and a web portal (checked by its page,
served by run-demo.py on 127.0.0.1:8081; one of them answers 503).
"""
import csv
import os
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
COMMUNES = ["Xã Tân Phú", "Xã An Bình", "Xã Phước Long", "Thị trấn Hòa Thành", "Xã Long Hưng",
            "Xã Bình Minh", "Xã Thạnh Lợi", "Xã Mỹ An", "Xã Vĩnh Hòa", "Xã Đông Sơn"]
ONE_STOP = "Bộ phận Tiếp nhận và trả kết quả"
MEETING = "Phòng họp trực tuyến"
PCS = ["pc/linux-desktop", "pc/windows-xp", "pc/linux-slackware"]
PRINTERS = ["printer/hp-laserjet-500", "printer/brother-nc7700w"]
SWITCHES = ["switch/cisco-c3560", "switch/dlink-des3200", "switch/edgecore-es3528m"]
ROUTERS = ["router/tplink-td-w9001g", "router/vyatta"]
CAMERAS = ["camera/axis-m7011", "camera/samsung-ipolis", "camera/hikvision-ds7608-nvr"]
UPSES = ["ups/eaton-powerxpert", "ups/tripplite"]
PORTALS = "http://127.0.0.1:8081"
PORTAL_DOWN = 4  # this commune's portal answers 503 (run-demo.py serves the same rule)
# (commune index, device name) pairs whose address has nothing behind it
DEAD = {(2, "Máy quét"), (6, "Máy tính 2"), (6, "Máy tính 3"), (8, "Thiết bị họp trực tuyến")}


def ascii_slug(s):
    """Mail addresses stay ASCII: "đs" → "ds" (not every mail server takes SMTPUTF8)."""
    s = unicodedata.normalize("NFKD", s.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in s if c.isascii())


def portal_slug(k):
    return f"xa{k + 1}" if k != PORTAL_DOWN else f"down-xa{k + 1}"


def cred(rec):
    return "sim-" + rec.replace("/", "-")


def main():
    rows, recs = [], set()
    for k, commune in enumerate(COMMUNES):
        slug = ascii_slug("".join(w[0] for w in commune.split()[1:]).lower())
        devices = [
            (ONE_STOP, "one-stop", "Máy tính 1", "pc", PCS[k % 3]),
            (ONE_STOP, "one-stop", "Máy tính 2", "pc", PCS[(k + 1) % 3]),
            (ONE_STOP, "one-stop", "Máy tính 3", "pc", PCS[(k + 2) % 3]),
            (ONE_STOP, "one-stop", "Máy quét", "scanner", "scanner/epson-ds860"),
            (ONE_STOP, "one-stop", "Máy in", "printer", PRINTERS[k % 2]),
            (ONE_STOP, "one-stop", "Switch tầng 1", "switch", SWITCHES[k % 3]),
            (ONE_STOP, "one-stop", "Router Internet", "router", ROUTERS[k % 2]),
            (MEETING, "meeting-room", "Thiết bị họp trực tuyến", "vc", "vc/poly-studio-x50"),
            (MEETING, "meeting-room", "Camera phòng họp", "camera", CAMERAS[k % 3]),
            (MEETING, "meeting-room", "Bộ lưu điện", "ups", UPSES[k % 2]),
        ]
        for n, (site, stype, name, cls, rec) in enumerate(devices, start=1):
            net = 78 if (k, name) in DEAD else 77
            recs.add(rec)
            rows.append([commune, site, stype, name, cls, f"127.{net}.{k + 1}.{n}:1161",
                         cred(rec), f"vanphong.{slug}@example.gov.vn", ""])
        contact = f"vanphong.{slug}@example.gov.vn"
        rows.append([commune, ONE_STOP, "one-stop", "Máy chấm công", "attendance",
                     f"127.77.{k + 1}.11", "", contact, ""])
        rows.append([commune, ONE_STOP, "one-stop", "Cổng thông tin điện tử", "portal", "", "",
                     contact, f"{PORTALS}/{portal_slug(k)}/"])
    with open(os.path.join(HERE, "inventory.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["commune", "site", "site_type", "device", "class", "address", "snmp",
                    "contact", "url"])
        w.writerows(rows)
    with open(os.path.join(HERE, "credentials.conf"), "w", encoding="utf-8") as f:
        f.write("; SNMP credentials, referenced by name from the inventory's snmp column.\n"
                "; This file holds secrets: hbmon refuses it when other users can read it.\n"
                "; In the demo, snmpsim selects a recording by community name.\n")
        for rec in sorted(recs):
            f.write(f"\n[{cred(rec)}]\nversion = 2c\ncommunity = {rec}\n")


if __name__ == "__main__":
    main()
