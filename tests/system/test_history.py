"""Readiness over a month, computed by the collector from the stored series, against the same
figures computed here from the synthetic history that was fed to it."""
import csv as csv_mod
import io
import json
import os
from datetime import datetime, timedelta, timezone

from conftest import District, batch, http, sample, start_collector

VN = timezone(timedelta(hours=7))
SITE_TYPES = """[site-type one-stop]
label_vi = Bộ phận một cửa
pc = 2
scanner = 1
printer.supply.percent = >= 10
[site-type network]
label_vi = Mạng
hours = always
router = 1
[site-type kiosk]
label_vi = Ki-ốt tra cứu
work_days = mon-sat
work_hours = 07:00-17:00
kiosk = 1
[commune-targets]
pc = all
site.one-stop = 1
"""
DEVICES = [("Xã A", "Một cửa", "one-stop", "PC 1", "pc"),
           ("Xã A", "Một cửa", "one-stop", "PC 2", "pc"),
           ("Xã A", "Một cửa", "one-stop", "Máy quét", "scanner"),
           ("Xã A", "Mạng", "network", "Router", "router"),
           ("Xã A", "Sảnh", "kiosk", "Ki-ốt", "kiosk"),
           ("Xã A", "Một cửa", "one-stop", "Máy in", "printer"),
           ("Xã B", "Một cửa", "one-stop", "PC 1", "pc"),
           ("Xã B", "Một cửa", "one-stop", "PC 2", "pc"),
           ("Xã B", "Một cửa", "one-stop", "Máy quét", "scanner")]
HOLIDAY = datetime(2026, 10, 20, tzinfo=VN)


def t(day, hour, minute=0):
    return int(datetime(2026, 10, day, hour, minute, tzinfo=VN).timestamp())


# Outages (start, end] per device, on whole hours so hourly archives hold exactly 0 or 1
DOWN = {
    ("Xã A", "Máy quét"): [(t(d, 8), t(d, 10)) for d in (5, 12, 19, 26)] + [(t(15, 0), t(16, 0))],
    ("Xã A", "PC 2"): [(t(21, 13), t(21, 17))],
    ("Xã A", "Router"): [(t(10, 2), t(10, 5))],       # at night, but routers count always
    ("Xã B", "PC 1"): [(t(20, 0), t(21, 0))],         # on the holiday: does not count
    # the kiosk's own hours: Saturdays and lunchtime count, Sundays do not
    ("Xã A", "Ki-ốt"): [(t(3, 9), t(3, 10)), (t(6, 12), t(6, 13)), (t(4, 9), t(4, 15))],
}
# The black toner runs out (5 %) from the 12th 14:00 until a new cartridge on the 14th 09:00
LOW_TONER = (t(12, 14), t(14, 9))
FROM, TO = t(1, 0), t(31, 0) + 86400
STEP = 300


def up(commune, device, ts):
    return not any(a < ts <= b for a, b in DOWN.get((commune, device), []))


def toner(ts):
    """The black cartridge's percent for the 5 minutes (ts - 300, ts]."""
    return 5 if LOW_TONER[0] < ts <= LOW_TONER[1] else 50


def with_supplies(s, ts):
    # the waste toner box has no percent: never judged
    s["groups"] = [{"g": "supply", "i": "1.1", "l": "Black Cartridge", "v": {"percent": toner(ts)}},
                   {"g": "supply", "i": "1.2", "l": "Waste Toner", "v": {"level": -3}}]
    return s


def working(ts, site_type):
    d = datetime.fromtimestamp(ts, VN)
    m = d.hour * 60 + d.minute
    if site_type == "network":
        return True
    if d.date() == HOLIDAY.date():
        return False
    if site_type == "kiosk":  # mon-sat 07:00-17:00
        return d.weekday() < 6 and 7 * 60 <= m < 17 * 60
    if d.weekday() >= 5:
        return False
    return 7 * 60 <= m < 11 * 60 + 30 or 13 * 60 + 30 <= m < 17 * 60


