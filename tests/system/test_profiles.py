"""profiles/*.conf checked as data, without daemons.

- Syntax as profiles/README.md gives it: sections, metric names and groups ([a-z][a-z0-9_]*,
  at most 19 bytes), types, derived metrics and table options that refer to metrics of their
  own section, the 16 interface roles, includes that exist, a group once per profile.
- Every `MIB-NAME OID` pair (profiles and classify.conf `has` / `value` tests) against the MIB
  modules in ../shared/mibs with snmptranslate: a scalar's OID is the object's OID + ".0" (a
  class test's object whose module is not there is skipped, as the probe counts it).
- profiles/enums.conf: every `enum` object of every profile has a section, and every section's
  labels are the MIB module's own (snmptranslate -Td); an OID-valued section (hrDeviceType) names
  the identities registered under one node, each with its OID. tools/mkenums writes the file.
- The message catalogues (dashboards/i18n/vi.ini, en.ini) name every metric of every profile
  (metric.<group>.<metric>) and every label of enums.conf the profiles use (enum.<label>).
- Every class folder of ../shared/devices has a profile.
- classify.conf gives every recording (../shared/devices and ../shared/devices-hostile) the class
  tests/system/recordings.py expects, and each recording yields the groups and metrics listed
  there (the profile applied to the .snmprec file, the way the probe would read the agent).

Run: /usr/bin/python3 -m pytest -q tests/system/test_profiles.py
"""
import glob
import os
import re
import shutil
import subprocess

import pytest

from recordings import EXPECTED, HOSTILE

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PROFILES = os.path.join(TOP, "profiles")
SHARED = os.environ.get("HBMON_SHARED") or os.path.abspath(os.path.join(TOP, "..", "shared"))
MIBS = os.path.join(SHARED, "mibs")

NAME_RE = re.compile(r"[a-z][a-z0-9_]*\Z")
OID_RE = re.compile(r"[0-9]+(\.[0-9]+)+\Z")
MIBNAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9-]*\Z")
DERIVED_RE = re.compile(r"(percent|product)\(\s*([^,()\s]+)\s*,\s*([^,()\s]+)\s*\)\Z")
TYPES = {"gauge", "counter", "enum", "ticks", "string", "oid", "hex"}
NUMERIC = {"gauge", "counter", "enum", "ticks"}
ROLES = {"descr", "name", "alias", "type", "speed", "high_speed", "admin", "oper", "in_octets",
         "out_octets", "hc_in_octets", "hc_out_octets", "in_errors", "out_errors", "in_discards",
         "out_discards"}
TABLE_OPTIONS = {"label", "keep", "max_rows"}
MAX_TESTED_OIDS = 22    # each distinct `has` / `value` OID is a varbind of the first request
MAX_PROBED_VENDORS = 16 # vendors.conf `probe`: one extra request asks them all
VALUE_OPS = {"=", "!=", ">", "<", "nonzero", "word"}
INT_TYPES, TEXT_TYPES, OID_TYPES = {"2", "65", "66", "67", "70"}, {"4", "64"}, {"6"}


def valid_name(s):
    return bool(NAME_RE.match(s)) and len(s.encode()) <= 19


# --- parsing -------------------------------------------------------------------------------

def read_ini(path):
    """[(lineno, section, key, value)] as inih reads it; section lines have key None.
    Comments only on their own line (README); repeated keys are kept (classify.conf)."""
    out, errors, section = [], [], None
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            where = f"{os.path.basename(path)}:{n}"
            if not line or line[0] in ";#":
                continue
            if line.startswith("["):
                if not line.endswith("]"):
                    errors.append(f"{where}: section line without ']'")
                    continue
                section = " ".join(line[1:-1].split())
                out.append((n, section, None, None))
                continue
            if "=" not in line:
                errors.append(f"{where}: neither a section nor key = value")
                continue
            key, value = (x.strip() for x in line.split("=", 1))
            if section is None:
                errors.append(f"{where}: key before any section")
            # inih would cut the value at an inline comment: keep values free of them
            if re.search(r"\s[;#]", value):
                errors.append(f"{where}: ';' or '#' inside a value (inih reads an inline comment)")
            out.append((n, section, key, value))
    return out, errors


