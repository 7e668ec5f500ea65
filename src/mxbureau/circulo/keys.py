"""The Círculo columns the shared decoder cannot make, added as the last step of ``build_tables``
(``Format.finish_tables``): every row's ``company`` (index of its EM block) and, for CR, DE and AV,
``credit`` (index of the CR in the file); the segment's byte ``offset``; DE and AV ``position``
within their credit; HD ``period`` (MMAAAA) as the date of the month's first day; and the
``segments`` table (one row per segment in file order: tag, offset, record, company, credit, the
separator bytes after it, and which null dates were written as zeros) that makes ``write(read(f))``
byte-exact.

Company indices need no state: record 0 is the header, so a company block's record index is its
company index + 1. Credit indices count the CRs of the records before: a chunk's base is carried from
the chunk before it (``CreditBases``), or counted by scanning the bytes before it."""
from __future__ import annotations

import threading
import weakref
from typing import Dict, Optional

import numpy as np
import pyarrow as pa

from ..layout import tag_code
from ..tokens import Tokens
from . import _scan, spec

__all__ = ["finish_tables", "segment_keys", "CreditBases", "BASES", "period_dates"]

_CODE = {tag: tag_code(tag) for tag in spec.ROLES}
_K_COMPANY = spec.KIND["company"]
_SEPARATORS = ("", "\n", "\r\n")


class CreditBases:
    """Per scanned buffer, the credits before a record: what one chunk's decoding tells the next
    (scan_chunks hands every chunk the same buffer). Entries go when the buffer does."""

    def __init__(self):
        self._d: Dict[int, Dict[int, int]] = {}
        self._lock = threading.Lock()

    def get(self, buf, record: int) -> Optional[int]:
        with self._lock:
            return self._d.get(id(buf), {}).get(record)

    def put(self, buf, record: int, base: int) -> None:
        with self._lock:
            d = self._d.get(id(buf))
            if d is None:
                d = self._d[id(buf)] = {}
                weakref.finalize(buf, self._drop, id(buf))
            d[record] = base
            if len(d) > 64:                      # the next chunk's is all that is needed
                for k in sorted(d)[:-64]:
                    del d[k]

    def _drop(self, key):
        with self._lock:
            self._d.pop(key, None)


BASES = CreditBases()


def _credit_base(tok: Tokens, rec0: int) -> int:
    if rec0 == 0:
        return 0
    got = BASES.get(tok.buffer, rec0)
    if got is not None:
        return got
    # a chunk decoded before the one ahead of it: count the records' CRs before it (lenient scan)
    start = int(tok.records["start"][0])
    _, _, recs, _, _ = tok.format.scanner.scan_range(tok.buffer, 0, start, False)
    return int(recs["credits"].sum())


def segment_keys(tok: Tokens) -> Dict[str, np.ndarray]:
    """One entry per segment in the tokens, in file order: its identifier token, tag code, offset,
    record, company and credit (-1: none), and its position among its siblings (AC and CR in their
    company, DE and AV in their credit)."""
    tags = tok.tag
    idx = np.flatnonzero(tags & 0x40)              # a segment's first token carries its two letters
    code = tags[idx]
    offset = tok.offset[idx] - 2
    r = tok.records
    nrec = tok.n_records
    n = len(idx)
    if nrec == 0 or n == 0:
        z = np.zeros(n, np.int64)
        return {"token": idx, "code": code, "offset": offset, "record": z, "company": z - 1, "credit": z - 1,
                "position": np.zeros(n, np.int32), "record_local": z}
    rec0 = int(r["record"][0])
    rec = tok.record_of(idx)
    rl = rec - rec0
    company = np.where(r["kind_code"][rl] == _K_COMPANY, rec - 1, -1)
    company[(code == _CODE["HD"]) | (code == _CODE["TS"])] = -1
    # credits: the CRs of the records before (damaged ones counted too), then the CRs so far in this one
    base = _credit_base(tok, rec0)
    credits = r["credits"].astype(np.int64)
    first_credit = base + np.concatenate(([0], np.cumsum(credits)[:-1]))
    is_cr = code == _CODE["CR"]
    c = np.cumsum(is_cr)
    first_seg = np.searchsorted(rl, np.arange(nrec), side="left")
    within = c - np.concatenate(([0], c))[first_seg][rl]
    in_credit = is_cr | (code == _CODE["DE"]) | (code == _CODE["AV"])
    credit = np.where(in_credit & (within > 0), first_credit[rl] + within - 1, -1)
    BASES.put(tok.buffer, rec0 + nrec, int(base + credits.sum()))
    # DE and AV positions within their credit
    ar = np.arange(n)
    last_cr = np.maximum.accumulate(np.where(is_cr, ar, -1))
    position = np.zeros(n, np.int32)
    for t in ("DE", "AV"):
        m = code == _CODE[t]
        cm = np.cumsum(m)
        at_cr = np.where(last_cr >= 0, cm[np.maximum(last_cr, 0)], 0)
        position[m] = (cm - at_cr - 1)[m]
    return {"token": idx, "code": code, "offset": offset, "record": rec, "company": company, "credit": credit,
            "position": position, "record_local": rl}


