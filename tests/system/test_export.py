"""Planners' files from `hbmon-collector export`: a week of stored samples, alerts that fired
and were resolved, an acknowledgement and a maintenance window; the readiness, inventory and
events sheets as CSV, XLSX and JSON, opened with a real spreadsheet program (LibreOffice, as a
Vietnamese Excel would read the CSV: ';' between fields, ',' before decimals, formulas run)."""
import json
import os
import pty
import shutil
import sqlite3
import subprocess
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest

from conftest import District, batch, http, sample, start_collector

pytestmark = pytest.mark.one_build  # real time or outside programs: one build (conftest)

VN = timezone(timedelta(hours=7))
SITE_TYPES = """[site-type one-stop]
label_vi = Bộ phận một cửa
label_en = one-stop office
pc = 2
scanner = 1
[site-type store]
label_vi = Kho thiết bị
label_en = storeroom
[commune-targets]
site.one-stop = 1
"""
A, B = "Xã Tân Phú", "Phường Hòa Bình"
# names a spreadsheet would run as formulas: they must stay text
HOSTILE = ['=HYPERLINK("http://example.invalid/x","bấm vào đây")', "@SUM(1)", "-2+3"]
DEVICES = [(A, "Một cửa", "one-stop", "Máy tính 1", "pc"),
           (A, "Một cửa", "one-stop", "Máy tính 2", "pc"),
           (A, "Một cửa", "one-stop", "Máy quét", "scanner"),
           (A, "Kho", "store", HOSTILE[0], "other"),
           (A, "Kho", "store", HOSTILE[1], "printer"),
           (B, "Một cửa", "one-stop", "Máy tính 1", "pc"),
           (B, "Một cửa", "one-stop", "Máy tính 2", "pc"),
           (B, "Một cửa", "one-stop", "Máy quét", "scanner"),
           (B, "Kho", "store", HOSTILE[2], "ups")]
NEVER = (B, "Kho", "store", "Máy chấm công", "attendance")  # listed, never heard from


def t(day, hour, minute=0):
    return int(datetime(2026, 10, day, hour, minute, tzinfo=VN).timestamp())


# (start, end] outages in the week judged (Mon 5 – Fri 9 October, 8 working hours a day)
DOWN = {(A, "Máy quét"): [(t(5, 8), t(5, 10))],          # 38 of 40 h: 95 %
        (A, "Máy tính 2"): [(t(6, 13, 30), t(6, 14, 30))]}  # 39 of 40 h: 97.5 %
LIVE = t(13, 9)  # the collector's clock: Tuesday after, when the scanner fails again

NS = {"table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
      "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0"}
TBL, OFF = "{%s}" % NS["table"], "{%s}" % NS["office"]
VI_CSV = "Text - txt - csv (StarCalc):59,34,76,1,,1066,false,true"  # ';', '"', UTF-8, vi
EN_CSV = "Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true"  # ',', '"', UTF-8, en-US


def up(commune, device, ts):
    return not any(a < ts <= b for a, b in DOWN.get((commune, device), []))


def write_inventory(dist):
    """The inventory with its names quoted (a hostile name holds commas and quotes)."""
    import csv
    with open(os.path.join(dist.root, "inventory.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["commune", "site", "site_type", "device", "class", "address", "snmp",
                    "contact"])
        for i, (c, s, st, d, cls) in enumerate(DEVICES + [NEVER]):
            w.writerow([c, s, st, d, cls, f"127.0.0.{60 + i}:161" if i != 1 else
                        "127.0.0.61:1161", "pub", "canbo@tanphu.example.vn" if i == 0 else ""])


class Clock:
    def __init__(self, root):
        self.path = os.path.join(root, "clock")
        self.set(LIVE)

    def set(self, now):
        self.now = now
        with open(self.path, "w", encoding="ascii") as f:
            f.write(str(now))


def events_of(dist, kind):
    db = sqlite3.connect(os.path.join(dist.data, "hbmon.db"), timeout=10)
    try:
        return db.execute("SELECT ts, commune, subject FROM events WHERE kind = ?",
                          (kind,)).fetchall()
    finally:
        db.close()