class Profile:
    """One .conf file (profile or fragment) parsed and checked on its own."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)[:-5]
        self.includes = []
        self.groups = {}        # group -> {"kind", "line", "metrics": {m: spec}, "options": {}}
        self.interfaces = None  # {role: (mib, oid, line)}
        self.objects = []       # (mib name, numeric oid, scalar?, where)
        self.keep_oids = []     # (numeric oid, where)
        entries, self.errors = read_ini(path)
        section = None
        for n, sec, key, value in entries:
            where = f"{self.name}.conf:{n}"
            if key is None:
                section = self._section(sec, where)
                continue
            if section is not None:
                self._entry(section, key, value, where)
        for g, grp in self.groups.items():
            self._check_group(g, grp)

    def err(self, msg):
        self.errors.append(msg)

    def _section(self, sec, where):
        if sec == "profile":
            return ("profile", None)
        if sec == "interfaces":
            if self.interfaces is not None:
                self.err(f"{where}: second [interfaces]")
            self.interfaces = {}
            return ("interfaces", None)
        parts = sec.split()
        if len(parts) == 2 and parts[0] in ("scalars", "table"):
            kind, group = parts
            if not valid_name(group):
                self.err(f"{where}: group {group!r} is not [a-z][a-z0-9_]* of at most 19 bytes")
            if group in self.groups:
                self.err(f"{where}: group {group!r} appears twice")
            self.groups[group] = {"kind": kind, "line": where, "metrics": {}, "options": {}}
            return (kind, group)
        self.err(f"{where}: unknown section [{sec}]")
        return None

    def _entry(self, section, key, value, where):
        kind, group = section
        if kind == "profile":
            if key == "include":
                self.includes += [x.strip() for x in value.split(",") if x.strip()]
            elif key == "max_repetitions":
                if not (value.isdigit() and int(value) > 0):
                    self.err(f"{where}: max_repetitions must be a positive integer")
            else:
                self.err(f"{where}: unknown [profile] key {key!r}")
            return
        if kind == "interfaces":
            parts = value.split()
            if key not in ROLES:
                self.err(f"{where}: {key!r} is not an interface role")
            elif key in self.interfaces:
                self.err(f"{where}: role {key!r} twice")
            elif len(parts) != 2 or not MIBNAME_RE.match(parts[0]) or not OID_RE.match(parts[1]):
                self.err(f"{where}: want 'MIB-NAME NUMERIC-OID' (a column, no type)")
            else:
                self.interfaces[key] = (parts[0], parts[1], where)
                self.objects.append((parts[0], parts[1], False, where))
            return
        grp = self.groups[group]
        if key in TABLE_OPTIONS:
            if kind != "table":
                self.err(f"{where}: {key} is a table option")
            elif key in grp["options"]:
                self.err(f"{where}: {key} twice")
            else:
                grp["options"][key] = (value.split(), where)
            return
        if not valid_name(key):
            self.err(f"{where}: metric {key!r} is not [a-z][a-z0-9_]* of at most 19 bytes")
        if key in grp["metrics"]:
            self.err(f"{where}: metric {key!r} twice in [{kind} {group}]")
            return
        if key == "rrd":  # any group: stored (yes, default) or only shown (no)
            if value not in ("yes", "no"):
                self.err(f"{where}: rrd = yes or no")
            return
        m = DERIVED_RE.match(value)
        if m:
            grp["metrics"][key] = ("derived", m.group(1), m.group(2), m.group(3), where)
            return
        parts = value.split()
        if len(parts) != 3 or not MIBNAME_RE.match(parts[0]) or not OID_RE.match(parts[1]):
            self.err(f"{where}: want 'MIB-NAME NUMERIC-OID TYPE' or percent(A, B) / product(A, B)")
            return
        if parts[2] not in TYPES:
            self.err(f"{where}: type {parts[2]!r} not in {sorted(TYPES)}")
            return
        if kind == "scalars" and not parts[1].endswith(".0"):
            self.err(f"{where}: a scalar's OID ends with its instance .0")
        grp["metrics"][key] = ("object", parts[0], parts[1], parts[2], where)
        self.objects.append((parts[0], parts[1], kind == "scalars", where))

    def _check_group(self, g, grp):
        metrics = grp["metrics"]
        plain = [m for m, s in metrics.items() if s[0] == "object"]
        if not plain:
            self.err(f"{grp['line']}: [{grp['kind']} {g}] has no polled metric")
        for m, s in metrics.items():
            if s[0] != "derived":
                continue
            for arg in s[2:4]:
                a = metrics.get(arg)
                if a is None or a[0] != "object":
                    self.err(f"{s[4]}: {m} = {s[1]}(...) refers to {arg!r}, not a polled "
                             f"metric of [{grp['kind']} {g}]")
                elif a[3] not in NUMERIC:
                    self.err(f"{s[4]}: {m} = {s[1]}(...) refers to {arg!r} of type {a[3]}")
        opts = grp["options"]
        if "label" in opts:
            (words, where) = opts["label"]
            s = metrics.get(words[0]) if len(words) == 1 else None
            if s is None or s[0] != "object" or s[3] != "string":
                self.err(f"{where}: label must name one string metric of [table {g}]")
        if "keep" in opts:
            (words, where) = opts["keep"]
            s = metrics.get(words[0]) if words else None
            if s is None or s[0] != "object" or len(words) < 2:
                self.err(f"{where}: keep = METRIC VALUE [VALUE...] with a metric of [table {g}]")
            elif s[3] == "oid":
                for v in words[1:]:
                    if not OID_RE.match(v):
                        self.err(f"{where}: keep value {v!r} is not a numeric OID")
                    else:
                        self.keep_oids.append((v, where))
        if "max_rows" in opts:
            (words, where) = opts["max_rows"]
            if len(words) != 1 or not words[0].isdigit() or int(words[0]) < 1:
                self.err(f"{where}: max_rows must be a positive integer")


def load_all():
    out = {}
    for path in sorted(glob.glob(os.path.join(PROFILES, "*.conf"))):
        name = os.path.basename(path)[:-5]
        if name not in ("classify", "vendors", "enums"):   # rules and labels, not profiles
            out[name] = Profile(path)
    return out


ALL = load_all()


def expand(name, stack=()):
    """The profile and its includes: ([Profile...], errors)."""
    if name in stack:
        return [], [f"{name}.conf: include cycle {' -> '.join(stack + (name,))}"]
    if name not in ALL:
        return [], [f"{stack[-1]}.conf: include {name!r}: no profiles/{name}.conf"]
    parts, errors = [ALL[name]], []
    for inc in ALL[name].includes:
        p, e = expand(inc, stack + (name,))
        parts += p
        errors += e
    return parts, errors


def read_classify():
    """[(class, kind, argument, where)]"""
    path = os.path.join(PROFILES, "classify.conf")
    entries, errors = read_ini(path)
    rules = []
    for n, sec, key, value in entries:
        where = f"classify.conf:{n}"
        if key is None:
            if sec != "classify":
                errors.append(f"{where}: unknown section [{sec}]")
            continue
        weight = 10                       # lines without a weight (the first-match format)
        m = re.match(r"([0-9]+)\s+(.*)\Z", value)
        if m:
            weight, value = int(m.group(1)), m.group(2)
            if not 1 <= weight <= 100:
                errors.append(f"{where}: weight {weight} is not 1..100")
        kind, _, arg = value.partition(" ")
        arg = arg.strip()
        if kind == "objectid" and OID_RE.match(arg.rstrip(".")):
            rules.append((key, kind, arg, where, weight))
        elif kind in ("descr", "word") and arg:
            rules.append((key, kind, arg, where, weight))
        elif kind == "has" and len(arg.split()) == 2 and OID_RE.match(arg.split()[1]):
            rules.append((key, kind, tuple(arg.split()), where, weight))
        elif kind == "value" and parse_value_rule(arg):
            rules.append((key, kind, parse_value_rule(arg), where, weight))
        else:
            errors.append(f"{where}: want '[WEIGHT] objectid PREFIX', 'descr TEXT', 'word TEXT', "
                          "'has MIB-NAME OID' or 'value MIB-NAME OID OP [VALUE] [and ...]'")
        if not valid_name(key):
            errors.append(f"{where}: class {key!r} is not a valid name")
        elif key != "other" and (key not in ALL or not ALL[key].groups and
                                 not ALL[key].includes):
            errors.append(f"{where}: class {key!r} has no profile")
    return rules, errors


def parse_value_rule(arg):
    """classify.conf `value`: [(mib, oid, op, value or None)], at most 3, or None if wrong."""
    words, conds, i = arg.split(), [], 0
    while True:
        if len(words) - i < 3:
            return None
        mib, oid, op = words[i:i + 3]
        if not OID_RE.match(oid) or op not in VALUE_OPS:
            return None
        i, val = i + 3, None
        if op != "nonzero":
            if i >= len(words) or words[i] == "and":
                return None
            val, i = words[i], i + 1
            if op in (">", "<") and not re.fullmatch(r"-?[0-9]+", val):
                return None
        conds.append((mib, oid, op, val))
        if i == len(words):
            return conds if len(conds) <= 3 else None
        if words[i] != "and" or i + 1 == len(words):
            return None
        i += 1


def read_vendors():
    """{enterprise: ([(class, weight)], {flags})} from vendors.conf (none: {})."""
    path = os.path.join(PROFILES, "vendors.conf")
    if not os.path.exists(path):
        return {}
    out = {}
    for _, sec, key, value in read_ini(path)[0]:
        if key is None or sec != "vendors":
            continue
        _, _, makes = value.rpartition(":") if ":" in value else (value, "", "")
        items = [w.split() for w in makes.split(",") if w.strip()]
        out.setdefault(int(key), ([(w[0], int(w[1])) for w in items if len(w) == 2],
                                  {w[0] for w in items if len(w) == 1}))
    return out


def word_in(text, word):
    """classify.c's `word`: whole words, case-insensitive; a trailing * lets the word go on."""
    prefix = len(word) > 1 and word.endswith("*")
    w = (word[:-1] if prefix else word).lower()
    wc = lambda c: c.isascii() and c.isalnum()
    for m in re.finditer(re.escape(w), text):
        p, q = m.start(), m.end()
        starts = p == 0 or not wc(text[p - 1]) or not wc(w[0])
        ends = prefix or q == len(text) or not wc(text[q]) or not wc(w[-1])
        if starts and ends:
            return True
    return False


