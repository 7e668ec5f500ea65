"""Report: one INTL13 record as objects, for the one-customer path of an application.

    for rep in mxbureau.reports("responses.txt"):
        rep.name.paternal_surname, rep.accounts[0].balance, rep.scores[0].score, rep.to_dict()

Values are typed as the tables type them (``mxbureau.read``): a tag the manual lets repeat has an
attribute per occurrence (``bad_field_info``, ``bad_field_info_2`` ...), and ``row.all("bad_field_info")``
lists the values present, in order. Two ways to the same Reports: the rows path (``_row_reports``), the
token index straight to Python values by a compiled kernel (``_rows.Rows``: no Arrow), with the
records table's row and what build_tables adds after decoding redone here a row at a time; and the
tables path (``_table_reports``): build_tables, then the tables sliced per record. reports() takes the
rows path (faster at every size measured, see reports()); the tables path is the reference the tests
hold it to, and the path of a format whose records table the rows path does not mirror.
"""
from __future__ import annotations

import sys
from bisect import bisect_left, bisect_right
from typing import Dict, Iterator, List, Optional

import numpy as np

from .. import _rows
from ..columns import pylist
from ..errors import UsageError
from ..scanner import scan_chunks
from ..tables import SKIPPED_COLUMN, Decoding, Tables, build_tables, decoding
from ..tokens import Tokens
from .catalogs import BUREAU_INDICATOR_COLUMNS, BUREAU_INDICATOR_DATA
from .records import (CR_READING_LABELS, INDICATOR_LABELS, _INDICATOR_CODE, _Q, _R, _REFERENCE_SEGMENTS,
                      _consulta_headers, records_table)
from .spec import CONSULTA_RECORD, ERROR_RECORD, HIT, NOHIT

__all__ = ["Report", "Row", "reports"]

# attribute -> segment; lists for repeatable segments
_MANY = {"addresses": "PA", "employments": "PE", "accounts": "TL", "inquiries": "IQ", "summaries": "RS",
         "hawk_inquiries": "HI", "hawk_responses": "HR", "scores": "SC", "sintetiza": "CL"}
_ONE = {"name": "PN", "declarativa": "CR", "user_error": "UR", "auth_error": "AR"}
# The columns of the tables a Report's rows leave out (their keys).
_KEYS = ("record", "record_start", "position")


class Row:
    """One segment: its fields as attributes (spec names)."""

    __slots__ = ("_d",)

    def __init__(self, d: Dict):
        self._d = d

    def __getattr__(self, name):
        try:
            return self._d[name]
        except KeyError:
            raise AttributeError(name) from None

    def to_dict(self) -> Dict:
        return dict(self._d)

    def all(self, name: str) -> List:
        """Every value of a field the manual lets repeat (UR 06, UR 16, AR 16), in order: its columns
        ``name``, ``name_2``..., the ones present."""
        if name not in self._d:
            raise AttributeError(name)
        out, k = [], 1
        while True:
            key = name if k == 1 else f"{name}_{k}"
            if key not in self._d:
                return out
            if self._d[key] is not None:
                out.append(self._d[key])
            k += 1

    def __repr__(self):
        return f"Row({', '.join(k for k, v in self._d.items() if v is not None)})"   # names only


class Report:
    """One record: ``kind``, ``reference``, ``member_code``, ``control_number``, ``ok``, ``name``,
    ``addresses``, ``employments``, ``accounts``, ``inquiries``, ``summaries``, ``hawk_inquiries``,
    ``hawk_responses``, ``declarativa``, ``scores``, ``sintetiza``, ``user_error``, ``auth_error``."""

    def __init__(self, header: Dict, one: Dict[str, Optional[Row]], many: Dict[str, List[Row]]):
        self.header = header
        self.record = header["record"]
        self.kind = header["kind"]
        self.reference = header["reference"]
        self.member_code = header["member_code"]
        self.control_number = header["control_number"]
        self.ok = header["ok"]
        self.__dict__.update(one)
        self.__dict__.update(many)

    def to_dict(self) -> Dict:
        out = dict(self.header)
        for k in _ONE:
            v = getattr(self, k)
            out[k] = v.to_dict() if v is not None else None
        for k in _MANY:
            out[k] = [r.to_dict() for r in getattr(self, k)]
        return out

    def __repr__(self):
        return f"<Report {self.record} {self.kind}: {len(self.accounts)} accounts, {len(self.inquiries)} inquiries>"

    # The renderings live in mxbureau.views, the room of pages above this one (which imports no
    # intl13 reader): resolved at call time, so that reading reports never loads the views.
    def __str__(self):
        from ..views.text import report_text
        return report_text(self)

    def _repr_html_(self):
        from ..views.report import report_html
        return report_html(self, fragment=True)