def share(commune, site_type, ok):
    """The share of the month's working minutes (of site_type's calendar) where ok(ts) holds;
    the minute (m, m+60] is inside one 5-min sample interval, judged at its end."""
    total = met = 0
    for m in range(FROM, TO, 60):
        if working(m, site_type):
            total += 1
            met += bool(ok(m + 60))
    return met / total


def expected():
    """Per commune and target, the share of the month it was met, minute by minute."""
    out = {}
    needs = {"one-stop": {"pc": 2, "scanner": 1}, "network": {"router": 1},
             "kiosk": {"kiosk": 1}}

    def enough(commune, cls, need):
        devs = [d[3] for d in DEVICES if d[0] == commune and d[4] == cls]
        return lambda ts: sum(up(commune, d, ts) for d in devs) >= need

    for commune in ("Xã A", "Xã B"):
        for site_type, targets in needs.items():
            for cls, need in targets.items():
                if any(d[0] == commune and d[4] == cls for d in DEVICES):
                    out[(commune, cls)] = share(commune, site_type, enough(commune, cls, need))
        has_printer = any(d[0] == commune and d[4] == "printer" for d in DEVICES)
        toner_ok = (lambda ts: toner(ts) >= 10) if has_printer else (lambda ts: True)
        out[(commune, "printer.supply.percent >= 10")] = share(commune, "one-stop", toner_ok)
        # commune-wide, in the district's hours: every PC listed up (two in each commune), the
        # one-stop office meeting all its own critical targets (the toner is a warning)
        out[(commune, "commune pc")] = share(commune, "one-stop", enough(commune, "pc", 2))
        out[(commune, "commune site.one-stop")] = share(
            commune, "one-stop",
            lambda ts, c=commune: enough(c, "pc", 2)(ts) and enough(c, "scanner", 1)(ts))
    return out