# --- snmptranslate -------------------------------------------------------------------------

def translate(args, names):
    """{name: output line or None}: one snmptranslate for all, one per name when any fails
    (snmptranslate stops at the first unknown name)."""
    def run(batch):
        p = subprocess.run(["snmptranslate", "-M", MIBS, "-m", "ALL"] + args + batch,
                           capture_output=True, text=True, timeout=60)
        return [ln.strip() for ln in p.stdout.splitlines() if ln.strip()]
    names = sorted(set(names))
    if not names:
        return {}
    out = run(names)
    if len(out) == len(names):
        return dict(zip(names, out))
    res = {}
    for n in names:
        o = run([n])
        res[n] = o[0] if len(o) == 1 else None
    return res


needs_snmptranslate = pytest.mark.skipif(
    shutil.which("snmptranslate") is None or not os.path.isdir(MIBS),
    reason=f"needs snmptranslate (Debian: snmp) and the MIB modules in {MIBS}")


# --- recordings ----------------------------------------------------------------------------

def snmprec(path):
    """{oid: (type, value)}: hex values (type ending in x) decoded."""
    out = {}
    with open(path, encoding="latin-1") as f:
        for line in f:
            parts = line.rstrip("\n").split("|", 2)
            if len(parts) != 3:
                continue
            oid, typ, val = parts
            if typ.endswith("x"):
                typ = typ[:-1]
                try:
                    val = bytes.fromhex(val).decode("utf-8", "replace")
                except ValueError:
                    pass
            out[oid] = (typ, val)
    return out


