"""Words people read: finds identifier-like tokens in the text a user reads.

A district IT officer, a commune officer or a planner reads the dashboard, the device pages, the
period report, the alert mails and the CSV header; they must never read a variable name, a MIB
object name, an OID, a raw enumeration number, an unrounded decimal or an ISO timestamp
(../shared/VOCABULARY.md says what to write instead). `identifier_tokens(text, lang, allow)`
lists what slipped through, as (token, context) pairs; `page_tokens(html, lang, allow)` does the
same for an HTML page; `crawl_findings(base_url, allow)` walks a running collector.

What counts as read text, in an HTML page:
  - the text of the elements, the <title>, and the attributes a person reads: alt, title,
    placeholder, aria-label, and the value of a button-like <input>;
  - not <script>, <style>, <template>, nor any other attribute (URLs, classes, data-*, form
    field names and values: machine values the browser keeps to itself);
  - not the content of an element marked technical. THE MARKER is the class `tech`, on any
    element: `<details class="tech"><summary>Thông tin kỹ thuật</summary>… OID …</details>`,
    `<span class="tech">1.3.6.1.4.1.9.1.516</span>`. The <summary> of a `tech` <details> is the
    label people read before they open it: it is checked like any other text. <code> is not a
    marker: a page that shows something technical says so with the class.

Text that is allowed whatever the rules say (masked out before they run):
  - the caller's allow set: names from the inventory (communes, sites, devices, contacts) and
    text the device itself provides (sysName, sysDescr: crawl_findings takes them from
    /api/v1/devices; a caller may add disk or supply labels): the district did not choose
    those words and the officer recognises them as the device's own.
    A string shorter than 3 characters is ignored (it would mask half the page);
  - URLs, e-mail addresses, IPv4 addresses with an optional port, host names under a usual
    top-level domain, file names (readiness.csv): a person reads them, copies them, types them;
  - an HTTP status code after "HTTP status" (200, 503): the web's own standard number;
  - a few technical words that are the words a district uses: SNMP, SVG, CSV, H.323, SIP, …
    (most of them no rule flags anyway; they are listed so that a later rule keeps them).

The rules (RULES below, each with why) are per language where the languages differ: Vietnamese
writes a decimal comma (96,5 %) and groups thousands with a point (1.234), English writes a
decimal point. Each finding is a Finding: a (token, context) tuple with `.rule` naming the rule.
"""
import csv
import html
import html.parser
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections import OrderedDict

TECH_CLASS = "tech"
CONTEXT = 35  # characters shown either side of a token


class Finding(tuple):
    """(token, context), with the rule that found it as .rule (not part of the tuple)."""

    def __new__(cls, token, context, rule=""):
        self = super().__new__(cls, (token, context))
        self.rule = rule
        return self

    @property
    def token(self):
        return self[0]

    @property
    def context(self):
        return self[1]


# ---------------------------------------------------------------------------------------------
# Allowed text: masked before the rules run (same length, so contexts stay the original text).

MASK = "\u2591"  # ░: not a word character, not a digit, not punctuation any rule looks for

ALLOWED_WORDS = (
    # protocols and formats a district officer knows by these names
    "SNMP", "SVG", "CSV", "PNG", "JSON", "HTTP", "HTTPS", "SMTP", "ICMP", "H.323", "SIP", "IPv4",
    "IPv6", "PoE", "Wi-Fi", "UPS", "USB", "LAN", "WAN", "VPN", "DNS", "DHCP",
    # units
    "kbit/s", "Mbit/s", "Gbit/s", "bit/s", "KiB", "MiB", "GiB", "kWh", "dBm", "mAh",
)