def live_minutes(dist, clock, scanner_up, until_kind, most=20):
    """A minute at a time, every device reporting, until an alert event of until_kind."""
    for _ in range(most):
        clock.set(clock.now + 60)
        body = batch([sample(c, d, clock.now, up=scanner_up or (c, d) != (A, "Máy quét"))
                      for c, _, _, d, _ in DEVICES])
        assert http(dist.url("/api/v1/ingest"), body)[0] == 200
        time.sleep(0.05)
        if events_of(dist, until_kind):
            return
    raise AssertionError(f"no {until_kind} event")


def cli(bindir, dist, clock, *args, stdout=subprocess.PIPE):
    return subprocess.run([os.path.join(bindir, "hbmon-collector"), "-c", dist.conf, *args],
                          stdout=stdout, stderr=subprocess.PIPE,
                          env={**os.environ, "HBMON_CLOCK_FILE": clock.path}, timeout=300)


def export(bindir, dist, clock, out, *args):
    r = cli(bindir, dist, clock, "export", *args, "--output", out)
    assert r.returncode == 0, r.stderr.decode()
    # not a terminal: no progress line
    assert b"communes" not in r.stderr and b"devices" not in r.stderr, r.stderr
    with open(out, "rb") as f:
        return f.read()


def cell(c):
    """(kind, value) of a cell of a flat ODS document."""
    if c.get(TBL + "formula"):
        return ("formula", c.get(TBL + "formula"))
    kind = c.get(OFF + "value-type")
    if kind in ("float", "percentage"):
        return ("float", float(c.get(OFF + "value")))
    if kind == "date":
        return ("date", c.get(OFF + "date-value"))
    if kind == "string":
        return ("string", "\n".join("".join(p.itertext()) for p in c))
    return (None, None)


def fods_tables(path):
    """{sheet name: rows of (kind, value) cells}, empty rows and trailing empty cells left out."""
    out = {}
    for tb in ET.parse(path).getroot().iter(TBL + "table"):
        rows = []
        for r in tb.iter(TBL + "table-row"):
            cells = []
            for c in r:
                cells += [cell(c)] * min(int(c.get(TBL + "number-columns-repeated", "1")), 64)
            while cells and cells[-1] == (None, None):
                cells.pop()
            if cells:
                rows.append(cells)
        out[tb.get(TBL + "name")] = rows
    return out


def open_in_calc(files, outdir, profile, infilter=None):
    """Each file opened by LibreOffice Calc and saved as flat ODS (its cells' types and
    values): {file: tables}. One soffice for all of them: it is slow to start."""
    args = ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore"]
    if infilter:
        args.append(f"--infilter={infilter}")
    args += ["--convert-to", "fods", "--outdir", outdir, *files]
    r = subprocess.run(args, capture_output=True, text=True, timeout=300)
    got = {}
    for f in files:
        out = os.path.join(outdir, os.path.splitext(os.path.basename(f))[0] + ".fods")
        assert os.path.exists(out), r.stdout + r.stderr
        got[f] = fods_tables(out)
    return got


def only_sheet(tables):
    assert len(tables) == 1, list(tables)
    return next(iter(tables.values()))


def by_target(rows, commune_col=2, target_col=5):
    return {(r[commune_col][1], r[target_col][1]): r for r in rows[1:]}


