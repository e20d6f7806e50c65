"""The system tests as `make system` runs them: the tests marked `apart` (long real-time waits:
collector outages, kill loops, link cuts) in a second pytest process beside the others, on
their own snmpsim addresses (HBMON_FLEET_NET), so their sleeping overlaps the rest's work.
Their output follows the others'; the last line counts both. Exit status: non-zero when either
failed. Arguments are pytest's (the tests directory at least)."""
import os
import re
import subprocess
import sys
import tempfile

PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
APART_NET = "127.91.50"  # conftest's fleet: 127.91.0.x for the others


def counts(text):
    """{"passed": n, "failed": n, ...} from pytest's last summary line."""
    lines = [ln for ln in text.splitlines() if re.search(r"\b(passed|failed|error|no tests ran)",
                                                          ln)]
    found = {}
    for n, what in re.findall(r"(\d+) (passed|failed|skipped|errors?|deselected|xfailed|xpassed)",
                              lines[-1] if lines else ""):
        found[what.rstrip("s") if what.startswith("error") else what] = int(n)
    return found


def main(args):
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as out:
        apart = subprocess.Popen(PYTEST + ["-m", "apart"] + args, stdout=out,
                                 stderr=subprocess.STDOUT,
                                 env={**os.environ, "HBMON_FLEET_NET": APART_NET})
        rest = subprocess.Popen(PYTEST + ["-m", "not apart"] + args, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, errors="replace")
        seen = []
        for line in rest.stdout:  # shown as it comes, kept for the count
            sys.stdout.write(line)
            sys.stdout.flush()
            seen.append(line)
        rc_rest = rest.wait()
        rc_apart = apart.wait()
        out.seek(0)
        text = out.read()
    print("\n== the tests run apart (real-time waits), beside the others")
    sys.stdout.write(text)
    total = {}
    for c in (counts("".join(seen)), counts(text)):
        for k, v in c.items():
            total[k] = total.get(k, 0) + v
    # pytest's 5 is "no tests collected": a filter that picked none is no failure
    failed = rc_rest not in (0, 5) or rc_apart not in (0, 5)
    if failed and not total.get("failed") and not total.get("error"):
        total["error"] = 1  # a crash or an interruption, not a test: still a failure
    print(f"system tests: {total.get('passed', 0)} passed, {total.get('failed', 0)} failed, "
          f"{total.get('error', 0)} errors, {total.get('skipped', 0)} skipped")
    sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
