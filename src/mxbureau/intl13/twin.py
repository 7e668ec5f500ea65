"""The pure-Python twin of the compiled INTL13 scanner (the reference implementation): slow, obvious, and the
reference it must agree with token for token (records, tokens, problems). Written from the manual and
DESIGN.md, not from _scan.pyx; problem codes, kinds and header positions from spec.py. The tests compare both on every corpus; the benchmarks measure both.

Rules (shared with the compiled scanner):
- Between records: any run of b"\\n", b"\\r", b"\\x13".
- A record starts with INTL (49-byte response header when "MX" is at offset 31, 88-byte consulta header
  when "MX" is at offset 34) or ERRR (4 bytes), or -- a consulta only -- with CL and AU segments (CL or
  AU and a 2-digit length at the start; any of them, in any order) followed, at a field boundary, by the
  consulta's INTL header (spec.MANUAL_NOTES, consulta CL). Then fields TAG(2) LEN(2 digits) VALUE(LEN).
  Two capital letters open a segment; two digits continue it.
- CR (in a response): CR + 04|05 + count, then 00 + 00, then the text. Reading A: text length = count;
  reading B: text length = count - (8 + digits). The first reading after which 2 capitals + 2 digits
  follow is taken; if the record then fails, it is parsed again taking reading B at every CR (a CR
  where B does not fit fails that parse), and that parse's result is taken if it succeeds.
- ES: its first field is the declared total length (counted from the record's first byte); the record
  ends after a field 00 or 01 whose value is "**". The declared length must equal the record's length.
- Strict: the first problem raises. Lenient: the span from the damaged record's start to the next
  verified record start (a record that parses and whose ES length is exact) is reported and skipped;
  its problem is the first one found before that next record (RUNS_INTO_NEXT when the damaged record's
  fields run over its start).
- Finding verified starts is linear: whether a record closes at a candidate depends only on where its
  walk over field boundaries goes, and walks that meet at a boundary (in the same reading: error record
  or consulta, response A-first or B-forced, CL/AU prefix, inside ES) go on together; so what each
  boundary leads to -- the one start E - D that an ES end E with length D closes, or nothing -- is
  computed once (``_Outcomes``).
"""
from __future__ import annotations

from . import spec

C = spec.CODE                        # problem codes by name
MAX_RECORD = 999_999
MAX_VALUE = 65535   # a token length is a uint16
SEPARATORS = b"\n\r\x13"
KINDS = {k: i for i, k in enumerate(spec.KINDS)}
RESP_LEN, CONS_LEN = spec.RESPONSE_HEADER_LENGTH, spec.CONSULTA_HEADER_LENGTH
MX, FOUND, QMX = spec.RESPONSE_COUNTRY_AT, spec.RESPONSE_FOUND_AT, spec.CONSULTA_COUNTRY_AT
PREFIX = (b"CL", b"AU")              # segments that may come before a consulta's INTL header


class Fail(Exception):
    def __init__(self, code, offset, seg=None, tag=None, a=0, b=0):
        self.code, self.offset, self.seg, self.tag, self.a, self.b = code, offset, seg, tag, a, b
        self.kind = None             # the record's kind, when its header was read


def is_upper2(b):
    return len(b) == 2 and all(65 <= c <= 90 for c in b)


def is_digit2(b):
    return len(b) == 2 and all(48 <= c <= 57 for c in b)


def is_prefix(data, s):
    return data[s:s + 2] in PREFIX and is_digit2(data[s + 2:s + 4])


def is_start(data, s):
    return data[s:s + 4] in (b"INTL", b"ERRR") or is_prefix(data, s)


# --- one field ---------------------------------------------------------------------------------------
# Planes: what a field at a boundary means. "M0": error record or consulta; "MA": response, CR read
# A-first; "MB": response, CR reading B forced; "PRE": CL/AU segments before a consulta's INTL; "ES":
# inside ES, after its length field.

