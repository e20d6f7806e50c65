"""Readiness over a month with holes in the history: time with no sample is "no data", neither
up nor down. The collector's figures against the same figures computed here, minute by minute,
from the synthetic history that was fed to it."""
import json
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
[commune-targets]
pc = all
site.one-stop = 1
"""
NEEDS = {"one-stop": {"pc": 2, "scanner": 1}, "network": {"router": 1}}
TONER = "printer.supply.percent >= 10"
DEVICES = [("Xã A", "Một cửa", "one-stop", "PC 1", "pc"),
           ("Xã A", "Một cửa", "one-stop", "PC 2", "pc"),
           ("Xã A", "Một cửa", "one-stop", "PC 3", "pc"),
           ("Xã A", "Một cửa", "one-stop", "Máy quét", "scanner"),
           ("Xã A", "Một cửa", "one-stop", "Máy in", "printer"),
           ("Xã A", "Mạng", "network", "Router", "router"),
           ("Xã B", "Một cửa", "one-stop", "PC 1", "pc"),
           ("Xã B", "Một cửa", "one-stop", "PC 2", "pc"),
           ("Xã B", "Một cửa", "one-stop", "Máy quét", "scanner"),
           ("Xã B", "Một cửa", "one-stop", "Máy in", "printer"),
           ("Xã B", "Mạng", "network", "Router", "router"),
           # never heard of in the period: its probe was never set up
           ("Xã C", "Một cửa", "one-stop", "PC 1", "pc"),
           ("Xã C", "Một cửa", "one-stop", "PC 2", "pc"),
           ("Xã C", "Một cửa", "one-stop", "Máy quét", "scanner"),
           ("Xã C", "Một cửa", "one-stop", "Máy in", "printer")]
COMMUNES = ("Xã A", "Xã B", "Xã C")


def t(day, hour, minute=0):
    return int(datetime(2026, 10, day, hour, minute, tzinfo=VN).timestamp())


# Every boundary on a whole hour, so hourly archives hold exactly 0 or 1 (avail) or nothing.
# Spans are (start, end]: a sample at ts stands for (ts - 300, ts].
# PC 3 of Xã A is installed on Thursday the 8th at 10:00: nothing before.
INSTALL = ("Xã A", "PC 3", t(8, 10))
# Xã B's probe is silent Tuesday 13th and Wednesday 14th, whole days: no sample of any device.
SILENT = ("Xã B", t(13, 0), t(15, 0))
# Xã A's printer stays up but reports no supply rows from Thursday 15th 12:00 (over lunch) to
# Monday 19th 10:00 (nothing to judge: met); it is down, so its supplies unknown, on Tuesday 27th
# 08:00-12:00; its toner is low (5 %) from Monday 12th 14:00 to Wednesday 14th 09:00.
SUPPLY_GAP = ("Xã A", t(15, 12), t(19, 10))
LOW_TONER = ("Xã A", t(12, 14), t(14, 9))
DOWN = {
    ("Xã A", "Máy quét"): [(t(d, 8), t(d, 10)) for d in (5, 12, 19, 26)],
    # before PC 3 exists: the office may still have had its two PCs (no data), the commune
    # did not have all three (missed)
    ("Xã A", "PC 1"): [(t(6, 9), t(6, 11)), (t(7, 14), t(7, 15))],
    ("Xã A", "PC 2"): [(t(7, 14), t(7, 15))],  # with PC 1: the office misses too
    ("Xã A", "PC 3"): [(t(21, 9), t(21, 10))],  # the office has its two, the commune not all
    ("Xã A", "Router"): [(t(10, 2), t(10, 5))],  # at night, but routers count always
    ("Xã A", "Máy in"): [(t(27, 8), t(27, 12))],
    ("Xã B", "PC 2"): [(t(22, 8), t(22, 9))],
    ("Xã B", "Router"): [(t(12, 22), t(13, 2))],  # down, then unheard of: 2 h missed, 2 no data
}
FROM, TO = t(1, 0), t(31, 0) + 86400
STEP = 300
MET, MISSED, NODATA = "met", "missed", "no_data"


def state(commune, device, ts):
    """The device over (ts - 300, ts]: None when nothing was sent for it, else whether up."""
    if commune == "Xã C" or (commune == SILENT[0] and SILENT[1] < ts <= SILENT[2]):
        return None
    if (commune, device) == INSTALL[:2] and ts <= INSTALL[2]:
        return None
    return not any(a < ts <= b for a, b in DOWN.get((commune, device), []))


def toner(commune, device, ts):
    """The black cartridge's percent reported for (ts - 300, ts]; None: no rows."""
    if not state(commune, device, ts):  # unheard of or down: no rows
        return None
    if commune == SUPPLY_GAP[0] and SUPPLY_GAP[1] < ts <= SUPPLY_GAP[2]:
        return None
    return 5 if commune == LOW_TONER[0] and LOW_TONER[1] < ts <= LOW_TONER[2] else 50