# snmprec type codes (ASN.1 tags) each profile type accepts
WIRE = {"gauge": {"2", "65", "66"}, "enum": {"2"}, "counter": {"65", "70"}, "ticks": {"67"},
        "string": {"4"}, "oid": {"6"}, "hex": {"4"}}


def value_holds(cond, answer):
    """classify.conf `value` condition on the first instance under its OID (clsvalue.c)."""
    if answer is None:
        return False
    (typ, val), (_, _, op, want) = answer, cond
    try:
        if op == "nonzero":
            if typ in INT_TYPES:
                return int(val) != 0
            if typ in TEXT_TYPES:
                return any(c != "\x00" for c in val[:64])
            return typ in OID_TYPES and val.strip(".") not in ("", "0.0")
        if op in (">", "<"):
            return typ in INT_TYPES and (int(val) > int(want) if op == ">" else
                                         int(val) < int(want))
        if op == "word":
            text = "".join(" " if ord(c) < 32 or c == "\x7f" else c for c in val[:64]).lower()
            return typ in TEXT_TYPES and word_in(text, want)
        if re.fullmatch(r"-?[0-9]+", want):
            eq = int(val) == int(want) if typ in INT_TYPES else None
        elif OID_RE.match(want.lstrip(".")):
            eq = val.strip(".") == want.lstrip(".") if typ in OID_TYPES else None
        else:
            eq = val.lower() == want.lower() if typ in TEXT_TYPES else None
    except ValueError:
        return False
    return eq is not None and eq == (op == "=")