ALLOW_PATTERNS = (
    # a URL in the text is an address people follow or copy
    r"\b[a-z][a-z0-9+.-]*://[^\s<>\"'()]*[^\s<>\"'().,;:!?]",
    # an e-mail address (a commune's contact)
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",
    # an IPv4 address, and host:port: what the officer types in a browser or ping; not the
    # start of an OID (1.3.6.1…), not part of a longer dotted number
    r"(?<![\w.])(?!1\.3\.6\.1(?![\d]))\d{1,3}(?:\.\d{1,3}){3}(?![.\d])(?::\d{1,5}\b)?",
    # a host name under a usual top-level domain (huyen-demo.invalid, tanphu.gov.vn)
    r"(?<![\w.@-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:vn|com|net|org|gov|edu|info|io|"
    r"invalid|local|lan|localdomain|example|test)\b(?![.\w])",
    # an HTTP status code is the web's own standard number, known to IT staff (200, 503)
    r"(?i)HTTP status:? \d{3}(?!\d)",
    # a file name a person saves or opens
    r"(?<![\w.])[\w-]+\.(?:csv|png|svg|pdf|json|xlsx|txt|conf|ini)\b",
)


def _allow_regex(allow):
    """One alternation of the allowed strings, longest first, whitespace-tolerant."""
    parts = []
    for s in sorted({" ".join(str(a).split()) for a in allow if a}, key=len, reverse=True):
        if len(s) >= 3:
            parts.append(r"\s+".join(re.escape(w) for w in s.split(" ")))
    return re.compile("|".join(parts)) if parts else None


def _mask(text, allow_re):
    chars = list(text)
    spans = []
    if allow_re is not None:
        spans += [m.span() for m in allow_re.finditer(text)]
    for p in ALLOW_PATTERNS:
        spans += [m.span() for m in re.finditer(p, text)]
    for w in ALLOWED_WORDS:
        spans += [m.span() for m in re.finditer(r"(?<!\w)" + re.escape(w) + r"(?!\w)", text)]
    for a, b in spans:
        for i in range(a, b):
            if not chars[i].isspace():
                chars[i] = MASK
    return "".join(chars)


# ---------------------------------------------------------------------------------------------
# The rules: (name, languages, pattern, why). A pattern's match is the token; overlapping
# findings keep the longest token.

BOTH, VI, EN = ("vi", "en"), ("vi",), ("en",)