def with_supplies(s, percent):
    # the waste toner box has no percent: never judged
    s["groups"] = [{"g": "supply", "i": "1.1", "l": "Black Cartridge", "v": {"percent": percent}},
                   {"g": "supply", "i": "1.2", "l": "Waste Toner", "v": {"level": -3}}]
    return s


def working(ts):
    """The district's hours (those of one-stop offices and of commune-wide targets)."""
    d = datetime.fromtimestamp(ts, VN)
    m = d.hour * 60 + d.minute
    return d.weekday() < 5 and (7 * 60 <= m < 11 * 60 + 30 or 13 * 60 + 30 <= m < 17 * 60)


def need_up(states, need):
    up, unknown = sum(s is True for s in states), sum(s is None for s in states)
    return MET if up >= need else MISSED if up + unknown < need else NODATA


def all_of(verdicts):
    verdicts = list(verdicts)
    return MISSED if MISSED in verdicts else NODATA if NODATA in verdicts else MET


def rows_verdict(devices):
    """A value target at a step, over (state, percent) of the site's devices of its class:
    missed if a reported row is out of bounds; no data if a device not known to be up reported
    nothing (its value may be anything); met otherwise (a device up without rows, or no device
    of the class, has nothing to judge)."""
    if any(p is not None and p < 10 for _, p in devices):
        return MISSED
    return NODATA if any(p is None and up is not True for up, p in devices) else MET


def expected():
    """Per target, minutes by verdict; per class, working minutes with data and up. The minute
    (m, m + 60] lies in one 5-min sample interval, judged at its end."""
    tally, avail = {}, {}
    sites = sorted({(c, s, st) for c, s, st, _, _ in DEVICES})

    def add(key, verdict):
        tally.setdefault(key, {MET: 0, MISSED: 0, NODATA: 0})[verdict] += 1

    for m in range(FROM, TO, 60):
        ts, work = m + 60, working(m)
        states = {(c, d): state(c, d, ts) for c, _, _, d, _ in DEVICES}
        for c, _, st, d, cls in DEVICES:
            if (work or st == "network") and states[(c, d)] is not None:
                a = avail.setdefault(cls, [0, 0])
                a[0] += 1
                a[1] += states[(c, d)]
        site_verdicts = {}
        for c, s, st in sites:
            devs = [(d, cls) for c2, s2, _, d, cls in DEVICES if (c2, s2) == (c, s)]
            vs = {}
            for cls, need in NEEDS[st].items():
                vs[cls] = need_up([states[(c, d)] for d, k in devs if k == cls], need)
            if st == "one-stop":
                vs[TONER] = rows_verdict([(states[(c, d)], toner(c, d, ts))
                                          for d, k in devs if k == "printer"])
            # the toner is a warning: counted apart, never in its site's verdict
            site_verdicts[(c, s, st)] = all_of(v for k, v in vs.items() if k != TONER)
            if work or st == "network":
                for target, v in vs.items():
                    add((c, s, target), v)
        if not work:
            continue
        for c in COMMUNES:
            pcs = [states[(c, d)] for c2, _, _, d, cls in DEVICES if c2 == c and cls == "pc"]
            add((c, None, "pc"), need_up(pcs, len(pcs)))
            offices = [v for (c2, _, st), v in site_verdicts.items()
                       if c2 == c and st == "one-stop"]
            add((c, None, "site.one-stop"),
                MET if MET in offices else NODATA if NODATA in offices else MISSED)
    return tally, avail


