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
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from district import COMMUNES, DEAD, ONE_STOP, PORTAL_DOWN, PORTALS, devices  # noqa: E402


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
        for n, (site, stype, name, cls, rec) in enumerate(devices(k), start=1):
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
