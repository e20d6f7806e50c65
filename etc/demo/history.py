"""The demo district's past days, written as batches in the ingest format (one a line) for
`hbmon-collector import`.

Each device's sample of one real poll (its interfaces, profile groups, identity) is the shape;
history.py moves it back in time: traffic counters that grow in office hours and little at night,
uptimes, a little jitter on latencies and loads, toner used up over the week, PCs off at night
and at the weekend, and district.py's incidents. The last sample of each series meets what the
recordings answer today, so the live graphs carry on where the history ends.
"""
import hashlib
import json
import re

from district import (COMMUNES, DEAD, FLAPPING_PC, HP_MAGENTA_TODAY, PORTAL_DOWN,
                      PORTAL_DOWN_HOURS, PORTAL_EVENING, SCANNER_DEAD_DAY, TONER_WEEK_START,
                      UPLINK_DOWN, devices)

TZ = 7 * 3600          # Asia/Ho_Chi_Minh, no daylight saving
DAY = 86400
TIMEOUT = "timeout (the host answers ping)"   # what the probe says of a silent agent
NO_ECHO = "no answer to 3 ICMP echo requests"
RICH_DAYS = 14  # days of the history with every step and the devices' whole shape
SLOT = re.compile(r'"@@HB(\d+)@@"')
IF_NAMES = ("descr", "name", "alias")


def rand(*key):
    """A repeatable number in [0, 1) for key: the same history on every run."""
    h = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
    return int.from_bytes(h, "big") / 2 ** 64


def local(ts):
    """(days since the epoch, weekday 0=Monday, hour as a float), local time."""
    t = ts + TZ
    d = t // DAY
    return d, (d + 3) % 7, (t % DAY) / 3600


def office_hours(ts):
    _, wd, h = local(ts)
    return wd < 5 and (7 <= h < 11.5 or 13.5 <= h < 17)


def traffic_weight(ts):
    """How busy a LAN is at ts, relative to office hours."""
    return 1.0 if office_hours(ts) else 0.12


def octet_rate(speed, today, weighted_s):
    """Bytes a second of an interface in office hours: 2 % of its speed, less when today's
    counter could not have grown that much over the history's weighted seconds."""
    return min(speed / 8 * 0.02, 0.9 * today / max(weighted_s, 1))


def weighted_seconds(now, days=RICH_DAYS, step=300):
    """The office-hour-equivalent seconds of the detailed history, jitter aside."""
    return sum(traffic_weight(ts) * step for ts in range(now - days * DAY, now, step))


def weekday_back(now, days):
    """Local midnight of the day `days` before now, moved back to a Monday to Thursday: an
    incident then ends on a working day, not after a weekend nobody judges."""
    d = (now + TZ) // DAY - days
    while (d + 3) % 7 >= 4:
        d -= 1
    return d * DAY - TZ


def span(now, days, start_h, hours):
    t0 = weekday_back(now, days) + int(start_h * 3600)
    return t0, t0 + int(hours * 3600)