# ---- the tables path: Arrow tables sliced per record (chunks of many records) --------------------

def _none(rec: int) -> List[Row]:
    return []


def _slicer(tables: Tables, tag: str):
    """record -> rows of a table, by binary search on its (sorted) record column. (The values through
    columns.pylist, an empty table not at all: reports() of one 3.4 KB record spent 0.75 ms in
    to_pylist, most of its time after build_tables.)"""
    if tag not in tables or not tables[tag].num_rows:
        return _none
    t = tables[tag]
    # the record column as a Python list and bisect, not np.asarray of a ChunkedArray and two
    # np.searchsorted: one 3.4 KB record's slicers (8 tables with rows) 582 -> 556 us
    recs = pylist(t.column("record"))
    cols = {name: pylist(c) for name, c in zip(t.column_names, t.columns) if name not in _KEYS}

    def rows(rec: int) -> List[Row]:
        return [Row({k: v[i] for k, v in cols.items()}) for i in range(bisect_left(recs, rec), bisect_right(recs, rec))]
    return rows


def _table_reports(tok: Tokens, strict: bool) -> Iterator[Report]:
    tables = build_tables(tok, strict=strict)
    rec = tables.records
    heads = [dict(zip(rec.column_names, row)) for row in zip(*(pylist(c) for c in rec.columns))]
    one = {k: _slicer(tables, tag) for k, tag in _ONE.items()}
    many = {k: _slicer(tables, tag) for k, tag in _MANY.items()}
    for h in heads:
        rec = h["record"]
        yield Report(h, {k: (f(rec) or [None])[0] for k, f in one.items()}, {k: f(rec) for k, f in many.items()})


# ---- the rows path: from the token index straight to Python values (_rows.pyx), no Arrow ---------


class _Program:
    """What the rows path needs of a format's Decoding, built once: the compiled kernel over its lookup
    tables (_rows.Rows), each slot's row template (every column of its table in the table's order),
    and the steps after decoding that build_tables takes on whole columns, here on a row: an amount's
    negative codes (Field.negative) and the decoder's levels of a code (Field.ordinal: TL mop_level,
    a map of the MOP code) in the kernel; code spellings (Field.code_width) in ``_spell_rows``."""

    def __init__(self, d: Decoding):
        self.decoding = d
        self.slots = {tag: s for s, tag in enumerate(d.slots)}
        wanted = set(_ONE.values()) | set(_MANY.values())
        # one str object a column name, in the kernel's names and the templates' keys alike
        names, templates, extras, self.spell = [], [], [], {}
        for s, tag in enumerate(d.slots):
            cols = d.columns[tag]
            names.append(tuple(sys.intern(c.name) for c in cols))
            keys = [sys.intern(n) for n in d.schemas[tag].names if n not in _KEYS]
            templates.append(dict.fromkeys(keys) if tag in wanted else None)
            extra = [(i, "negative", sys.intern(code), cols[i].field.max_length - 1) for i, code in d.derived[tag].items()]
            spell, spelled = [], set()
            for c in cols:
                f = c.field
                if f.code_width is None:
                    continue
                by, table = None, None
                if f.code_width_by is not None:
                    by = cols[d.column_of(tag, f.code_width_by[0])].name
                    table = dict(f.code_width_by[1])
                spell.append((c.name, (f.code_width, f.code_width_by), f.code_width, by, table))
                spelled.add(c.name)
            for c in d.ordinal[tag]:
                src, (name, _, levels) = cols[c].name, cols[c].field.ordinal
                if src in spelled:
                    raise UsageError(f"{tag}.{name}: a level of a respelled code")   # the kernel maps raw values
                if name in keys:
                    extra.append((c, "map", sys.intern(name), dict(levels)))
            extras.append(extra)
            if spell:
                self.spell[s] = spell
        self.kernel_extras = extras
        # the fields' columns only: the table decoder's computed columns after them (an amount's
        # negative codes, KIND_NEG) are the kernel's "negative" extras here
        kinds = d.field_kind.copy()
        for s, tag in enumerate(d.slots):
            kinds[s, len(d.columns[tag]):SKIPPED_COLUMN] = -1
        self.kernel = _rows.Rows(d.seg_lut, d.field_lut, kinds, d.field_max, d.field_longer,
                                 d.field_again, d.take, names, templates, extras)
        self.one = [(k, self.slots[tag]) for k, tag in _ONE.items()]
        self.many = [(k, self.slots[tag]) for k, tag in _MANY.items()]


