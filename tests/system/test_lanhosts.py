"""What the probes' LAN watch reports, in the real collector: hosts in a batch's "lan" part
(common/wirelan.h) matched to inventory devices by MAC or address, the others listed on their
commune's page as unknown hosts (names as text, never markup), the device page saying where a
device was last heard, all kept across a restart; a report for a commune the probe polls
nothing in, or a malformed entry, is dropped and said in the log."""
import json
import re
import time

from conftest import District, add_user, batch, http, login, post_form, start_collector

SITE_TYPES = """[site-type one-stop]
label_vi = Bộ phận một cửa
label_en = one-stop office
pc = 1
"""
A, B = "Xã Tân Phú", "Phường Hòa Bình"
NOW = int(time.time())


def devices():
    def dev(commune, name, cls, address, mac="", probe=""):
        return {"commune": commune, "site": "Một cửa", "site_type": "one-stop", "device": name,
                "class": cls, "address": address, "snmp": "", "mac": mac, "probe": probe}
    return [dev(A, "Máy tính 1", "pc", "127.0.0.61"),
            dev(A, "Máy chấm công", "attendance", "", "00:1b:21:0a:0b:0c"),
            dev(B, "Máy tính 1", "pc", "127.0.0.71", probe="other")]


def host(mac, addrs=(), names=(), vendor="", cls="", last=NOW):
    return {"mac": mac, "addrs": list(addrs), "names": list(names), "vendor": vendor,
            "class": cls, "first": last - 3600, "last": last, "frames": 12, "bytes": 900}


def lan_batch(groups, seq):
    body = json.loads(batch([], seq=seq))
    body["lan"] = groups
    return json.dumps(body).encode()


def page(dist, path):
    st, _, body = http(dist.url(path))
    assert st == 200, (path, st)
    return body.decode()


def commune_page(dist, name, lang=""):
    overview = page(dist, "/")
    link = next(m.group(1) for m in re.finditer(r'<a href="(/commune/[^"?]+)">([^<]+)</a>',
                                                 overview) if m.group(2) == name)
    return page(dist, link + lang)