def field(data, q, plane, seg):
    """The field at boundary q (seg: the current segment, None before the first). Returns (event,
    next, plane, seg, tokens, extra); event is "next", "es" (extra: (declared, value offset)), "end"
    (extra: es_style), "cr" (extra: reading 1 or 2) or "intl" (a consulta header at q, PRE only).
    Raises Fail."""
    n = len(data)
    tag = data[q:q + 2]
    ln = data[q + 2:q + 4]
    v = q + 4
    if plane == "ES":
        if is_upper2(tag):
            raise Fail(C["SEGMENT_AFTER_ES"], q, "ES", tag.decode())
        if not is_digit2(tag):
            raise Fail(C["BAD_TAG"], q, "ES")
        if not is_digit2(ln):
            raise Fail(C["BAD_LENGTH"], q + 2, "ES", tag.decode())
        L = int(ln)
        if v + L > n:
            raise Fail(C["TRUNCATED"], q, "ES", tag.decode(), a=L + 4, b=n - q)
        toks = [(v, L, tag.decode(), "ES")]
        if tag in (b"00", b"01") and L == 2 and data[v:v + 2] == b"**":
            return "end", v + 2, plane, "ES", toks, 1 if tag == b"01" else 0
        return "next", v + L, plane, "ES", toks, None
    if is_upper2(tag):
        if plane == "PRE":
            if data[q:q + 4] == b"INTL":
                return "intl", q, plane, seg, [], None
            if tag not in PREFIX:
                raise Fail(C["PREFIX_SEGMENT"], q, seg, tag.decode())
        seg = tag.decode()
    elif is_digit2(tag):
        if seg is None:
            raise Fail(C["FIELD_OUTSIDE_SEGMENT"], q)
    else:
        raise Fail(C["BAD_TAG"], q, seg)
    if not is_digit2(ln):
        raise Fail(C["BAD_LENGTH"], q + 2, seg, tag.decode())
    L = int(ln)
    if tag == b"ES" and plane != "PRE":
        if v + L > n:
            raise Fail(C["TRUNCATED"], q, "ES", "ES", a=L + 4, b=n - q)
        if not (1 <= L <= 6 and data[v:v + L].isdigit()):
            raise Fail(C["BAD_ES_LENGTH"], v, "ES", "ES")
        return "es", v + L, "ES", "ES", [(v, L, "ES", "ES")], (int(data[v:v + L]), v)
    if tag == b"CR" and plane in ("MA", "MB") and L in (4, 5):
        if v + L > n:
            raise Fail(C["TRUNCATED"], q, "CR", "CR", a=L + 4, b=n - q)
        cnt = data[v:v + L]
        if not cnt.isdigit():
            raise Fail(C["BAD_CR_COUNT"], v, "CR", "CR")
        c = v + L
        if c + 4 > n:
            raise Fail(C["TRUNCATED"], c, "CR", "00", a=4, b=n - c)
        if data[c:c + 4] != b"0000":
            raise Fail(C["BAD_CR_SEPARATOR"], c, "CR", "00")
        t = c + 4
        count = int(cnt)

        def valid(T):
            e = t + T
            return 0 < T <= MAX_VALUE and e + 4 <= n and is_upper2(data[e:e + 2]) and is_digit2(data[e + 2:e + 4])

        ta, tb = count, count - (8 + L)
        if plane == "MB":
            if not valid(tb):
                raise Fail(C["CR_NO_READING"], v, "CR", "CR")
            T, reading = tb, 2
        elif valid(ta):
            T, reading = ta, 1
        elif valid(tb):
            T, reading = tb, 2
        else:
            if t + max(ta, tb) + 4 > n:
                raise Fail(C["TRUNCATED"], t, "CR", "00", a=max(ta, tb) + 4, b=n - t)
            raise Fail(C["CR_NO_READING"], v, "CR", "CR")
        return "cr", t + T, plane, "CR", [(v, L, "CR", "CR"), (t, T, "00", "CR")], reading
    if v + L > n:
        raise Fail(C["TRUNCATED"], q, seg, tag.decode(), a=L + 4, b=n - q)
    return "next", v + L, plane, seg, [(v, L, tag.decode(), seg)], None


def consulta_header(data, h):
    """The INTL header after CL/AU segments: a consulta's, or a Fail."""
    n = len(data)
    if h + RESP_LEN > n:
        raise Fail(C["TRUNCATED"], h, a=RESP_LEN, b=n - h)
    if not is_digit2(data[h + 4:h + 6]):
        raise Fail(C["BAD_VERSION"], h + 4)
    if data[h + MX:h + MX + 2] == b"MX":
        raise Fail(C["PREFIX_HEADER"], h + MX)
    if h + CONS_LEN > n:
        raise Fail(C["TRUNCATED"], h, a=CONS_LEN, b=n - h)
    if data[h + QMX:h + QMX + 2] != b"MX":
        raise Fail(C["NO_COUNTRY"], h + MX)
    return int(data[h + 4:h + 6])


# --- one record ----------------------------------------------------------------------------------------

def parse_record(data, s, cr_b=False, cap=None):
    """Parse one record at s. Returns (end, info, tokens) or raises Fail. ``cr_b``: reading B at every
    CR. ``cap``: a field boundary past it fails with RUNS_INTO_NEXT (lenient mode's problem report
    stops at the next intact record)."""
    info = {"kind": None, "version": -1, "declared": -1, "cr": 0, "es_style": -1}
    try:
        return _parse(data, s, cr_b, len(data) if cap is None else cap, info)
    except Fail as f:
        f.kind = info["kind"]
        raise


