"""Writing a Círculo load file: from the tables a lender has (companies, shareholders, credits,
details, guarantors: pandas or Arrow), or from the Tables ``read`` returns (then byte for byte as
read). Values are normalised as the format needs (encode.py), the header comes from the lender and
period, the trailer is always computed, and a row that breaks a rule is rejected -- with its table,
row, field and rule, never its value -- and not written: the validator's own rules (validate.py)
decide, over the bytes about to be written, so writer and validator cannot disagree.

The structure written is ``HD (EM AC* (CR DE+ AV*)+)+ TS``: each company (in input order) with its
shareholders, then each of its credits with its details and guarantors. Keys: ``company_id`` in
companies, shareholders and credits; ``credit_id`` in credits, details and guarantors (default: the
row's position). CR-00 and DE-00 default to the company's RFC, DE-01 (format 1) to the credit's
contract number.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field as _dc_field
from typing import Dict, List, Mapping, Optional, Tuple, Union

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..errors import UsageError, WriteError
from ..tables import Tables
from . import _scan, spec
from .encode import Bad, encode_field, period_bytes
from .format import format_of, layout_of
from .validate import Context, check_blocks

__all__ = ["Lender", "Reject", "WriteResult", "Writer", "write", "TABLES", "SEPARATORS"]

# The lender's tables and the segment each becomes.
TABLES = {"companies": "EM", "shareholders": "AC", "credits": "CR", "details": "DE", "guarantors": "AV"}
SEGMENT_TABLE = {v: k for k, v in TABLES.items()}
SEPARATORS = {"none": b"", "lf": b"\n", "crlf": b"\r\n"}
_ROLE = {t: i for i, t in enumerate(spec.ROLES)}


@dataclass(frozen=True)
class Lender:
    """What the header says of the lender: its Círculo user code (HD-00, 4 digits), institution type
    (HD-02; the catalogue is an annex: writers in the wild use 005, or 999 for commercial
    companies), name (HD-07), the previous user code after a merger or portfolio purchase (HD-01, format
    1 only) and the extraction date (HD-04; default: the period's last day)."""
    user_code: str
    institution_type: str
    name: str
    previous_user_code: Optional[str] = None
    report_date: Optional[dt.date] = None


@dataclass(frozen=True)
class Reject:
    """A row that was not written: its table, 0-based row in it, the field (column; "" for a rule of
    the whole row) and the rule broken (a validator rule id, or "length", "key"), with why -- never
    the value."""
    table: str
    row: int
    field: str
    rule: str
    reason: str


@dataclass
class WriteResult:
    bytes: int = 0
    companies: int = 0
    shareholders: int = 0
    credits: int = 0
    details: int = 0
    guarantors: int = 0
    total_amount: int = 0
    rejects: List[Reject] = _dc_field(default_factory=list)


def _arrow(t) -> Optional[pa.Table]:
    if t is None:
        return None
    if isinstance(t, pa.Table):
        return t
    if isinstance(t, pa.RecordBatch):
        return pa.Table.from_batches([t])
    if isinstance(t, Mapping):
        return pa.table(dict(t))
    if hasattr(t, "to_arrow") and not hasattr(t, "iloc"):          # polars
        return t.to_arrow()
    if hasattr(t, "iloc"):
        return pa.Table.from_pandas(t, preserve_index=False)
    raise UsageError(f"a table is a pandas DataFrame, a pyarrow Table or a mapping of columns, not {type(t).__name__}")


def _col(t: Optional[pa.Table], name: str):
    if t is None or name not in t.column_names:
        return None
    c = t.column(name)
    return c.combine_chunks() if isinstance(c, pa.ChunkedArray) else c


class _Seg:
    """The rows of one segment type about to be written: their bytes, and why any cannot be."""

    def __init__(self, seg: spec.CSegment, cols: Dict[str, Optional[pa.Array]], n: int, normalize: bool, enye: str,
                 zero_dates: Optional[np.ndarray] = None, untagged: Optional[np.ndarray] = None):
        self.seg = seg
        self.n = n
        self.bad = {}
        M = np.full((n, seg.length), 32, np.uint8)
        head = (seg.tag + seg.ident).encode("latin-1")
        M[:, :len(head)] = np.frombuffer(head, np.uint8)
        for f, fld in enumerate(seg.fields):
            M[:, fld.start:fld.start + 2] = np.frombuffer(fld.tag.encode(), np.uint8)
            b = Bad(n)
            zeros = None if zero_dates is None else (zero_dates >> f) & 1 == 1
            M[:, fld.value_start:fld.value_start + fld.max_length] = encode_field(
                cols.get(fld.name), n, fld, b, normalize=normalize and fld.type != "F", enye=enye, zeros=zeros)
            if b.any():
                self.bad[fld.name] = b
        if untagged is not None and untagged.any():
            last = seg.fields[-1]
            M[untagged, last.start:last.start + 2] = 32
        self.rows = M


def _write_out(dest, data: np.ndarray):
    if isinstance(dest, (str, os.PathLike)):
        with open(dest, "wb") as f:
            f.write(memoryview(data))
    elif hasattr(dest, "write"):
        dest.write(memoryview(data))
    else:
        raise UsageError("write to a path or a binary file object")


def _emit(layout: spec.Layout, order_role: np.ndarray, order_row: np.ndarray, segs: Dict[str, np.ndarray],
          sep: Union[bytes, Tuple[np.ndarray, List[bytes]]]) -> np.ndarray:
    """The bytes of the segments in order: role and row of each, its rows' bytes by tag, and the
    separator (one for all, or a code per segment into a list of byte strings)."""
    lengths = np.array([s.length for s in layout.segments], np.int64)
    seglen = lengths[order_role]
    if isinstance(sep, bytes):
        seplen = np.full(len(order_role), len(sep), np.int64)
    else:
        codes, values = sep
        seplen = np.array([len(v) for v in values], np.int64)[codes] if len(values) else np.zeros(len(codes), np.int64)
    size = seglen + seplen
    starts = np.concatenate(([0], np.cumsum(size)[:-1])).astype(np.int64) if len(size) else np.zeros(0, np.int64)
    out = np.empty(int(size.sum()), np.uint8)
    for r, seg in enumerate(layout.segments):
        m = order_role == r
        if m.any():
            _scan.place_rows(out, np.ascontiguousarray(starts[m]), np.ascontiguousarray(segs[seg.tag]),
                             np.ascontiguousarray(order_row[m], dtype=np.int64))
    ends = starts + seglen
    if isinstance(sep, bytes):
        for j, b in enumerate(sep):
            out[ends + j] = b
    else:
        codes, values = sep
        for c, v in enumerate(values):
            pos = ends[codes == c]
            for j, b in enumerate(v):
                out[pos + j] = b
    return out


class Writer:
    """A Círculo file written block by block: the header now, company blocks with ``add`` (each call a
    batch of the lender's tables), the trailer with ``close``. Memory is bounded by a batch."""

    def __init__(self, dest, *, period, format: int = 1, lender: Union[Lender, Mapping], separator: str = "none",
                 normalize: bool = True, enye: str = "keep", check: bool = True, layout: Optional[str] = None):
        if format not in (1, 2):
            raise UsageError("format is 1 (detallado) or 2 (sumarizado)")
        if separator not in SEPARATORS:
            raise UsageError(f"separator is one of {', '.join(SEPARATORS)}")
        if enye not in ("keep", "n"):
            raise UsageError("enye is 'keep' (byte 0xD1) or 'n'")
        self.fmt = format_of(layout)
        self.layout = layout_of(layout)
        self.format = format
        self.sep = SEPARATORS[separator]
        self.normalize, self.enye, self.check = normalize, enye, check
        self.lender = lender if isinstance(lender, Lender) else Lender(**dict(lender))
        try:
            self.period = period_bytes(period)
        except ValueError as e:
            raise UsageError(str(e)) from None
        month, year = int(self.period[:2]), int(self.period[2:])
        if not 1 <= month <= 12:
            raise UsageError("a period's month is 01-12")
        last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1))
        self.report_date = self.lender.report_date or last
        self.period_end = last
        self.seen_companies = np.zeros(0, np.int64)
        self.seen_contracts = np.zeros(0, np.int64)
        self.pending: Dict[str, np.ndarray] = {}
        self.result = WriteResult()
        self._own = isinstance(dest, (str, os.PathLike))
        self._f = open(dest, "wb") if self._own else dest
        if not hasattr(self._f, "write"):
            raise UsageError("write to a path or a binary file object")
        hd = self._header()
        self._put(hd)
        self._context = None

    def _header(self) -> np.ndarray:
        L = self.lender
        cols = {"user_code": pa.array([L.user_code]), "previous_user_code": pa.array([L.previous_user_code], pa.string()),
                "institution_type": pa.array([L.institution_type]), "format": pa.array([str(self.format)]),
                "report_date": pa.array([self.report_date], pa.date32()), "period": pa.array([self.period.decode()]),
                "version": pa.array(["04"]), "lender_name": pa.array([L.name])}
        s = _Seg(self.layout["HD"], cols, 1, self.normalize, self.enye)
        if s.bad:
            name, b = next(iter(s.bad.items()))
            raise WriteError(f"header field {name}: {b.reason[0]} (HD)")
        return s.rows[0]

    def _put(self, row_bytes: np.ndarray):
        data = np.concatenate([row_bytes.reshape(-1), np.frombuffer(self.sep, np.uint8)])
        self._f.write(memoryview(np.ascontiguousarray(data)))
        self.result.bytes += len(data)

    def add(self, portfolio: Mapping) -> List[Reject]:
        """Write the company blocks of a batch: a mapping with some of companies, shareholders,
        credits, details, guarantors. Returns the batch's rejects (also in ``result.rejects``)."""
        data, rejects, counts, amount = _blocks(self, portfolio)
        self._f.write(memoryview(data))
        r = self.result
        r.bytes += len(data)
        r.rejects.extend(rejects)
        r.companies += counts["EM"]
        r.shareholders += counts["AC"]
        r.credits += counts["CR"]
        r.details += counts["DE"]
        r.guarantors += counts["AV"]
        r.total_amount += amount
        return rejects

    def close(self) -> WriteResult:
        ts = _Seg(self.layout["TS"], {"company_count": pa.array([self.result.companies], pa.int64()),
                                       "total_amount": pa.array([self.result.total_amount], pa.int64())},
                  1, False, self.enye)
        if ts.bad:
            raise WriteError("trailer: the totals do not fit TS-00 / TS-01")
        self._put(ts.rows[0])
        if self._own:
            self._f.close()
        return self.result

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.close()
        elif self._own:
            self._f.close()


def _fill(given: Optional[pa.Array], parent: pa.Array) -> pa.Array:
    """``given`` with its nulls (or all of it, when absent) taken from the parent's value."""
    if given is None or given.null_count == len(given):
        return parent
    a = given.cast(pa.large_string()) if not pa.types.is_large_string(given.type) else given
    return pc.coalesce(a, parent.cast(pa.large_string()))


def _keys(t: Optional[pa.Table], name: str) -> Optional[np.ndarray]:
    c = _col(t, name)
    if c is None:
        return None
    return np.asarray(c.to_pylist(), dtype=object)


def _link(child: Optional[pa.Table], parent_keys: np.ndarray, key: str, table: str, rejects: List[Reject]) -> np.ndarray:
    """Each child row's parent row (-1: none; rejected with rule "key")."""
    if child is None:
        return np.zeros(0, np.int64)
    k = _keys(child, key)
    if k is None:
        raise UsageError(f"{table}: a {key} column links each row to its parent")
    index = {v: i for i, v in enumerate(parent_keys.tolist())}
    out = np.array([index.get(v, -1) for v in k.tolist()], np.int64)
    for i in np.flatnonzero(out < 0).tolist():
        rejects.append(Reject(table, i, key, "key", f"{key} not in the parent table"))
    return out