def period_dates(values: pa.Array) -> pa.Array:
    """MMAAAA strings -> date32 of the month's first day; anything else (000000 too) -> null."""
    out = []
    for v in values.to_pylist():
        d = None
        if v is not None and len(v) == 6 and v.isdigit() and 1 <= int(v[:2]) <= 12 and int(v[2:]) >= 1:
            d = np.datetime64(f"{int(v[2:]):04d}-{v[:2]}-01", "D").astype("int64")
        out.append(d)
    return pa.array(out, pa.int32()).cast(pa.date32())


def _separators(tok: Tokens, k: Dict[str, np.ndarray], lengths: np.ndarray) -> pa.DictionaryArray:
    """The bytes between each segment's end and the next segment (or its record's end)."""
    n = len(k["offset"])
    end = k["offset"] + lengths
    nxt = np.empty(n, np.int64)
    if n:
        nxt[:-1] = k["offset"][1:]
        last = np.ones(n, bool)
        last[:-1] = k["record"][1:] != k["record"][:-1]
        nxt[last] = tok.records["end"][k["record_local"][last]]
    gap = nxt - end
    buf = tok.buffer
    codes = np.zeros(n, np.int32)
    b0 = buf[np.minimum(end, len(buf) - 1)] if n and len(buf) else np.zeros(n, np.uint8)
    b1 = buf[np.minimum(end + 1, len(buf) - 1)] if n and len(buf) else np.zeros(n, np.uint8)
    codes[(gap == 1) & (b0 == 10)] = 1
    codes[(gap == 2) & (b0 == 13) & (b1 == 10)] = 2
    values = list(_SEPARATORS)
    odd = np.flatnonzero((gap > 0) & (codes == 0))
    for i in odd.tolist():
        s = bytes(buf[end[i]:nxt[i]]).decode("latin-1")
        if s not in values:
            values.append(s)
        codes[i] = values.index(s)
    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(values, pa.large_string()))


def _zero_dates(tok: Tokens, k: Dict[str, np.ndarray], layout: spec.Layout) -> np.ndarray:
    """Bit f set where field f (a date or the period) was written as zeros: it reads as null, and the
    writer writes zeros back."""
    out = np.zeros(len(k["offset"]), np.int64)
    for seg in layout.segments:
        m = np.flatnonzero(k["code"] == _CODE[seg.tag])
        if not len(m):
            continue
        offs = np.ascontiguousarray(k["offset"][m])
        for f, fld in enumerate(seg.fields):
            if fld.type in ("D", "P"):
                z = _scan.all_byte(tok.buffer, offs, fld.value_start, fld.max_length, 48)
                out[m[z]] |= np.int64(1) << f
    return out


def _insert(table: pa.Table, after: str, name: str, values, typ) -> pa.Table:
    i = table.schema.get_field_index(after) + 1
    return table.add_column(i, pa.field(name, typ), pa.array(values, typ))


def finish_tables(tok: Tokens, tables: Dict[str, pa.Table], layout: spec.Layout = spec.CIRCULO_5) -> Dict[str, pa.Table]:
    """Format.finish_tables for a Círculo layout: keys, offsets, the period, and the segments table."""
    k = segment_keys(tok)
    lengths = np.zeros(len(k["code"]), np.int64)
    roles = np.full(len(k["code"]), -1, np.int8)
    for i, seg in enumerate(layout.segments):
        m = k["code"] == _CODE[seg.tag]
        lengths[m] = seg.length
        roles[m] = i
    out = {}
    for tag, t in tables.items():
        m = k["code"] == _CODE[tag]
        if int(m.sum()) != t.num_rows:
            raise AssertionError(f"{tag}: {t.num_rows} rows, {int(m.sum())} segments")   # the decoder's rows are the segments
        company = k["company"][m]
        after = "position" if "position" in t.column_names else "record"
        if tag in ("DE", "AV"):
            t = t.set_column(t.schema.get_field_index("position"), pa.field("position", pa.int32(), nullable=False),
                             pa.array(k["position"][m], pa.int32()))
        if tag not in ("HD", "TS"):
            t = t.add_column(t.schema.get_field_index(after) + 1, pa.field("company", pa.int64()),
                             pa.array(company, pa.int64(), mask=company < 0))
            after = "company"
        if tag in ("CR", "DE", "AV"):
            credit = k["credit"][m]
            t = t.add_column(t.schema.get_field_index(after) + 1, pa.field("credit", pa.int64()),
                             pa.array(credit, pa.int64(), mask=credit < 0))
            after = "credit"
        t = t.add_column(t.schema.get_field_index(after) + 1, pa.field("offset", pa.int64(), nullable=False),
                         pa.array(k["offset"][m], pa.int64()))
        if tag == "HD":
            i = t.schema.get_field_index("period")
            f = t.schema.field(i)
            t = t.set_column(i, pa.field("period", pa.date32(), metadata=f.metadata), period_dates(t.column(i).combine_chunks()))
        out[tag] = t
    role_tags = pa.array(list(spec.ROLES), pa.large_string())
    out["segments"] = pa.table({
        "offset": pa.array(k["offset"], pa.int64()),
        "tag": pa.DictionaryArray.from_arrays(pa.array(roles.astype(np.int32), mask=roles < 0), role_tags),
        "record": pa.array(k["record"], pa.int64()),
        "company": pa.array(k["company"], pa.int64(), mask=k["company"] < 0),
        "credit": pa.array(k["credit"], pa.int64(), mask=k["credit"] < 0),
        "separator": _separators(tok, k, lengths),
        "zero_dates": pa.array(_zero_dates(tok, k, layout), pa.int64()),
    })
    return out
