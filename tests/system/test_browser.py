"""The dashboard in a real browser (headless Chromium): device text stays text."""
import re

import pytest

from browser import Browser
from conftest import ADMIN, District, http, run_probe_once, start_collector
from test_end_to_end import SITE_TYPES, commune_page, devices

pytestmark = pytest.mark.one_build  # real time or outside programs: one build (conftest)


@pytest.fixture
def district(tmp_path, fleet):
    return District(str(tmp_path), devices(fleet["endpoints"]), SITE_TYPES)


def test_hostile_device_renders_as_text_in_chromium(bindir, district, tmp_path):
    if bindir.endswith("asan"):
        pytest.skip("the browser sees the same HTML from both builds; once is enough")
    collector = start_collector(bindir, district)
    try:
        run_probe_once(bindir, district)
        link = re.search(r'<a href="(/device/[^"]+)">PC hostile</a>',
                         commune_page(district)).group(1)
        with Browser(1000, 800) as b:
            assert b.login(district.url(""), *ADMIN) == "/"
            dom = b.dom(district.url(link))
            # parsed by the browser, the device's markup is text: no element came out of it
            assert "<script" not in dom.lower()
            assert "<img src=\"x\"" not in dom and "onerror=\"alert" not in dom
            assert "&lt;img src=x onerror=alert(document.cookie)&gt;" in dom
            assert "&lt;script&gt;alert('sysDescr')&lt;/script&gt;" in dom
            shot = b.screenshot("hostile-device")
            with open(shot, "rb") as f:
                assert f.read(4) == b"\x89PNG"
            # the overview as the browser builds it: the missed target, in Vietnamese
            dom = b.dom(district.url("/"))
            assert "Bộ phận một cửa: 0 máy quét hoạt động (cần 1)" in dom
    finally:
        assert collector.stop() == 0, collector.output()
