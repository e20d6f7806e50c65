"""What both benchmarks record about the machine and the code they measured."""
import datetime
import os
import platform
import re
import subprocess


def cmd(argv):
    """A command's output, stripped; "" when it cannot run."""
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def base_info(top, utc=False):
    """Date, cores, kernel, CPU model and the commit measured (marked if the tree differs)."""
    now = (datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if utc
           else datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"))
    info = {"date": now, "nproc": os.cpu_count(), "kernel": platform.release()}
    try:
        with open("/proc/cpuinfo") as f:
            m = re.search(r"^model name\s*:\s*(.*)$", f.read(), re.M)
            info["cpu"] = m.group(1).strip() if m else "?"
    except OSError:
        info["cpu"] = "?"
    info["commit"] = cmd(["git", "-C", top, "rev-parse", "--short", "HEAD"]) or "?"
    if cmd(["git", "-C", top, "status", "--porcelain", "--untracked-files=no"]):
        info["commit"] += " (with uncommitted changes)"
    return info


def write_marked_section(path, begin, end, md):
    """Puts md between the markers begin and end in path (bench/RESULTS.md), replacing what
    was there before and leaving the rest of the file alone (bench/run.py keeps every marked
    section when it rewrites the storage part)."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        text = ""
    if begin in text and end in text:
        text = (text[:text.index(begin)].rstrip("\n") + "\n"
                + text[text.index(end) + len(end):].lstrip("\n"))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.rstrip("\n") + f"\n\n{begin}\n\n{md.strip()}\n\n{end}\n")
