"""The device page in words (../shared/VOCABULARY.md): the real probe polls snmpsim recordings,
sends each enumerated value's MIB label beside its number (wire part "e", profiles/enums.conf),
the collector keeps it in the device's state and the page shows the catalogue's words: "Đăng ký
SIP: lỗi", "Trạng thái: đang chạy", durations ("1 giờ 49 phút"), rounded numbers with their
units, "Tên thiết bị (SNMP)", the OID only in the collapsed technical details, a ping-only
device's address without a port. Also: enums.conf mistakes reported by --check-config with
their file and line."""
import glob
import html as htmlmod
import json
import os
import re
import shutil
import subprocess

import pytest

from conftest import TOP, District, http, run_probe_once, snmprec, start_collector

try:  # the shared checker of read text (tests/system/words.py), when the tree has it
    import words
except ImportError:  # pragma: no cover
    words = None

SITE_TYPES = """
[site-type one-stop]
label_vi = Bộ phận một cửa
label_en = one-stop office
hours = always
pc = 1
printer = 1
attendance = 1
[site-type meeting-room]
label_vi = Phòng họp trực tuyến
label_en = online meeting room
hours = always
vc = 1
"""
COMMUNE = "Xã Tân Phú"
PING_ONLY = "127.77.1.11"


def devices(eps):
    def dev(name, cls, ep, community, site="Bộ phận một cửa", stype="one-stop"):
        return {"commune": COMMUNE, "site": site, "site_type": stype, "device": name,
                "class": cls, "address": ep, "snmp": community.replace("/", "-"),
                "community": community, "contact": "vanphong@example.gov.vn"}
    return [
        dev("Máy tính văn thư", "pc", eps[0], "pc/linux-desktop"),
        dev("Máy in HP", "printer", eps[3], "printer/hp-laserjet-500"),
        dev("Poly X50", "vc", eps[5], "vc/poly-studio-x50", "Phòng họp", "meeting-room"),
        # no SNMP: checked by ICMP echo only (the kernel answers for any 127/8 address)
        {"commune": COMMUNE, "site": "Bộ phận một cửa", "site_type": "one-stop",
         "device": "Máy chấm công", "class": "attendance", "address": PING_ONLY, "snmp": ""},
    ]


@pytest.fixture
def district(tmp_path, fleet):
    return District(str(tmp_path), devices(fleet["endpoints"]), SITE_TYPES)


def device_text(shared, key):
    """What the device itself says (its strings: sysName, sysDescr, disk and supply names …):
    allowed verbatim on the page, the district did not choose those words."""
    rec = snmprec(os.path.join(shared, "devices", key + ".snmprec"))
    out = set()
    for typ, val in rec.values():
        if typ == "4":
            out.add(val)
        elif typ == "4x":
            try:
                out.add(bytes.fromhex(val).decode("utf-8"))
            except ValueError:
                pass
    return {" ".join(s.split()) for s in out if s.strip()}


def rec_str(rec, oid):
    """A recording's string value, hex (type 4x) decoded."""
    typ, val = rec[oid]
    return bytes.fromhex(val).decode("utf-8") if typ.endswith("x") else val


def visible(page):
    """The text a person reads, the collapsed technical details left out."""
    if words:
        return words.visible_text(page)
    page = re.sub(r'<details class="tech">.*?</details>', "", page, flags=re.S)
    page = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", page, flags=re.S)
    return htmlmod.unescape(re.sub(r"<[^>]+>", " ", page))


def pages(district, name):
    """{lang: device page HTML} of the device named."""
    overview = http(district.url("/"))[2].decode("utf-8")
    commune = re.search(r'<a href="(/commune/[^"?]+)">', overview).group(1)  # its page
    page = http(district.url(commune))[2].decode("utf-8")
    link = re.search(rf'<a href="(/device/[^"]+)">{re.escape(name)}</a>', page).group(1)
    out = {}
    for lang in ("vi", "en"):
        url = link + ("?lang=en" if lang == "en" else "")
        status, _, body = http(district.url(url))
        assert status == 200, (name, lang, status)
        out[lang] = body.decode("utf-8")
    return out


