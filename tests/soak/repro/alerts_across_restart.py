#!/usr/bin/python3
"""Reproduces a collector behaviour the soak's design had to work around (tests/soak/run.py
keeps every alert away from its collector restart): alert states live in memory only
(collector/alerts.c, struct alerts; alerts_carry() keeps them across a reload, nothing across
a restart), so a restart, SIGTERM (systemctl restart, an upgrade) or SIGKILL alike:
  - "still-down": a target firing before the restart and still missed after it fires again
    once stale_after + pending have passed: the commune's contact and district IT get a
    second "1 target missed" digest for the same outage (6 mails instead of 4);
  - "recovers-while-down": a target that is met again while the collector is away is never
    resolved: no "met again" digest (2 mails instead of 4), and the event store keeps a
    "firing" without its "resolved" (the report's incidents show it open);
  - digests not yet sent (waiting for digest_interval) are lost.
Uses tests/system/test_alerts.py's Day (a commune of four devices on the collector's
injectable clock, batches posted directly) and its STARTTLS SMTP server; loopback only,
about 20 s.

    /usr/bin/python3 tests/soak/repro/alerts_across_restart.py [SIGKILL|SIGTERM]
"""
import os
import pathlib
import shutil
import signal
import sys
import tempfile

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(TOP, "tests", "system"))
from conftest import free_port, start_collector  # noqa: E402
from test_alerts import Day, Inbox, smtp_server, subject  # noqa: E402
from test_trust import make_pair  # noqa: E402


def run(bindir, case, sig):
    tmp = pathlib.Path(tempfile.mkdtemp(prefix=f"hbmon-repro-{case}-"))
    inbox = Inbox()
    tls = make_pair(bindir, tmp / "smtp-tls", "127.0.0.1")
    port = free_port()
    ctl = smtp_server(inbox, port, tls)
    ctl.start()
    day = Day(bindir, tmp, port, tls[0])
    try:
        day.until(9, 0)
        day.up["Máy quét HP"] = False  # the scanner dies: fires at 09:06, two digests
        day.until(9, 10)
        before = len(inbox.wait(2))
        day.col.proc.send_signal(sig)
        day.col.proc.wait()
        if case == "recovers-while-down":
            day.up["Máy quét HP"] = True
        day.col = start_collector(bindir, day.dist, env={"HBMON_CLOCK_FILE": day.clock})
        day.until(9, 40)  # settling (stale_after 600 s), then 20 minutes more
        day.up["Máy quét HP"] = True
        day.until(10, 10)
        msgs = inbox.wait(10, 2)
        print(f"{case} ({sig.name}): {before} mails before the restart, {len(msgs)} in all "
              f"(one outage: 4 expected)")
        for rcpt, m in msgs:
            print(f"    {rcpt}: {subject(m)}")
    finally:
        day.col.stop()
        ctl.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    bindir = os.path.join(TOP, os.environ.get("BIN", "build"))
    sig = getattr(signal, sys.argv[1] if len(sys.argv) > 1 else "SIGKILL")
    for case in ("still-down", "recovers-while-down"):
        run(bindir, case, sig)


if __name__ == "__main__":
    main()
