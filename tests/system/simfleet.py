"""Start and stop the simulated devices: snmpsim serving real recordings on loopback addresses,
and communes' web portals.

Used by the system tests and by `make demo`, so both run against the same kind of fleet.
"""
import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SHARED = os.environ.get("HBMON_SHARED") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared"))


def snmpget_ok(endpoint, community, timeout=1):
    host, port = endpoint.rsplit(":", 1)
    r = subprocess.run(["snmpget", "-v2c", "-c", community, "-t", str(timeout), "-r", "0",
                        "-On", f"{host}:{port}", "1.3.6.1.2.1.1.1.0"],
                       capture_output=True, text=True)
    return r.returncode == 0 and "No Such" not in r.stdout


class SnmpSim:
    """One snmpsimd process answering on every endpoint given ("127.77.1.1:1161")."""

    def __init__(self, endpoints, data_dirs=None, variants=None):
        self.endpoints = list(endpoints)
        # {endpoint: (community, {oid: value or (tag, value)})}: that endpoint serves the
        # community's recording with those values instead (snmpsim selects
        # <community>/<transport ID>.snmprec first); a tag like "70:numeric" makes a counter grow.
        # An OID the recording lacks is added where it sorts (give it as (tag, value)): a table
        # the device never had, such as an LLDP neighbour table
        self.variants = variants or {}
        # snmpsimd drops to nobody: its data and cache live where nobody can read them
        self.workdir = tempfile.mkdtemp(prefix="hbmon-snmpsim-")
        os.chmod(self.workdir, 0o755)
        self.data_dirs = data_dirs or [os.path.join(SHARED, "devices")]
        self.log = os.path.join(self.workdir, "snmpsim.log")
        self.proc = None

    def start(self, probe_community, timeout=90):
        cache = os.path.join(self.workdir, "snmpsim-cache")
        os.makedirs(cache, exist_ok=True)
        os.chmod(cache, 0o777)
        data = os.path.join(self.workdir, "snmpsim-data")
        if not os.path.isdir(data):
            # one data tree holding every folder: the community is the path below it
            os.makedirs(data)
            for d in self.data_dirs:
                for cls in os.listdir(d):
                    src = os.path.join(d, cls)
                    if os.path.isdir(src):
                        dst = os.path.join(data, cls)
                        os.makedirs(dst, exist_ok=True)
                        for f in os.listdir(src):
                            if f.endswith(".snmprec"):
                                shutil.copy(os.path.join(src, f), os.path.join(dst, f))
        self._write_variants(data)
        for root, dirs, files in os.walk(data):
            os.chmod(root, 0o755)
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)
        cmd = ["snmpsimd", f"--data-dir={data}", f"--cache-dir={cache}",
               f"--logging-method=file:{self.log}"]
        if os.geteuid() == 0:
            cmd += ["--process-user=nobody", "--process-group=nogroup"]
        for ep in self.endpoints:
            cmd.append(f"--agent-udpv4-endpoint={ep}")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"snmpsimd exited; see {self.log}")
            if snmpget_ok(self.endpoints[0], probe_community):
                return self
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"snmpsimd did not answer within {timeout} s; see {self.log}")

    def _write_variants(self, data):
        for i, ep in enumerate(self.endpoints):
            if ep not in self.variants:
                continue
            community, values = self.variants[ep]
            with open(os.path.join(data, community + ".snmprec"), encoding="utf-8",
                      errors="surrogateescape") as f:
                lines = f.read().split("\n")
            seen = set()
            for n, line in enumerate(lines):
                oid, _, rest = line.partition("|")
                if oid in values:  # a value, or (tag, value) to change its type too
                    tag, value = values[oid] if isinstance(values[oid], tuple) else \
                        (rest.split("|", 1)[0], values[oid])
                    lines[n] = f"{oid}|{tag}|{value}"
                    seen.add(oid)
            extra = [f"{oid}|{v[0]}|{v[1]}" for oid, v in values.items() if oid not in seen]
            if extra:  # snmpsimd answers GETNEXT from the file's order: keep it in OID order
                key = lambda ln: [int(x) for x in ln.partition("|")[0].split(".")]
                lines = sorted([ln for ln in lines if ln.strip()] + extra, key=key)
            # snmpsimd looks for <context>/<transport ID>, its context being the MD5 of the
            # community; udp endpoints are numbered from 0 in the order they are given
            ctx = hashlib.md5(community.encode()).hexdigest()
            os.makedirs(os.path.join(data, ctx), exist_ok=True)
            path = os.path.join(data, ctx, f"1.3.6.1.6.1.1.{i}.snmprec")
            with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write("\n".join(lines))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        shutil.rmtree(self.workdir, ignore_errors=True)


class _Portal(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/moved"):
            self.send_response(302)
            self.send_header("Location", "/")
            self.end_headers()
            return
        code = 503 if self.path.startswith("/down") else 200
        body = "<html><body>Cổng thông tin điện tử xã</body></html>".encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start_portals(port=0):
    """Communes' web portals on 127.0.0.1:port (0: any free one): every page is served, except
    /down… (503) and /moved… (a redirect to /). Returns the server; .shutdown() stops it."""
    srv = ThreadingHTTPServer(("127.0.0.1", port), _Portal)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv
