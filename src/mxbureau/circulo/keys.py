"""The Círculo columns the shared decoder cannot make, added as the last step of ``build_tables``
(``Format.finish_tables``): every row's ``company`` (index of its EM block) and, for CR, DE and AV,
``credit`` (index of the CR in the file); the segment's byte ``offset``; DE and AV ``position``
within their credit; HD ``period`` (MMAAAA) as the date of the month's first day; and the
``segments`` table (one row per segment in file order: tag, offset, record, company, credit, the
separator bytes after it, and which null dates were written as zeros) that makes ``write(read(f))``
byte-exact.

Company and credit indices count the company blocks and CRs before: a chunk's bases are carried from
the chunk before it (``Bases``), or counted by scanning the bytes before it."""
from __future__ import annotations

import threading
from typing import Dict, Optional, Tuple

import numpy as np
import pyarrow as pa

from ..columns import empty, numbers, texts
from ..errors import UsageError
from ..tokens import Tokens
from . import spec

__all__ = ["finish_tables", "segment_keys", "bases", "Bases", "BASES", "period_dates", "SEGMENTS_SCHEMA"]

_ROLE = {tag: i for i, tag in enumerate(spec.ROLES)}
_K_COMPANY = spec.KIND["company"]
_SEPARATORS = ("", "\n", "\r\n")