def no_raw_text(page, lang, allow):
    text = visible(page)
    # what the issue names: field dumps, MIB names as labels, OIDs, unrounded decimals
    for bad in ("status: 2", "sysDescr", "sysName", "sysObjectID", "mem_kb", "rtt_ms",
                "uptime:", " d ", "HOST-RESOURCES"):
        assert bad not in text, (bad, text)
    assert not re.search(r"(?<![\d.])1\.3\.6\.1(\.\d+)+", text), text
    assert not re.search(r"(?<![\w.,])\d+[.,]\d{3,}(?![\w.,]?\d)",
                         re.sub(r"\b[1-9]\d{0,2}(?:[.,]\d{3})+\b", "N", text)), text
    if words:
        found = words.identifier_tokens(text, lang, allow)
        assert not found, [(f.token, f.rule, f.context) for f in found]


def test_device_pages_in_words(bindir, district, fleet):
    collector = start_collector(bindir, district)
    try:
        run_probe_once(bindir, district)
        names = words.inventory_names(os.path.join(district.root, "inventory.csv")) \
            if words else set()
        shared = fleet["shared"]

        # the Poly: SIP registration failed (3), H.323 service ok (2), overall ok (2)
        poly = pages(district, "Poly X50")
        allow = names | device_text(shared, "vc/poly-studio-x50")
        vi, en = visible(poly["vi"]), visible(poly["en"])
        assert re.search(r"Đăng ký SIP</a>: <span class=\"bad\">lỗi</span>", poly["vi"])
        assert re.search(r"SIP registration</a>: <span class=\"bad\">failed</span>", poly["en"])
        assert "H.323: bình thường" in vi and "H.323: normal" in en
        assert "Trạng thái chung: bình thường" in vi
        assert "Đăng ký H.323: đã tắt" in vi and "H.323 registration: disabled" in en
        assert "Tốc độ: 1000 Mbit/s" in vi
        for lang in ("vi", "en"):
            no_raw_text(poly[lang], lang, allow)

        # a printer: hrDeviceStatus running (2), hrDeviceType hrDevicePrinter, toner in %
        printer = pages(district, "Máy in HP")
        vi, en = visible(printer["vi"]), visible(printer["en"])
        assert "Trạng thái: đang chạy" in vi and "Status: running" in en
        assert "Loại: máy in" in vi and "Type: printer" in en
        assert "Vật tư: hộp mực" in vi and "Còn lại: 78 %" in vi
        assert "Tổng số đã in: 72.864" in vi and "Printed in its life: 72,864" in en
        # what it is: the model from its first hrDevice row, the serial from Printer-MIB
        prec = snmprec(os.path.join(shared, "devices", "printer", "hp-laserjet-500.snmprec"))
        assert f"Kiểu máy {rec_str(prec, '1.3.6.1.2.1.25.3.2.1.3.1')}" in " ".join(vi.split())
        assert f"Số sê-ri {rec_str(prec, '1.3.6.1.2.1.43.5.1.1.17.1')}" in " ".join(vi.split())
        assert "Serial number CNCCF1K2L8" in " ".join(en.split())
        allow = names | device_text(shared, "printer/hp-laserjet-500")
        for lang in ("vi", "en"):
            no_raw_text(printer[lang], lang, allow)

        # a PC: identity in words, uptime and memory as people write them, disks by kind
        pc = pages(district, "Máy tính văn thư")
        vi, en = visible(pc["vi"]), visible(pc["en"])
        rec = snmprec(os.path.join(shared, "devices", "pc", "linux-desktop.snmprec"))
        assert "Tên thiết bị (SNMP)" in vi and rec_str(rec, "1.3.6.1.2.1.1.5.0") in vi
        assert "Mô tả" in vi and "Device name (SNMP)" in en
        # no model object: sysDescr's first words; no serial object: no serial row
        descr = rec_str(rec, "1.3.6.1.2.1.1.1.0")
        model = re.search(r"Kiểu máy\s*\n?\s*([^\n]+)", vi).group(1).strip()
        assert descr.startswith(model) and 8 <= len(model) <= 60, (model, descr)
        assert "Số sê-ri" not in vi
        assert re.search(r"Hoạt động liên tục\s*\n?\s*\d+ (ngày|giờ|phút|giây)", vi), vi
        assert re.search(r"Up for\s*\n?\s*\d+ (days?|h|min|s)\b", en), en
        assert re.search(r"Bộ nhớ: \d+(,\d)? (MB|GB)", vi), vi
        assert "Loại: ổ đĩa cứng" in vi and "Type: fixed disk" in en
        assert re.search(r"Tỷ lệ đã dùng</a>: \d+(,\d)? %", pc["vi"])
        ports = sum(1 for o in rec if o.startswith("1.3.6.1.2.1.2.2.1.1."))
        assert re.search(rf"\d+ cổng đang kết nối \(trên tổng {ports}\)", vi), vi
        assert re.search(rf"\d+ ports connected \(of {ports}\)", en), en
        # times as a table shows them: today's time, how long ago
        assert re.search(r"Phản hồi lần cuối\s*\n?\s*\d\d:\d\d:\d\d \((vừa xong|\d+ phút trước)\)",
                         vi), vi
        # the OID is there for a technician, collapsed under Thông tin kỹ thuật
        tech = re.search(r'<details class="tech"><summary>Thông tin kỹ thuật</summary>(.*?)'
                         r"</details>", pc["vi"], re.S)
        assert tech and rec_str(rec, "1.3.6.1.2.1.1.2.0").lstrip(".") in tech.group(1)
        allow = names | device_text(shared, "pc/linux-desktop")
        for lang in ("vi", "en"):
            no_raw_text(pc[lang], lang, allow)

        # the ping-only device: its address says how it is checked, no SNMP port
        att = pages(district, "Máy chấm công")
        vi, en = visible(att["vi"]), visible(att["en"])
        assert f"{PING_ONLY} (kiểm tra bằng ping)" in vi and f"{PING_ONLY} (checked by ping)" in en
        assert f"{PING_ONLY}:" not in vi and "Thông tin kỹ thuật" not in vi
        assert "cổng đang kết nối" not in vi  # no interface table: nothing said
        for lang in ("vi", "en"):
            no_raw_text(att[lang], lang, names)

        # the commune page: each device's key figures beside its line of the day
        overview = http(district.url("/"))[2].decode("utf-8")
        link = re.search(r'<a href="(/commune/[^"?]+)">', overview).group(1)
        commune = visible(http(district.url(link))[2].decode("utf-8"))
        flat = " ".join(commune.split())
        assert "Chỉ số chính" in flat and "HP LaserJet 500 color M551" in flat, flat
        assert re.search(r"phản hồi \d+ ms · \d+/\d+ cổng kết nối · chạy liên tục \d+", flat), flat
        commune_en = visible(http(district.url(link + "?lang=en"))[2].decode("utf-8"))
        assert re.search(r"answers in \d+ ms · \d+/\d+ ports connected", commune_en), commune_en
        for lang, page in (("vi", commune), ("en", commune_en)):
            no_raw_text(page, lang, names | device_text(shared, "printer/hp-laserjet-500")
                        | device_text(shared, "pc/linux-desktop")
                        | device_text(shared, "vc/poly-studio-x50"))

        # the collector keeps the labels in the device's state (for reasons and mails too)
        status, _, body = http(district.url("/api/v1/devices"))
        assert status == 200 and json.loads(body)
    finally:
        assert collector.stop() == 0, collector.output()