def first_under(rec, keys, oid):
    """What GETNEXT of oid gives, if it lands under oid."""
    return next((rec[o] for o in keys if o.startswith(oid + ".")), None)


def classify(rec):
    """The class classify.conf and vendors.conf give (probe/classify.c): every rule that holds
    adds its weight to its class, so does the vendor (1.3.6.1.4.1.N); the heaviest class wins
    (the first seen on a tie) if it weighs at least 4, else "generic". An objectid PREFIX matches
    on whole arcs, with or without its trailing dot."""
    typ, objid = rec.get("1.3.6.1.2.1.1.2.0", ("", ""))
    objid = objid.strip(".") if typ == "6" else ""
    descr = "".join(" " if ord(c) < 32 or c == "\x7f" else c
                    for c in rec.get("1.3.6.1.2.1.1.1.0", ("", ""))[1][:1024]).lower()
    keys = sorted(rec, key=lambda o: [int(x) for x in o.split(".")])
    score = {}
    m = re.match(r"1\.3\.6\.1\.4\.1\.([0-9]+)(\.|$)", objid)
    vendors = read_vendors()
    ent = int(m.group(1)) if m else 0
    for cls, w in vendors.get(ent, ([], set()))[0] if ent else []:
        score[cls] = score.get(cls, 0) + w
    for cls, kind, arg, _, weight in read_classify()[0]:
        if kind == "objectid":
            prefix = arg.rstrip(".")
            hold = objid == prefix or objid.startswith(prefix + ".")
        elif kind == "descr":
            hold = arg.lower() in descr
        elif kind == "word":
            hold = word_in(descr, arg)
        elif kind == "value":
            hold = all(value_holds(c, first_under(rec, keys, c[1])) for c in arg)
        else:
            hold = any(o.startswith(arg[1] + ".") for o in keys)   # GETNEXT lands under it
        if hold:
            score[cls] = score.get(cls, 0) + weight
    # vendor subtrees, asked when sysObjectID names no maker (none, or an `agent`'s)
    if not ent or "agent" in vendors.get(ent, ([], set()))[1]:
        for num in sorted(n for n, v in vendors.items() if "probe" in v[1] and n != ent):
            if any(o.startswith(f"1.3.6.1.4.1.{num}.") for o in keys):
                for cls, w in vendors[num][0]:
                    score[cls] = score.get(cls, 0) + w
    best = max(score, key=score.get, default=None)   # max keeps the first of equals
    return best if best and score[best] >= 4 and best != "other" else "generic"


def poll(rec, parts):
    """{group: {index: {metric: value}}} the profile gives from the recording."""
    result = {}
    for prof in parts:
        for g, grp in prof.groups.items():
            rows = {}
            for m, s in grp["metrics"].items():
                if s[0] != "object":
                    continue
                _, _, oid, typ, _ = s
                if grp["kind"] == "scalars":
                    found = {"0": rec[oid]} if oid in rec else {}
                else:
                    col = oid + "."
                    found = {o[len(col):]: v for o, v in rec.items() if o.startswith(col)}
                for idx, (wire, val) in found.items():
                    if wire not in WIRE[typ]:
                        continue      # the probe counts a wrong type as a bad value
                    rows.setdefault(idx, {})[m] = int(val) if typ in NUMERIC else val
            if "keep" in grp["options"]:
                words = grp["options"]["keep"][0]
                # the probe compares the value as text: a number as its digits ("3")
                rows = {i: r for i, r in rows.items()
                        if words[0] in r and str(r[words[0]]) in words[1:]}
            for r in rows.values():
                for m, s in grp["metrics"].items():
                    if s[0] != "derived":
                        continue
                    a, b = r.get(s[2]), r.get(s[3])
                    if not isinstance(a, int) or not isinstance(b, int):
                        continue
                    if s[1] == "product":
                        r[m] = a * b
                    elif a >= 0 and b > 0:
                        r[m] = 100.0 * a / b
            rows = {i: r for i, r in rows.items() if r}
            if rows:
                result[g] = rows
    return result