def _blocks(w: Writer, portfolio: Mapping):
    """One batch of the lender's tables -> (bytes of its company blocks, rejects, counts, Σ DE-03)."""
    unknown = set(portfolio) - set(TABLES)
    if unknown:
        raise UsageError(f"unknown tables {sorted(unknown)}; tables are {', '.join(TABLES)}")
    t = {name: _arrow(portfolio.get(name)) for name in TABLES}
    t = {name: (v if v is not None and (v.num_rows or v.num_columns) else None) for name, v in t.items()}
    if t["companies"] is None:
        raise UsageError("a portfolio needs its companies")
    rejects: List[Reject] = []
    n = {name: (t[name].num_rows if t[name] is not None else 0) for name in TABLES}
    ck = _keys(t["companies"], "company_id")
    ck = np.arange(n["companies"], dtype=object) if ck is None else ck
    credit_keys = _keys(t["credits"], "credit_id") if t["credits"] is not None else np.zeros(0, object)
    credit_keys = np.arange(n["credits"], dtype=object) if credit_keys is None else credit_keys
    ac_co = _link(t["shareholders"], ck, "company_id", "shareholders", rejects)
    cr_co = _link(t["credits"], ck, "company_id", "credits", rejects) if t["credits"] is not None else np.zeros(0, np.int64)
    de_cr = _link(t["details"], credit_keys, "credit_id", "details", rejects)
    av_cr = _link(t["guarantors"], credit_keys, "credit_id", "guarantors", rejects)
    # rows alive: a company needs a credit, a credit a detail (the bytes' validation then says the rest)
    alive = {"companies": np.ones(n["companies"], bool), "shareholders": ac_co >= 0, "credits": cr_co >= 0,
             "details": de_cr >= 0, "guarantors": av_cr >= 0}
    from_validation = _validated if w.check else None
    for _ in range(8):
        data, segmap, counts, amount = _assemble(w, t, alive, ac_co, cr_co, de_cr, av_cr, rejects)
        if from_validation is None or not from_validation(w, data, segmap, t, alive, ac_co, cr_co, de_cr, av_cr,
                                                          rejects):
            _unwritten(segmap, n, rejects, ac_co, cr_co, de_cr, av_cr)
            return data, rejects, counts, amount
    raise WriteError("rejections did not settle (a bug): the batch is not written")


