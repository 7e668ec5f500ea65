"""Report: one INTL13 record as objects, for the one-customer path of an application.

    for rep in mxbureau.reports("responses.txt"):
        rep.name.paternal_surname, rep.accounts[0].balance, rep.scores[0].score, rep.to_dict()

Built from the typed tables (the bulk path) and sliced per record, so values are typed the same way:
a tag the manual lets repeat has an attribute per occurrence (``bad_field_info``, ``bad_field_info_2``
...), and ``row.all("bad_field_info")`` lists the values present, in order.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Dict, Iterator, List, Optional

from ..columns import pylist
from ..scanner import scan_chunks
from ..tables import Tables, build_tables

__all__ = ["Report", "Row", "reports"]

# attribute -> segment; lists for repeatable segments
_MANY = {"addresses": "PA", "employments": "PE", "accounts": "TL", "inquiries": "IQ", "summaries": "RS",
         "hawk_inquiries": "HI", "hawk_responses": "HR", "scores": "SC", "sintetiza": "CL"}
_ONE = {"name": "PN", "declarativa": "CR", "user_error": "UR", "auth_error": "AR"}


class Row:
    """One segment: its fields as attributes (spec names)."""

    __slots__ = ("_d",)

    def __init__(self, d: Dict):
        object.__setattr__(self, "_d", d)

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
        for k, v in one.items():
            setattr(self, k, v)
        for k, v in many.items():
            setattr(self, k, v)

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
    cols = {name: pylist(c) for name, c in zip(t.column_names, t.columns) if name not in ("record", "record_start", "position")}

    def rows(rec: int) -> List[Row]:
        return [Row({k: v[i] for k, v in cols.items()}) for i in range(bisect_left(recs, rec), bisect_right(recs, rec))]
    return rows


def reports(source, *, strict: bool = True) -> Iterator[Report]:
    """Reports of a source, in file order (error and consulta records included, with empty parts).
    ``strict``: damage raises FormatError, values too long and tags repeated past the manual too."""
    for tok in scan_chunks(source, strict=strict):
        tables = build_tables(tok, strict=strict)
        rec = tables.records
        heads = [dict(zip(rec.column_names, row)) for row in zip(*(pylist(c) for c in rec.columns))]
        one = {k: _slicer(tables, tag) for k, tag in _ONE.items()}
        many = {k: _slicer(tables, tag) for k, tag in _MANY.items()}
        for h in heads:
            rec = h["record"]
            yield Report(h, {k: (f(rec) or [None])[0] for k, f in one.items()}, {k: f(rec) for k, f in many.items()})