def recording_keys(folder):
    root = os.path.join(SHARED, folder)
    return sorted(os.path.relpath(p, root)[:-len(".snmprec")]
                  for p in glob.glob(os.path.join(root, "*", "*.snmprec")))


# --- tests ---------------------------------------------------------------------------------

def test_profiles_parse():
    errors = []
    for prof in ALL.values():
        errors += prof.errors
    errors += read_classify()[1]
    assert not errors, "\n".join(errors)


def test_every_device_class_has_a_profile():
    classes = sorted(d for d in os.listdir(os.path.join(SHARED, "devices"))
                     if os.path.isdir(os.path.join(SHARED, "devices", d)))
    assert classes, f"no class folders in {SHARED}/devices"
    missing = [c for c in classes + ["generic"] if c not in ALL or "profile" not in
               {s for _, s, k, _ in read_ini(ALL[c].path)[0] if k is None}]
    assert not missing, f"classes without profiles/<class>.conf and its [profile]: {missing}"


def test_includes_exist_and_groups_appear_once():
    errors, included = [], set()
    profiles = [n for n, p in ALL.items() if "profile" in
                {s for _, s, k, _ in read_ini(p.path)[0] if k is None}]
    for name in profiles:
        parts, errs = expand(name)
        errors += errs
        seen, ifaces = {}, []
        for p in parts:
            included.add(p.name)
            for g, grp in p.groups.items():
                if g in seen:
                    errors.append(f"{grp['line']}: group {g!r} already in {seen[g]} "
                                  f"(profile {name})")
                seen[g] = grp["line"]
            if p.interfaces is not None:
                ifaces.append(p.name)
        if len(ifaces) > 1:
            errors.append(f"{name}.conf: [interfaces] in {ifaces}")
    # every fragment is used by some profile
    errors += [f"{n}.conf: neither a profile nor included" for n in ALL if n not in included]
    assert not errors, "\n".join(errors)


def test_interfaces_fragment_has_every_role():
    assert "if-mib" in ALL and ALL["if-mib"].interfaces is not None
    missing = ROLES - set(ALL["if-mib"].interfaces)
    assert not missing, f"if-mib.conf lacks roles {sorted(missing)}"


def test_classify_rules():
    rules, errors = read_classify()
    assert not errors, "\n".join(errors)
    oids = {r[2][1] for r in rules if r[1] == "has"}
    oids |= {c[1] for r in rules if r[1] == "value" for c in r[2]}
    assert len(oids) <= MAX_TESTED_OIDS, f"{len(oids)} tested OIDs: each costs a varbind"
    probed = [n for n, v in read_vendors().items() if "probe" in v[1]]
    assert len(probed) <= MAX_PROBED_VENDORS, f"{len(probed)} vendors to probe"


@needs_snmptranslate
def test_mib_names_match_numeric_oids():
    objects = []
    for prof in ALL.values():
        objects += prof.objects
    tests = [(arg[0], arg[1], False, where)
             for _, kind, arg, where, _ in read_classify()[0] if kind == "has"]
    tests += [(c[0], c[1], False, where)
              for _, kind, arg, where, _ in read_classify()[0] if kind == "value" for c in arg]
    objects += tests
    assert objects
    oids = translate(["-IR", "-On"], [o[0] for o in objects])
    errors = []
    for name, oid, scalar, where in objects:
        got = oids.get(name)
        if got is None and (name, oid, scalar, where) in tests:
            continue   # a class test of a module not here (IEEE802dot11-MIB): as the probe does
        if got is None:
            errors.append(f"{where}: {name}: not in the MIB modules of {MIBS}")
            continue
        want = got.lstrip(".") + (".0" if scalar else "")
        if oid != want:
            errors.append(f"{where}: {name} is {want}, the profile says {oid}")
    # keep values that are OIDs (hrStorageType...) name objects the MIBs know
    keeps = [k for prof in ALL.values() for k in prof.keep_oids]
    names = translate(["-Os"], [k[0] for k in keeps])
    for oid, where in keeps:
        got = names.get(oid) or ""
        if not got or re.search(r"(^|[.:])[0-9]+$", got):
            errors.append(f"{where}: keep value {oid} is no object of the MIB modules ({got})")
    assert not errors, "\n".join(errors)