def _spell_rows(rows: List[Dict], spell) -> None:
    """tables._spell_codes on rows in place: a numeric code's blanks and leading zeros dropped, zeros
    put back to the width of its key (Field.code_width, or per row from the value of the field
    Field.code_width_by names, blanks stripped); values that are not digits as they are."""
    for d in rows:
        widths = {}
        for name, key, width, by, table in spell:
            w = widths.get(key)
            if w is None:                     # once a key a row, as tables._widths once a key a column
                w = width
                if by is not None and d[by] is not None:
                    v = d[by]
                    w = table.get(v.strip() if v else v, width)
                widths[key] = w
            v = d[name]
            if v is not None:
                s = v.strip()
                if s.isdigit() and s.isascii():
                    d[name] = str(int(s)).zfill(w)


_PROGRAMS: Dict[int, _Program] = {}


def _program(d: Decoding) -> _Program:
    p = _PROGRAMS.get(id(d))
    if p is None or p.decoding is not d:
        p = _PROGRAMS[id(d)] = _Program(d)
    return p


# The records table's columns (records.py), as values: the labels of its coded columns.
_INDICATOR_LABELS = list(INDICATOR_LABELS)
_CR_LABELS = list(CR_READING_LABELS)
_REF, _MEMBER, _IND = _R["reference"], _R["member_code"], _R["bureau_indicator"]
_QMEMBER = _Q["member_code"]
_NB = len(BUREAU_INDICATOR_COLUMNS)
_DATA = {ord(c) for c in BUREAU_INDICATOR_DATA}
_NO_INDICATOR = b"0" * _IND.length          # an Informe Buró's reserved zeros: no bureau named
_NONE_CODES = [-1] * _NB
_NONE_CODES_LABELS = [None] * _NB
_REFERENCE_TAGS = frozenset(_REFERENCE_SEGMENTS.tolist())


# The records' numbers the headers read, as Python values once a chunk (a numpy slice and tolist a
# column a batch cost ~0.5 us: 6 of one record's ~10 us of headers).
_HEAD_COLUMNS = ("record", "start", "end", "kind", "kind_code", "ok", "version", "declared_length", "cr_reading",
                 "es_style", "tok_start", "tok_end")


def _record_values(tok: Tokens) -> List[tuple]:
    """Per record, the values of _HEAD_COLUMNS."""
    r = tok.records
    return list(zip(*(r[k].tolist() for k in _HEAD_COLUMNS)))


def _headers(tok: Tokens, data: bytes, lo: int, part, base: int, b0: int, values: List[tuple]) -> List[Dict]:
    """The records table's rows of records b0.. (records.records_table, with record_start), read from
    ``data`` (the buffer from position ``lo`` on); ``values``: their _record_values; ``part``: their
    token part (tokens from ``base``)."""
    cons = [k for k, v in enumerate(values) if v[4] == CONSULTA_RECORD and v[5]]
    heads = dict(zip(cons, _consulta_headers(tok, np.asarray(cons, np.int64) + b0).tolist())) if cons else {}
    off, length, tags = part["offset"], part["length"], part["tag"]
    shift = tok.base + lo
    out = []
    for k, (rec, start, end, kind, code, ok, version, declared, cr, es, ts, te) in enumerate(values):
        at = start - shift
        resp = ok and (code == HIT or code == NOHIT)
        hdr = resp or (ok and code == CONSULTA_RECORD)
        head = at
        if k in heads:
            hdr = heads[k] >= 0
            head = heads[k] - lo
        if hdr:
            reference = data[head + _REF.start:head + _REF.start + _REF.length].decode("latin-1").strip(" ")
            m = head + (_MEMBER.start if resp else _QMEMBER.start)
            member = data[m:m + _MEMBER.length].decode("latin-1").strip(" ")
        else:
            member = None
            reference = None
            # an error record's: the value of its first field when it opens UR / AR (records._heads_and_refs)
            if ok and code == ERROR_RECORD and ts < te and int(tags[ts - base]) in _REFERENCE_TAGS \
                    and int(length[ts - base]) <= _REF.length:
                o = int(off[ts - base]) - lo
                reference = data[o:o + int(length[ts - base])].decode("latin-1").strip(" ")
        if resp:
            ind = data[at + _IND.start:at + _IND.start + _IND.length]
            live = ind != _NO_INDICATOR
            codes_ = [_INDICATOR_CODE[b] for b in ind[:_NB]] if live else _NONE_CODES
            bureaus = [_INDICATOR_LABELS[c] if c >= 0 else None for c in codes_]
            has_data = code == HIT or (live and any(b in _DATA for b in ind[:_NB]))
            indicator = ind.decode("latin-1").strip(" ")
            found = code == HIT
        else:
            bureaus, has_data, indicator, found = _NONE_CODES_LABELS, None, None, None
        control = None
        if ok and es == 1:
            o = int(off[te - 2 - base]) - lo
            control = data[o:o + int(length[te - 2 - base])].decode("latin-1")
        h = {"record": rec, "record_start": start, "kind": kind, "start": start, "length": end - start,
             "version": version if version >= 0 else None, "reference": reference, "member_code": member,
             "found": found, "bureau_indicator": indicator}
        for name, v in zip(BUREAU_INDICATOR_COLUMNS, bureaus):
            h[name] = v
        h["has_data"] = has_data
        h["control_number"] = control
        h["declared_length"] = declared if declared >= 0 else None
        h["cr_reading"] = _CR_LABELS[cr - 1] if 0 < cr <= len(_CR_LABELS) else None
        h["ok"] = ok
        out.append(h)
    return out