@pytest.fixture
def exported(bindir, tmp_path):
    """The district, its week of samples and its events; the collector stopped."""
    root = str(tmp_path)
    clock = Clock(root)
    devs = [{"commune": c, "site": s, "site_type": st, "device": "d", "class": cls,
             "address": "127.0.0.1:161", "snmp": "pub", "community": "public"}
            for c, s, st, _, cls in DEVICES[:1]]
    dist = District(root, devs, SITE_TYPES, rrd_step=60, interval=300,
                    extra="[alerts]\npending = 60\nrecover = 60\nstartup_grace = 0\n")
    write_inventory(dist)
    col = start_collector(bindir, dist, env={"HBMON_CLOCK_FILE": clock.path})
    try:
        samples = [sample(c, d, ts, up=up(c, d, ts))
                   for ts in range(t(4, 0), t(13, 0) + 1, 300) for c, _, _, d, _ in DEVICES]
        for i in range(0, len(samples), 5000):
            st, _, out = http(dist.url("/api/v1/ingest"), batch(samples[i:i + 5000], seq=1 + i),
                              timeout=120)
            assert st == 200, out
        # Tuesday 13th: the scanner fails (an alert fires), someone takes it on, a window is
        # planned, the scanner is back (resolved)
        live_minutes(dist, clock, False, "firing")
        r = cli(bindir, dist, clock, "ack", "--commune", A, "--site", "Một cửa", "--target",
                "scanner", "--by", "Chị Lan", "--note", "=thay cáp")
        assert r.returncode == 0, r.stderr
        r = cli(bindir, dist, clock, "maint", "add", "--commune", B, "--from",
                "2026-10-14T07:00", "--to", "2026-10-14T11:30", "--note", "bảo trì mạng")
        assert r.returncode == 0, r.stderr
        live_minutes(dist, clock, True, "resolved")
        # what two devices say they are (the probe's model and serial; a hostile model)
        clock.set(clock.now + 60)
        ident = [sample(A, "Máy tính 1", clock.now), sample(A, HOSTILE[1], clock.now)]
        ident[0]["sys"] = {"descr": "Linux pc1 6.1.0", "name": "pc1", "model": "OptiPlex 3080",
                           "serial": "SN-0001"}
        ident[1]["sys"] = {"descr": "x", "name": "prn", "model": HOSTILE[2]}
        assert http(dist.url("/api/v1/ingest"), batch(ident, seq=9000))[0] == 200
        # the readiness of the week while the collector runs
        files = {"r_vi.csv": export(bindir, dist, clock, os.path.join(root, "r_vi.csv"),
                                    "readiness", "--from", "2026-10-05", "--to", "2026-10-09")}
    finally:
        assert col.stop() == 0, col.output()
    yield bindir, dist, clock, root, files