def check_config(bindir, district):
    return subprocess.run([os.path.join(bindir, "hbmon-probe"), "-c", district.conf,
                           "--check-config"], capture_output=True, text=True, timeout=60)


def test_enums_conf_mistakes_are_named_with_file_and_line(bindir, tmp_path):
    prof = tmp_path / "profiles"
    shutil.copytree(os.path.join(TOP, "profiles"), prof)
    path = prof / "enums.conf"
    text = path.read_text(encoding="utf-8")
    # a section missing (identityStatus is polled by vc.conf), a stale label (the MIB says
    # failed), and a hand-added vendor section with three mistakes
    text = re.sub(r"\[identityStatus\]\n(?:[^\n]+\n)+", "", text)
    text = text.replace("[hrDeviceStatus]\n1 = unknown\n", "[hrDeviceStatus]\n1 = unkown\n")
    path.write_text(text + "\n[vendorThingStatus]\n1 = fine\n1 = again\ntwo = ok\n"
                    "3 = <b>bad</b>\n", encoding="utf-8")
    lines = path.read_text(encoding="utf-8").split("\n")
    line = {s: lines.index(s) + 1 for s in ("1 = again", "two = ok", "3 = <b>bad</b>")}
    unkown = lines.index("1 = unkown") + 1
    d = District(str(tmp_path), [{"commune": COMMUNE, "site": "S", "site_type": "one-stop",
                                  "device": "PC", "class": "pc", "address": "127.0.0.1:1",
                                  "snmp": "c", "community": "public"}], SITE_TYPES,
                 extra=f"profiles = {prof}\nmib_dirs = {os.path.join(TOP, '..', 'shared', 'mibs')}\n")
    r = check_config(bindir, d)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert f"{path}:{line['1 = again']}: 1: given twice in [vendorThingStatus]" in out, out
    assert f"{path}:{line['two = ok']}: two: expected a number or a numeric OID" in out, out
    assert f"{path}:{line['3 = <b>bad</b>']}: 3: \"<b>bad</b>\" is not a MIB label" in out, out
    assert re.search(r"vc\.conf:\d+: status: identityStatus is an enum but .*enums\.conf has no "
                     r"\[identityStatus\]", out), out
    # the MIB check runs only over sound profiles: fix the others, then it names the label
    text = path.read_text(encoding="utf-8")
    text = text[:text.index("\n[vendorThingStatus]")] + "\n[identityStatus]\n1 = disabled\n" \
        "2 = ok\n3 = failed\n"
    path.write_text(text, encoding="utf-8")
    r = check_config(bindir, d)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert f"{path}:{unkown}: [hrDeviceStatus]: the MIB files name 1 unknown, enums.conf unkown" \
        in out, out