def _check_bound(data, s, q, seg, cap):
    n, limit = len(data), s + MAX_RECORD
    if q > limit or q > cap or q + 4 > n:
        if q > cap and cap <= limit:
            raise Fail(C["RUNS_INTO_NEXT"], cap, seg)
        if q > limit:
            raise Fail(C["NO_END_MARK"], s + MAX_RECORD + 1, seg, a=MAX_RECORD)
        raise Fail(C["TRUNCATED"], q, seg, a=4, b=n - q)


def _parse(data, s, cr_b, cap, info):
    n = len(data)
    tokens = []
    head = data[s:s + 4]
    seg = None
    if head == b"INTL":
        if s + RESP_LEN > n:
            raise Fail(C["TRUNCATED"], s, a=RESP_LEN, b=n - s)
        ver = data[s + 4:s + 6]
        if not is_digit2(ver):
            raise Fail(C["BAD_VERSION"], s + 4)
        info["version"] = int(ver)
        if data[s + MX:s + MX + 2] == b"MX":
            flag = data[s + FOUND:s + FOUND + 1]
            if flag == b"1":
                info["kind"] = "hit"
            elif flag == b"0":
                info["kind"] = "nohit"
            else:
                raise Fail(C["BAD_FOUND_FLAG"], s + FOUND)
            q = s + RESP_LEN
            plane = "MB" if cr_b else "MA"
        elif s + CONS_LEN <= n and data[s + QMX:s + QMX + 2] == b"MX":
            info["kind"] = "consulta"
            q, plane = s + CONS_LEN, "M0"
        else:
            if s + CONS_LEN > n and data[s + MX:s + MX + 2] != b"MX":
                raise Fail(C["TRUNCATED"], s, a=CONS_LEN, b=n - s)
            raise Fail(C["NO_COUNTRY"], s + MX)
    elif head == b"ERRR":
        info["kind"] = "error"
        q, plane = s + spec.ERROR_HEADER_LENGTH, "M0"
    elif is_prefix(data, s):
        q = s
        while True:
            _check_bound(data, s, q, seg, cap)
            event, nxt, _, seg, toks, _ = field(data, q, "PRE", seg)
            if event == "intl":
                break
            tokens.extend(toks)
            q = nxt
        info["version"] = consulta_header(data, q)
        info["kind"] = "consulta"
        q, plane, seg = q + CONS_LEN, "M0", None
    else:
        if len(head) < 4 and (b"INTL".startswith(head) or b"ERRR".startswith(head)):
            raise Fail(C["TRUNCATED"], s, a=4, b=n - s)
        raise Fail(C["RECORD_START"], s)
    es_pos = -1
    while True:
        _check_bound(data, s, q, seg, cap)
        event, q2, plane, seg, toks, extra = field(data, q, plane, seg)
        tokens.extend(toks)
        if event == "es":
            info["declared"], es_pos = extra
        elif event == "cr":
            info["cr"] = extra
        elif event == "end":
            info["es_style"] = extra
            if info["declared"] != q2 - s:
                raise Fail(C["ES_LENGTH_MISMATCH"], es_pos, "ES", "ES", a=info["declared"], b=q2 - s)
            return q2, info, tokens
        q = q2


def try_record(data, s):
    """Parse with the CR retry rule. Returns (end, info, tokens) or raises the first reading's Fail."""
    try:
        return parse_record(data, s)
    except Fail as first:
        if first.kind in ("hit", "nohit"):          # a response: again with reading B at every CR
            try:
                return parse_record(data, s, cr_b=True)
            except Fail:
                pass
        raise first


# --- verified starts -------------------------------------------------------------------------------------

def _step(data, q, plane, first=False):
    """Where the field at node (plane, q) leads: ("next", q2, plane2), ("es", q2, declared), ("end", E)
    or None (a failure). ``first``: the record's first field (no segment open yet)."""
    try:
        event, q2, plane2, _, _, extra = field(data, q, plane, None if first else "")
    except Fail:
        return None
    if event == "intl":                      # a consulta header after CL/AU, then its first field
        try:
            consulta_header(data, q)
        except Fail:
            return None
        return _step(data, q + CONS_LEN, "M0", first=True)
    if event == "es":
        return "es", q2, extra[0]
    if event == "end":
        return "end", q2
    return "next", q2, plane2


class _Outcomes:
    """What each node leads to, computed once: for a node before ES, the record start E - D that its
    walk closes (E the end after **, D the ES length on the way); for a node inside ES, E; None if the
    walk fails. No length limit is needed: a walk that closes E - D stays within E - (E - D) = D <=
    999,999 bytes of it."""

    def __init__(self, data):
        self.data = data
        self.known = {}

    def of(self, plane, q):
        path = []                            # (node, D when the node is an ES length field)
        while (plane, q) not in self.known:
            r = _step(self.data, q, plane)
            if r is None:
                path.append(((plane, q), None))
                val = None
                break
            if r[0] == "end":
                path.append(((plane, q), None))
                val = r[1]
                break
            path.append(((plane, q), r[2] if r[0] == "es" else None))
            plane, q = ("ES", r[1]) if r[0] == "es" else (r[2], r[1])
        else:
            val = self.known[(plane, q)]
        for node, D in reversed(path):
            if D is not None:
                val = None if val is None else val - D
            self.known[node] = val
        return val