def test_exports_open_in_a_spreadsheet(exported):
    bindir, dist, clock, root, files = exported
    week = ("--from", "2026-10-05", "--to", "2026-10-09")
    day13 = ("--from", "2026-10-13", "--to", "2026-10-13")
    path = lambda name: os.path.join(root, name)  # noqa: E731
    runs = {"r_en.csv": ("readiness", *week, "--lang", "en"),
            "r_vi.xlsx": ("readiness", *week, "--format", "xlsx"),
            "r_vi.json": ("readiness", *week, "--format", "json"),
            "inv_vi.csv": ("inventory",),
            "inv_vi.xlsx": ("inventory", "--format", "xlsx"),
            "inv_en.json": ("inventory", "--format", "json", "--lang", "en"),
            "ev_vi.csv": ("events", *day13),
            "ev_en.xlsx": ("events", *day13, "--format", "xlsx", "--lang", "en"),
            "ev_vi.json": ("events", *day13, "--format", "json"),
            "month.json": ("readiness", "--period", "month", "--format", "json")}
    for name, args in runs.items():
        files[name] = export(bindir, dist, clock, path(name), *args)
    # standard output holds the same file as --output
    r = cli(bindir, dist, clock, "export", "readiness", *week)
    assert r.returncode == 0 and r.stdout == files["r_vi.csv"], r.stderr

    # the CSV itself: a BOM, ';' and ',' in Vietnamese, CRLF, text quoted, numbers not
    vi = files["r_vi.csv"]
    assert vi.startswith(b"\xef\xbb\xbf\"T\xe1\xbb\xab\";\"\xc4\x90\xe1\xba\xbfn\";")
    assert b"\r\n" in vi and b"\n" not in vi.replace(b"\r\n", b"")
    assert ('05/10/2026;09/10/2026;"Xã Tân Phú";"Một cửa";"Bộ phận một cửa";"máy quét";1;95;'
            '"Chưa đạt";100;"Nghiêm trọng"\r\n').encode() in vi, vi.decode()
    assert ';"máy tính";2;97,5;"Chưa đạt";100;'.encode() in vi
    assert files["r_en.csv"].startswith(b"\xef\xbb\xbf\"From\",\"To\",")
    assert (',"one-stop office","scanner",1,95,"Missed",100,"Critical"\r\n').encode() \
        in files["r_en.csv"], files["r_en.csv"].decode()
    assert b"2026-10-05,2026-10-09," in files["r_en.csv"]
    inv = files["inv_vi.csv"].decode("utf-8-sig")
    assert '"\'=HYPERLINK(""http://example.invalid/x"",""bấm vào đây"")"' in inv
    assert '"\'@SUM(1)"' in inv and '"\'-2+3"' in inv

    # JSON: the same rows, stable keys
    rows = json.loads(files["r_vi.json"])
    scan = next(r for r in rows if r["commune"] == A and r["target"] == "máy quét")
    assert scan == {"from": "2026-10-05", "to": "2026-10-09", "commune": A, "site": "Một cửa",
                    "site_type": "Bộ phận một cửa", "target": "máy quét", "need": 1,
                    "met_share": 95, "result": "Chưa đạt", "coverage": 100,
                    "severity": "Nghiêm trọng"}
    wide = [r for r in rows if r["site"] == "Toàn đơn vị"]
    assert [(r["commune"], r["target"], r["met_share"], r["result"]) for r in wide] == \
        [(A, "Bộ phận một cửa", 92.5, "Chưa đạt"), (B, "Bộ phận một cửa", 100, "Đạt")]
    assert len(rows) == 6  # two one-stop offices' two targets, two commune-wide; Kho has none
    month = json.loads(files["month.json"])  # this month, judged up to the clock's day
    assert {(r["from"], r["to"]) for r in month} == {("2026-10-01", "2026-10-13")}
    devices = json.loads(files["inv_en.json"])
    assert [d["device"] for d in devices] == [d for _, _, _, d, _ in DEVICES] + ["Máy chấm công"]
    first = devices[0]
    assert (first["site_type"], first["class"], first["contact"]) == \
        ("one-stop office", "PC", "canbo@tanphu.example.vn"), first
    # model and serial as the device said them (kept in the store: the collector is stopped)
    assert (first["model"], first["serial"], first["sys_name"]) == \
        ("OptiPlex 3080", "SN-0001", "pc1"), first
    assert devices[4]["model"] == HOSTILE[2] and not devices[4]["serial"], devices[4]
    assert not devices[-1]["model"] and not devices[-1]["serial"]
    assert devices[1]["address"] == "127.0.0.61:1161"
    assert first["last_data"].startswith("2026-10-13T09:")
    assert devices[-1]["last_data"] is None  # never heard from
    events = json.loads(files["ev_vi.json"])
    kinds = [(e["commune"], e["kind"]) for e in events]
    # the scanner's alert and the commune-wide one it takes with it; the same minute's
    # acknowledgement and window, in the order made
    assert kinds == [(A, "Sự cố")] * 2 + [(A, "Nhận xử lý"), (B, "Bảo trì")] \
        + [(A, "Đã khắc phục")] * 2, events
    assert events[0]["time"].startswith("2026-10-13T09:")
    assert "máy quét" in events[0]["what"] and events[2]["what"].startswith(
        f"Nhận xử lý: {A} / Một cửa: máy quét — =thay cáp (")

    if "asan" in os.path.basename(bindir):
        return  # the files are the same: LibreOffice reads them once, with the normal build
    assert shutil.which("soffice"), "LibreOffice Calc is needed: make deps"
    for name in ("inv_vi.csv", "ev_vi.csv"):
        with open(path(name), "wb") as f:
            f.write(files[name])
    # a line any spreadsheet runs as a formula: shows the import below evaluates them
    with open(path("control.csv"), "w", encoding="utf-8-sig", newline="") as f:
        f.write('"=1+2";"x"\r\n')
    out, profile = path("calc"), path("calc-profile")
    got = open_in_calc([path(n) for n in ("r_vi.xlsx", "inv_vi.xlsx", "ev_en.xlsx")], out, profile)
    got.update(open_in_calc([path(n) for n in ("r_vi.csv", "inv_vi.csv", "ev_vi.csv",
                                               "control.csv")], out, profile, VI_CSV))
    got.update(open_in_calc([path("r_en.csv")], out, profile, EN_CSV))
    assert only_sheet(got[path("control.csv")])[0][0] == ("formula", "of:=1+2")

    # readiness: numbers are numbers, dates are dates, words are intact — CSV and XLSX alike
    assert list(got[path("r_vi.xlsx")]) == ["Mức độ đáp ứng chỉ tiêu"]
    for name in ("r_vi.csv", "r_vi.xlsx", "r_en.csv"):
        sheet = only_sheet(got[path(name)])
        assert all(k == "string" for k, _ in sheet[0]), (name, sheet[0])
        rows = by_target(sheet)
        words = "scanner" if name == "r_en.csv" else "máy quét"
        scan = rows[(A, words)]
        assert scan[:2] == [("date", "2026-10-05"), ("date", "2026-10-09")], (name, scan)
        assert scan[6:8] == [("float", 1.0), ("float", 95.0)], (name, scan)
        assert scan[9] == ("float", 100.0), (name, scan)
        pcs = rows[(A, "PC" if name == "r_en.csv" else "máy tính")]
        assert pcs[7] == ("float", 97.5), (name, pcs)
        assert rows[(B, words)][7] == ("float", 100.0)
        assert rows[(A, "one-stop office" if name == "r_en.csv" else "Bộ phận một cửa")][7] \
            == ("float", 92.5)
    # inventory: the hostile names are text, never run; the CSV keeps the ' that made them so
    for name, prefix in (("inv_vi.csv", "'"), ("inv_vi.xlsx", "")):
        sheet = only_sheet(got[path(name)])
        names = [r[3] for r in sheet[1:]]
        for h in HOSTILE:
            assert ("string", prefix + h) in names, (name, names)
        assert ("string", "Máy chấm công") in names
        assert all(k != "formula" for r in sheet for k, _ in r), name
        first = sheet[1]
        assert first[:5] == [("string", A), ("string", "Một cửa"),
                             ("string", "Bộ phận một cửa"), ("string", "Máy tính 1"),
                             ("string", "máy tính")], (name, first)
        assert first[5:8] == [("string", "OptiPlex 3080"), ("string", "SN-0001"),
                              ("string", "pc1")], (name, first)
        assert first[10][0] == "date" and first[10][1].startswith("2026-10-13T09:"), first
        models = [r[5] for r in sheet[1:] if len(r) > 5]
        assert ("string", prefix + HOSTILE[2]) in models, (name, models)
    # events: times are dates with their time, in order
    acked = {"ev_vi.csv": f"Nhận xử lý: {A} / Một cửa: máy quét — =thay cáp (Chị Lan)",
             "ev_en.xlsx": f"Taken on: {A} / Một cửa: scanner — =thay cáp (Chị Lan)"}
    for name in ("ev_vi.csv", "ev_en.xlsx"):
        sheet = only_sheet(got[path(name)])
        assert [r[0][0] for r in sheet[1:]] == ["date"] * 6, (name, sheet)
        assert sheet[1][0][1].startswith("2026-10-13T09:")
        assert [r[1] for r in sheet[1:]] == [("string", c) for c in (A, A, A, B, A, A)]
        # the note typed at the acknowledgement ("=thay cáp") is text, not a formula; each
        # in the reader's language
        assert sheet[3][3] == ("string", acked[name]), sheet[3]
    assert [r[2][1] for r in only_sheet(got[path("ev_en.xlsx")])[1:]] == \
        ["Incident"] * 2 + ["Taken on", "Maintenance"] + ["Resolved"] * 2


