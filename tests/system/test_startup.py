"""Clear errors at start-up: each daemon, started with one fault in its configuration or its
environment, prints one log line naming the cause (the file, folder or port, and the system's
reason) and the fix, and exits with status 1. No SNMP agent is needed: the districts here
have no devices."""
import fcntl
import os
import pathlib
import re
import socket
import subprocess
import time

import pytest

from conftest import Daemon, District, free_port, http

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (hbmon-collector|hbmon-probe) "
                      r"(error|warning|info|debug): ([a-z]+): (.+)$")
# What a daemon may print before its error: the probe checks its profiles' MIB names while it
# reads its configuration, and says so. Nothing else.
BANNERS = [re.compile(r" info: probe: profiles: \d+ MIB names checked against ")]
SITE_TYPES = "[site-type one-stop]\npc = 1\n"
SECRET = "c2VjcmV0LWZvci10aGUtdGVzdHMtb25seQ"
AS_ROOT = os.geteuid() == 0
# root reads and writes whatever the mode bits say: the daemon runs without the capabilities
# that allow it, so that chmod 000 means to it what it means to the hbmon user
DROP_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search",
            "--inh-caps", "-dac_override,-dac_read_search", "--"]
DROP_BIND = ["setpriv", "--bounding-set", "-net_bind_service", "--inh-caps",
             "-net_bind_service", "--"]


class Site(District):
    """A district without devices, its probe's secret written, files edited one option at a
    time; held holds what a case keeps open while the daemon starts (a socket, a lock)."""

    def __init__(self, root):
        super().__init__(root, [], SITE_TYPES)
        self.argv_conf = self.conf
        self.held = []
        self.path("probe.secret").write_text(SECRET + "\n")
        os.chmod(self.path("probe.secret"), 0o600)

    def path(self, name):
        return pathlib.Path(self.root) / name

    def set(self, section, key, value):
        """key = value in [section], replacing the one there."""
        lines = self.path("hbmon.conf").read_text(encoding="utf-8").splitlines()
        start = lines.index(f"[{section}]") if f"[{section}]" in lines else None
        if start is None:
            lines += [f"[{section}]", f"{key} = {value}"]
        else:
            end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")),
                       len(lines))
            body = [l for l in lines[start + 1:end] if l.split("=")[0].strip() != key]
            lines[start + 1:end] = [f"{key} = {value}"] + body
        self.path("hbmon.conf").write_text("\n".join(lines) + "\n", encoding="utf-8")

    def release(self):
        for h in self.held:
            if isinstance(h, int):
                os.close(h)
            else:
                h.close()


