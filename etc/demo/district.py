"""The demo district's story, in one place: its communes and devices (make-inventory.py writes
them to inventory.csv), what each commune's recordings say differently (run-demo.py serves
them), and what happened over the past days (history.py writes it).

Today six communes meet their targets, two of them with a warning (consumables and capacity
are warnings, counted apart), and four miss one, each for one clear reason:
  Xã Phước Long         the one-stop scanner is unplugged (since yesterday)
  Xã Long Hưng          (warning) the HP's magenta toner has run down to 6 % over the week
  Xã Bình Minh          the web portal answers 503 (since this morning)
  Xã Thạnh Lợi          two one-stop PCs are unplugged (for three days)
  Xã Vĩnh Hòa           the meeting room's Poly is unplugged (for a few hours)
  Xã Đông Sơn           (warning) a PC's C: disk is 96 % full
and the past shows what a district sees: a scanner dead for a day (An Bình), a commune's
uplink down for two hours (Hòa Thành), a PC flapping one afternoon (Mỹ An), a portal down one
evening (Vĩnh Hòa), PCs off at night and at the weekend everywhere.
"""

COMMUNES = ["Xã Tân Phú", "Xã An Bình", "Xã Phước Long", "Thị trấn Hòa Thành", "Xã Long Hưng",
            "Xã Bình Minh", "Xã Thạnh Lợi", "Xã Mỹ An", "Xã Vĩnh Hòa", "Xã Đông Sơn"]
ONE_STOP = "Bộ phận Tiếp nhận và trả kết quả"
MEETING = "Phòng họp trực tuyến"
PCS = ["pc/linux-desktop", "pc/windows-xp", "pc/linux-slackware"]
PRINTERS = ["printer/hp-laserjet-500", "printer/brother-nc7700w"]
SWITCHES = ["switch/cisco-c3560", "switch/dlink-des3200", "switch/edgecore-es3528m"]
ROUTERS = ["router/tplink-td-w9001g", "router/vyatta"]
CAMERAS = ["camera/axis-m7011", "camera/samsung-ipolis", "camera/hikvision-ds7608-nvr"]
UPSES = ["ups/eaton-powerxpert", "ups/tripplite"]
PORTALS = "http://127.0.0.1:8081"
PORTAL_DOWN = 5  # Bình Minh: its portal answers 503 (simfleet serves /down… with 503)

# (commune index, device) whose address has nothing behind it today, and for how many hours
# before now (the history shows them down since then)
DEAD = {(2, "Máy quét"): 26, (6, "Máy tính 2"): 72, (6, "Máy tính 3"): 72,
        (8, "Thiết bị họp trực tuyến"): 5}
PORTAL_DOWN_HOURS = 6


def devices(k):
    """The devices of commune k: (site, site type, name, class, recording)."""
    return [
        (ONE_STOP, "one-stop", "Máy tính 1", "pc", PCS[k % 3]),
        (ONE_STOP, "one-stop", "Máy tính 2", "pc", PCS[(k + 1) % 3]),
        (ONE_STOP, "one-stop", "Máy tính 3", "pc", PCS[(k + 2) % 3]),
        (ONE_STOP, "one-stop", "Máy quét", "scanner", "scanner/epson-ds860"),
        (ONE_STOP, "one-stop", "Máy in", "printer", PRINTERS[k % 2]),
        (ONE_STOP, "one-stop", "Switch tầng 1", "switch", SWITCHES[k % 3]),
        (ONE_STOP, "one-stop", "Router Internet", "router", ROUTERS[k % 2]),
        (MEETING, "meeting-room", "Thiết bị họp trực tuyến", "vc", "vc/poly-studio-x50"),
        (MEETING, "meeting-room", "Camera phòng họp", "camera", CAMERAS[k % 3]),
        (MEETING, "meeting-room", "Bộ lưu điện", "ups", UPSES[k % 2]),
    ]


# Values each commune's copy of a recording holds instead of the recorded ones:
# {recording: {OID: value}} for every commune, then per commune index on top.
HR_USED = "1.3.6.1.2.1.25.2.3.1.6."       # hrStorageUsed (allocation units)
TONER_LEVEL = "1.3.6.1.2.1.43.11.1.1.9.1."  # prtMarkerSuppliesLevel (max 100 on the HP)
SIP_REG = "1.3.6.1.4.1.13885.101.1.2.8.3.1.2.1"  # Poly serviceSipRegistrationStatus
HP_MAGENTA = TONER_LEVEL + "3"
HP_MAGENTA_TODAY = {4: 6}                 # Long Hưng's is nearly empty; others have 55 %
EDITS_ALL = {
    "pc/windows-xp": {HR_USED + "1": 1210517,      # C: 62 % of 1952447
                      HR_USED + "3": 15125980},    # Z: 71 %
    "pc/linux-slackware": {HR_USED + "33": 67301178},  # /export 70 %
    "printer/hp-laserjet-500": {HP_MAGENTA: 55},
    "vc/poly-studio-x50": {SIP_REG: 2},               # registered
}
EDITS_COMMUNE = {
    4: {"printer/hp-laserjet-500": {HP_MAGENTA: HP_MAGENTA_TODAY[4]}},
    9: {"pc/windows-xp": {HR_USED + "1": 1884128}},  # C: 96.5 %, as recorded
}


def edits(k, recording):
    """The values commune k's copy of recording holds instead of the recorded ones."""
    out = dict(EDITS_ALL.get(recording, {}))
    out.update(EDITS_COMMUNE.get(k, {}).get(recording, {}))
    return out


# The past, in hours before now or as (days ago, local start hour, hours long)
SCANNER_DEAD_DAY = (1, 6)          # An Bình's scanner: dead all of the day 6 days ago
UPLINK_DOWN = (3, 5, 8, 2)         # Hòa Thành: every device unreachable 5 days ago, 08:00-10:00
FLAPPING_PC = (7, "Máy tính 1", 3, 13.5, 3)   # Mỹ An: up and down, 3 days ago 13:30-16:30
PORTAL_EVENING = (8, 2, 18, 3.5)   # Vĩnh Hòa's portal: down 2 days ago 18:00-21:30
TONER_WEEK_START = {4: 48}         # Long Hưng's magenta a week ago; runs down to today's
