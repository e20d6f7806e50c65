"""Fixtures of the system tests: real daemons, real agents, loopback only."""
import base64
import json
import os
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from simfleet import SHARED, SnmpSim

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDS = os.environ.get("HBMON_BUILDS", "build").split()
# sanitizer builds: any report fails the run; net-snmp keeps some allocations until exit
os.environ.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=86")
os.environ.setdefault("LSAN_OPTIONS", f"suppressions={TOP}/tests/lsan.supp:print_suppressions=0")
os.environ.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1:exitcode=87")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def snmprec(path):
    """The recording as {oid: (type, value)}."""
    out = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("|", 2)
            if len(parts) == 3:
                out[parts[0]] = (parts[1], parts[2])
    return out


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "one_build: run with one of the builds only (the last of HBMON_BUILDS)")
    config.addinivalue_line(
        "markers", "apart: long real-time waits, run in a process of their own beside the "
        "others (tests/system/run.py); they use only the fleet's addresses")


def pytest_collection_modifyitems(config, items):
    """A test marked one_build runs against the last build given (make check: the sanitizer
    build). These are the long ones whose worth is real time or an outside program (crash and
    outage loops, link cuts, Chromium, LibreOffice, Prometheus, snmpd): the code they reach is
    run by the quicker tests under both builds; running them twice would double make check."""
    if len(BUILDS) < 2:
        return
    keep, dropped = [], []
    for item in items:
        spec = getattr(item, "callspec", None)
        build = next((v for v in spec.params.values() if isinstance(v, str) and v in BUILDS),
                     None) if spec else None
        if build and build != BUILDS[-1] and item.get_closest_marker("one_build"):
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture(params=BUILDS)
def bindir(request):
    d = os.path.join(TOP, request.param)
    assert os.path.exists(os.path.join(d, "hbmon-collector")), f"run make first ({d})"
    return d


class District:
    """A configuration on disk: hbmon.conf, credentials.conf, inventory.csv."""

    def __init__(self, root, devices, site_types, extra_creds=None, collector_extra="",
                 extra="", rrd_step=1, interval=2):
        self.root = root
        self.port = free_port()
        CA_FILES.pop(self.port, None)  # an earlier district's, on the same port
        self.conf = os.path.join(root, "hbmon.conf")
        self.data = os.path.join(root, "data")
        creds, versions = {}, {}
        optional = [k for k in ("url", "probe", "mac") if any(d.get(k) for d in devices)]
        rows = [",".join(["commune,site,site_type,device,class,address,snmp,contact"] + optional)]
        for d in devices:
            if d["snmp"]:  # none: checked by ICMP echo (or its url) only
                creds[d["snmp"]] = d.get("community") or d.get("cred")
                versions[d["snmp"]] = d.get("version", "2c")
            rows.append(",".join([d["commune"], d["site"], d["site_type"], d["device"],
                                  d["class"], d["address"], d["snmp"], d.get("contact", "")]
                                 + [d.get(k, "") for k in optional]))
        with open(os.path.join(root, "inventory.csv"), "w", encoding="utf-8") as f:
            f.write("\n".join(rows) + "\n")
        path = os.path.join(root, "credentials.conf")
        with open(path, "w", encoding="utf-8") as f:
            for name, comm in {**creds, **(extra_creds or {})}.items():
                if isinstance(comm, dict):  # SNMPv3 and other full credentials
                    f.write(f"[{name}]\n" + "".join(f"{k} = {v}\n" for k, v in comm.items()))
                else:
                    f.write(f"[{name}]\nversion = {versions.get(name, '2c')}\n"
                            f"community = {comm}\n")
        os.chmod(path, 0o600)
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(f"""[general]
district = Huyện Thử
data_dir = {self.data}
dashboards_dir = {TOP}/dashboards
[collector]
listen_port = {self.port}
rrd_step = {rrd_step}
stale_after = 600
{collector_extra}
[probe]
collector_url = http://127.0.0.1:{self.port}/api/v1/ingest
interval = {interval}
timeout_ms = 500
retries = 1
""")
            f.write(extra)
            f.write(site_types)

    def url(self, path):
        return f"{'https' if self.port in CA_FILES else 'http'}://127.0.0.1:{self.port}{path}"

    def use_tls(self, cert, key):
        """HTTPS with this pair: the collector serves it, the probe verifies it."""
        with open(self.conf, encoding="utf-8") as f:
            text = f.read()
        text = text.replace("[collector]\n", f"[collector]\ntls_cert = {cert}\ntls_key = {key}\n", 1)
        text = text.replace(f"collector_url = http://127.0.0.1:{self.port}",
                            f"ca_file = {cert}\ncollector_url = https://127.0.0.1:{self.port}", 1)
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(text)
        CA_FILES[self.port] = cert