def _unwritten(segmap, n, rejects: List[Reject], ac_co, cr_co, de_cr, av_cr):
    """A reject for every input row not written without one of its own: a company left without
    credits (S08), a credit without details (S09), a row whose company or credit was rejected."""
    written = {name: np.zeros(n[name], bool) for name in TABLES}
    for tag, name in SEGMENT_TABLE.items():
        written[name][segmap["row"][segmap["role"] == _ROLE[tag]]] = True
    has = {(r.table, r.row) for r in rejects}
    for name in TABLES:
        for r in np.flatnonzero(~written[name]).tolist():
            if (name, r) in has:
                continue
            if name == "companies":
                why = ("S08", "no credit of it left to write")
            elif name == "credits":
                co = int(cr_co[r])
                why = (("S09", "no detail of it left to write") if co >= 0 and written["companies"][co]
                       else ("parent", "its company was not written"))
            elif name == "shareholders":
                why = ("parent", "its company was not written")
            else:
                why = ("parent", "its credit was not written")
            rejects.append(Reject(name, r, "", *why))


def _assemble(w: Writer, t, alive, ac_co, cr_co, de_cr, av_cr, rejects: List[Reject]):
    """The bytes of the alive rows; rows whose values cannot be written are rejected (and their block or
    credit with them) and the rest assembled again."""
    lay = w.layout
    while True:
        # a credit lives while its company and at least one of its details do; a company while a credit does
        co_alive = alive["companies"]
        cr_alive = alive["credits"] & (cr_co >= 0) & co_alive[np.maximum(cr_co, 0)] if len(cr_co) else alive["credits"]
        de_alive = alive["details"] & (de_cr >= 0) & (cr_alive[np.maximum(de_cr, 0)] if len(cr_alive) else False)
        has_de = np.zeros(len(cr_co), bool)
        if len(de_cr):
            has_de[de_cr[de_alive]] = True
        cr_alive &= has_de
        has_cr = np.zeros(len(co_alive), bool)
        if len(cr_co):
            has_cr[cr_co[cr_alive]] = True
        co_alive = co_alive & has_cr
        de_alive &= cr_alive[np.maximum(de_cr, 0)] if len(de_cr) else de_alive
        ac_alive = alive["shareholders"] & (co_alive[np.maximum(ac_co, 0)] if len(ac_co) else False)
        av_alive = alive["guarantors"] & (cr_alive[np.maximum(av_cr, 0)] if len(av_cr) else False)
        rows = {"EM": np.flatnonzero(co_alive), "AC": np.flatnonzero(ac_alive), "CR": np.flatnonzero(cr_alive),
                "DE": np.flatnonzero(de_alive), "AV": np.flatnonzero(av_alive)}
        segs, failed = {}, False
        for tag, name in SEGMENT_TABLE.items():
            src = t[name]
            idx = rows[tag]
            cols = {}
            if src is not None:
                taken = src.take(pa.array(idx, pa.int64()))
                cols = {c: _col(taken, c) for c in taken.column_names}
            seg = lay[tag]
            # CR-00 and DE-00 are the company's RFC, DE-01 the credit's contract, where not given
            if tag in ("CR", "DE") and _col(t["companies"], "rfc") is not None:
                parent = cr_co[idx] if tag == "CR" else cr_co[de_cr[idx]]
                cols["rfc"] = _fill(cols.get("rfc"), _col(t["companies"], "rfc").take(pa.array(parent, pa.int64())))
            if tag == "DE" and w.format == 1 and _col(t["credits"], "contract_number") is not None:
                cols["contract_number"] = _fill(cols.get("contract_number"),
                                                _col(t["credits"], "contract_number").take(pa.array(de_cr[idx], pa.int64())))
            s = _Seg(seg, cols, len(idx), w.normalize, w.enye)
            for fname, b in s.bad.items():
                m = b.rule != None  # noqa: E711
                for i in np.flatnonzero(m).tolist():
                    rejects.append(Reject(name, int(idx[i]), fname, b.rule[i], b.reason[i]))
                alive[name][idx[m]] = False
                failed = True
            segs[tag] = s.rows
        if failed:
            continue
        break
    # the order: each company, its shareholders, then each credit with its details and guarantors
    co_pos = np.full(len(co_alive), -1, np.int64)
    co_pos[rows["EM"]] = np.arange(len(rows["EM"]))
    keys = []
    for tag, idx in rows.items():
        r = _ROLE[tag]
        if tag == "EM":
            c, g, k, sub = idx, 0, 0, 0
        elif tag == "AC":
            c, g, k, sub = ac_co[idx], 1, 0, 0
        elif tag == "CR":
            c, g, k, sub = cr_co[idx], 2, idx, 0
        else:
            parent = de_cr[idx] if tag == "DE" else av_cr[idx]
            c, g, k, sub = cr_co[parent], 2, parent, (1 if tag == "DE" else 2)
        m = len(idx)
        keys.append(np.stack([np.broadcast_to(np.asarray(x, np.int64), m) for x in
                              (co_pos[c] if m else np.zeros(0, np.int64), g, k, sub, np.arange(m), np.full(m, r))]))
    allk = np.concatenate(keys, axis=1) if keys else np.zeros((6, 0), np.int64)
    order = np.lexsort(allk[[4, 3, 2, 1, 0]])
    role = allk[5][order].astype(np.int64)
    ordinal = allk[4][order]
    data = _emit(lay, role, ordinal, {tag: segs[tag] for tag in ("EM", "AC", "CR", "DE", "AV")} | {
        "HD": np.zeros((0, lay["HD"].length), np.uint8), "TS": np.zeros((0, lay["TS"].length), np.uint8)}, w.sep)
    amount_col = _col(t["details"], "amount")
    amount = 0
    if amount_col is not None and len(rows["DE"]):
        a = pc.cast(amount_col.take(pa.array(rows["DE"], pa.int64())), pa.int64(), safe=False)
        amount = int(pc.sum(a).as_py() or 0)
    row = np.zeros(len(role), np.int64)
    for tag, idx in rows.items():
        m = role == _ROLE[tag]
        row[m] = idx[ordinal[m]]
    lengths = np.array([s.length for s in lay.segments], np.int64)[role]
    starts = np.concatenate(([0], np.cumsum(lengths + len(w.sep))[:-1])).astype(np.int64) if len(role) else role
    segmap = {"role": role, "row": row, "start": starts}
    counts = {tag: len(idx) for tag, idx in rows.items()}
    return data, segmap, counts, amount