def test_lan_hosts_matched_listed_and_kept(bindir, tmp_path):
    dist = District(str(tmp_path), devices(), SITE_TYPES)
    col = start_collector(bindir, dist)
    try:
        hostile = '<img src=x onerror=alert(1)>'
        groups = [{"commune": A, "iface": "eth1", "hosts": [
            host("52:54:00:00:00:61", ["127.0.0.61"], ["pc-van-thu"], "Dell Inc.", "pc"),
            host("00:1B:21:0A:0B:0C", ["192.168.1.50"], ["CHAMCONG"], "Intel", ""),
            host("f4:39:09:aa:bb:cc", ["192.168.1.77"], [hostile, "máy-lạ"], "HP Inc.",
                 "printer"),
            host("zz:39:09:aa:bb:cc", ["192.168.1.78"])],  # malformed: dropped alone
            "neighbours": [{"mac": "00:1e:13:00:00:01", "protocol": "cdp",
                            "system_name": "Switch", "port_id": "Gi0/5", "last": NOW}]},
            # the default probe polls nothing in B: not its LAN to report
            {"commune": B, "iface": "eth2", "hosts": [host("00:00:5e:00:53:01", ["10.0.0.9"])]},
            {"commune": "Xã Không Có", "iface": "eth3", "hosts": [host("00:00:5e:00:53:02")]}]
        st, _, out = http(dist.url("/api/v1/ingest"), lan_batch(groups, 1))
        assert st == 200, out

        vi = commune_page(dist, A)
        lan = vi[vi.index('<section id="lan">'):]
        lan = lan[:lan.index("</section>")]
        assert "Máy lạ trên mạng LAN" in lan
        assert "chưa có trong danh sách thiết bị (trên tổng 3 máy thấy trên mạng)" in lan
        # only the unknown one: the PC matched by its address, the clock by its MAC
        assert lan.count("<tr><td") == 1, lan
        assert "f4:39:09:aa:bb:cc" in lan and "HP Inc." in lan and "192.168.1.77" in lan
        assert "&lt;img src=x onerror=alert(1)&gt;" in lan and "<img" not in lan
        assert "máy in" in lan  # the class it probably is, in words
        assert "52:54:00:00:00:61" not in lan and "00:1b:21:0a:0b:0c" not in lan
        en = commune_page(dist, A, "?lang=en")
        assert "Unknown hosts on the LAN" in en and "Probably" in en
        assert '<section id="lan">' not in commune_page(dist, B)  # nothing taken for B
        # the overview: how many unknown hosts each commune's LAN has
        ov = page(dist, "/")
        sec = ov[ov.index('<section id="lan">'):]
        assert re.search(r'>Xã Tân Phú</a></td><td class="num">1</td>', sec), sec[:800]
        assert "Hòa Bình" not in sec

        # the device page says where the device was last heard
        dev = page(dist, re.search(r'<a href="(/device/[^"]+)">Máy chấm công</a>', vi).group(1))
        flat = " ".join(re.sub(r"<[^>]+>", " ", dev).split())
        assert "Trên mạng LAN 00:1b:21:0a:0b:0c (Intel) · hoạt động trên mạng lần cuối" in flat

        # an administrator adds the unknown printer to the inventory from the page: a row
        # appended to the file (its own column order), reloaded, audited; it is known now
        form = re.search(r'<form class="lanadd".*?</form>', lan, re.S).group(0)
        assert 'name="mac" value="f4:39:09:aa:bb:cc"' in form and 'value="192.168.1.77"' in form
        assert '<option value="printer" selected>' in form
        fields = {"commune": A, "site": "Một cửa", "device": "Máy in HP (phòng một cửa)",
                  "class": "printer", "address": "192.168.1.77", "mac": "f4:39:09:aa:bb:cc"}
        st, to, body = post_form(dist, "/api/v1/inventory/add", fields)
        assert st == 303 and to.endswith("#lan"), (st, to, body)
        with open(dist.root + "/inventory.csv", encoding="utf-8") as f:
            rows = f.read().splitlines()
        assert rows[-1] == ('"Xã Tân Phú","Một cửa","one-stop","Máy in HP (phòng một cửa)",'
                            '"printer","192.168.1.77","","","","f4:39:09:aa:bb:cc"'), rows[-1]
        vi = commune_page(dist, A)
        assert "Máy in HP (phòng một cửa)" in vi
        assert "Mọi máy xuất hiện trên mạng LAN đều có trong danh sách thiết bị (3 máy)" in vi
        audit = page(dist, "/audit")
        assert "Thêm thiết bị vào danh sách" in audit and "Máy in HP (phòng một cửa)" in audit
        # refused: a formula for a name, a second device of that name, an officer, no token
        bad = dict(fields, device="=HYPERLINK(1)", mac="f4:39:09:aa:bb:cd")
        assert post_form(dist, "/api/v1/inventory/add", bad)[0] == 400
        assert post_form(dist, "/api/v1/inventory/add", fields)[0] == 400
        add_user(bindir, dist, "canbo", "officer", "mat-khau-can-bo-1", [A])
        officer = login(dist.url(""), "canbo", "mat-khau-can-bo-1")[0]
        assert post_form(dist, "/api/v1/inventory/add", dict(fields, device="X"),
                         cookie=officer)[0] == 403
        assert post_form(dist, "/api/v1/inventory/add", dict(fields, device="X"),
                         csrf=False)[0] == 403
        with open(dist.root + "/inventory.csv", encoding="utf-8") as f:
            assert len(f.read().splitlines()) == len(rows)

        log = col.output()
        assert "1 LAN watch entries dropped, first lan[0].hosts[3].mac" in log, log
        assert "2 LAN hosts of communes it polls nothing in" in log, log
    finally:
        assert col.stop() == 0, col.output()

    # kept in hbmon.db: the same list after a restart, before any probe reports again
    col = start_collector(bindir, dist)
    try:
        # the printer is the device added; the other host stays unknown across the restart
        late = [{"commune": A, "iface": "eth1",
                 "hosts": [host("02:00:00:00:00:01", ["192.168.1.90"], ["máy-lạ-2"]),
                           host("02:00:00:00:00:01", ["192.168.1.99"], last=NOW - 7200)]}]
        assert http(dist.url("/api/v1/ingest"), lan_batch(late, 2))[0] == 200
        lan = commune_page(dist, A)
        assert "Máy in HP (phòng một cửa)" in lan and "máy-lạ-2" in lan
        # an older report (a spooled batch sent late) does not undo a newer one
        assert "192.168.1.90" in lan and "192.168.1.99" not in lan
    finally:
        assert col.stop() == 0, col.output()