RULES = (
    ("snake_case name", BOTH,
     r"(?<!\w)[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?!\w)",
     "word_word is a variable, column or metric name (used_pct, rtt_ms, site_type), never a "
     "word: the text says what it measures (Ổ đĩa đã dùng, Phản hồi ping)"),
    ("camelCase MIB name", BOTH,
     r"(?<!\w)[a-z]{2,}[A-Z][A-Za-z0-9]*(?!\w)",
     "lower-then-Upper inside a word starting with 2+ lower-case letters is a MIB object "
     "(sysDescr, hrDeviceStatus, ifOperStatus, sysObjectID); iPhone-like words (one letter "
     "before the capital) and units (dBm, kWh) do not match"),
    ("row key", BOTH,
     r"(?<![\w.-])[a-z]{2,}-\d+(?:\.\d+)*(?![\w-]|\.\d)",
     "disk-1, supply-1.3, if-3: the name a table row has in the files, not the disk's own "
     "label (C:) nor a word"),
    ("MIB module name", BOTH,
     r"(?<![\w-])(?:[A-Z][A-Za-z0-9]*-)+(?:MIB|SMI|TC)(?![\w-])|(?<!\w)HOST-RESOURCES(?!\w)"
     r"|(?<!\w)[A-Za-z][\w-]*::[A-Za-z]\w*",
     "IF-MIB, HOST-RESOURCES, SNMPv2-MIB::sysDescr name where the value comes from, not what "
     "it is (a general ALL-CAPS-hyphen rule would also hit legal references like TT-BTTTT)"),
    ("OID", BOTH,
     r"(?<![\w.])\.?(?:\d+\.){4,}\d+(?![\w.]?\d)|(?<![\w.])\.?1\.3\.6\.1(?:\.\d+)*(?![\w]|\.\d)"
     r"|(?<![\w.])iso(?:\.\d+)+",
     "five or more dotted numbers (1.3.6.1.2.1.25.3.1.1) or anything under 1.3.6.1 is an OID; "
     "an IP address has four parts and is allowed above"),
    ("raw field = value", BOTH,
     r"(?<!\w)[^\W\d]\w*\s*(?:==?|!=)\s*-?\d",
     "'status = 2' is an expression from the configuration; prose does not use '='"),
    ("raw field: number", BOTH,
     r"(?<![\w.\-/])[a-z][a-z0-9]*\s*:\s*-?\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?(?![.,]?\d)",
     "a lower-case ASCII word as the first word of a label, then a bare number ('uptime: "
     "6572', 'status: 2 errors: 0'): a field dump. Checked in code: the word must not follow "
     "another word (Phản hồi ping: 0,10 ms is a label of its own)"),
    ("raw enumeration", BOTH,
     r"(?i)(?<![\w-])(?:status|state|condition|trạng thái|tình trạng)(?:\s+[^\W\d]+){0,3}"
     r"\s*:?\s*-?\d+(?![\d.,]|\s*%|\s*[^\W\d])",
     "a state followed by a bare number ('sip: status 3', 'Trạng thái: 2', 'Tray condition "
     "code: 9') is an enumeration number: the text names the state (Lỗi, bình thường). A "
     "number followed by a word is a count (Trạng thái: 3 cổng …)"),
    ("raw enumeration", BOTH,
     r"(?i)(?<![\w-])(?:status|state|condition|trạng thái|tình trạng)"
     r"(?:[^\S\n]+[^\W\d][\w ]{0,30})?\n-?\d+(?=\n|$)",
     "the same across a label cell and its value cell (Trạng thái máy in | 1): a state label "
     "whose whole value is a bare number (a count has its own label: Người dùng | 0)"),
    ("unrounded decimal", BOTH,
     r"(?<![\w.,])\d+[.,]\d{3,}(?![\w.,]?\d)",
     "three or more decimals is a raw reading (96.5009, 0.102199): round to 1 or 2. In "
     "Vietnamese 1.234 (1-3 digits, a point, 3 digits) groups thousands: checked in code; in "
     "English 1,234 does"),
    ("point decimal in Vietnamese", VI,
     r"(?<![\w.,])\d+\.\d{1,2}(?![\w]|[.,]\d)",
     "Vietnamese writes 96,5 % and 0,10 ms; 96.5 reads as ninety-six thousand five hundred"),
    ("comma decimal in English", EN,
     r"(?<![\w.,])\d+,\d{1,2}(?=\s?%)",
     "English writes 96.5 %; 96,5 % is the Vietnamese text in the English page"),
    ("percent without space in Vietnamese", VI,
     r"(?<![\w.,])\d+(?:,\d+)?%",
     "VOCABULARY: 44,4 % with a space before %, as Vietnamese typesetting does (not 44.4%)"),
    ("exponent notation", BOTH,
     r"(?<![\w.])\d+\.\d+[eE][+-]?\d+(?!\w)|(?<![\w.])\d+[eE][+-]\d+(?!\w)",
     "1.23457e+09 is printf's %g of a counter, not a number a person reads"),
    ("ISO date", BOTH,
     r"(?<![\w-])(?:19|20)\d\d-[01]\d(?:-[0-3]\d)?(?:[T ][0-2]\d:[0-5]\d(?::[0-5]\d)?"
     r"(?:\.\d+)?(?:Z|[+-][0-2]\d:?[0-5]\d)?)?(?![\w-]|:\d)",
     "dates are dd/mm/yyyy (05/12/2026), never 2026-12-05 or 2026-12"),
    ("ISO time", BOTH,
     r"(?<=\d)T[0-2]\d:[0-5]\d(?::[0-5]\d)?(?:Z|[+-]\d\d:?\d\d)?"
     r"|(?<![\w:])[0-2]\d:[0-5]\d(?::[0-5]\d(?:\.\d+)?(?:Z|[+-][01]\d:?[0-5]\d)"
     r"|Z|[+-][01]\d[0-5]\d)(?!\d)",
     "T03:26:37+0700 is a timestamp format; a time is 03:26 (a working-hours range "
     "07:00-11:30 is not a zone offset: an offset after hh:mm needs 4 digits without colon)"),
    ("code value", BOTH,
     r"(?<![\w-])-?(?:NaN|nan|inf|Infinity|null|undefined|NULL)(?!\w)|\(null\)",
     "printf's nan/inf and a missing string's (null) are holes, not values: '—' says there is "
     "no value"),
    ("code value", VI,
     r"(?<!\w)(?:None|True|False|true|false)(?!\w)",
     "Python or JSON literals; no Vietnamese text uses these English words"),
    ("code value", EN,
     r"(?<=[:=])\s*(?:None|True|False|true|false)(?!\w)",
     "'online: true' is a JSON value; in English prose (None of …) the word is fine, so only "
     "after ':' or '='"),
    ("catalogue key or dotted name", BOTH,
     r"(?<![\w.])[a-z]{2,}(?:\.[a-z][a-z0-9_]+)+(?![\w]|\.\w)",
     "class.pc, graph.export_csv, pc.disk.used_pct: a missing catalogue text (i18n_get "
     "returns the key) or a metric name; host and file names are allowed above"),
    ("template placeholder", BOTH,
     r"\{[a-z_]+\}|(?<![\w%])%(?:\d+\$)?[-+0#]*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j)?[sdiufgx](?!\w)",
     "an unreplaced {bad} or a printf %s reached the reader"),
    ("terse duration", VI,
     r"(?<![\w:])\d+ d \d{1,2}:\d{2}(?!\d)",
     "'1 d 21:59' is not Vietnamese: 1 ngày 21 giờ 59 phút"),
)