def _validated(w, data, segmap, t, alive, ac_co, cr_co, de_cr, av_cr, rejects) -> bool:
    """The validator's error findings over the batch's bytes -> rows rejected (the block, the credit or
    the segment, by the rule's scope), and the file-wide keys (D08 companies, D09 contracts) against
    the batch and the batches before. True when a row was dropped (the batch is assembled again)."""
    ctx = Context(format=w.format, period_end=w.period_end, report_date=w.report_date)
    found = check_blocks(data.tobytes(), ctx, w.fmt)
    found = found.filter(pc.equal(found.column("severity"), "error"))
    role, row, starts = segmap["role"], segmap["row"], segmap["start"]
    hits = []       # (segment index, rule, field name, message, scope)
    if found.num_rows:
        seg_i = np.searchsorted(starts, found.column("offset").to_numpy(), side="right") - 1
        for i, rule, fname, msg, scope in zip(seg_i.tolist(), found.column("rule").to_pylist(),
                                              found.column("field_name").to_pylist(), found.column("message").to_pylist(),
                                              found.column("scope").to_pylist()):
            hits.append((i, rule, fname or "", msg, scope))
    # D08 / D09: the keys written must be new to the file
    sc = w.fmt.scanner
    buf = data
    for tag, fname, rule, seen in (("EM", "rfc", "D08", w.seen_companies), ("CR", "contract_number", "D09", w.seen_contracts)):
        if tag == "CR" and w.format != 1:
            continue
        idx = np.flatnonzero(role == _ROLE[tag])
        if not len(idx):
            continue
        fld = w.layout[tag].field(fname)
        h = sc.hashes(buf, np.ascontiguousarray(starts[idx]), fld.value_start, fld.max_length).view(np.int64)
        order = np.argsort(h, kind="stable")
        hs = h[order]
        dup = np.zeros(len(h), bool)
        dup[order[1:]] = hs[1:] == hs[:-1]
        old = np.isin(h, seen) if len(seen) else np.zeros(len(h), bool)
        for i in idx[(dup | old) & (h != 0)].tolist():
            hits.append((i, rule, fname, spec.RULES[rule][2], "company" if tag == "EM" else "credit"))
        w.pending[tag] = h[h != 0]
    if not hits:
        w.seen_companies = np.union1d(w.seen_companies, w.pending.get("EM", np.zeros(0, np.int64)))
        w.seen_contracts = np.union1d(w.seen_contracts, w.pending.get("CR", np.zeros(0, np.int64)))
        return False
    for i, rule, fname, msg, scope in hits:
        tag = spec.ROLES[int(role[i])]
        r = int(row[i])
        table = SEGMENT_TABLE[tag]
        rejects.append(Reject(table, r, fname, rule, msg))
        if scope == "segment" and tag in ("AC", "AV"):
            alive[table][r] = False
            continue
        credit = r if tag == "CR" else (int(de_cr[r]) if tag == "DE" else (int(av_cr[r]) if tag == "AV" else -1))
        if scope == "credit" and credit >= 0:
            alive["credits"][credit] = False
            continue
        company = r if tag == "EM" else (int(ac_co[r]) if tag == "AC" else int(cr_co[credit]) if credit >= 0 else -1)
        if company >= 0:
            alive["companies"][company] = False
    return True


