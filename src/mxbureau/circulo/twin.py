"""A slow, obvious pure-Python twin of the compiled Círculo scanner (_scan.pyx), for differential
tests: the same tokens, records and problems from a whole buffer, or the same FormatError in strict
mode. Written from spec.py, one segment at a time, with no shared code but the layout."""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

from . import spec

__all__ = ["pyscan", "PyFormatError", "walk_count"]

C = spec.CODE
SEPS = b"\r\n"
KIND = spec.KIND
VARIANT = {v: i for i, v in enumerate(spec.HEADER_VARIANTS)}


class PyFormatError(Exception):
    def __init__(self, code, offset, record, segment=None, tag=None):
        super().__init__(f"code {code} at {offset}, record {record}")
        self.code, self.offset, self.record, self.segment, self.tag = code, offset, record, segment, tag


class _Fail(Exception):
    def __init__(self, code, offset, segment=None, tag=None):
        self.code, self.offset, self.segment, self.tag = code, offset, segment, tag


def _mode(f: spec.CField) -> str:
    if f.kind in ("int", "amount"):
        return "number"
    if f.type in ("D", "P") or (f.type == "N" and f.kind in ("digits", "code")):
        return "exact"
    return "text"


class _Twin:
    def __init__(self, data: bytes, layout: spec.Layout):
        self.d = data
        self.n = len(data)
        self.L = layout

    # -- one segment ---------------------------------------------------------------------------------
    def role(self, p) -> Tuple[Optional[str], bool]:
        """(tag, identifier right) of the segment at p; (None, False) when no segment tag is there."""
        tag = self.d[p:p + 2].decode("latin-1")
        if len(tag) < 2 or tag not in self.L.by_tag:
            return None, False
        s = self.L[tag]
        return tag, self.d[p + 2:p + 2 + len(s.ident)] == s.ident.encode("latin-1")

    def seps(self, q):
        while q < self.n and self.d[q] in SEPS:
            q += 1
        return q

    def bad_field(self, p, seg: spec.CSegment, untagged_ok: bool):
        for i, f in enumerate(seg.fields):
            got = self.d[p + f.start:p + f.start + 2]
            if got != f.tag.encode() and not (untagged_ok and i == len(seg.fields) - 1 and f.type == "F" and got == b"  "):
                return f
        return None

    def sep_token(self, end, seg_tag) -> Tuple[int, List[tuple]]:
        """Past the separators after a segment, and the token that marks them (spec.SEPARATOR_TAGS)."""
        q = self.seps(end)
        if q == end:
            return q, []
        run = self.d[end:q]
        tag = "98" if run == b"\n" else ("99" if run == b"\r\n" else "97")
        return q, [(end, q - end, tag, seg_tag)]

    def tokens(self, p, seg: spec.CSegment, skip_fillers=False) -> List[tuple]:
        out = [(p + 2, len(seg.ident), seg.tag, seg.tag)]
        dates = [f for f in seg.fields if f.type in ("D", "P")]
        for f in seg.fields:
            if skip_fillers and f.type == "F":
                continue
            v = p + f.value_start
            raw = self.d[v:v + f.max_length]
            text = raw.rstrip(b" ")
            if not text:
                continue
            mode = _mode(f)
            a = 0
            if f in dates and raw == b"0" * f.max_length:
                out.append((v, f.max_length, f"9{dates.index(f)}", seg.tag))     # a date written as zeros
                continue
            if mode == "exact":
                text = raw
            elif mode == "number":
                while a < len(text) - 1 and text[a:a + 1] == b"0":
                    a += 1
            out.append((v + a, len(text) - a, f.tag, seg.tag))
        return out

    def segment(self, p, seg: spec.CSegment, untagged_ok=False, skip_fillers=False) -> List[tuple]:
        if p + seg.length > self.n:
            raise _Fail(C["TRUNCATED"], p, seg.tag)
        f = self.bad_field(p, seg, untagged_ok)
        if f is not None:
            raise _Fail(C["BAD_FIELD_TAG"], p + f.start, seg.tag, f.tag)
        return self.tokens(p, seg, skip_fillers)

    # -- records ---------------------------------------------------------------------------------------
    def header(self):
        tag, ident = self.role(0)
        if not ident:
            raise _Fail(C["BAD_IDENTIFIER"], 0, "HD")
        try:
            toks = self.segment(0, self.L["HD"], untagged_ok=True)
        except _Fail as first:
            leg = self.L.legacy_header
            if first.code == C["BAD_FIELD_TAG"] and leg is not None:
                try:
                    return self.segment(0, leg, skip_fillers=True), VARIANT["legacy"], leg.length
                except _Fail:
                    pass
            raise first
        last = self.L["HD"].fields[-1]
        variant = VARIANT["untagged_filler"] if self.d[last.start:last.start + 1] == b" " else VARIANT["standard"]
        return toks, variant, self.L["HD"].length

    def block(self, s):
        toks = self.segment(s, self.L["EM"])
        q, sep = self.sep_token(s + self.L["EM"].length, "EM")
        toks += sep
        state, credits, details = "EM", 0, 0
        order = {"EM": 1, "AC": 2, "CR": 3, "DE": 4, "AV": 5}
        while q < self.n:
            tag, ident = self.role(q)
            if tag is None and self.next_strong_role(q + 1) in ("AC", "CR", "DE", "AV"):
                raise _Fail(C["UNKNOWN_IN_BLOCK"], q)
            if tag is None or tag in ("EM", "TS", "HD"):
                break
            if not ident:
                raise _Fail(C["BAD_IDENTIFIER"], q, tag)
            if ((tag == "AC" and order[state] > order["AC"]) or (tag == "DE" and state not in ("CR", "DE"))
                    or (tag == "AV" and order[state] < order["CR"])):
                raise _Fail(C["OUT_OF_ORDER"], q, tag)
            toks += self.segment(q, self.L[tag])
            state = tag
            credits += tag == "CR"
            details += tag == "DE"
            q, sep = self.sep_token(q + self.L[tag].length, tag)
            toks += sep
        return toks, q, credits, details

    def strong(self, c) -> bool:
        """A segment plausibly starts at c: tag, identifier and first field tag."""
        t, ident = self.role(c)
        if t is None or not ident:
            return False
        f = self.L[t].fields[0]
        return c + f.start + 2 <= self.n and self.d[c + f.start:c + f.start + 2] == f.tag.encode()

    def next_strong(self, p) -> int:
        for c in range(p, self.n - 1):
            if self.strong(c):
                return c
        return self.n

    def next_strong_role(self, p) -> Optional[str]:
        c = self.next_strong(p)
        return self.role(c)[0] if c < self.n else None

    def verified(self, c, tag):
        t, ident = self.role(c)
        seg = self.L[tag]
        return t == tag and ident and c + seg.length <= self.n and self.bad_field(c, seg, False) is None

    def record_start(self, p):
        em = (self.L["EM"].tag + self.L["EM"].ident).encode()
        ts = (self.L["TS"].tag + self.L["TS"].ident).encode()
        while p < self.n:
            a = self.d.find(em, p)
            c = self.n if a < 0 else a
            b = self.d.find(ts, p, c)
            if b >= 0:
                if self.verified(b, "TS"):
                    return b
                p = b + 1
                continue
            if c >= self.n:
                return self.n
            if self.verified(c, "EM"):
                return c
            p = c + 1
        return self.n

    def scan(self, strict: bool):
        toks, recs, errs = [], [], []

        def fail(code, offset, start, end, segment=None, tag=None, record=None):
            rec = len(recs) if record is None else record
            if strict:
                raise PyFormatError(code, offset, rec, segment, tag)
            errs.append(dict(start=start, end=end, offset=offset, record=rec, code=code))

        def add(start, end, t0, kind, ok, credits=0, details=0, variant=0):
            recs.append(dict(start=start, end=end, kind=spec.KINDS[kind], ok=ok, credits=credits, details=details,
                             variant=variant, tok_start=t0, tok_end=len(toks)))

        pos, ts_last, scanned = 0, False, self.n > 0
        if self.role(0)[0] == "HD":          # a header where the data starts (none: the records begin)
            try:
                t, variant, length = self.header()
                end, sep = self.sep_token(length, "HD")
                t0 = len(toks)
                toks += t + sep
                add(0, end, t0, KIND["header"], True, variant=variant)
                pos = end
            except _Fail as f:
                q = self.record_start(1)
                fail(f.code, f.offset, 0, q, f.segment, f.tag, record=0)
                add(0, q, len(toks), KIND["header"], False)
                pos = q
        while pos < self.n:
            s = pos
            tag, ident = self.role(s)
            if tag == "EM":
                try:
                    if not ident:
                        raise _Fail(C["BAD_IDENTIFIER"], s, "EM")
                    t, end, credits, details = self.block(s)
                    t0 = len(toks)
                    toks += t
                    add(s, end, t0, KIND["company"], True, credits, details)
                    ts_last = False
                    pos = end
                    continue
                except _Fail as f:
                    q = self.record_start(s + 1)
                    fail(f.code, f.offset, s, q, f.segment, f.tag)
                    add(s, q, len(toks), KIND["company"], False, walk_count(self.d, s, q, "CR", self.L))
                    ts_last = False
                    pos = q
                    continue
            ts_damaged = False
            if tag == "TS" and ident:
                try:
                    t = self.segment(s, self.L["TS"])
                    end2, sep = self.sep_token(s + self.L["TS"].length, "TS")
                    t = t + sep
                    if end2 >= self.n:
                        t0 = len(toks)
                        toks += t
                        add(s, end2, t0, KIND["trailer"], True)
                        ts_last = True
                        pos = end2
                        continue
                    if strict:
                        raise PyFormatError(C["DATA_AFTER_TS"], end2, len(recs))
                    q = self.record_start(end2)
                    if q >= self.n:
                        t0 = len(toks)
                        toks += t
                        add(s, end2, t0, KIND["trailer"], True)
                        fail(C["DATA_AFTER_TS"], end2, end2, self.n)
                        ts_last = True
                        pos = self.n
                        continue
                    fail(C["DATA_AFTER_TS"], s, s, q, "TS")
                    ts_last = False
                    pos = q
                    continue
                except _Fail as f:
                    code, off, seg, ftag = f.code, f.offset, f.segment, f.tag
                    ts_damaged = True
            elif tag == "HD":
                code, off, seg, ftag = C["HD_REPEATED"], s, "HD", None
            elif tag is None:
                code, off, seg, ftag = C["UNKNOWN_BYTES"], s, None, None
            elif ident:
                code, off, seg, ftag = C["OUTSIDE_BLOCK"], s, tag, None
            else:
                code, off, seg, ftag = C["BAD_IDENTIFIER"], s, tag, None
            q = self.record_start(s + 1)
            fail(code, off, s, q, seg, ftag)
            ts_last = ts_damaged and q >= self.n
            pos = q
        if scanned and not ts_last:
            fail(C["TS_MISSING"], self.n, self.n, self.n)
        return {"tokens": toks, "records": recs, "errors": errs}