# a token never spans two blocks (a table's label cell and its value cell): \s means a space
_COMPILED = [(name, langs, re.compile(p.replace(r"\s", r"[^\S\n]")), why)
             for name, langs, p, why in RULES]
_VI_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")
_EN_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+")


def _keep(name, lang, text, a, b):
    """The checks a pattern cannot say alone."""
    tok = text[a:b]
    if name == "unrounded decimal":
        # grouped thousands, not decimals: 1.234 in Vietnamese, 1,234 in English
        if lang == "vi" and _VI_THOUSANDS.fullmatch(tok):
            return False
        if lang == "en" and _EN_THOUSANDS.fullmatch(tok):
            return False
        # (96,5009 in English is no grouping either: flagged)
    if name == "raw field: number":
        # the label's first word: nothing but punctuation, a number or the start before it
        # (an allowed word or name before it makes a label of words: HTTP status: 200)
        before = text[:a].rstrip(" \t")
        if before and (before[-1].isalpha() or before[-1] == MASK):
            return False
    return True


def _context(text, a, b):
    s = text[max(0, a - CONTEXT):a] + text[a:b] + text[b:b + CONTEXT]
    s = re.sub(r"\s*\n\s*", " | ", s)
    return " ".join(s.split())


def identifier_tokens(text, lang, allow=()):
    """The identifier-like tokens of read text, as [Finding(token, context)] in text order.

    lang is "vi" or "en" (the page's language: the decimal rules differ); allow is a set of
    strings that are allowed verbatim (inventory names, device-provided text)."""
    if lang not in ("vi", "en"):
        raise ValueError(f"lang {lang!r}: vi or en")
    masked = _mask(text, _allow_regex(allow))
    found = []  # (start, end, rule)
    for name, langs, rx, _ in _COMPILED:
        if lang not in langs:
            continue
        for m in rx.finditer(masked):
            a, b = m.span()
            a += len(masked[a:b]) - len(masked[a:b].lstrip())
            if b > a and MASK not in masked[a:b] and _keep(name, lang, masked, a, b):
                found.append((a, b, name))
    # overlapping findings: the longest token speaks for them (pc.disk.used_pct, not used_pct)
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    kept = []
    for a, b, name in found:
        if kept and a < kept[-1][1]:
            if b - a > kept[-1][1] - kept[-1][0]:
                kept[-1] = (a, b, name)
            continue
        kept.append((a, b, name))
    return [Finding(text[a:b], _context(text, a, b), name) for a, b, name in kept]