def write(portfolio, path_or_file, *, period=None, format: Optional[int] = None, lender=None,
          separator: Optional[str] = None, normalize: Optional[bool] = None, enye: str = "keep",
          check: bool = True, layout: Optional[str] = None) -> WriteResult:
    """Write a Círculo load file. ``portfolio``: a mapping of the lender's tables (companies,
    shareholders, credits, details, guarantors; pandas or Arrow), or the Tables ``read`` returns
    (written byte for byte as read: header, separators, how absent dates were written; ``period``,
    ``format`` and ``lender`` then default to the header's). ``period``: a date, 'YYYY-MM' or 'MMAAAA';
    ``format`` 1 (detallado, default) or 2; ``lender``: a Lender or its fields as a mapping;
    ``separator``: none (default), lf or crlf; ``normalize`` (default True for a lender's tables,
    False for Tables read): uppercase, no accents, Ñ as 0xD1 (``enye="n"``: N). ``check`` (a lender's
    tables): reject the rows the validator's error rules reject. Returns what was written and
    ``rejects``."""
    if isinstance(portfolio, Tables):
        from_tables = _from_tables(portfolio, period, format, lender, separator, normalize, enye, layout)
        data, result = from_tables
        _write_out(path_or_file, data)
        result.bytes = len(data)
        return result
    if period is None or lender is None:
        raise UsageError("writing a lender's tables needs period= and lender=")
    with Writer(path_or_file, period=period, format=format or 1, lender=lender, separator=separator or "none",
                normalize=True if normalize is None else normalize, enye=enye, check=check, layout=layout) as wr:
        wr.add(portfolio)
    return wr.result