class Story:
    """Who is up at ts, and what the probe said of those who were not."""

    def __init__(self, now, judged):
        self.now = now
        self.judged = judged
        self.scanner_day = span(now, SCANNER_DEAD_DAY[1], 0, 24)
        self.uplink = span(now, UPLINK_DOWN[1], UPLINK_DOWN[2], UPLINK_DOWN[3])
        self.flap = span(now, FLAPPING_PC[2], FLAPPING_PC[3], FLAPPING_PC[4])
        self.portal_evening = span(now, PORTAL_EVENING[1], PORTAL_EVENING[2], PORTAL_EVENING[3])

    def pc_on(self, dev, ts):
        """PCs: switched on between 07:00 and 07:25, off between 17:10 and 17:50, weekdays."""
        day, wd, h = local(ts)
        if wd >= 5:
            return False
        on = 7 + rand(dev, day, "on") * 25 / 60
        off = 17 + (10 + rand(dev, day, "off") * 40) / 60
        return on <= h < off

    def pc_boot(self, dev, ts):
        day = local(ts)[0]
        return day * DAY - TZ + int((7 + rand(dev, day, "on") * 25 / 60) * 3600)

    def state(self, k, name, cls, ts):
        """None when up, else the device's error."""
        dead = DEAD.get((k, name))
        if dead and ts > self.now - dead * 3600:
            return TIMEOUT
        if cls == "portal":
            down = (k == PORTAL_DOWN and ts > self.now - PORTAL_DOWN_HOURS * 3600) or \
                (k == PORTAL_EVENING[0] and self.portal_evening[0] < ts <= self.portal_evening[1])
            return "HTTP 503" if down else None
        if k == UPLINK_DOWN[0] and self.uplink[0] < ts <= self.uplink[1]:
            return NO_ECHO if cls == "attendance" else "timeout"
        if k == SCANNER_DEAD_DAY[0] and name == "Máy quét" and \
                self.scanner_day[0] < ts <= self.scanner_day[1]:
            return "timeout"
        if cls == "pc":
            if not self.pc_on((k, name), ts):
                return "timeout"
            if (k, name) == FLAPPING_PC[:2] and self.flap[0] < ts <= self.flap[1] and \
                    (ts // 300) % 3 == 0:
                return "timeout"
        return None


class Series:
    """One device's up sample as a template: its changing values are filled in each step."""

    def __init__(self, sample, k, story, times):
        self.k, self.name = k, sample["device"]
        self.cls = sample.get("class") or ("portal" if any(
            g.get("g") == "http" for g in sample.get("groups", [])) else "attendance")
        self.story = story
        self.head = {"commune": sample["commune"], "device": self.name}
        self.up_sample = sample if sample["up"] else None
        self.fills = []
        if self.up_sample:
            self._template(json.loads(json.dumps(sample)), times)

    def _slot(self, fn):
        self.fills.append(fn)
        return f"@@HB{len(self.fills) - 1}@@"

    def _template(self, s, times):
        s["ts"] = self._slot(lambda i, ts: str(ts))
        # what the live polls say again: the past needs only what is stored and judged
        uptime = s.get("sys", {}).get("uptime")
        s["sys"] = {}
        if uptime is not None:
            s["sys"]["uptime"] = self._slot(lambda i, ts: str(self.uptime(uptime, ts) * 100))
        # ports down today carried nothing then either: left out, they cost a third of the work
        s["if"] = [{k: v for k, v in f.items() if k not in IF_NAMES} for f in s.get("if", [])
                   if f.get("oper") == 1]
        self._traffic(s, times)
        for g in s.get("groups", []):
            self._group(g)
        # the markers are JSON strings: the number filled in replaces them, quotes and all
        self.parts = SLOT.split(json.dumps(s, ensure_ascii=False, separators=(",", ":")))
        thin = {**s, "if": [], "groups": [g for g in s.get("groups", [])
                                          if g.get("g") in self.story.judged]}
        self.thin_parts = SLOT.split(json.dumps(thin, ensure_ascii=False, separators=(",", ":")))

    def uptime(self, ticks, ts):
        if self.cls == "pc":
            return max(60, ts - self.story.pc_boot((self.k, self.name), ts))
        boot = self.story.now - ticks // 100
        return ts - boot if ts >= boot else ts - boot + 40 * DAY

    def _traffic(self, s, times):
        """Octets grow with office hours; the sum over the history stays under today's count."""
        step = times[1] - times[0] if len(times) > 1 else 300
        weight = [traffic_weight(ts) * (0.5 + rand(self.head["device"], self.k, ts)) * step
                  for ts in times]
        after = [0.0] * len(times)
        for i in range(len(times) - 2, -1, -1):
            after[i] = after[i + 1] + weight[i + 1]
        total = after[0] or 1
        for f in s.get("if", []):
            if f.get("oper") != 1:
                continue
            for key in ("in_octets", "out_octets"):
                now = f.get(key, 0)
                rate = octet_rate(f.get("speed", 0), now, total)
                if rate > 0:
                    f[key] = self._slot(lambda i, ts, now=now, rate=rate:
                                        str(int(now - rate * after[i])))

    def _group(self, g):
        v = g.get("v", {})
        name = g.get("g")
        if name == "icmp":
            for key in ("rtt_ms", "rtt_max_ms"):
                if key in v:
                    base = v[key]
                    v[key] = self._slot(lambda i, ts, b=base: f"{b * (0.6 + 0.8 * rand(ts, b)):.3f}")
        elif name == "http" and "time_ms" in v:
            v["time_ms"] = self._slot(lambda i, ts: f"{40 + 160 * rand(ts, self.k):.1f}")
        elif name == "cpu" and "load" in v:
            v["load"] = self._slot(lambda i, ts: str(int(3 + (40 if office_hours(ts) else 5) *
                                                         rand(ts, self.k, g.get("i")))))
        elif name == "supply" and g.get("l", "").startswith("Magenta") and "percent" in v:
            today = HP_MAGENTA_TODAY.get(self.k, v["percent"])
            start = TONER_WEEK_START.get(self.k, today + 4)
            week0 = self.story.now - 7 * DAY

            def fill(i, ts):
                used = min(1.0, max(0.0, (ts - week0) / (7 * DAY)))
                return str(int(round(start - (start - today) * used)))
            v["level"] = self._slot(fill)
            v["percent"] = self._slot(fill)
        elif name == "host" and "uptime" in v:  # hrSystemUptime, seconds
            ticks = int(v["uptime"] * 100)
            v["uptime"] = self._slot(lambda i, ts: str(self.uptime(ticks, ts)))

    def line(self, i, ts):
        """The sample at ts: the whole shape for the i-th recent step, the judged part before
        (i < 0)."""
        err = self.story.state(self.k, self.name, self.cls, ts)
        if err or not self.up_sample:
            return json.dumps({**self.head, "ts": ts, "up": False,
                               "error": err or TIMEOUT}, ensure_ascii=False)
        out = []
        for n, p in enumerate(self.parts if i >= 0 else self.thin_parts):
            out.append(self.fills[int(p)](i, ts) if n % 2 else p)
        return "".join(out)


def recording(k, name):
    return next((d[4] for d in devices(k) if d[2] == name), None)


def with_shape(sample, samples, index):
    """A device silent today had the shape of its recording (or of any portal) before."""
    if sample["up"]:
        return sample
    k = index[sample["commune"]]
    rec = recording(k, sample["device"])
    for other in samples:
        ok = index.get(other["commune"])
        if other["up"] and ok is not None and ok != k and (
                recording(ok, other["device"]) == rec if rec else
                other["device"] == sample["device"]):
            return {**other, "commune": sample["commune"], "device": sample["device"],
                    "up": True}
    return sample


def judged_groups(conf):
    """The profile groups the configuration's value targets judge ("printer.supply.percent")."""
    with open(conf, encoding="utf-8") as f:
        return {m.group(1) for m in re.finditer(r"^[a-z]+\.([a-z0-9_]+)\.[a-z0-9_]+\s*=", f.read(),
                                                re.M)}


def write(f, samples, now, days, conf, step=300, rich_days=RICH_DAYS):
    """Writes the batches of the `days` before now; returns how many. The last `rich_days`
    hold every step and the devices' whole shape; the days before, every other step and only
    what targets judge (availability and the judged groups): a month in well under a minute."""
    rich_days = min(rich_days, days)  # a short history (the demo's test) is all rich
    story = Story(now, judged_groups(conf))
    last = now - 10  # the live polls carry on from here
    rich = list(range(last - (rich_days * DAY // step) * step, last + 1, step))
    thin = list(range(rich[0] - (days - rich_days) * DAY // (2 * step) * 2 * step, rich[0],
                      2 * step))
    index = {c: k for k, c in enumerate(COMMUNES)}
    series = [Series(with_shape(s, samples, index), index[s["commune"]], story, rich)
              for s in samples if s["commune"] in index]
    seq = 0
    for i, ts in [(-1, ts) for ts in thin] + list(enumerate(rich)):
        seq += 1
        f.write('{"version":1,"probe":"history","seq":%d,"samples":[' % seq)
        f.write(",".join(s.line(i, ts) for s in series))
        f.write("]}\n")
    return seq