def walk_count(data: bytes, s: int, q: int, tag: str, layout: spec.Layout = spec.CIRCULO_5) -> int:
    """Segments with ``tag`` starting in [s, q) as the validator's walk sees them: a segment whose
    fields are misplaced still counts; it ends where the next segment plausibly starts."""
    tw = _Twin(data, layout)
    n = len(data)
    strong, next_strong = tw.strong, tw.next_strong

    count = 0
    while s < q:
        t, ident = tw.role(s)
        if t is None:
            s = next_strong(s + 1)
            continue
        count += t == tag
        seg = layout[t]
        whole = ident and s + seg.length <= n and tw.bad_field(s, seg, t == "HD") is None
        if not whole and t == "HD" and layout.legacy_header is not None and ident:
            leg = layout.legacy_header
            whole = s + leg.length <= n and tw.bad_field(s, leg, False) is None
            if whole:
                s = tw.seps(s + leg.length)
                continue
        if whole:
            s = tw.seps(s + seg.length)
            continue
        if s + seg.length <= n:
            nx = tw.seps(s + seg.length)
            if nx >= n or strong(nx):
                s = nx
                continue
        s = next_strong(s + 2)
    return count


def pyscan(data: bytes, strict: bool = True, layout: spec.Layout = spec.CIRCULO_5) -> Dict[str, list]:
    """tokens [(offset, length, tag, segment tag)], records [dicts], errors [dicts]; strict mode raises
    PyFormatError(code, offset, record, segment, tag) at the first problem."""
    try:
        return _Twin(bytes(data), layout).scan(strict)
    except _Fail as f:            # not reached: every _Fail is turned into a problem above
        raise PyFormatError(f.code, f.offset, 0, f.segment, f.tag) from None