def _from_tables(tables: Tables, period, format, lender, separator, normalize, enye, layout):
    """The Tables read from a file -> its bytes again (the order, separators and absent-date forms of
    the segments table; the header variant of the records table)."""
    if "segments" not in tables.names:
        raise UsageError("Tables from mxbureau.circulo.read (with its segments table) are needed")
    lay = layout_of(layout or tables.format)
    segs = tables["segments"]
    role = segs.column("tag").combine_chunks()
    if role.null_count:
        raise WriteError("the tables hold a segment outside the layout")
    role_idx = np.asarray(role.indices.to_numpy(zero_copy_only=False), np.int64)
    names = role.dictionary.to_pylist()
    role_idx = np.array([_ROLE[names[i]] for i in range(len(names))], np.int64)[role_idx]
    ordinal = np.zeros(len(role_idx), np.int64)
    for r in range(len(spec.ROLES)):
        m = role_idx == r
        ordinal[m] = np.arange(int(m.sum()))
    zero = segs.column("zero_dates").to_numpy()
    sep = segs.column("separator").combine_chunks()
    sep_codes = np.asarray(sep.indices.to_numpy(zero_copy_only=False), np.int64)
    sep_values = [v.encode("latin-1") for v in sep.dictionary.to_pylist()]
    norm = False if normalize is None else normalize
    variant = None
    rec = tables.records
    hdr = [i for i, k in enumerate(rec.column("kind").to_pylist()) if k == "header"]
    if hdr:
        variant = rec.column("header_variant")[hdr[0]].as_py()
    rows = {}
    amount = 0
    counts = {}
    for r, seg_def in enumerate(lay.segments):
        tag = seg_def.tag
        m = role_idx == r
        n = int(m.sum())
        counts[tag] = n
        t = tables[tag] if tag in tables.names else None
        if n and (t is None or t.num_rows != n):
            raise WriteError(f"table {tag}: {0 if t is None else t.num_rows} rows for {n} segments (read every table)")
        cols = {c: _col(t, c) for c in t.column_names} if t is not None else {}
        if tag == "HD":
            cols = dict(cols)
            if period is not None:
                cols["period"] = pa.array([period_bytes(period).decode()] * n)
            elif "period" in cols:
                p = cols["period"]
                cols["period"] = pa.array([None if v is None else f"{v.month:02d}{v.year:04d}" for v in p.to_pylist()],
                                          pa.string())
            if format is not None:
                cols["format"] = pa.array([str(format)] * n)
            if lender is not None:
                L = lender if isinstance(lender, Lender) else Lender(**dict(lender))
                cols.update({"user_code": pa.array([L.user_code] * n), "institution_type": pa.array([L.institution_type] * n),
                             "lender_name": pa.array([L.name] * n)})
            if variant == "legacy":
                seg_def = lay.legacy_header
        if tag == "TS":
            cols = dict(cols)
            cols["company_count"] = pa.array([counts.get("EM", 0)] * n, pa.int64())
            de = tables["DE"].column("amount") if "DE" in tables.names else pa.chunked_array([], pa.int64())
            cols["total_amount"] = pa.array([int(pc.sum(de).as_py() or 0)] * n, pa.int64())
        untagged = np.full(n, variant == "untagged_filler") if tag == "HD" else None
        s = _Seg(seg_def, cols, n, norm, enye, zero_dates=zero[m], untagged=untagged)
        if s.bad:
            name, b = next(iter(s.bad.items()))
            i = int(np.flatnonzero(b.rule != None)[0])  # noqa: E711
            raise WriteError(f"{tag} row {i} field {name}: {b.reason[i]}")
        if seg_def.length != lay[tag].length:
            raise WriteError("the legacy header's length differs from the layout's")
        rows[tag] = s.rows
    data = _emit(lay, role_idx, ordinal, rows, (sep_codes, sep_values))
    if "DE" in tables.names:
        amount = int(pc.sum(tables["DE"].column("amount")).as_py() or 0)
    res = WriteResult(companies=counts.get("EM", 0), shareholders=counts.get("AC", 0), credits=counts.get("CR", 0),
                      details=counts.get("DE", 0), guarantors=counts.get("AV", 0), total_amount=amount)
    return data, res