def tls_pair(bindir, where):
    """A key and its certificate, as `hbmon-collector init` writes them for a site."""
    r = subprocess.run([os.path.join(bindir, "hbmon-collector"), "init", "--host", "127.0.0.1",
                        str(where)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    return where / "tls.crt", where / "tls.key"


def use_tls(s, bindir, cert=None, key=None):
    c, k = tls_pair(bindir, s.path("pair"))
    s.set("collector", "tls_cert", cert or c)
    s.set("collector", "tls_key", key or k)
    return c, k


def garbage(path, text="this is not what was expected\n" * 40):
    path.write_text(text)
    return path


def folder(path):
    if path.exists():
        path.unlink()
    path.mkdir()
    return path


def hold_port(s):
    sock = socket.socket()
    sock.bind(("127.0.0.1", s.port))
    sock.listen()
    s.held.append(sock)


def hold_lock(s, path, directory=False):
    """The lock a running daemon holds (flock), taken here instead."""
    if directory:
        path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    s.held.append(fd)


def mismatched_pair(s, bindir):
    cert, _ = tls_pair(bindir, s.path("one"))
    _, key = tls_pair(bindir, s.path("other"))
    use_tls(s, bindir, cert, key)


def damaged_cert(s, bindir):
    c, _ = use_tls(s, bindir)
    c.write_text("-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n"
                 "-----END CERTIFICATE-----\n")


def smtp_password_readable(s):
    s.set("alerts", "smtp_password", "s3cret-mail-pass")
    os.chmod(s.conf, 0o644)


def probe_https(s, ca):
    s.set("probe", "collector_url", f"https://127.0.0.1:{s.port}/api/v1/ingest")
    s.set("probe", "ca_file", ca)


def damaged_store(s):
    s.path("data").mkdir()
    garbage(s.path("data/hbmon.db"))


def unwritable(path):
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o500)


# (id, daemon, fault (site, bindir), what runs it (None, DROP_DAC, DROP_BIND), words of the
# line: the cause and the fix; {root} is the district's folder, {port} its port)
COLLECTOR = "hbmon-collector"
PROBE = "hbmon-probe"
CASES = [
    # the configuration
    ("config missing", COLLECTOR,
     lambda s, b: setattr(s, "argv_conf", str(s.path("nothere.conf"))), None,
     ["{root}/nothere.conf: cannot open the configuration: No such file or directory",
      "'hbmon-collector init DIR' writes one", "-c FILE"]),
    ("config unreadable", COLLECTOR, lambda s, b: os.chmod(s.conf, 0), DROP_DAC,
     ["{root}/hbmon.conf: cannot open the configuration: Permission denied",
      "let the user hbmon-collector runs as read it", "chmod g+r {root}/hbmon.conf"]),
    ("config is a folder", COLLECTOR,
     lambda s, b: setattr(s, "argv_conf", str(folder(s.path("conf.d")))), None,
     ["{root}/conf.d: is a folder, not the configuration", "name the right file with -c FILE"]),
    ("config holds a password others can read", COLLECTOR,
     lambda s, b: smtp_password_readable(s), None,
     ["{root}/hbmon.conf:", "smtp_password: this file holds a secret but other users can read "
      "it", "chmod o-rwx {root}/hbmon.conf"]),
    # the files it names
    ("credentials readable by others", COLLECTOR,
     lambda s, b: os.chmod(s.path("credentials.conf"), 0o644), None,
     ["{root}/credentials.conf: holds SNMP secrets but other users can read it (chmod 600)"]),
    ("credentials missing", COLLECTOR, lambda s, b: s.path("credentials.conf").unlink(), None,
     ["{root}/credentials.conf: cannot open the SNMP credentials: No such file or directory",
      "create it ('hbmon-collector init DIR' writes one, mode 600)", "[general] credentials"]),
    ("credentials unreadable", COLLECTOR,
     lambda s, b: os.chmod(s.path("credentials.conf"), 0), DROP_DAC,
     ["{root}/credentials.conf: cannot open the SNMP credentials: Permission denied",
      "chown hbmon {root}/credentials.conf; chmod 600 {root}/credentials.conf"]),
    ("inventory missing", COLLECTOR, lambda s, b: s.path("inventory.csv").unlink(), None,
     ["{root}/inventory.csv: cannot open the inventory: No such file or directory",
      "point [general] inventory at the right file"]),
    ("inventory is a folder", COLLECTOR, lambda s, b: folder(s.path("inventory.csv")), None,
     ["{root}/inventory.csv: is a folder, not the inventory",
      "point [general] inventory at the right file"]),
    ("holidays missing", COLLECTOR,
     lambda s, b: s.set("working-hours", "holidays", s.path("holidays.txt")), None,
     ["{root}/holidays.txt: cannot open the holidays: No such file or directory",
      "[working-hours] holidays"]),
    ("dashboards folder wrong", COLLECTOR,
     lambda s, b: s.set("general", "dashboards_dir", s.path("nodash")), None,
     ["{root}/nodash: cannot read the dashboards' message catalogues",
      "No such file or directory", "point [general] dashboards_dir at the dashboards folder"]),
    # the data directory
    ("data directory cannot be made", COLLECTOR,
     lambda s, b: s.set("general", "data_dir", s.path("nowhere/data")), None,
     ["{root}/nowhere/data: cannot create the data directory: its parent folder does not "
      "exist", "mkdir -p {root}/nowhere/data", "[general] data_dir"]),
    ("data directory not writable", COLLECTOR, lambda s, b: unwritable(s.path("data")),
     DROP_DAC,
     ["{root}/data: cannot write in the data directory: Permission denied",
      "chown -R hbmon {root}/data"]),
    ("data directory is a file", COLLECTOR, lambda s, b: garbage(s.path("data")), None,
     ["{root}/data: is a file, not the data directory", "move it aside",
      "[general] data_dir"]),
    ("data directory in use", COLLECTOR,
     lambda s, b: hold_lock(s, s.path("data/hbmon.lock")), None,
     ["{root}/data: another hbmon-collector uses this data directory (stop it first"]),
    ("event store damaged", COLLECTOR,
     lambda s, b: damaged_store(s), None,
     ["{root}/data/hbmon.db: the event store is damaged or not hbmon's",
      "restore it from a backup, or move it aside"]),
    ("rrdcached not running", COLLECTOR,
     lambda s, b: s.set("collector", "rrdcached", f"unix:{s.path('rrdcached.sock')}"), None,
     ["[collector] rrdcached:", "{root}/rrdcached.sock: No such file or directory",
      "start rrdcached there, or leave rrdcached empty"]),
    # the listening port
    ("port in use", COLLECTOR, lambda s, b: hold_port(s), None,
     ["cannot listen on 127.0.0.1:{port}: Address already in use",
      "choose another [collector] listen_port, or stop what uses it"]),
    ("port needs a privilege", COLLECTOR, lambda s, b: s.set("collector", "listen_port", 1),
     DROP_BIND,
     ["cannot listen on 127.0.0.1:1: Permission denied",
      "choose a [collector] listen_port from 1024 up"]),
    # the TLS certificate and key
    ("certificate missing", COLLECTOR,
     lambda s, b: use_tls(s, b, cert=s.path("nothere.crt")), None,
     ["{root}/nothere.crt: cannot open the TLS certificate: No such file or directory",
      "'hbmon-collector init DIR' writes a key and certificate", "[collector] tls_cert"]),
    ("certificate not PEM", COLLECTOR,
     lambda s, b: use_tls(s, b, cert=garbage(s.path("junk.crt"))), None,
     ["{root}/junk.crt: not a PEM file", "writes a key and certificate"]),
    ("certificate damaged", COLLECTOR, damaged_cert, None,
     ["{root}/pair/tls.crt: not a certificate GnuTLS can read",
      "put the site's certificate there in PEM form"]),
    ("certificate unreadable", COLLECTOR,
     lambda s, b: os.chmod(use_tls(s, b)[0], 0), DROP_DAC,
     ["{root}/pair/tls.crt: cannot open the TLS certificate: Permission denied",
      "chmod g+r {root}/pair/tls.crt"]),
    ("key readable by others", COLLECTOR,
     lambda s, b: os.chmod(use_tls(s, b)[1], 0o644), None,
     ["{root}/pair/tls.key: a private key others can read (chmod 600"]),
    ("key of another certificate", COLLECTOR, mismatched_pair, None,
     ["{root}/one/tls.crt, {root}/other/tls.key: the key is not the certificate's",
      "must be a certificate and its own key"]),

    # the probe: configuration, credentials, secret, collector URL and certificate, spool
    ("config missing", PROBE,
     lambda s, b: setattr(s, "argv_conf", str(s.path("nothere.conf"))), None,
     ["{root}/nothere.conf: cannot open the configuration: No such file or directory",
      "-c FILE"]),
    ("config unreadable", PROBE, lambda s, b: os.chmod(s.conf, 0), DROP_DAC,
     ["{root}/hbmon.conf: cannot open the configuration: Permission denied",
      "let the user hbmon-probe runs as read it"]),
    ("credentials readable by others", PROBE,
     lambda s, b: os.chmod(s.path("credentials.conf"), 0o604), None,
     ["{root}/credentials.conf: holds SNMP secrets but other users can read it (chmod 600)"]),
    ("inventory missing", PROBE, lambda s, b: s.path("inventory.csv").unlink(), None,
     ["{root}/inventory.csv: cannot open the inventory: No such file or directory"]),
    ("profiles missing", PROBE, lambda s, b: s.set("probe", "profiles", s.path("noprof")),
     None,
     ["{root}/noprof: cannot read the profiles folder: No such file or directory",
      "point [probe] profiles at it"]),
    ("secret missing", PROBE, lambda s, b: s.path("probe.secret").unlink(), None,
     ["{root}/probe.secret: no secret for probe district",
      "'hbmon-collector probe add district --secret-file FILE'"]),
    ("secret readable by others", PROBE, lambda s, b: os.chmod(s.path("probe.secret"), 0o640),
     None, ["{root}/probe.secret: holds a secret but other users can read it (chmod 600)"]),
    ("secret unreadable", PROBE, lambda s, b: os.chmod(s.path("probe.secret"), 0), DROP_DAC,
     ["{root}/probe.secret: cannot open the secret: Permission denied",
      "chown hbmon {root}/probe.secret"]),
    ("collector URL in clear to another machine", PROBE,
     lambda s, b: s.set("probe", "collector_url", "http://10.20.30.40:8080/api/v1/ingest"),
     None,
     ["[probe] collector_url:", "plain http only to this machine", "use https:// and ca_file"]),
    ("collector URL not a URL", PROBE,
     lambda s, b: s.set("probe", "collector_url", "collector.huyen.gov.vn"), None,
     ["[probe] collector_url: \"collector.huyen.gov.vn\" is not a URL",
      "expected https://COLLECTOR:PORT/api/v1/ingest"]),
    ("collector URL not the ingest address", PROBE,
     lambda s, b: s.set("probe", "collector_url", "https://collector.huyen.gov.vn:8080/"), None,
     ["[probe] collector_url: \"https://collector.huyen.gov.vn:8080/\": the collector's "
      "ingest address ends in /api/v1/ingest"]),
    ("collector certificate missing", PROBE,
     lambda s, b: probe_https(s, s.path("collector.crt")), None,
     ["{root}/collector.crt: cannot open the collector's certificate: No such file or "
      "directory", "copy the collector's tls.crt there"]),
    ("collector certificate not one", PROBE,
     lambda s, b: probe_https(s, garbage(s.path("collector.crt"))), None,
     ["{root}/collector.crt: [probe] ca_file: not a PEM certificate",
      "copy the collector's tls.crt there"]),
    ("data directory cannot be made", PROBE,
     lambda s, b: s.set("general", "data_dir", s.path("nowhere/data")), None,
     ["{root}/nowhere/data: cannot create the data directory (the probe's spool goes under "
      "it): its parent folder does not exist", "mkdir -p {root}/nowhere/data"]),
    ("spool not writable", PROBE,
     lambda s, b: (unwritable(s.path("spool")), s.set("probe", "spool_dir", s.path("spool"))),
     DROP_DAC,
     ["{root}/spool: cannot write in the probe's spool: Permission denied",
      "chown -R hbmon {root}/spool"]),
    ("spool is a file", PROBE,
     lambda s, b: s.set("probe", "spool_dir", garbage(s.path("spool"))), None,
     ["{root}/spool: is a file, not the probe's spool", "[probe] spool_dir"]),
    ("spool in use", PROBE,
     lambda s, b: (hold_lock(s, s.path("spool"), directory=True),
                   s.set("probe", "spool_dir", s.path("spool"))), None,
     ["{root}/spool: another hbmon-probe uses this spool: stop it first",
      "its own [probe] name or spool_dir"]),
]


def runner_works(prefix):
    """setpriv is there and may drop what it is asked to (a container may refuse)."""
    try:
        return subprocess.run(prefix + ["true"], capture_output=True, timeout=10).returncode == 0
    except OSError:
        return False


def start(bindir, prog, s, prefix=()):
    t0 = time.time()
    r = subprocess.run(list(prefix) + [os.path.join(bindir, prog), "-c", s.argv_conf],
                       capture_output=True, text=True, timeout=30)
    return r, time.time() - t0


def the_error_line(stderr):
    """The daemon's one error line; everything else it printed must be a known banner."""
    lines = stderr.splitlines()
    assert lines, "nothing printed"
    for l in lines:
        assert LOG_LINE.match(l), f"not a log line: {l!r}\n{stderr}"
    errors = [l for l in lines if LOG_LINE.match(l).group(2) == "error"]
    assert len(errors) == 1, stderr
    assert lines[-1] == errors[0], "lines after the error:\n" + stderr
    for l in lines[:-1]:
        assert any(b.search(l) for b in BANNERS), f"more than one line: {l!r}\n{stderr}"
    return errors[0]


@pytest.mark.parametrize("what,prog,fault,prefix,words", CASES,
                         ids=[f"{c[1].split('-')[1]}: {c[0]}" for c in CASES])
def test_startup_failure_is_one_clear_line(bindir, tmp_path, what, prog, fault, prefix, words):
    if not AS_ROOT:
        prefix = None  # the mode bits and the port's privilege stop this user already
    if prefix and not runner_works(prefix):
        pytest.skip("running as root, and setpriv cannot drop the capabilities that ignore "
                    "file modes here")
    if prefix is DROP_BIND and int(open("/proc/sys/net/ipv4/ip_unprivileged_port_start")
                                   .read()) <= 1:
        pytest.skip("every port is open to every user on this machine")
    s = Site(str(tmp_path))
    try:
        fault(s, bindir)
        r, took = start(bindir, prog, s, prefix or ())
    finally:
        s.release()
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert took < 10, took
    assert r.stdout == "", r.stdout
    line = the_error_line(r.stderr)
    for w in words:
        w = w.format(root=tmp_path, port=s.port)
        assert w in line, f"{w!r} not in\n{line}"
    assert "--check-config lists" not in line  # one fault, one error: nothing follows from it
    assert "s3cret-mail-pass" not in r.stderr and SECRET not in r.stderr


def test_collector_starts_without_the_faults(bindir, tmp_path):
    """The district the cases break, unbroken: the collector serves, and stops cleanly."""
    s = Site(str(tmp_path))
    d = Daemon([os.path.join(bindir, COLLECTOR), "-c", s.conf], str(tmp_path / "c.log"))
    try:
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if http(s.url("/login"), timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert d.alive(), d.output()
            time.sleep(0.1)
        else:
            raise AssertionError("collector did not start: " + d.output())
    finally:
        assert d.stop() == 0, d.output()
    assert " error: " not in d.output(), d.output()


def test_probe_starts_without_the_faults(bindir, tmp_path):
    """The probe of the same district runs (its collector away: not a start-up failure, its
    batches would wait in the spool) until told to stop."""
    s = Site(str(tmp_path))
    s.set("probe", "collector_url", f"http://127.0.0.1:{free_port()}/api/v1/ingest")
    d = Daemon([os.path.join(bindir, PROBE), "-c", s.conf], str(tmp_path / "p.log"))
    try:
        deadline = time.time() + 20
        while "polling 0 devices" not in d.output():
            assert d.alive() and time.time() < deadline, d.output()
            time.sleep(0.1)
        time.sleep(0.5)
        assert d.alive(), d.output()
    finally:
        assert d.stop() == 0, d.output()
    assert " error: " not in d.output(), d.output()
    # nothing but the probe's own log lines (net-snmp's MIB parser talks to stderr if let)
    for line in d.output().splitlines():
        assert LOG_LINE.match(line), line


def test_probe_with_an_assignment_that_does_not_fit_says_so_once(bindir, tmp_path):
    """The assignment cached from the collector names a credential this probe lacks: not a
    failure (the probe polls its own inventory), but one warning line with the reason."""
    s = Site(str(tmp_path))
    spool = s.path("spool")
    spool.mkdir(mode=0o700)
    s.set("probe", "spool_dir", spool)
    s.set("probe", "collector_url", f"http://127.0.0.1:{free_port()}/api/v1/ingest")
    (spool / "assignment.csv").write_text(
        "commune,site,site_type,device,class,address,snmp,contact\n"
        "Xã A,Một cửa,one-stop,PC 1,pc,127.0.0.9,nocred,\n"
        "Xã A,Một cửa,one-stop,PC 2,pc,127.0.0.10,nocred,\n", encoding="utf-8")
    d = Daemon([os.path.join(bindir, PROBE), "-c", s.conf], str(tmp_path / "p.log"))
    try:
        deadline = time.time() + 20
        while "polling 0 devices" not in d.output():
            assert d.alive() and time.time() < deadline, d.output()
            time.sleep(0.1)
    finally:
        assert d.stop() == 0, d.output()
    out = d.output()
    fit = [l for l in out.splitlines() if "does not fit this probe's configuration" in l]
    assert len(fit) == 1, out
    assert " warning: probe: assignment: " in fit[0] and "no credential [nocred]" in fit[0]
    assert "(and more)" in fit[0] and "polling the devices of" in fit[0], fit[0]
    assert " error: " not in out, out