# Records decoded by one call of the kernel (their rows are held at once, not a chunk's). Iterating
# over the 2,200 records (5.3 MB) of the bench's corpus, each report dropped: batches of 4 records
# 124 ms, 8 and 16 100 ms, 32 106 ms, 64 126 ms, 256 147 ms (the live dicts of a larger batch outgrow
# the caches and the young GC generation walks them).
ROWS_BATCH = 16


def _row_reports(tok: Tokens, strict: bool, prog: _Program) -> Iterator[Report]:
    r = tok.records
    kinds, ok, ts, te = r["kind_code"], r["ok"].view(np.uint8), r["tok_start"], r["tok_end"]
    batches = [(p, b0, min(b0 + ROWS_BATCH, r1), base) for p, r0, r1, base in tok.pieces()
               for b0 in range(r0, r1, ROWS_BATCH)]
    rows_of = prog.kernel.rows
    if strict and len(batches) > 1:
        # a strict read raises before any report of the chunk, as build_tables does: a first pass
        # that only counts what it raises on
        for p, b0, b1, base in batches:
            if rows_of(b"", 0, p["offset"], p["length"], p["tag"], base, ts, te, kinds, ok, b0, b1, False)[1]:
                build_tables(tok, strict=True)          # raises the FormatError of the first
        strict = False
    nbuf = len(tok.buffer)
    values = _record_values(tok)
    for p, b0, b1, base in batches:
        batch = values[b0:b1]
        lo = batch[0][1] - tok.base
        hi = min(nbuf, batch[-1][2] - tok.base)
        data = _rows.copy_span(tok.buffer, lo, hi)
        rows, left = rows_of(data, lo, p["offset"], p["length"], p["tag"], base, ts, te, kinds, ok, b0, b1)
        if strict and left:
            build_tables(tok, strict=True)              # raises the FormatError of the first
        for s, spell in prog.spell.items():
            for rec in rows:
                if rec is not None and rec[s] is not None:
                    _spell_rows(rec[s], spell)
        for h, rec in zip(_headers(tok, data, lo, p, base, b0, batch), rows):
            if rec is None:
                yield Report(h, dict.fromkeys(_ONE), {k: [] for k in _MANY})
                continue
            one = {k: (Row(rec[s][0]) if rec[s] is not None else None) for k, s in prog.one}
            many = {k: ([Row(x) for x in rec[s]] if rec[s] is not None else []) for k, s in prog.many}
            yield Report(h, one, many)


def reports(source, *, strict: bool = True) -> Iterator[Report]:
    """Reports of a source, in file order (error and consulta records included, with empty parts).
    ``strict``: damage raises FormatError, values too long and tags repeated past the manual too."""
    # Every chunk takes the rows path: against the tables path, on chunks of the bench's corpus
    # (interleaved rounds, one run), 1 record 47 against 1,684 us, 16 records 31 against 226 us a
    # record, 400 records 49 against 122, all 2,200 (5.3 MB) 71 against 132 us a record (every report
    # held in a list; iterated, 45 us a record): faster at every size, so no switch by size.
    for tok in scan_chunks(source, strict=strict):
        if tok.format.records_table is records_table:
            yield from _row_reports(tok, strict, _program(decoding(tok.format)))
        else:
            yield from _table_reports(tok, strict)