def figures(minutes):
    """A target's period figures from its minutes by verdict."""
    known = minutes[MET] + minutes[MISSED]
    total = known + minutes[NODATA]
    share = minutes[MET] / known if known else None
    verdict = NODATA if share is None else MET if share + 1e-9 >= 0.99 else MISSED
    return {"verdict": verdict, "met_share": share, "coverage": known / total if total else 0,
            "hours": total / 60, "known": known, "total": total}


def aggregate(everything):
    """A site's, a commune's or the district's verdict, score and coverage over its critical
    targets; its warnings (the toner: a value target's default) missed, counted apart."""
    targets = [f for f in everything if not f["warning"]]
    warnings = sum(f["warning"] and f["verdict"] == MISSED for f in everything)
    shares = [f["met_share"] for f in targets if f["met_share"] is not None]
    known, total = sum(f["known"] for f in targets), sum(f["total"] for f in targets)
    return {"verdict": all_of(f["verdict"] for f in targets),
            "score": 100 * sum(shares) / len(shares) if shares else None,
            "coverage": known / total if total else 0, "warnings": warnings}


def same(got, want):
    return got is None and want is None or (
        got is not None and want is not None and abs(got - want) < 1e-9)


def check(what, got, want, fields):
    for k in fields:
        assert k in got, (what, k, got)
        if isinstance(want[k], str):
            assert got[k] == want[k], (what, k, got[k], want[k])
        else:
            assert same(got[k], want[k]), (what, k, got[k], want[k])
    if "verdict" in fields:
        assert got["met"] == (want["verdict"] == MET), (what, got)


