"""The dashboard in a real browser (headless Chromium): device text stays text."""
import os
import re
import shutil
import subprocess
import tempfile

import pytest

from conftest import District, http, run_probe_once, start_collector
from test_end_to_end import SITE_TYPES, devices

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


def chromium(*args):
    exe = shutil.which("chromium")
    assert exe, "chromium is missing: run make deps"
    profile = tempfile.mkdtemp(prefix="hbmon-chromium-")
    try:
        r = subprocess.run([exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                           capture_output=True, timeout=120)
        return r
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def district(tmp_path, fleet):
    return District(str(tmp_path), devices(fleet["endpoints"]), SITE_TYPES)


def test_hostile_device_renders_as_text_in_chromium(bindir, district, tmp_path):
    if bindir.endswith("asan"):
        pytest.skip("the browser sees the same HTML from both builds; once is enough")
    collector = start_collector(bindir, district)
    try:
        run_probe_once(bindir, district)
        html = http(district.url("/"))[2].decode("utf-8")
        link = re.search(r'<a href="(/device/[^"]+)">PC hostile</a>', html).group(1)
        dom = chromium("--dump-dom", district.url(link)).stdout.decode("utf-8", "replace")
        # parsed by the browser, the device's markup is text: no element came out of it
        assert "<script" not in dom.lower()
        assert "<img src=\"x\"" not in dom and "onerror=\"alert" not in dom
        assert "&lt;img src=x onerror=alert(document.cookie)&gt;" in dom
        assert "&lt;script&gt;alert('sysDescr')&lt;/script&gt;" in dom
        shot = tmp_path / "device.png"
        chromium("--window-size=1000,800", f"--screenshot={shot}", district.url(link))
        assert shot.exists() and shot.read_bytes()[:4] == b"\x89PNG"
        # the overview as the browser builds it: the missed target, in Vietnamese
        dom = chromium("--dump-dom", district.url("/")).stdout.decode("utf-8", "replace")
        assert "Bộ phận một cửa: 0 máy quét hoạt động (cần 1)" in dom
    finally:
        assert collector.stop() == 0, collector.output()