def test_month_of_history_matches_independent_figures(bindir, tmp_path):
    holidays = os.path.join(str(tmp_path), "holidays.txt")
    with open(holidays, "w", encoding="utf-8") as f:
        f.write("2026-10-20 test holiday\n")
    devs = [{"commune": c, "site": s, "site_type": st, "device": d, "class": cls,
             "address": f"127.0.0.{20 + i}:161", "snmp": "pub", "community": "public"}
            for i, (c, s, st, d, cls) in enumerate(DEVICES)]
    dist = District(str(tmp_path), devs, SITE_TYPES, rrd_step=60, interval=300,
                    extra=f"[working-hours]\nholidays = {holidays}\n")
    col = start_collector(bindir, dist)
    try:
        samples = []
        for ts in range(FROM - 86400, TO + STEP, STEP):
            for c, _, _, d, cls in DEVICES:
                s = sample(c, d, ts, up=up(c, d, ts))
                samples.append(with_supplies(s, ts) if cls == "printer" else s)
        for i in range(0, len(samples), 5000):
            st, _, out = http(dist.url("/api/v1/ingest"), batch(samples[i:i + 5000]), timeout=120)
            assert st == 200, out
        st, _, out = http(dist.url(f"/api/v1/readiness?from={FROM}&to={TO}"), timeout=120)
        assert st == 200, out
        got = json.loads(out)
        want = expected()
        seen = {}
        for co in got["communes"]:
            for site in co["sites"]:
                for tg in site["targets"]:
                    seen[(co["name"], tg["target"])] = tg["met_share"]
            for tg in co["targets"]:
                seen[(co["name"], "commune " + tg["target"])] = tg["met_share"]
        assert set(seen) == set(want)
        for key, got_share in seen.items():
            assert abs(got_share - want[key]) < 1e-9, (key, got_share, want[key])
        a, b = got["communes"]
        toner_target = a["sites"][0]["targets"][2]
        assert toner_target["kind"] == "metric" and not toner_target["met"]
        assert (toner_target["worst"], toner_target["worst_at"]) == (5, "Máy in — supply-1.1")
        # the toner is a warning (a value target's default): counted apart, in no verdict
        assert toner_target["severity"] == "warning"
        assert a["sites"][0]["targets"][0]["severity"] == "critical"
        assert (a["warnings"], a["sites"][0]["warnings"], b["warnings"]) == (1, 1, 0)
        assert got["district"]["warnings"] == 1
        # PC 2's afternoon off and the scanner make the office miss in Xã A: the commune-wide
        # targets counting them miss too
        assert [(tg["target"], tg["met"]) for tg in a["targets"]] == \
            [("pc", False), ("site.one-stop", False)]
        assert [tg["met"] for tg in b["targets"]] == [True, True]
        # the scanner's outages make Xã A miss its one-stop office over the month; Xã B's PC
        # was down only on the holiday: fully met
        assert (a["met"], b["met"]) == (False, True)
        assert got["district"]["communes_met"] == 1
        assert got["district"]["resolution_s"] == 3600
        assert abs(b["score"] - 100.0) < 1e-9
        pcs = got["district"]["class_availability"]["pc"]
        assert 99.0 < pcs < 100.0, pcs  # 4 h of one PC of four, in working time
        # the same figures as a sheet for planners, and as a page
        st, hdr, csv = http(dist.url(f"/api/v1/readiness?from={FROM}&to={TO}&format=csv"),
                            timeout=120)
        assert st == 200 and hdr["Content-Type"].startswith("text/csv")
        # as a Vietnamese Excel reads it: a BOM, ';' between fields, ',' before decimals; the
        # header and the values in the reader's words (English with lang=en)
        assert csv.startswith(b"\xef\xbb\xbf")
        rows = list(csv_mod.reader(io.StringIO(csv.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][:2] == ["Từ", "Đến"] and rows[0][3:] == [
            "Bộ phận", "Loại bộ phận", "Chỉ tiêu", "Số cần đạt", "Tỷ lệ thời gian đạt (%)",
            "Kết quả", "Dữ liệu phủ (%)", "Mức độ"]
        assert len(rows) == 1 + len(want)
        scanner = next(r for r in rows if r[2] == "Xã A" and r[5] == "máy quét")
        assert scanner[:2] == ["01/10/2026", "31/10/2026"]
        assert abs(float(scanner[7].replace(",", ".")) - 100 * want[("Xã A", "scanner")]) < 0.05
        assert scanner[8] == "Chưa đạt" and scanner[9] == "100"  # every step has data
        st, _, page = http(dist.url(f"/report?from={FROM}&to={TO}"), timeout=120)
        page = page.decode()
        assert st == 200 and '<strong id="communes-met">1/2</strong>' in page
        assert "Một cửa: máy quét 90,5 %" in page, page[-1500:]
        assert "Dữ liệu phủ 100 % thời gian làm việc" in page
        # the month in words, its working days (22 weekdays, one a holiday), no ISO times
        assert '<p class="period" id="period">Tháng 10/2026 (01/10–31/10/2026) · 21 ngày làm việc</p>' in page
        assert "2026-10-01T" not in page
        assert '<span class="warn">Cảnh báo:</span> Một cửa: máy in: Vật tư in (mực, trống) ≥ 10 (nặng nhất: Máy in: 5)' in page
        assert '<span class="badge warn">1 cảnh báo</span>' in page
        assert "Toàn đơn vị: Bộ phận một cửa" in page
        assert f"from={FROM}&amp;to={TO}&amp;format=csv" in page
        # a period given by name, and a bad one
        assert http(dist.url("/api/v1/readiness?period=quarter"))[0] == 200
        st, _, out = http(dist.url("/api/v1/readiness?period=last-month"))
        d = json.loads(out)["district"]
        start = datetime.fromtimestamp(d["from_ts"], VN)
        end = datetime.fromtimestamp(d["end_ts"], VN)
        assert st == 200 and (start.day, start.hour, end.day, end.hour) == (1, 0, 1, 0)
        assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == 1
        assert http(dist.url("/api/v1/readiness?period=fortnight"))[0] == 400
        assert http(dist.url("/api/v1/readiness?from=2026-10-31&to=2026-10-01"))[0] == 400
    finally:
        assert col.stop() == 0, col.output()
