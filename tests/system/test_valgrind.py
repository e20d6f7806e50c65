"""Valgrind memcheck over a short run of both daemons: the probe polls the simulated fleet
once and posts; the collector stores it, serves pages, a graph and the API, then stops. Any
invalid read or write, use of uninitialised memory or definite leak fails the test. (The
sanitizer build covers the rest of the suite; memcheck also sees what ASan's instrumentation
cannot, such as uninitialised reads inside libraries.)"""
import os
import re
import shutil
import subprocess
import time

import pytest

from conftest import TOP, Daemon, District, http, issue_secrets
from test_end_to_end import SITE_TYPES, devices

VALGRIND = ["valgrind", "--error-exitcode=99", "--leak-check=full",
            "--errors-for-leak-kinds=definite", "--show-leak-kinds=definite",
            "--track-origins=yes", "--num-callers=30",
            f"--suppressions={TOP}/tests/valgrind.supp"]


def memcheck(argv, log):
    return VALGRIND + [f"--log-file={log}"] + argv


def report(log):
    with open(log, encoding="utf-8", errors="replace") as f:
        return f.read()


@pytest.fixture
def district(tmp_path, fleet):
    return District(str(tmp_path), devices(fleet["endpoints"]), SITE_TYPES)


@pytest.mark.skipif(not shutil.which("valgrind"), reason="needs valgrind (make deps)")
def test_daemons_under_memcheck(bindir, district):
    if bindir.endswith("asan"):
        pytest.skip("memcheck runs the normal build (it cannot run a sanitizer build)")
    issue_secrets(bindir, district)
    clog = os.path.join(district.root, "collector.memcheck")
    c = Daemon(memcheck([os.path.join(bindir, "hbmon-collector"), "-c", district.conf], clog),
               os.path.join(district.root, "collector.log"))
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if http(district.url("/login"), timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            assert c.alive(), c.output() + report(clog)
            time.sleep(0.5)
        plog = os.path.join(district.root, "probe.memcheck")
        r = subprocess.run(memcheck([os.path.join(bindir, "hbmon-probe"), "-c", district.conf,
                                     "--once"], plog), capture_output=True, text=True,
                           timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr + report(plog)
        html = http(district.url("/"), timeout=60)[2].decode()
        commune = re.search(r'<a href="(/commune/[^"]+)">', html).group(1)
        html = http(district.url(commune), timeout=60)[2].decode()
        link = re.search(r'<a href="(/device/[^"]+)">', html).group(1)
        assert http(district.url(link), timeout=60)[0] == 200
        for path in ("/api/v1/readiness", "/api/v1/devices", "/metrics"):
            assert http(district.url(path), timeout=60)[0] == 200, path
        graph = re.search(r'<img[^>]+src="(/graph/[^"]+)"', http(district.url(link))[2].decode())
        assert graph, "the device page shows no graph"
        st, hdr, _ = http(district.url(graph.group(1).replace("&amp;", "&")), timeout=120)
        assert st == 200 and hdr["Content-Type"] == "image/png", graph.group(1)
    finally:
        rc = c.stop()
    assert rc == 0, c.output() + report(clog)
    assert "ERROR SUMMARY: 0 errors" in report(clog), report(clog)
    assert "ERROR SUMMARY: 0 errors" in report(plog), report(plog)