# the administrator every district's tests log in as (the dashboard needs a log-in)
ADMIN = ("it-admin", "mat-khau-thu-2026")
ADMIN_NAME = "Chị Lan (IT)"  # the name acknowledgements and windows are made in
# paths a collector serves without a log-in (/metrics too with [collector] metrics_public = 1;
# http() asks for it as ADMIN otherwise)
PUBLIC = ("/login", "/static/style.css", "/static/overview.js", "/api/v1/ingest",
          "/api/v1/assignment")
# session cookies of ADMIN, per collector port
COOKIES = {}

# probe credentials issued by each collector under test: {port: {probe name: secret, "root":
# the district's folder}}
SECRETS = {}
# collectors serving HTTPS: {port: their certificate}
CA_FILES = {}


def issue_secrets(bindir, district):
    """The probe credentials a district's tests use, issued as an administrator would:
    "district" (the default probe, its secret in the probe's secret_file) and "other"."""
    have = SECRETS.get(district.port, {})
    if have.get("root") == district.root:  # a port is reused by later districts
        return have
    have = SECRETS[district.port] = {"root": district.root}
    exe = os.path.join(bindir, "hbmon-collector")
    path = os.path.join(district.root, "probe.secret")
    if not os.path.exists(path):
        subprocess.run([exe, "-c", district.conf, "probe", "add", "district", "--secret-file",
                        path], check=True, capture_output=True)
        r = subprocess.run([exe, "-c", district.conf, "probe", "add", "other"], check=True,
                           capture_output=True, text=True)
        have["other"] = r.stdout.split()[3]
        add_user(bindir, district, ADMIN[0], "admin", ADMIN[1], full_name=ADMIN_NAME)
    with open(path, encoding="ascii") as f:
        have["district"] = f.read().strip()
    COOKIES.pop(district.port, None)
    return have