def probe_poll(bindir, ep, community):
    """What `hbmon-probe poll` says of the agent, classified by the rules (no class given)."""
    r = subprocess.run([os.path.join(bindir, "hbmon-probe"), "poll", ep, "-t", "2"],
                       capture_output=True, text=True, timeout=60,
                       env={**os.environ, "HBMON_SNMP_COMMUNITY": community})
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_recognised_class_in_words(bindir, fleet, tmp_path):
    """A device the inventory leaves without a class: its page says what the probe recognised
    it as, that it was recognised automatically and how sure, in Vietnamese (and English);
    the rules' own reasons only under the technical details. `hbmon-probe poll` says the
    same."""
    ep = fleet["endpoints"][3]
    d = District(str(tmp_path), [
        {"commune": COMMUNE, "site": "Bộ phận một cửa", "site_type": "one-stop",
         "device": "Máy in tầng 1", "class": "", "address": ep, "snmp": "prn",
         "community": "printer/hp-laserjet-500", "contact": ""}], SITE_TYPES)
    polled = probe_poll(bindir, ep, "printer/hp-laserjet-500")
    assert polled["classified"] is True and polled["class_auto"] == "printer", polled
    sure, why = polled["class_confidence"], polled["class_why"]
    assert 60 <= sure <= 100 and "prtMarkerSuppliesLevel" in why, polled
    collector = start_collector(bindir, d)
    try:
        run_probe_once(bindir, d)
        page = pages(d, "Máy in tầng 1")
        vi, en = visible(page["vi"]), visible(page["en"])
        flat_vi, flat_en = " ".join(vi.split()), " ".join(en.split())
        assert f"Loại Máy in — tự nhận biết, chắc chắn {sure} %" in flat_vi, flat_vi
        assert f"Class Printer — recognised automatically, {sure} % sure" in flat_en, flat_en
        # the reasons are the rules' words (MIB names, quotes): for a technician, escaped
        assert "prtMarkerSuppliesLevel" not in vi and "JetDirect" not in vi
        tech = re.search(r'<details class="tech"><summary>Thông tin kỹ thuật</summary>(.*?)'
                         r"</details>", page["vi"], re.S)
        assert tech and "Căn cứ nhận biết loại thiết bị" in tech.group(1), page["vi"]
        assert why in htmlmod.unescape(tech.group(1)), (why, tech.group(1))
        assert "'JetDirect'" not in tech.group(1)  # quotes escaped like any text
        # nothing being confirmed: no notice of a replaced device
        assert "thay thế" not in vi and "replaced" not in en
        names = words.inventory_names(os.path.join(d.root, "inventory.csv")) if words else set()
        allow = names | device_text(fleet["shared"], "printer/hp-laserjet-500")
        for lang in ("vi", "en"):
            no_raw_text(page[lang], lang, allow)
        # the class counts for the targets and the API
        status, _, body = http(d.url("/api/v1/devices"))
        assert {x["device"]: x for x in json.loads(body)}["Máy in tầng 1"]["class"] == "printer"
    finally:
        assert collector.stop() == 0, collector.output()
