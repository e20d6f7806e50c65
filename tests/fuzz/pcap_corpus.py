#!/usr/bin/env python3
"""Seeds corpus/lanframe/ with every frame of the Ethernet captures in ../shared/pcaps and
../shared/pcaps/hostile, one file per frame, named by its SHA-1 as libFuzzer names inputs.
Run once from the top of the tree: python3 tests/fuzz/pcap_corpus.py [SHARED]. The checked-in
corpus is what was left after `build-fuzz/fuzz_lanframe -merge=1 NEW corpus/lanframe` (54 of
1,523 frames: the rest added no coverage)."""
import glob
import hashlib
import os
import struct
import sys

DLT_EN10MB = 1


def frames(path):
    """The captured bytes of each record of a classic pcap file (either byte order, µs or ns)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        return  # pcapng and others: not used by the captures here
    if struct.unpack(end + "I", data[20:24])[0] & 0x0fffffff != DLT_EN10MB:
        return
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        off += 16
        if incl > len(data) - off:
            incl = len(data) - off  # a file cut short: what is there
        yield data[off:off + incl]
        off += incl


def main():
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    shared = sys.argv[1] if len(sys.argv) > 1 else os.path.join(top, "..", "shared")
    out = os.path.join(top, "tests", "fuzz", "corpus", "lanframe")
    os.makedirs(out, exist_ok=True)
    n = 0
    for path in sorted(glob.glob(os.path.join(shared, "pcaps", "*.pcap")) +
                       glob.glob(os.path.join(shared, "pcaps", "hostile", "*.pcap"))):
        for frame in frames(path):
            name = os.path.join(out, hashlib.sha1(frame).hexdigest())
            if not os.path.exists(name):
                with open(name, "wb") as f:
                    f.write(frame)
                n += 1
    print(f"{n} new inputs in {out}")


if __name__ == "__main__":
    main()