class Bases:
    """What one chunk's decoding tells the next (companies and credits before it), by source, record
    index and byte position: scan_chunks hands chunks over in order, and a stream's windows are
    buffers of their own. Only the latest few are kept."""

    def __init__(self):
        self._d: Dict[tuple, Tuple[int, int]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Optional[Tuple[int, int]]:
        with self._lock:
            return self._d.get(key)

    def put(self, key: tuple, bases: Tuple[int, int]) -> None:
        with self._lock:
            self._d[key] = bases
            while len(self._d) > 256:
                self._d.pop(next(iter(self._d)))


BASES = Bases()


def _keys(tok: Tokens, record: int, at: int) -> Tuple[tuple, tuple]:
    """A mapped source's chunks share its buffer (the first key); a stream's windows are buffers of
    their own, found by the source's name (the second)."""
    return (tok.source, id(tok.buffer), record, at), (tok.source, None, record, at)


def bases(tok: Tokens) -> Tuple[int, int]:
    """(companies, credits) before the tokens' first record: 0 at a source's start, carried from the
    chunk before, or counted by a lenient scan of the bytes before it (a mapped source's chunks
    decoded out of order). Kept on ``tok``: the records table and the segment keys both ask."""
    got = getattr(tok, "circulo_bases", None)
    if got is None:
        got = tok.circulo_bases = _bases(tok)
    return got


def _bases(tok: Tokens) -> Tuple[int, int]:
    r = tok.records
    if tok.n_records == 0 or int(r["record"][0]) == 0:
        return 0, 0
    rec0, start = int(r["record"][0]), int(r["start"][0])
    for key in _keys(tok, rec0, start):
        got = BASES.get(key)
        if got is not None:
            return got
    if tok.base:
        raise UsageError("decode a stream's chunks in order: the companies and credits before one are "
                         "counted from the chunks before it")
    _, _, recs, _, _ = tok.format.scanner.scan_range(tok.buffer, 0, start, False)
    return int((recs["kind_code"] == _K_COMPANY).sum()), int(recs["credits"].sum())


def segment_keys(tok: Tokens) -> Dict[str, np.ndarray]:
    """One entry per segment in the tokens, in file order (Scanner.segment_rows): offset (in the
    source), role, record, company and credit (-1: none), position among its siblings, the separator
    after it, the date fields written as zeros."""
    r = tok.records
    nrec = tok.n_records
    rec0 = int(r["record"][0]) if nrec else 0
    companies, credits = bases(tok)
    k = tok.format.scanner.segment_rows(tok.offset, tok.length, tok.tag, r["tok_start"], r["tok_end"], r["kind_code"],
                                        r["credits"], rec0, credits, companies)
    k["buffer_offset"] = k["offset"]
    k["offset"] = k["offset"] + tok.base
    if nrec:
        after = (companies + int((r["kind_code"] == _K_COMPANY).sum()), credits + int(r["credits"].astype(np.int64).sum()))
        for key in _keys(tok, rec0 + nrec, int(r["end"][-1])):
            BASES.put(key, after)
    return k


def period_dates(values) -> pa.Array:
    """MMAAAA strings -> date32 of the month's first day; anything else (000000 too) -> null."""
    days = np.zeros(len(values), np.int32)
    valid = np.zeros(len(values), bool)
    for i, v in enumerate(values.to_pylist()):
        if v is not None and len(v) == 6 and v.isdigit() and 1 <= int(v[:2]) <= 12 and int(v[2:]) >= 1:
            days[i] = np.datetime64(f"{int(v[2:]):04d}-{v[:2]}-01", "D").astype("int64")
            valid[i] = True
    return numbers(days, ~valid).cast(pa.date32())


def _separators(tok: Tokens, k: Dict[str, np.ndarray]) -> pa.DictionaryArray:
    """The separator codes as a dictionary column ("", LF, CRLF, and any other run of CR/LF bytes)."""
    codes = k["separator"].astype(np.int32)
    values = list(_SEPARATORS)
    odd = np.flatnonzero(codes == 3)
    if len(odd):
        lengths = {}
        ends = k["buffer_offset"] + tok.format.scanner.lengths_of(k["role"])
        for i in odd.tolist():
            v = bytes(tok.buffer[ends[i]:ends[i] + k["separator_length"][i]]).decode("latin-1")
            if v not in lengths:
                lengths[v] = len(values)
                values.append(v)
            codes[i] = lengths[v]
    return pa.DictionaryArray.from_arrays(numbers(codes), texts(values))


_ROLE_TAGS = texts(spec.ROLES)
SEGMENTS_SCHEMA = pa.schema([
    pa.field("offset", pa.int64(), nullable=False), pa.field("tag", pa.dictionary(pa.int32(), pa.large_string())),
    pa.field("record", pa.int64(), nullable=False), pa.field("company", pa.int64()), pa.field("credit", pa.int64()),
    pa.field("separator", pa.dictionary(pa.int32(), pa.large_string())),
    pa.field("zero_dates", pa.int64(), nullable=False),
], metadata={b"segment": b"segments"})
def _with_keys(tag: str, t: pa.Table, m: Optional[np.ndarray], k: Optional[Dict[str, np.ndarray]]) -> pa.Table:
    """The table with company, credit, offset (and DE/AV position in their credit); k None: empty."""
    n = t.num_rows
    take = (lambda name: k[name][m]) if k is not None else (lambda name: np.zeros(0, np.int64))
    after = "position" if "position" in t.column_names else "record"
    if tag in ("DE", "AV") and "position" in t.column_names:
        t = t.set_column(t.schema.get_field_index("position"), pa.field("position", pa.int32(), nullable=False),
                         numbers(np.asarray(take("position"), np.int32)))
    if tag not in ("HD", "TS"):
        v = np.asarray(take("company"), np.int64)
        t = t.add_column(t.schema.get_field_index(after) + 1, pa.field("company", pa.int64()), numbers(v, v < 0))
        after = "company"
    if tag in ("CR", "DE", "AV"):
        v = np.asarray(take("credit"), np.int64)
        t = t.add_column(t.schema.get_field_index(after) + 1, pa.field("credit", pa.int64()), numbers(v, v < 0))
        after = "credit"
    t = t.add_column(t.schema.get_field_index(after) + 1, pa.field("offset", pa.int64(), nullable=False),
                     numbers(np.asarray(take("offset"), np.int64)))
    if tag == "HD" and "period" in t.column_names:
        i = t.schema.get_field_index("period")
        f = t.schema.field(i)
        t = t.set_column(i, pa.field("period", pa.date32(), metadata=f.metadata), period_dates(t.column(i)))
    assert t.num_rows == n
    return t


def finish_tables(tables: Dict[str, pa.Table], tok: Optional[Tokens], layout: spec.Layout = spec.CIRCULO_5
                  ) -> Dict[str, pa.Table]:
    """Format.finish_tables for a Círculo layout: keys, offsets, the period, and the segments table
    (tok None: the empty tables the schemas come from)."""
    if tok is None:
        out = {tag: _with_keys(tag, t, None, None) for tag, t in tables.items()}
        out["segments"] = empty(SEGMENTS_SCHEMA)
        return out
    k = segment_keys(tok)
    role = k["role"]
    out = {}
    for tag, t in tables.items():
        m = role == _ROLE[tag]
        if int(m.sum()) != t.num_rows:
            raise AssertionError(f"{tag}: {t.num_rows} rows, {int(m.sum())} segments")   # the decoder's rows are the segments
        out[tag] = _with_keys(tag, t, m, k)
    i64 = {name: np.asarray(k[name], np.int64) for name in ("offset", "record", "company", "credit", "zero_dates")}
    out["segments"] = pa.Table.from_arrays([
        numbers(i64["offset"]),
        pa.DictionaryArray.from_arrays(numbers(role.astype(np.int32), role < 0), _ROLE_TAGS),
        numbers(i64["record"]),
        numbers(i64["company"], i64["company"] < 0),
        numbers(i64["credit"], i64["credit"] < 0),
        _separators(tok, k),
        numbers(i64["zero_dates"])], schema=SEGMENTS_SCHEMA)
    return out