def verify(data, c, outcomes):
    """Whether a record parses from c with an exact ES (try_record's verdict, through ``outcomes``)."""
    n = len(data)
    if data[c:c + 4] == b"INTL":
        if c + RESP_LEN > n or not is_digit2(data[c + 4:c + 6]):
            return False
        if data[c + MX:c + MX + 2] == b"MX":
            if data[c + FOUND:c + FOUND + 1] not in (b"0", b"1"):
                return False
            h, planes = c + RESP_LEN, ("MA", "MB")
        elif c + CONS_LEN <= n and data[c + QMX:c + QMX + 2] == b"MX":
            h, planes = c + CONS_LEN, ("M0",)
        else:
            return False
    elif data[c:c + 4] == b"ERRR":
        h, planes = c + spec.ERROR_HEADER_LENGTH, ("M0",)
    elif is_prefix(data, c):
        h, planes = c, ("PRE",)
    else:
        return False
    for plane in planes:
        r = _step(data, h, plane, first=True)
        if r is None:
            continue
        if r[0] == "es" and outcomes.of("ES", r[1]) == c + r[2]:
            return True
        if r[0] == "next" and outcomes.of(r[2], r[1]) == c:
            return True
    return False


def verified_start(data, p, outcomes=None):
    """Next position >= p where a record parses completely with an exact ES, or len(data)."""
    n = len(data)
    outcomes = outcomes or _Outcomes(data)
    nxt = {}                                 # pattern -> its next occurrence at or after c
    c = p
    while c < n - 3:
        for pat in (b"INTL", b"ERRR", b"CL", b"AU"):
            if nxt.get(pat, -1) < c:
                i = data.find(pat, c)
                nxt[pat] = n if i < 0 else i
        c = min(nxt.values())
        if c >= n - 3:
            break
        if is_start(data, c) and verify(data, c, outcomes):
            return c
        c += 1
    return n


# --- a file ----------------------------------------------------------------------------------------------

def pyscan(data, strict=True):
    """-> {"tokens": [(offset, length, tag, segment)], "records": [dict], "errors": [dict]}"""
    data = bytes(data)
    n = len(data)
    tokens, records, errors = [], [], []
    outcomes = _Outcomes(data)
    pos = 0
    while True:
        while pos < n and data[pos] in SEPARATORS:
            pos += 1
        if pos >= n:
            break
        s = pos
        try:
            end, info, toks = try_record(data, s)
        except Fail as f:
            rec_index = len(records)
            if strict:
                raise PyFormatError(f, rec_index)
            q = verified_start(data, s + 1, outcomes)
            try:
                parse_record(data, s, cap=q)
                raise AssertionError("a damaged record parsed")
            except Fail as rep:                    # its problem, found before the next record
                f = rep
            if data[s:s + 4] in (b"INTL", b"ERRR") or f.kind == "consulta":
                kind = _kind_guess(data, s) if f.kind != "consulta" else "consulta"
                records.append({"start": s, "end": q, "kind": kind, "ok": False, "declared": -1,
                                "version": -1, "cr": 0, "es_style": -1, "tok_start": len(tokens),
                                "tok_end": len(tokens)})
            errors.append({"start": s, "end": q, "offset": f.offset, "record": rec_index,
                           "segment": f.seg, "tag": f.tag, "code": f.code, "a": f.a, "b": f.b})
            pos = q
            continue
        t0 = len(tokens)
        tokens.extend(toks)
        records.append({"start": s, "end": end, "kind": info["kind"], "ok": True,
                        "declared": info["declared"], "version": info["version"], "cr": info["cr"],
                        "es_style": info["es_style"], "tok_start": t0, "tok_end": len(tokens)})
        pos = end
    return {"tokens": tokens, "records": records, "errors": errors}


def _kind_guess(data, s):
    if data[s:s + 4] == b"ERRR":
        return "error"
    if data[s + MX:s + MX + 2] == b"MX":
        return {b"1": "hit", b"0": "nohit"}.get(data[s + FOUND:s + FOUND + 1], "unknown")
    if data[s + QMX:s + QMX + 2] == b"MX":
        return "consulta"
    return "unknown"


class PyFormatError(ValueError):
    def __init__(self, f, record):
        self.code, self.offset, self.record, self.segment, self.tag = f.code, f.offset, record, f.seg, f.tag
        super().__init__(f"code {f.code} at {f.offset}")