def test_recordings_are_all_listed():
    assert recording_keys("devices") == sorted(EXPECTED)
    assert recording_keys("devices-hostile") == sorted(HOSTILE)
    for key, exp in EXPECTED.items():
        assert exp["class"] == key.split("/")[0], key


@pytest.mark.parametrize("folder,key", [("devices", k) for k in sorted(EXPECTED)] +
                         [("devices-hostile", k) for k in sorted(HOSTILE)])
def test_recording_classified(folder, key):
    want = EXPECTED[key]["class"] if folder == "devices" else HOSTILE[key]
    if want is None:
        pytest.skip("no meaningful class")
    rec = snmprec(os.path.join(SHARED, folder, key + ".snmprec"))
    assert classify(rec) == want


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_recording_yields_groups_and_metrics(key):
    exp = EXPECTED[key]
    parts, errors = expand(exp["class"])
    assert not errors
    rec = snmprec(os.path.join(SHARED, "devices", key + ".snmprec"))
    ifrows = [o for o in rec if o.startswith("1.3.6.1.2.1.2.2.1.2.")]
    assert len(ifrows) == exp["interfaces"]
    got = poll(rec, parts)
    assert sorted(got) == sorted(exp["groups"])
    for gm in exp["metrics"]:
        g, m = gm.split(".")
        vals = [r[m] for r in got.get(g, {}).values() if m in r]
        assert any(isinstance(v, (int, float)) for v in vals), f"{gm}: no numeric value"


# --- enums.conf and the catalogues ---------------------------------------------------------

ENUMS = os.path.join(PROFILES, "enums.conf")
I18N = os.path.join(TOP, "dashboards", "i18n")
LABEL_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,62}\Z")
# the probe's own checks ride as groups of every device (probe/main.c: icmp_row, http_row);
# http.ok carries a label of its own (reachable / unreachable)
BUILT_IN = {"icmp": ["rtt_ms", "rtt_max_ms", "loss_pct"], "http": ["ok", "status", "time_ms"]}
BUILT_IN_LABELS = ["reachable", "unreachable"]


def read_enums():
    """({section: [(key, label, where)]}, errors): the file as the probe reads it."""
    entries, errors = read_ini(ENUMS)
    out = {}
    for n, sec, key, value in entries:
        where = f"enums.conf:{n}"
        if key is None:
            if sec in out:
                errors.append(f"{where}: [{sec}] twice")
            out[sec] = []
            continue
        if not (re.fullmatch(r"-?[0-9]+", key) or OID_RE.match(key)):
            errors.append(f"{where}: {key!r} is neither a number nor an OID")
        if not LABEL_RE.match(value):
            errors.append(f"{where}: {value!r} is not a MIB label")
        if key in [k for k, _, _ in out[sec]]:
            errors.append(f"{where}: {key} twice in [{sec}]")
        out[sec].append((key, value, where))
    return out, errors


def profile_enum_objects():
    """{MIB name: (type, where)} of every enum and oid object of the profiles."""
    out = {}
    for prof in ALL.values():
        for grp in prof.groups.values():
            for s in grp["metrics"].values():
                if s[0] == "object" and s[3] in ("enum", "oid"):
                    out.setdefault(s[1], (s[3], s[4]))
    return out


def read_catalogue(lang):
    keys = {}
    for _, _, key, value in read_ini(os.path.join(I18N, f"{lang}.ini"))[0]:
        if key is not None:
            keys.setdefault(key, value)
    return keys


