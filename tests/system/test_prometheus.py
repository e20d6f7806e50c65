"""A province reads its districts' collectors with its own tools: Debian's Prometheus scrapes two
collectors (two districts, loopback) with a read-only token each, and its HTTP API answers a
province-wide question (communes meeting every target, by district) the way the collectors'
own readiness JSON does; `promtool check metrics` accepts /metrics; tokens read, never write,
and a token of one commune sees that commune only."""
import csv
import json
import math
import os
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from http.client import HTTPConnection

import pytest

from conftest import TOP, Daemon, District, batch, free_port, http, start_collector

pytestmark = pytest.mark.one_build  # real time or outside programs: one build (conftest)

# judged at all hours: the test runs at any time of day (a share of today needs judged time)
SITE_TYPES = """[site-type one-stop]
label_vi = Bộ phận một cửa
label_en = one-stop office
hours = always
pc = 1
scanner = 1
"""
# district name: {commune: scanner up}; a name a label value must escape (quote, backslash)
DISTRICTS = {"Huyện Đông": {"Xã An Phú": True, "Xã Bình Minh": True, "Xã Cát Tiên": False},
             "Huyện Tây": {'Xã "Mới" \\ Bắc': True, "Phường Hòa Lạc": False}}
PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")
needs_prometheus = pytest.mark.skipif(not PROMETHEUS or not PROMTOOL,
                                      reason="Debian's prometheus package is not installed")


def make_district(root, name, communes):
    """A district of one site a commune (a PC and a scanner), named name."""
    os.makedirs(root, exist_ok=True)
    devs = [{"commune": c, "site": "Một cửa", "site_type": "one-stop", "device": d,
             "class": cls, "address": f"127.0.0.{10 + i}:161", "snmp": "pub",
             "community": "public"}
            for i, (c, d, cls) in enumerate((c, d, cls) for c in communes
                                            for d, cls in (("PC", "pc"), ("Máy quét", "scanner")))]
    dist = District(root, devs, SITE_TYPES)
    # names with quotes: the inventory written as CSV quotes them
    with open(os.path.join(root, "inventory.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["commune", "site", "site_type", "device", "class", "address", "snmp",
                    "contact"])
        for d in devs:
            w.writerow([d["commune"], d["site"], d["site_type"], d["device"], d["class"],
                        d["address"], d["snmp"], ""])
    with open(dist.conf, encoding="utf-8") as f:
        text = f.read().replace("district = Huyện Thử", f"district = {name}", 1)
    with open(dist.conf, "w", encoding="utf-8") as f:
        f.write(text)
    return dist


