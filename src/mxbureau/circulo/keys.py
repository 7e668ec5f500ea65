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

from ..tokens import Tokens
from . import spec

__all__ = ["finish_tables", "segment_keys", "CreditBases", "BASES", "period_dates"]

_ROLE = {tag: i for i, tag in enumerate(spec.ROLES)}
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
    """One entry per segment in the tokens, in file order (Scanner.segment_rows): offset, role, record,
    company and credit (-1: none), position among its siblings, the separator after it, the date
    fields written as zeros."""
    r = tok.records
    nrec = tok.n_records
    rec0 = int(r["record"][0]) if nrec else 0
    base = _credit_base(tok, rec0) if nrec else 0
    k = tok.format.scanner.segment_rows(tok.offset, tok.length, tok.tag, r["tok_start"], r["tok_end"], r["kind_code"],
                                        r["credits"], rec0, base)
    if nrec:
        BASES.put(tok.buffer, rec0 + nrec, int(base + r["credits"].astype(np.int64).sum()))
    return k


def period_dates(values: pa.Array) -> pa.Array:
    """MMAAAA strings -> date32 of the month's first day; anything else (000000 too) -> null."""
    out = []
    for v in values.to_pylist():
        d = None
        if v is not None and len(v) == 6 and v.isdigit() and 1 <= int(v[:2]) <= 12 and int(v[2:]) >= 1:
            d = np.datetime64(f"{int(v[2:]):04d}-{v[:2]}-01", "D").astype("int64")
        out.append(d)
    return pa.array(out, pa.int32()).cast(pa.date32())


def _separators(tok: Tokens, k: Dict[str, np.ndarray]) -> pa.DictionaryArray:
    """The separator codes as a dictionary column ("", LF, CRLF, and any other run of CR/LF bytes)."""
    codes = k["separator"].astype(np.int32)
    values = list(_SEPARATORS)
    odd = np.flatnonzero(codes == 3)
    if len(odd):
        lengths = {}
        ends = k["offset"] + tok.format.scanner.lengths_of(k["role"])
        for i in odd.tolist():
            v = bytes(tok.buffer[ends[i]:ends[i] + k["separator_length"][i]]).decode("latin-1")
            if v not in lengths:
                lengths[v] = len(values)
                values.append(v)
            codes[i] = lengths[v]
    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(values, pa.large_string()))


def finish_tables(tok: Tokens, tables: Dict[str, pa.Table], layout: spec.Layout = spec.CIRCULO_5) -> Dict[str, pa.Table]:
    """Format.finish_tables for a Círculo layout: keys, offsets, the period, and the segments table."""
    k = segment_keys(tok)
    role = k["role"]
    out = {}
    for tag, t in tables.items():
        m = role == _ROLE[tag]
        if int(m.sum()) != t.num_rows:
            raise AssertionError(f"{tag}: {t.num_rows} rows, {int(m.sum())} segments")   # the decoder's rows are the segments
        after = "position" if "position" in t.column_names else "record"
        if tag in ("DE", "AV"):
            t = t.set_column(t.schema.get_field_index("position"), pa.field("position", pa.int32(), nullable=False),
                             pa.array(k["position"][m], pa.int32()))
        if tag not in ("HD", "TS"):
            company = k["company"][m]
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
        "tag": pa.DictionaryArray.from_arrays(pa.array(role.astype(np.int32), mask=role < 0), role_tags),
        "record": pa.array(k["record"], pa.int64()),
        "company": pa.array(k["company"], pa.int64(), mask=k["company"] < 0),
        "credit": pa.array(k["credit"], pa.int64(), mask=k["credit"] < 0),
        "separator": _separators(tok, k),
        "zero_dates": pa.array(k["zero_dates"], pa.int64()),
    })
    return out
