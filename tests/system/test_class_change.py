"""A device the inventory leaves without a class, replaced by another kind of device at the same
address (issue 17): the real probe polls snmpsim serving a printer's recording, then (snmpsim
restarted) a camera's under the same community. The probe keeps the printer's profile until
it has seen the camera on 3 polls in a row; meanwhile the device page says the device may have
been replaced ("2/3 lần"); once confirmed, the page says since when and what it was before,
the change is an event of the commune (/events, the commune page) with both classes in words,
and hbmon_device_class_changes_total counts it. The class, how sure, the vendor and the
reasons survive a restart of the collector. A device no rule gives a class is "Khác" named by
its maker."""
import json
import os
import re
import shutil
import time

import pytest

from conftest import Daemon, District, http, metric, start_collector
from simfleet import SHARED, SnmpSim
from test_device_page import COMMUNE, SITE_TYPES, device_text, no_raw_text, pages, probe_poll, \
    visible

try:
    import words
except ImportError:  # pragma: no cover
    words = None

EP = "127.92.17.1:1161"      # the printer, then the camera
EP_OTHER = "127.92.17.2:1161"  # a storage box: a maker the rules know, no class of its own
COMMUNITY = "dev/x"
# sysObjectID under Hitachi (vendors.conf: "other") and a plain description
HITACHI = ("camera/hikvision-ds7608-nvr", {"1.3.6.1.2.1.1.2.0": ("6", "1.3.6.1.4.1.116.3.11"),
                                           "1.3.6.1.2.1.1.1.0": ("4", "Storage controller 7")})


def start_sim(root, recording):
    """snmpsim answering COMMUNITY on EP with the recording, and the Hitachi box on EP_OTHER."""
    data = os.path.join(root, recording.replace("/", "-"))
    os.makedirs(os.path.join(data, "dev"), exist_ok=True)
    shutil.copy(os.path.join(SHARED, "devices", recording + ".snmprec"),
                os.path.join(data, "dev", "x.snmprec"))
    sim = SnmpSim([EP, EP_OTHER], data_dirs=[os.path.join(SHARED, "devices"), data],
                  variants={EP_OTHER: HITACHI})
    return sim.start(COMMUNITY)


def flat(page):
    return " ".join(visible(page).split())


def wait_page(d, name, want, timeout=90, seen=None):
    """The device page (vi, en) once its Vietnamese text holds want; every notice met on the
    way is added to seen."""
    deadline = time.time() + timeout
    while True:
        page = pages(d, name)
        text = flat(page["vi"])
        if seen is not None:
            seen.update(re.findall(r"Có thể đã thay thế thiết bị: [^)]*\)", text))
        if want in text:
            return page
        assert time.time() < deadline, (want, text)
        time.sleep(0.2)