def token(bindir, dist, name, communes=()):
    args = [os.path.join(bindir, "hbmon-collector"), "-c", dist.conf, "token", "add", name]
    for c in communes:
        args += ["--commune", c]
    r = subprocess.run(args, capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.fullmatch(r"hbt_[0-9a-f]{64}\n", r.stdout), r.stdout
    return r.stdout.strip()


def get(dist, path, bearer=None, method="GET"):
    """One request with no cookie: (status, headers, body text)."""
    conn = HTTPConnection("127.0.0.1", dist.port, timeout=10)
    conn.request(method, path, headers={"Authorization": f"Bearer {bearer}"} if bearer else {})
    r = conn.getresponse()
    return r.status, r.headers, r.read().decode("utf-8", "replace")


def feed(dist, communes):
    """Every device up, but the scanner of the communes marked False."""
    now = int(time.time())
    body = batch([{"commune": c, "device": d, "ts": now, "up": up or d == "PC", "rtt_ms": 3,
                   "if": []} for c, up in communes.items() for d in ("PC", "Máy quét")])
    assert http(dist.url("/api/v1/ingest"), body)[0] == 200


def wait_for(what, fn, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = fn()
        if got:
            return got
        time.sleep(0.3)
    raise AssertionError(f"{what}: not within {timeout} s")


@pytest.fixture
def province(bindir, tmp_path):
    """Two districts' collectors, fed, each with a read-only token for the province."""
    out = []
    try:
        for i, (name, communes) in enumerate(DISTRICTS.items()):
            dist = make_district(str(tmp_path / f"d{i}"), name, list(communes))
            col = start_collector(bindir, dist)
            out.append((name, dist, col, token(bindir, dist, "tinh")))
            feed(dist, communes)
        # the judge's tick has seen the samples
        for name, dist, _, tok in out:
            wait_for(f"{name}: readiness", lambda d=dist, t=tok: all(
                c["verdict"] != "no_data" for c in readiness(d, t)["communes"]))
        yield out
    finally:
        for _, _, col, _ in out:
            assert col.stop() == 0, col.output()


def readiness(dist, tok):
    st, _, body = get(dist, "/api/v1/readiness", tok)
    assert st == 200, body
    return json.loads(body)


def parse_metrics(text):
    """{(name, frozenset(labels)): value} of a text exposition."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)', line)
        assert m, line
        labels = {}
        for k, v in re.findall(r'([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"', m.group(2) or ""):
            labels[k] = v.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
        out[(m.group(1), frozenset(labels.items()))] = float(m.group(3))
    return out


@needs_prometheus
def test_promtool_accepts_the_metrics_and_they_match_the_json(province):
    for name, dist, _, tok in province:
        st, hdr, body = get(dist, "/metrics", tok)
        assert st == 200 and hdr["Content-Type"].startswith("text/plain; version=0.0.4")

        def with_shares(d=dist, t=tok):
            """A scrape after a judged tick was followed by another (a share is counted then)."""
            b = get(d, "/metrics", t)[2]
            return b if "hbmon_target_met_share_today{" in b else None
        body = wait_for(f"{name}: shares of today", with_shares, timeout=10)
        r = subprocess.run([PROMTOOL, "check", "metrics"], input=body, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        m = parse_metrics(body)
        for c in readiness(dist, tok)["communes"]:
            key = frozenset({"district": name, "commune": c["name"]}.items())
            assert m[("hbmon_commune_ready", key)] == (1 if c["met"] else 0), c["name"]
            assert m[("hbmon_commune_score", key)] == pytest.approx(c["score"])
            assert m[("hbmon_alerts_firing", key)] >= 0
            scanner = frozenset({"district": name, "commune": c["name"], "site": "Một cửa",
                                 "target": "scanner", "severity": "critical"}.items())
            assert m[("hbmon_target_met", scanner)] == (1 if c["met"] else 0)
            up = frozenset({"district": name, "commune": c["name"], "class": "scanner",
                            "state": "up"}.items())
            assert m[("hbmon_commune_devices", up)] == (1 if c["met"] else 0)
        # every label value is a name of the configuration or the inventory
        communes = set(DISTRICTS[name])
        for (metric, labels), _ in m.items():
            d = dict(labels)
            assert d.get("district", name) == name, metric
            assert d.get("commune", next(iter(communes))) in communes, metric
        assert any(k[0] == "hbmon_probe_last_contact_timestamp_seconds" for k in m)
        # judged at every tick since the samples came: each target's share of today is there
        share = {dict(k)["commune"] + "/" + dict(k)["target"]: v for (metric, k), v in m.items()
                 if metric == "hbmon_target_met_share_today"}
        assert len(share) == 2 * len(communes), share
        assert all(0 <= v <= 1 and not math.isnan(v) for v in share.values())
        for c in communes:
            assert share[c + "/pc"] == 1.0
        for c in readiness(dist, tok)["communes"]:
            assert m[("hbmon_commune_judged",
                      frozenset({"district": name, "commune": c["name"]}.items()))] == 1


def prom_query(port, q):
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": q})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
    with opener.open(url, timeout=10) as r:
        got = json.load(r)
    assert got["status"] == "success", got
    return got["data"]["result"]


@needs_prometheus
def test_prometheus_answers_the_province_question(province, tmp_path):
    """Communes meeting every target, by district: Prometheus's answer is the collectors'."""
    jobs = []
    for i, (name, dist, _, tok) in enumerate(province):
        path = tmp_path / f"token{i}"
        path.write_text(tok + "\n", encoding="ascii")
        path.chmod(0o600)
        jobs.append(f"""  - job_name: district{i}
    authorization:
      credentials_file: {path}
    static_configs:
      - targets: ["127.0.0.1:{dist.port}"]
""")
    conf = tmp_path / "prometheus.yml"
    conf.write_text("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n" + "".join(jobs), encoding="utf-8")
    r = subprocess.run([PROMTOOL, "check", "config", str(conf)], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    port = free_port()
    prom = Daemon([PROMETHEUS, f"--config.file={conf}", f"--storage.tsdb.path={tmp_path}/tsdb",
                   f"--web.listen-address=127.0.0.1:{port}"], str(tmp_path / "prometheus.log"))
    try:
        # both collectors scraped with their token, and their communes' readiness stored
        wait_for("prometheus scraping both collectors", lambda: prom.alive() and len(
            [s for s in _try(prom_query, port, "up == 1") if s]) == 2, timeout=60)
        q = "count by (district) (hbmon_commune_ready == 1)"
        want = {}
        for name, dist, _, tok in province:
            want[name] = sum(1 for c in readiness(dist, tok)["communes"] if c["met"])
        assert want == {"Huyện Đông": 2, "Huyện Tây": 1}

        def answer():
            got = {s["metric"]["district"]: int(s["value"][1]) for s in _try(prom_query, port, q)}
            return got if got == want else None
        wait_for(f"prometheus: {q} = {want}", answer, timeout=30)
        # the province's whole: communes meeting every target, of all the communes judged
        total = _try(prom_query, port, "count(hbmon_commune_ready)")
        assert int(total[0]["value"][1]) == sum(len(c) for c in DISTRICTS.values())
        # the Grafana dashboard's queries are PromQL this Prometheus runs, with answers
        for panel, expr in dashboard_exprs():
            q = expr.replace("$district", ".*")
            assert prom_query(port, q), (panel, q)
    finally:
        prom.stop()
        if not prom.alive() and prom.proc.returncode not in (0, -15):
            print(prom.output()[-3000:])


def dashboard_exprs():
    """(panel title, expr) of dashboards/grafana-province.json."""
    with open(os.path.join(TOP, "dashboards", "grafana-province.json"), encoding="utf-8") as f:
        dash = json.load(f)
    return [(p["title"], t["expr"]) for p in dash["panels"] for t in p.get("targets", [])]


def test_grafana_dashboard_reads_what_the_collectors_export(province):
    with open(os.path.join(TOP, "dashboards", "grafana-province.json"), encoding="utf-8") as f:
        dash = json.load(f)
    assert dash["schemaVersion"] >= 36 and dash["uid"] and dash["title"]
    variables = {v["name"]: v for v in dash["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for p in dash["panels"]:
        assert p["datasource"]["uid"] == "${datasource}", p["title"]
    exported = set()
    for _, dist, _, tok in province:
        exported |= set(re.findall(r"^# TYPE (\S+) ", get(dist, "/metrics", tok)[2], re.M))
    exprs = dashboard_exprs()
    titles = " ".join(t for t, _ in exprs)
    assert "by district" in titles and "by score" in titles and "per target kind" in titles
    for title, expr in exprs:
        names = set(re.findall(r"\b(hbmon_[a-z_]+)\b", expr))
        assert names and names <= exported, (title, names - exported)


def _try(fn, *args):
    """The query's result, or [] while Prometheus is starting."""
    try:
        return fn(*args)
    except OSError:
        return []


def test_tokens_read_only_and_per_commune(bindir, tmp_path):
    name, communes = "Huyện Tây", DISTRICTS["Huyện Tây"]
    dist = make_district(str(tmp_path), name, list(communes))
    col = start_collector(bindir, dist)
    try:
        feed(dist, communes)
        good = token(bindir, dist, "tinh")
        mine = token(bindir, dist, "hoa-lac", communes=["Phường Hòa Lạc"])
        wrong = "hbt_" + "0" * 64
        for path in ("/metrics", "/api/v1/readiness", "/api/v1/devices", "/api/v1/alerts"):
            st, hdr, _ = get(dist, path)
            assert st == 401 and hdr["WWW-Authenticate"].startswith("Bearer"), path
            assert get(dist, path, wrong)[0] == 401, path
            assert get(dist, path, "not-a-token")[0] == 401, path
            assert get(dist, path, good)[0] == 200, path
            assert get(dist, path, mine)[0] == 200, path
        # a token reads /metrics and the JSON API only, and never posts
        assert get(dist, "/", good)[0] == 403
        assert get(dist, "/audit", good)[0] == 403
        assert get(dist, "/api/v1/ack", good, method="POST")[0] == 403
        # the commune's token sees the commune only
        got = json.loads(get(dist, "/api/v1/readiness", mine)[2])
        assert [c["name"] for c in got["communes"]] == ["Phường Hòa Lạc"]
        body = get(dist, "/metrics", mine)[2]
        assert 'commune="Phường Hòa Lạc"' in body and "Mới" not in body
        assert "hbmon_ingest_batches_total" not in body  # the district's machinery: not its
        assert "hbmon_ingest_batches_total" in get(dist, "/metrics", good)[2]
        # the list shows names, never a token; del ends it at once; both are in the audit log
        exe = [os.path.join(bindir, "hbmon-collector"), "-c", dist.conf]
        listed = subprocess.run(exe + ["token", "list"], capture_output=True, text=True,
                                check=True).stdout
        assert "tinh\t*\t" in listed and "hoa-lac\tPhường Hòa Lạc\t" in listed
        assert good not in listed and good[4:] not in listed
        subprocess.run(exe + ["token", "del", "tinh"], capture_output=True, check=True)
        assert get(dist, "/metrics", good)[0] == 401
        assert get(dist, "/metrics", mine)[0] == 200
        log = subprocess.run(exe + ["user", "log"], capture_output=True, text=True,
                             check=True).stdout
        assert "token_add\ttinh: every commune" in log and "token_del\ttinh" in log
        assert "token_add\thoa-lac: Phường Hòa Lạc" in log
        # a name taken, a commune not in the inventory: refused
        r = subprocess.run(exe + ["token", "add", "hoa-lac"], capture_output=True, text=True)
        assert r.returncode == 1 and "exists" in r.stderr and not r.stdout
        r = subprocess.run(exe + ["token", "add", "x", "--commune", "Xã Không Có"],
                           capture_output=True, text=True)
        assert r.returncode == 1 and "not in" in r.stderr
    finally:
        assert col.stop() == 0, col.output()


def test_metrics_public_switch(bindir, tmp_path):
    """[collector] metrics_public = 1: /metrics answers anyone; the JSON API still does not."""
    dist = make_district(str(tmp_path), "Huyện Đông", ["Xã An Phú"])
    with open(dist.conf, encoding="utf-8") as f:
        text = f.read().replace("[collector]\n", "[collector]\nmetrics_public = 1\n", 1)
    with open(dist.conf, "w", encoding="utf-8") as f:
        f.write(text)
    col = start_collector(bindir, dist)
    try:
        st, _, body = get(dist, "/metrics")
        assert st == 200 and 'hbmon_commune_score{district="Huyện Đông",commune="Xã An Phú"}' \
            in body
        assert get(dist, "/api/v1/readiness")[0] == 401
    finally:
        assert col.stop() == 0, col.output()