def test_export_arguments_are_named(exported):
    bindir, dist, clock, root, _ = exported
    bad = {("readiness", "--format", "xls"): "--format xls: expected csv, xlsx or json",
           ("readiness", "--period", "fortnight"): "--period fortnight: expected day",
           ("readiness", "--from", "2026-13-01"): "--from 2026-13-01: expected YYYY-MM-DD",
           ("readiness", "--from", "2026-10-09", "--to", "2026-10-05"): "--to: must be after",
           ("readiness", "--period", "month", "--from", "2026-10-01"): "--period: give either",
           ("readiness", "--to", "2026-10-05"): "--from: required with --to",
           ("inventory", "--from", "2026-10-01"): "--from: an inventory export has no period",
           ("events", "--lang", "fr"): "--lang fr: expected vi or en",
           ("events", "--colour", "red"): "--colour: unknown argument",
           ("events", "--output"): "--output: needs a value",
           ("report",): "report: expected readiness, inventory or events"}
    for args, want in bad.items():
        r = cli(bindir, dist, clock, "export", *args)
        assert r.returncode == 2 and want in r.stderr.decode(), (args, r.stderr)
    r = cli(bindir, dist, clock, "export", "inventory", "--output",
            os.path.join(root, "no-such-dir", "x.csv"))
    assert r.returncode == 1 and b"no-such-dir/x.csv: No such file" in r.stderr, r.stderr
    # a workbook is not written to a terminal
    master, slave = pty.openpty()
    try:
        r = cli(bindir, dist, clock, "export", "inventory", "--format", "xlsx", stdout=slave)
    finally:
        os.close(slave)
        os.close(master)
    assert r.returncode == 2 and b"--format xlsx: a workbook is not for a terminal" in r.stderr