def test_month_with_gaps_matches_independent_figures(bindir, tmp_path):
    devs = [{"commune": c, "site": s, "site_type": st, "device": d, "class": cls,
             "address": f"127.0.0.{20 + i}:161", "snmp": "pub", "community": "public"}
            for i, (c, s, st, d, cls) in enumerate(DEVICES)]
    dist = District(str(tmp_path), devs, SITE_TYPES, rrd_step=60, interval=300)
    col = start_collector(bindir, dist)
    try:
        samples = []
        for ts in range(FROM - 3600, TO + STEP, STEP):
            for c, _, _, d, cls in DEVICES:
                up = state(c, d, ts)
                if up is None:
                    continue
                s = sample(c, d, ts, up=up)
                if cls == "printer" and toner(c, d, ts) is not None:
                    with_supplies(s, toner(c, d, ts))
                samples.append(s)
        for i in range(0, len(samples), 5000):
            st, _, out = http(dist.url("/api/v1/ingest"), batch(samples[i:i + 5000]), timeout=120)
            assert st == 200, out
        st, _, out = http(dist.url(f"/api/v1/readiness?from={FROM}&to={TO}"), timeout=120)
        assert st == 200, out
        got = json.loads(out)
        tally, avail = expected()
        want = {key: {**figures(minutes), "warning": key[2] == TONER}
                for key, minutes in tally.items()}
        fields = ("verdict", "met_share", "coverage", "hours")

        seen, everything = set(), []
        for co in got["communes"]:
            c, in_commune = co["name"], []
            for site in co["sites"]:
                in_site = []
                for tg in site["targets"]:
                    key = (c, site["name"], tg["target"])
                    assert key in want, key
                    check(key, tg, want[key], fields)
                    seen.add(key)
                    in_site.append(want[key])
                check((c, site["name"]), site, aggregate(in_site), ("verdict", "score", "coverage", "warnings"))
                in_commune += in_site
            for tg in co["targets"]:
                key = (c, None, tg["target"])
                assert key in want, key
                check(key, tg, want[key], fields)
                seen.add(key)
                in_commune.append(want[key])
            check(c, co, aggregate(in_commune), ("verdict", "score", "coverage", "warnings"))
            everything += in_commune
        assert seen == set(want)
        d = got["district"]
        assert d["resolution_s"] == 3600
        check("district", d, aggregate(everything), ("verdict", "score", "coverage", "warnings"))
        verdicts = {co["name"]: co["verdict"] for co in got["communes"]}
        assert (d["communes_met"], d["communes_missed"], d["communes_no_data"]) == (
            sum(v == MET for v in verdicts.values()), sum(v == MISSED for v in verdicts.values()),
            sum(v == NODATA for v in verdicts.values())), (d, verdicts)
        assert set(d["class_availability"]) == set(avail), d["class_availability"]
        for cls, (seen_min, up_min) in avail.items():
            assert same(d["class_availability"][cls], 100 * up_min / seen_min), \
                (cls, d["class_availability"][cls], 100 * up_min / seen_min)

        # what the holes mean, spelled out (the independent figures above agree)
        # 1. PC 3 before the 8th 10:00 is unknown: while PC 1 is down on the 6th (2 h) the
        # office's "2 PCs" is no data, not missed (missed only on the 7th, 1 h of 176)...
        a_pc = want[("Xã A", "Một cửa", "pc")]
        assert a_pc["verdict"] == MET and same(a_pc["met_share"], 173 / 174)
        assert same(a_pc["coverage"], 174 / 176)
        # ... the commune's "all 3 PCs" is no data before (43 h) except when one of the others
        # is down (3 h, missed), and misses PC 3's hour on the 21st too
        a_all = want[("Xã A", None, "pc")]
        assert a_all["verdict"] == MISSED and same(a_all["met_share"], 132 / 136)
        assert same(a_all["coverage"], 136 / 176)
        # 2. Xã B's two silent working days are no data: met over the rest (the office was met
        # 159 of its 160 hours with data), where counting them as down would make it miss
        b_pc = want[("Xã B", "Một cửa", "pc")]
        assert b_pc["verdict"] == MET and same(b_pc["met_share"], 159 / 160)
        assert same(b_pc["coverage"], 160 / 176)
        assert verdicts["Xã B"] == MET
        # 3. Xã A's toner: missed 13 h (low), no data the 3.5 working hours its printer was
        # down (27th 08:00-11:30), met otherwise, also while it was up without rows (15th-19th)
        a_toner = want[("Xã A", "Một cửa", TONER)]
        assert a_toner["verdict"] == MISSED and same(a_toner["met_share"], 159.5 / 172.5)
        assert same(a_toner["coverage"], 172.5 / 176)
        # 4. Xã C was never heard of
        c = next(co for co in got["communes"] if co["name"] == "Xã C")
        assert c["verdict"] == NODATA and c["score"] is None and c["coverage"] == 0
        assert all(tg["verdict"] == NODATA and tg["met_share"] is None and tg["coverage"] == 0
                   for tg in c["targets"] + c["sites"][0]["targets"])
        assert verdicts == {"Xã A": MISSED, "Xã B": MET, "Xã C": NODATA}
        assert d["verdict"] == MISSED

        # the sheet: a target with no data has an empty share
        st, hdr, csv = http(dist.url(f"/api/v1/readiness?from={FROM}&to={TO}&format=csv"),
                            timeout=120)
        assert st == 200 and hdr["Content-Type"].startswith("text/csv")
        rows = csv.decode("utf-8-sig").split("\r\n")[:-1]
        assert len(rows) == 1 + len(want)
        c_pc = next(r for r in rows if '"Xã C";"Một cửa";' in r and ';"máy tính";' in r)
        assert c_pc.endswith(';"máy tính";2;;"Chưa có dữ liệu";0;"Nghiêm trọng"'), c_pc
        st, _, page = http(dist.url(f"/report?from={FROM}&to={TO}"), timeout=120)
        assert st == 200, page[-1500:]
    finally:
        assert col.stop() == 0, col.output()