def add_user(bindir, district, name, role, password, communes=(), full_name=None):
    """A dashboard user, as an administrator makes one (the password on standard input)."""
    args = [os.path.join(bindir, "hbmon-collector"), "-c", district.conf, "user", "add", name,
            "--role", role] + (["--name", full_name] if full_name else [])
    for c in communes:
        args += ["--commune", c]
    r = subprocess.run(args, input=password + "\n", capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def login(base, user, password):
    """Logs in at base (http://127.0.0.1:PORT): the session cookie ("name=value"), or None
    with the status the log-in got."""
    u = urllib.parse.urlsplit(base)
    conn = http_conn(u)
    conn.request("POST", "/login", urllib.parse.urlencode(
        {"user": user, "password": password, "next": "/"}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    r.read()
    cookie = r.getheader("Set-Cookie")
    if r.status != 303 or not cookie:
        return None, r.status
    return cookie.split(";")[0], r.status


def http_conn(u, timeout=10):
    from http.client import HTTPConnection, HTTPSConnection
    if u.scheme == "https":
        ca = CA_FILES.get(u.port)
        return HTTPSConnection(u.hostname, u.port, timeout=timeout,
                               context=ssl.create_default_context(cafile=ca))
    return HTTPConnection(u.hostname, u.port, timeout=timeout)


def admin_cookie(url, fresh=False):
    """ADMIN's session at the collector serving url (logged in when there is none yet)."""
    u = urllib.parse.urlsplit(url)
    if fresh or u.port not in COOKIES:
        cookie, st = login(f"{u.scheme}://{u.hostname}:{u.port}", *ADMIN)
        assert cookie, f"log-in as {ADMIN[0]} refused: {st}"
        COOKIES[u.port] = cookie
    return COOKIES[u.port]


def page_csrf(page):
    """The session's token in a page's forms."""
    import re
    m = re.search(r'name="csrf" value="([0-9a-f]{64})"', page)
    assert m, "no form token in the page"
    return m.group(1)


def post_form(dist, path, fields, origin="same", cookie=None, csrf=True):
    """A dashboard form as a logged-in browser posts it: the session's cookie and its token
    (csrf=False leaves the token out; origin "same" is this site's, None sends none)."""
    cookie = cookie or admin_cookie(dist.url("/"))
    fields = dict(fields)
    if csrf is True:
        st, _, page = http(dist.url("/"), cookie=cookie)
        fields["csrf"] = page_csrf(page.decode())
    elif csrf:
        fields["csrf"] = csrf
    u = urllib.parse.urlsplit(dist.url("/"))
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    if origin == "same":
        origin = f"{u.scheme}://{u.hostname}:{u.port}"
    if origin:
        headers["Origin"] = origin
    conn = http_conn(u)
    conn.request("POST", path, urllib.parse.urlencode(fields).encode(), headers)
    r = conn.getresponse()
    return r.status, r.getheader("Location"), r.read().decode()


def auth_header(url, data, auth):
    """Basic credentials of the probe a posted batch names (auth: (name, secret) to force
    one, False for none)."""
    if auth is False or data is None or not url.endswith("/api/v1/ingest"):
        return None
    if auth is None:
        port = urllib.parse.urlsplit(url).port
        try:
            name = json.loads(data).get("probe")
        except (ValueError, AttributeError, RecursionError):  # bodies made to be refused
            name = "district"
        secret = SECRETS.get(port, {}).get(name)
        if secret is None:
            return None
        auth = (name, secret)
    return "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()


def http(url, data=None, timeout=10, auth=None, cookie=None):
    """GET (or POST data to) url; a dashboard path is asked as ADMIN (or with cookie, "" for
    nobody), logged in again if the collector was restarted since."""
    path = urllib.parse.urlsplit(url).path
    mine = cookie is None and path not in PUBLIC
    if mine:
        cookie = admin_cookie(url)
    for attempt in range(2):
        req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
        cred = auth_header(url, data, auth)
        if cred:
            req.add_header("Authorization", cred)
        if cookie:
            req.add_header("Cookie", cookie)
        ca = CA_FILES.get(urllib.parse.urlsplit(url).port) if url.startswith("https:") else None
        ctx = ssl.create_default_context(cafile=ca) if ca else None
        try:
            with urllib.request.urlopen(req, timeout=timeout, context=ctx) as r:
                got = r.status, r.headers, r.read()
                sent_to_login = urllib.parse.urlsplit(r.url).path == "/login" and path != "/login"
        except urllib.error.HTTPError as e:
            got = e.code, e.headers, e.read()
            sent_to_login = False
        if mine and attempt == 0 and (sent_to_login or got[0] == 401):
            cookie = admin_cookie(url, fresh=True)  # a new collector: its sessions are new
            continue
        return got
    return got


class Daemon:
    def __init__(self, argv, log, env=None):
        self.argv = argv
        self.log = log
        self.proc = subprocess.Popen(argv, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                                     env={**os.environ, **(env or {})})

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        """Stops the daemon; returns its exit status (a sanitizer report makes it non-zero)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def output(self):
        with open(self.log, encoding="utf-8", errors="replace") as f:
            return f.read()


def start_collector(bindir, district, env=None):
    issue_secrets(bindir, district)
    d = Daemon([os.path.join(bindir, "hbmon-collector"), "-c", district.conf],
               os.path.join(district.root, "collector.log"), env)
    deadline = time.time() + 20
    while time.time() < deadline:
        try:
            if http(district.url("/login"), timeout=2)[0] == 200:  # public: no log-in yet
                return d
        except OSError:
            pass
        assert d.alive(), d.output()
        time.sleep(0.1)
    raise AssertionError("collector did not start: " + d.output())


def run_probe_once(bindir, district, timeout=120):
    r = subprocess.run([os.path.join(bindir, "hbmon-probe"), "-c", district.conf, "--once"],
                       capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


@pytest.fixture(scope="session")
def fleet():
    """snmpsim serving real and hostile recordings on 127.91.0.x:1161 (the tests run apart:
    HBMON_FLEET_NET, tests/system/run.py)."""
    net = os.environ.get("HBMON_FLEET_NET", "127.91.0")
    eps = [f"{net}.{i}:1161" for i in range(1, 9)]
    sim = SnmpSim(eps, data_dirs=[os.path.join(SHARED, "devices"),
                                        os.path.join(SHARED, "devices-hostile")])
    sim.start("pc/linux-desktop")
    yield {"endpoints": eps, "shared": SHARED}
    sim.stop()


def batch(samples, probe="district", seq=1):
    """A wire batch body as a probe posts it."""
    return json.dumps({"version": 1, "probe": probe, "seq": seq,
                       "samples": samples}).encode()


def sample(commune, device, ts, ifs=(), up=True, uptime=None):
    s = {"commune": commune, "device": device, "ts": ts, "up": up, "rtt_ms": 3}
    if uptime is not None:
        s["sys"] = {"uptime": uptime}
    s["if"] = [dict(f) for f in ifs]
    return s


def metric(district, name):
    """One value of the collector's /metrics."""
    st, _, body = http(district.url("/metrics"))
    assert st == 200
    for line in body.decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")