# ---------------------------------------------------------------------------------------------
# HTML: the visible text.

_BLOCK = {"address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div",
          "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
          "h4", "h5", "h6", "header", "hr", "label", "li", "main", "nav", "ol", "option", "p",
          "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "title",
          "tr", "ul", "button", "select", "textarea", "legend", "img", "input", "body", "head"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
         "source", "track", "wbr"}
_HIDDEN = {"script", "style", "template", "noscript"}
_READ_ATTRS = {"alt", "title", "placeholder", "aria-label"}


class _Visible(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.stack = []  # (tag, hidden, tech)

    def _hidden(self):
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        tech = TECH_CLASS in (a.get("class") or "").split()
        hidden = self._hidden() or tag in _HIDDEN or tech
        # the label of a technical <details> is read before it is opened
        if tag == "summary" and self.stack and self.stack[-1][0] == "details" and \
                self.stack[-1][2]:
            hidden = len(self.stack) > 1 and self.stack[-2][1]
        if tag in _BLOCK:
            self.out.append("\n")
        if not hidden:
            read = [v for k, v in attrs if k in _READ_ATTRS and v]
            if tag == "input" and (a.get("type") or "").lower() in ("submit", "button", "reset"):
                read += [a.get("value") or ""]
            for v in read:
                self.out.append("\n" + " ".join(v.split()) + "\n")
        if tag not in _VOID:
            self.stack.append((tag, hidden, tech))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        # close up to the matching element (tolerates unclosed <p>, <li>, <td>)
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        if tag in _BLOCK:
            self.out.append("\n")

    def handle_data(self, data):
        if not self._hidden():
            # whitespace runs collapse as a browser shows them
            self.out.append(re.sub(r"\s+", " ", data))


def visible_text(page):
    """The text of an HTML page a person reads, blocks on their own lines."""
    p = _Visible()
    p.feed(page)
    p.close()
    text = "".join(p.out)
    return "\n".join(line.strip() for line in text.split("\n") if line.strip())


def page_tokens(page, lang, allow=()):
    return identifier_tokens(visible_text(page), lang, allow)


def csv_header_tokens(data, lang, allow=()):
    """The header row of a CSV sheet: the column names a planner reads in Excel."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","  # Vietnamese sheets: ';'
    try:
        header = next(csv.reader(io.StringIO(text), delimiter=sep))
    except StopIteration:
        return []
    return identifier_tokens("\n".join(header), lang, allow)


# ---------------------------------------------------------------------------------------------
# The crawl of a running collector.

class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links(page):
    p = _Links()
    p.feed(page)
    p.close()
    return p.hrefs


def _get(url, timeout=20, cookie=None):
    req = urllib.request.Request(url)
    if cookie:
        req.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def with_lang(url, lang, default="vi"):
    """The URL with its lang argument set (dropped for the default language)."""
    u = urllib.parse.urlsplit(url)
    q = [(k, v) for k, v in urllib.parse.parse_qsl(u.query, keep_blank_values=True) if k != "lang"]
    if lang != default:
        q.append(("lang", lang))
    return urllib.parse.urlunsplit(u._replace(query=urllib.parse.urlencode(q)))


def inventory_names(path):
    """The words of an inventory.csv a district chose: communes, sites, devices, contacts,
    URLs and addresses (not its class and site-type keys: those are identifiers)."""
    names = set()
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            for k in ("commune", "site", "device", "contact", "url", "address"):
                if row.get(k):
                    names.add(row[k].strip())
    return names


def device_provided(base_url, cookie=None):
    """What the devices say of themselves (sysName, sysDescr), from /api/v1/devices."""
    st, body = _get(urllib.parse.urljoin(base_url, "/api/v1/devices"), cookie=cookie)
    if st != 200:
        return set()
    out = set()
    for d in json.loads(body):
        for k in ("sys_name", "sys_descr"):
            if d.get(k):
                out.add(d[k])
    return out


def crawl_findings(base_url, allow=(), langs=("vi", "en"), cookie=None):
    """Reads what a person reads from a running collector, in each language: the log-in page,
    the overview, every commune page and device page they link, the report and its period links, the report's
    CSV header, the activity log (cookie: an administrator's session). Returns OrderedDict
    {url: [Finding]} of the URLs with findings (an HTTP error is a finding too). allow:
    inventory names; the devices' own sysName/sysDescr are added from the API."""
    allow = set(allow) | device_provided(base_url, cookie)
    results = OrderedDict()

    def check(url, lang, kind="html"):
        st, body = _get(url, cookie=cookie)
        if st != 200:
            results[url] = [Finding(f"HTTP {st}", body[:120].decode(errors="replace"), "fetch")]
            return ""
        if kind == "csv":
            found = csv_header_tokens(body, lang, allow)
        else:
            page = body.decode("utf-8", errors="replace")
            found = page_tokens(page, lang, allow)
        if found:
            results[url] = found
        return body.decode("utf-8", errors="replace")

    def absolute(href):
        return urllib.parse.urljoin(base_url, html.unescape(href))

    for lang in langs:
        seen = set()

        def visit(href, kind="html"):
            url = with_lang(absolute(href), lang)
            if url in seen:
                return None
            seen.add(url)
            return check(url, lang, kind)

        if cookie:  # a collector's own pages of access (a logged-in administrator reads the log)
            visit("/login")
            visit("/audit")
        overview = visit("/") or ""
        hrefs = links(overview)
        # the communes' pages, and the devices they (or the overview) link
        for h in list(hrefs):
            if urllib.parse.urlsplit(h).path.startswith("/commune/"):
                hrefs += links(visit(h.split("?")[0]) or "")
        for h in hrefs:
            if urllib.parse.urlsplit(h).path.startswith("/device/"):
                visit(h.split("?")[0])
        report = visit("/report") or ""
        pages = [report]
        for h in links(report):
            if urllib.parse.urlsplit(h).path == "/report":
                pages.append(visit(h) or "")
        # the sheet's header does not depend on the period: the first CSV link is enough
        for h in (h for p in pages for h in links(p)):
            q = urllib.parse.parse_qs(urllib.parse.urlsplit(html.unescape(h)).query)
            if q.get("format") == ["csv"]:
                visit(h, "csv")
                break
    return results


def summary(results, limit=40):
    """A readable failure message: counts per rule, then up to limit distinct shapes of token
    (digits as N: 'units: N'), taking each rule in turn, with where each first appears and how
    often it does."""
    by_rule, shapes = OrderedDict(), OrderedDict()  # rule: count; rule: {shape: [first, n]}
    for url, found in results.items():
        for f in found:
            by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
            shape = re.sub(r"\d+", "N", f.token)
            seen = shapes.setdefault(f.rule, OrderedDict()).setdefault(shape, [(url, f), 0])
            seen[1] += 1
    total = sum(by_rule.values())
    lines = [f"{total} identifier-like tokens on {len(results)} pages: " +
             ", ".join(f"{n} {r}" for r, n in sorted(by_rule.items(), key=lambda x: -x[1]))]
    queues = [list(v.values()) for v in shapes.values()]
    shown, left = 0, sum(len(q) for q in queues)
    while shown < min(limit, left):
        for q in queues:
            if q and shown < limit:
                (url, f), n = q.pop(0)
                u = urllib.parse.urlsplit(url)
                where = urllib.parse.unquote(urllib.parse.unquote(u.path)) + \
                    ("?" + u.query if u.query else "")
                lines.append(f"{where}: [{f.rule}] {f.token!r} (×{n}) in …{f.context}…")
                shown += 1
    if left > shown:
        lines.append(f"… and {left - shown} more kinds of token")
    return "\n".join(lines)