def test_every_enum_object_has_its_labels():
    enums, errors = read_enums()
    for name, (typ, where) in sorted(profile_enum_objects().items()):
        if typ == "enum" and name not in enums:
            errors.append(f"{where}: {name} is an enum: enums.conf has no [{name}] "
                          "(run tools/mkenums)")
        elif name in enums and bool(OID_RE.match(enums[name][0][0])) != (typ == "oid"):
            errors.append(f"{where}: {name} is an {typ}: [{name}] lists the other kind of key")
    assert not errors, "\n".join(errors)


@needs_snmptranslate
def test_enum_labels_are_the_mib_modules():
    enums, _ = read_enums()
    errors = []
    for name, values in sorted(enums.items()):
        if OID_RE.match(values[0][0]):
            # OID = label: each label is the identity registered at that OID, and every
            # identity under the same node is listed
            oids = translate(["-IR", "-On"], [label for _, label, _ in values])
            for key, label, where in values:
                if (oids.get(label) or "").lstrip(".") != key:
                    errors.append(f"{where}: {label} is {oids.get(label)}, not {key}")
            parent = values[0][0].rsplit(".", 1)[0]
            names = translate(["-Os"], [parent])
            p = subprocess.run(["snmptranslate", "-M", MIBS, "-m", "ALL", "-Tz"],
                               capture_output=True, text=True, timeout=60).stdout
            under = {o for _, o in re.findall(r'"([^"]+)"\s+"([0-9.]+)"', p)
                     if o.rsplit(".", 1)[0] == parent}
            missing = under - {k for k, _, _ in values}
            if missing:
                errors.append(f"[{name}]: identities under {names.get(parent)} not listed: "
                              f"{sorted(missing)}")
            continue
        out = subprocess.run(["snmptranslate", "-M", MIBS, "-m", "ALL", "-Td", "-IR", name],
                             capture_output=True, text=True, timeout=60).stdout
        syntax = re.search(r"^\s*SYNTAX\s+(.*)$", out, re.M)
        if not syntax:
            errors.append(f"{values[0][2]}: [{name}] is no object of the MIB modules of {MIBS}")
            continue
        mib = {n: label for label, n in re.findall(r"([A-Za-z][\w-]*)\((-?[0-9]+)\)",
                                                  syntax.group(1))}
        have = {k: label for k, label, _ in values}
        if have != mib:
            errors.append(f"{values[0][2]}: [{name}] is {have}, the MIB module says {mib}")
    assert not errors, "\n".join(errors)


def test_catalogues_name_every_metric_and_label():
    enums, _ = read_enums()
    metrics = {(g, m) for g, ms in BUILT_IN.items() for m in ms}
    for prof in ALL.values():
        for g, grp in prof.groups.items():
            metrics |= {(g, m) for m in grp["metrics"]}
    labels = set(BUILT_IN_LABELS)
    for name in profile_enum_objects():
        labels |= {label for _, label, _ in enums.get(name, [])}
    errors = []
    for lang in ("vi", "en"):
        cat = read_catalogue(lang)
        groups = {g for g, _ in metrics}
        errors += [f"{lang}.ini: no group.{g}" for g in sorted(groups) if f"group.{g}" not in cat]
        errors += [f"{lang}.ini: no metric.{g}.{m}" for g, m in sorted(metrics)
                   if f"metric.{g}.{m}" not in cat]
        errors += [f"{lang}.ini: no enum.{x}" for x in sorted(labels) if f"enum.{x}" not in cat]
        # the words people read: no raw label, no empty text
        errors += [f"{lang}.ini: enum.{x} = {cat[f'enum.{x}']!r} is the label itself"
                   for x in sorted(labels) if cat.get(f"enum.{x}") == x and
                   re.search(r"[a-z][A-Z]", x)]
    assert not errors, f"{len(errors)} missing:\n" + "\n".join(errors[:60])


def test_enums_conf_is_what_mkenums_writes():
    """profiles/enums.conf is generated: a change to a profile's enum objects regenerates it."""
    if shutil.which("snmptranslate") is None or not os.path.isdir(MIBS):
        pytest.skip("needs snmptranslate and the MIB modules")
    r = subprocess.run([os.path.join(TOP, "tools", "mkenums"), "--check", "--mibs", MIBS],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