def test_replaced_device_noticed_reported_and_kept(bindir, tmp_path):
    devices = [
        {"commune": COMMUNE, "site": "Bộ phận một cửa", "site_type": "one-stop",
         "device": "Máy in tầng 1", "class": "", "address": EP, "snmp": "dev",
         "community": COMMUNITY, "contact": ""},
        {"commune": COMMUNE, "site": "Bộ phận một cửa", "site_type": "one-stop",
         "device": "Tủ lưu trữ", "class": "", "address": EP_OTHER, "snmp": "box",
         "community": HITACHI[0], "contact": ""},
    ]
    d = District(str(tmp_path), devices, SITE_TYPES)
    names = words.inventory_names(os.path.join(d.root, "inventory.csv")) if words else set()
    sim = start_sim(str(tmp_path), "printer/hp-laserjet-500")
    collector = start_collector(bindir, d)
    probe = None
    try:
        probe = Daemon([os.path.join(bindir, "hbmon-probe"), "-c", d.conf],
                       os.path.join(d.root, "probe.log"))
        page = wait_page(d, "Máy in tầng 1", "Máy in — tự nhận biết")
        assert "thay thế" not in flat(page["vi"])
        # no rule gives the box a class: "other", named by its maker, and how sure of that
        box = probe_poll(bindir, EP_OTHER, HITACHI[0])
        assert box["class_auto"] == "other" and box["class_vendor"] == "Hitachi", box
        other = pages(d, "Tủ lưu trữ")
        assert (f"Loại Khác (Hitachi) — tự nhận biết, chắc chắn {box['class_confidence']} %"
                in flat(other["vi"])), flat(other["vi"])
        assert (f"Class Other (Hitachi) — recognised automatically, "
                f"{box['class_confidence']} % sure" in flat(other["en"])), flat(other["en"])
        for lang in ("vi", "en"):
            no_raw_text(other[lang], lang, names | {"Storage controller 7", "Hitachi"}
                        | device_text(SHARED, HITACHI[0]))

        # the printer is replaced by a camera at the same address
        sim.stop()
        sim = start_sim(str(tmp_path), "camera/axis-m7011")
        camera = probe_poll(bindir, EP, COMMUNITY)
        assert camera["class_auto"] == "camera", camera
        seen = set()
        page = wait_page(d, "Máy in tầng 1", "Đã nhận là camera giám sát từ", seen=seen)
        # while it was being confirmed the page said so, with the polls counted
        assert seen and seen <= {
            f"Có thể đã thay thế thiết bị: lần đọc gần nhất thấy là camera giám sát ({n}/3 lần)"
            for n in (1, 2)}, seen
        vi, en = flat(page["vi"]), flat(page["en"])
        assert re.search(r"Đã nhận là camera giám sát từ [\d/ ]*\d\d:\d\d \(trước là máy in\)",
                         vi), vi
        assert re.search(r"Now recognised as: camera, since [\d/ ]*\d\d:\d\d "
                         r"\(before: printer\)", en), en
        sure = camera["class_confidence"]
        assert f"Loại Camera giám sát — tự nhận biết, chắc chắn {sure} %" in vi, vi
        assert "Có thể đã thay thế thiết bị" not in vi
        allow = names | device_text(SHARED, "camera/axis-m7011")
        for lang in ("vi", "en"):
            no_raw_text(page[lang], lang, allow)

        # reported: an event of the commune with both classes, counted
        event = ("Máy in tầng 1: nay nhận là camera giám sát (trước là máy in), có thể đã thay "
                 "thế thiết bị")
        events = flat(http(d.url("/events?kind=class_changed"))[2].decode())
        assert "Thay thiết bị" in events and event in events, events
        events_en = flat(http(d.url("/events?kind=class_changed&lang=en"))[2].decode())
        assert ("Máy in tầng 1: now recognised as: camera (before: printer), possibly "
                "replaced") in events_en, events_en
        assert metric(d, "hbmon_device_class_changes_total") == 1
        st, _, body = http(d.url("/api/v1/devices"))
        devs = {x["device"]: x for x in json.loads(body)}
        assert devs["Máy in tầng 1"]["class"] == "camera" and devs["Tủ lưu trữ"]["class"] == \
            "other", devs
        rec = devs["Máy in tầng 1"]["recognised"]
        assert rec["class"] == "camera" and rec["was"] == "printer" and rec["changed"], rec
        assert 0 <= rec["confidence"] <= 100 and rec["reasons"], rec
        assert devs["Tủ lưu trữ"]["recognised"]["vendor"] == "Hitachi", devs
        log = probe.output()
        assert "class changed from printer to camera" in log, log
    finally:
        if probe:
            assert probe.stop() == 0, probe.output()
        assert collector.stop() == 0, collector.output()
        sim.stop()

    # a restart: before any poll, the page still says what the probe recognised and why
    collector = start_collector(bindir, d)
    try:
        page = pages(d, "Máy in tầng 1")
        vi = flat(page["vi"])
        assert f"Loại Camera giám sát — tự nhận biết, chắc chắn {sure} %" in vi, vi
        assert re.search(r"Đã nhận là camera giám sát từ [\d/ ]*\d\d:\d\d \(trước là máy in\)",
                         vi), vi
        tech = re.search(r'<details class="tech">.*?</details>', page["vi"], re.S).group(0)
        assert "Căn cứ nhận biết loại thiết bị" in tech and "Axis" in tech, tech
        assert "Khác (Hitachi) — tự nhận biết" in flat(pages(d, "Tủ lưu trữ")["vi"])
        # the event is kept, the counter is this run's
        assert "Thay thiết bị" in flat(http(d.url("/events"))[2].decode())
    finally:
        assert collector.stop() == 0, collector.output()
