"""What each recording in ../shared/devices must give when polled with its class's profile.

Read from the recordings themselves (OID|type|value lines) against profiles/*.conf, so the
system test that runs `hbmon-probe poll` against snmpsim is grounded in the data:

- "class": what profiles/classify.conf gives the device when its inventory class is empty (it
  is also the folder the recording sits in).
- "interfaces": rows of the recording's ifTable (ifDescr instances); 0: the agent has no ifTable.
- "groups": metric groups ([scalars NAME] / [table NAME]) that yield at least one value.
- "metrics": "group.metric" pairs with at least one numeric value (gauge, enum, ticks or derived)
  in a plausible range; counters are left out (a rate needs two polls), and so are values the
  Printer-MIB reserves (-1, -2, -3) or that lie outside their MIB range (e.g. the Brother's
  alert row of 255s). A group's other metrics may be absent.

Keys are paths below devices/ without ".snmprec" (also the snmpsim community).
tests/system/test_profiles.py checks, without daemons, that classify.conf and the profiles give
exactly this from the recording files.
"""

EXPECTED = {
    "ap/unifi-ac-pro": {
        "class": "ap",
        "interfaces": 7,
        "groups": [],
        "metrics": [],
    },
    "camera/axis-m7011": {
        "class": "camera",
        "interfaces": 3,
        "groups": [],
        "metrics": [],
    },
    "camera/hikvision-ds7608-nvr": {
        "class": "camera",
        "interfaces": 0,
        "groups": [],
        "metrics": [],
    },
    "camera/samsung-ipolis": {
        "class": "camera",
        "interfaces": 6,
        "groups": [],
        "metrics": [],
    },
    "pc/linux-desktop": {
        "class": "pc",
        "interfaces": 4,
        "groups": ["disk", "host", "load", "memory", "ucd_cpu"],
        "metrics": [
            "host.uptime", "host.users", "host.processes", "host.mem_kb", "load.load100",
            "disk.units", "memory.units", "disk.size", "memory.size", "disk.used", "memory.used", "disk.size_bytes", "memory.size_bytes",
            "disk.used_bytes", "memory.used_bytes", "disk.used_pct", "memory.used_pct", "ucd_cpu.user", "ucd_cpu.system",
            "ucd_cpu.idle"
        ],
    },
    "pc/linux-slackware": {
        "class": "pc",
        "interfaces": 2,
        "groups": ["cpu", "disk", "host", "load", "memory", "ucd_cpu"],
        "metrics": [
            "cpu.load", "host.uptime", "host.users", "host.processes", "host.mem_kb",
            "load.load100", "disk.units", "memory.units", "disk.size", "memory.size", "disk.used", "memory.used", "disk.size_bytes", "memory.size_bytes",
            "disk.used_bytes", "memory.used_bytes", "disk.used_pct", "memory.used_pct", "ucd_cpu.user", "ucd_cpu.system",
            "ucd_cpu.idle"
        ],
    },
    "pc/windows-xp": {
        "class": "pc",
        "interfaces": 3,
        "groups": ["cpu", "disk", "host", "memory"],
        "metrics": [
            "cpu.load", "host.uptime", "host.users", "host.processes", "host.mem_kb",
            "disk.units", "memory.units", "disk.size", "memory.size", "disk.used", "memory.used", "disk.size_bytes", "memory.size_bytes",
            "disk.used_bytes", "memory.used_bytes", "disk.used_pct", "memory.used_pct"
        ],
    },
    "printer/brother-nc7700w": {
        "class": "printer",
        "interfaces": 3,
        "groups": ["alert", "cover", "host", "hrdevice", "hrprinter", "marker", "supply", "tray"],
        "metrics": [
            "alert.location", "cover.status", "host.uptime", "host.users", "host.processes",
            "host.mem_kb", "hrdevice.status", "hrprinter.status", "marker.unit",
            "marker.life_count", "supply.class", "supply.type", "supply.unit", "supply.max",
            "supply.level", "supply.percent", "tray.status", "tray.max"
        ],
    },
    "printer/hp-laserjet-500": {
        "class": "printer",
        "interfaces": 2,
        "groups": ["alert", "cover", "host", "hrdevice", "hrprinter", "marker", "supply", "tray"],
        "metrics": [
            "alert.severity", "alert.training", "alert.group", "alert.location", "alert.code",
            "cover.status", "host.mem_kb", "hrdevice.status", "hrprinter.status", "marker.unit",
            "marker.life_count", "supply.class", "supply.type", "supply.unit", "supply.max",
            "supply.level", "supply.percent", "tray.status", "tray.max", "tray.level",
            "tray.percent"
        ],
    },
    "router/tplink-td-w9001g": {
        "class": "router",
        "interfaces": 3,
        "groups": [],
        "metrics": [],
    },
    "router/vyatta": {
        "class": "router",
        "interfaces": 2,
        "groups": [],
        "metrics": [],
    },
    "scanner/epson-ds860": {
        "class": "scanner",
        "interfaces": 2,
        "groups": ["host", "hrdevice"],
        "metrics": [
            "host.uptime", "host.users", "host.processes", "host.mem_kb", "hrdevice.status"
        ],
    },
    "switch/cisco-c3560": {
        "class": "switch",
        "interfaces": 57,
        # no forwarding tables (Cisco keeps them per VLAN community); its CDP cache has 9
        # neighbours and its LLDP local port table names the ports
        "groups": ["cdp", "lldp_loc"],
        "metrics": ["cdp.addr_type", "lldp_loc.id_type"],
    },
    "switch/dlink-des3200": {
        "class": "switch",
        "interfaces": 23,
        "groups": ["bridge_port", "fdb", "fdb_q"],
        "metrics": ["bridge_port.ifindex", "fdb.port", "fdb_q.port"],
    },
    "switch/edgecore-es3528m": {
        "class": "switch",
        "interfaces": 33,
        "groups": ["bridge_port", "fdb", "fdb_q"],
        "metrics": ["bridge_port.ifindex", "fdb.port", "fdb_q.port"],
    },
    "ups/eaton-powerxpert": {
        "class": "ups",
        "interfaces": 3,
        "groups": ["battery", "ups", "ups_input", "ups_output"],
        "metrics": [
            "battery.status", "battery.secs_on_battery", "battery.minutes_left", "battery.charge",
            "battery.voltage", "ups.source", "ups.out_freq", "ups.alarms", "ups.test_result",
            "ups_input.frequency", "ups_input.voltage", "ups_output.voltage",
            "ups_output.current", "ups_output.power", "ups_output.load"
        ],
    },
    "ups/tripplite": {
        "class": "ups",
        "interfaces": 2,
        "groups": ["battery", "ups", "ups_input", "ups_output"],
        "metrics": [
            "battery.status", "battery.secs_on_battery", "battery.minutes_left", "battery.charge",
            "battery.voltage", "battery.temperature", "ups.source", "ups.out_freq", "ups.alarms",
            "ups_input.frequency", "ups_input.voltage", "ups_output.voltage",
            "ups_output.current", "ups_output.power", "ups_output.load"
        ],
    },
    "vc/poly-studio-x50": {
        "class": "vc",
        "interfaces": 7,
        "groups": ["poly", "poly_camera", "poly_integration", "poly_mic", "poly_nic",
                   "poly_service", "poly_sip_proxy", "poly_sip_reg"],
        "metrics": [
            "poly.status", "poly.hardware", "poly.microphones", "poly.cameras", "poly.nic",
            "poly.ptc", "poly.uc_board", "poly_camera.status", "poly_integration.presence",
            "poly_integration.cdr", "poly_integration.syslog", "poly_integration.sw_update",
            "poly_integration.provisioning", "poly_integration.exchange",
            "poly_integration.directory", "poly_mic.status", "poly_nic.speed", "poly_nic.status",
            "poly_service.h323", "poly_service.h323_reg", "poly_service.sip",
            "poly_sip_proxy.status", "poly_sip_reg.status"
        ],
    },
}

# ../shared/devices-hostile: the class classify.conf gives each (their values are built to
# break a monitor, so only the class is expected; None would mean "not meaningful").
HOSTILE = {
    # Net-SNMP Linux sysObjectID (sysDescr carries <script>)
    "pc/markup-injection": "pc",
    # sysObjectID sent as a string; Printer-MIB supplies win over its stray UPS-MIB battery
    "printer/impossible-values": "printer",
    # sysDescr "Stacked switch, 2000 ports ..."
    "switch/oversized-stack": "switch",
}
