"""The pure-Python twin of the compiled INTL13 scanner (the reference implementation): slow, obvious, and the
reference it must agree with token for token (records, tokens, problems). Written from the manual and
DESIGN.md, not from _scan.pyx; problem codes, kinds and header positions from spec.py. The tests compare both on every corpus; the benchmarks measure both.

Rules (shared with the compiled scanner):
- Between records: any run of b"\\n", b"\\r", b"\\x13".
- A record starts with INTL (49-byte response header when "MX" is at offset 31, 88-byte consulta header
  when "MX" is at offset 34) or ERRR (4 bytes). Then fields TAG(2) LEN(2 digits) VALUE(LEN). Two capital
  letters open a segment; two digits continue it.
- CR (in a response): CR + 04|05 + count, then 00 + 00, then the text. Reading A: text length = count;
  reading B: text length = count - (8 + digits). The first reading after which 2 capitals + 2 digits
  follow is taken; if the record then fails and the other reading was possible, the record is parsed
  again with it.
- ES: its first field is the declared total length; the record ends after a field 00 or 01 whose value
  is "**". The declared length must equal the record's length.
- Strict: the first problem raises. Lenient: the span from the damaged record's start to the next
  verified record start (a record that parses and whose ES length is exact) is reported and skipped.
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


class Fail(Exception):
    def __init__(self, code, offset, seg=None, tag=None, a=0, b=0):
        self.code, self.offset, self.seg, self.tag, self.a, self.b = code, offset, seg, tag, a, b
        self.cr_alt = False


def is_upper2(b):
    return len(b) == 2 and all(65 <= c <= 90 for c in b)


def is_digit2(b):
    return len(b) == 2 and all(48 <= c <= 57 for c in b)


def parse_record(data, s, cr_b=False):
    """Parse one record at s. Returns (end, info, tokens, cr_ambiguous) or raises Fail, whose
    cr_alt says whether a CR was read with reading A while reading B was also possible."""
    state = {"amb": False}
    try:
        return _parse(data, s, cr_b, state)
    except Fail as f:
        f.cr_alt = state["amb"]
        raise


def _parse(data, s, cr_b, state):
    n = len(data)
    tokens = []
    info = {"kind": None, "version": -1, "declared": -1, "cr": 0, "es_style": -1}
    head = data[s:s + 4]
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
        elif s + CONS_LEN <= n and data[s + QMX:s + QMX + 2] == b"MX":
            info["kind"] = "consulta"
            q = s + CONS_LEN
        else:
            if s + CONS_LEN > n and data[s + MX:s + MX + 2] != b"MX":
                raise Fail(C["TRUNCATED"], s, a=CONS_LEN, b=n - s)
            raise Fail(C["NO_COUNTRY"], s + MX)
    elif head == b"ERRR":
        info["kind"] = "error"
        q = s + spec.ERROR_HEADER_LENGTH
    else:
        if len(head) < 4 and (b"INTL".startswith(head) or b"ERRR".startswith(head)):
            raise Fail(C["TRUNCATED"], s, a=4, b=n - s)
        raise Fail(C["RECORD_START"], s)
    seg = None
    in_es = False
    es_pos = -1
    cr_ambiguous = False
    while True:
        if q - s > MAX_RECORD:
            raise Fail(C["NO_END_MARK"], s + MAX_RECORD + 1, seg, a=MAX_RECORD)
        if q + 4 > n:
            raise Fail(C["TRUNCATED"], q, seg, a=4, b=n - q)
        tag = data[q:q + 2]
        if is_upper2(tag):
            if in_es:
                raise Fail(C["SEGMENT_AFTER_ES"], q, "ES", tag.decode())
            seg = tag.decode()
            if seg == "ES":
                in_es = True
        elif is_digit2(tag):
            if seg is None:
                raise Fail(C["FIELD_OUTSIDE_SEGMENT"], q)
        else:
            raise Fail(C["BAD_TAG"], q, seg)
        ln = data[q + 2:q + 4]
        if not is_digit2(ln):
            raise Fail(C["BAD_LENGTH"], q + 2, seg, tag.decode())
        L = int(ln)
        v = q + 4
        if tag == b"CR" and info["kind"] in ("hit", "nohit") and L in (4, 5):
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
                return 0 < T <= 65535 and e + 4 <= n and is_upper2(data[e:e + 2]) and is_digit2(data[e + 2:e + 4])

            ta, tb = count, count - (8 + L)
            va, vb = valid(ta), valid(tb)
            if cr_b:
                if not vb:
                    raise Fail(C["CR_NO_READING"], v, "CR", "CR")
                T, info["cr"] = tb, 2
            elif va:
                T, info["cr"] = ta, 1
                cr_ambiguous = state["amb"] = vb
            elif vb:
                T, info["cr"] = tb, 2
            else:
                if t + max(ta, tb) + 4 > n:
                    raise Fail(C["TRUNCATED"], t, "CR", "00", a=max(ta, tb) + 4, b=n - t)
                raise Fail(C["CR_NO_READING"], v, "CR", "CR")
            tokens.append((v, L, "CR", "CR"))
            tokens.append((t, T, "00", "CR"))
            q = t + T
            continue
        if v + L > n:
            raise Fail(C["TRUNCATED"], q, seg, tag.decode(), a=L + 4, b=n - q)
        tokens.append((v, L, tag.decode(), seg))
        if in_es:
            if tag == b"ES":
                if not (1 <= L <= 6 and data[v:v + L].isdigit()):
                    raise Fail(C["BAD_ES_LENGTH"], v, "ES", "ES")
                info["declared"] = int(data[v:v + L])
                es_pos = v
            elif tag in (b"00", b"01") and L == 2 and data[v:v + 2] == b"**":
                end = v + 2
                info["es_style"] = 1 if tag == b"01" else 0
                if info["declared"] != end - s:
                    raise Fail(C["ES_LENGTH_MISMATCH"], es_pos, "ES", "ES", a=info["declared"], b=end - s)
                return end, info, tokens, cr_ambiguous
        q = v + L


def try_record(data, s):
    """Parse with the CR retry rule. Returns (end, info, tokens) or raises the first reading's Fail."""
    try:
        end, info, tokens, _ = parse_record(data, s)
        return end, info, tokens
    except Fail as first:
        if first.cr_alt:             # reading A was taken while B was also possible: try B
            try:
                end, info, tokens, _ = parse_record(data, s, cr_b=True)
                return end, info, tokens
            except Fail:
                pass
        raise first


def verified_start(data, p):
    """Next position >= p where a record parses completely with an exact ES, or len(data)."""
    n = len(data)
    while p < n:
        i = data.find(b"INTL", p)
        j = data.find(b"ERRR", p)
        cands = [x for x in (i, j) if x >= 0]
        if not cands:
            return n
        c = min(cands)
        try:
            try_record(data, c)
            return c
        except Fail:
            p = c + 1
    return n


def pyscan(data, strict=True):
    """-> {"tokens": [(offset, length, tag, segment)], "records": [dict], "errors": [dict]}"""
    data = bytes(data)
    n = len(data)
    tokens, records, errors = [], [], []
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
            q = verified_start(data, s + 1)
            if data[s:s + 4] in (b"INTL", b"ERRR"):
                kind = _kind_guess(data, s)
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
