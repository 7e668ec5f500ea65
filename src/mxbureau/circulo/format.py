"""What the core knows of the Círculo load format: a ``Format`` per layout (its compiled Scanner, the
tables, the records table, the finishing step), registered under ``circulo`` for the v5.0 layout of
the seed. ``define_format`` registers another layout (a later version, Buró's PM 4.0...) under a name
of its own; ``mxbureau.read(path, format=name)`` then reads with it."""
from __future__ import annotations

import functools
from typing import Dict, Optional

import numpy as np

from .. import formats
from ..errors import UnknownNameError, UsageError
from ..layout import tag_code
from . import _scan, spec
from .catalogs import CATALOGS
from .keys import finish_tables
from .records import RECORDS_SCHEMA, records_table

__all__ = ["FORMAT", "define_format", "layout_of", "format_of", "scanner_for"]

_LAYOUTS: Dict[str, spec.Layout] = {}


def _segment_def(seg: spec.CSegment, skip_fillers: bool = False, blank_filler: bool = True) -> dict:
    """``blank_filler``: HD's last (filler) field may have its tag left blank -- the standard HD's
    (READINGS 4: "08" + 7 blanks or 9 blanks), not the legacy header's ("06" + 53 blanks)."""
    last = len(seg.fields) - 1
    return {"tag": seg.tag, "length": seg.length, "ident": seg.ident,
            "fields": [(f.start, f.max_length, f.tag,
                        _scan.CONSTANTS["MODES"]["skip"] if (skip_fillers and f.type == "F") else spec.token_mode(f),
                        spec.TYPE_CODE[f.type],
                        # HD's tagged filler may come with its tag left blank (READINGS 4)
                        1 if (blank_filler and seg.tag == "HD" and i == last and f.type == "F") else 0)
                       for i, f in enumerate(seg.fields)]}


def scanner_for(layout: spec.Layout) -> "_scan.Scanner":
    """The compiled scanner of a layout (positions, widths and token modes as data)."""
    legacy = _segment_def(layout.legacy_header, skip_fillers=True, blank_filler=False) if layout.legacy_header else None
    return _scan.Scanner(layout.name, [_segment_def(s) for s in layout.segments], legacy)


def _known(layout: spec.Layout) -> np.ndarray:
    keys = set()
    for s in layout.segments + ((layout.legacy_header,) if layout.legacy_header else ()):
        keys.add((tag_code(s.tag) << 16) | tag_code(s.tag))
        keys.update((tag_code(s.tag) << 16) | tag_code(f.tag) for f in s.fields)
        # the mark tokens: dates written as zeros (9k) and separators (97, 98, 99)
        n_dates = sum(f.type in ("D", "P") for f in s.fields)
        keys.update((tag_code(s.tag) << 16) | tag_code(t) for t in [f"9{k}" for k in range(n_dates)] + ["97", "98", "99"])
    return np.array(sorted(keys), dtype=np.uint32)


def _sniff(start: bytes, head: bytes) -> bool:
    return head.startswith(start)


_TYPES = {"A": "text", "N": "a number", "D": "a date DDMMAAAA", "P": "a period MMAAAA", "F": "filler"}
_REQUIRED = {"R": "required", "O": "optional", "X": "no aplica", "C": "conditional", "W": "required (a warning)",
             "F": "blank"}
_COLUMNS = {"company": "Index of the company block (its EM segment) in the file, 0-based.",
            "credit": "Index of the credit (its CR segment) in the file, 0-based.",
            "offset": "Byte offset of the segment in its source.",
            "position": "Order among its company's AC or CR segments, or its credit's DE or AV segments (0-based)."}


def _describer(layout: spec.Layout):
    def describe(table: str, column: str) -> str:
        if column in _COLUMNS:
            return _COLUMNS[column]
        seg = layout.by_tag.get(table)
        f = next((f for f in seg.fields if f.name == column), None) if seg else None
        if f is None:
            return ""
        what = "the month's first day" if f.type == "P" else _TYPES[f.type]
        return (f"{table}-{f.tag} {f.spanish}: {what}, {f.max_length} bytes at position {f.start + 1}; "
                f"format 1 {_REQUIRED[f.fmt1]}, format 2 {_REQUIRED[f.fmt2]}.")
    return describe


# The longest company block a stream's windows must hold (an EM with ~58,000 credits); mapped files
# have no such limit.
MAX_RECORD = 32 << 20


def make_format(layout: spec.Layout, name: str, sniff: bool = True) -> formats.Format:
    """A Format for a layout (not registered)."""
    known = _known(layout)
    hd = layout.by_tag["HD"]
    start = (hd.tag + hd.ident).encode("latin-1")
    return formats.Format(
        name=name, scanner=scanner_for(layout), kinds=spec.KINDS, decoded_kinds=tuple(range(len(spec.KINDS))),
        messages=spec.MESSAGES, tables=dict(layout.by_tag), known={k: known for k in range(len(spec.KINDS))},
        records_table=records_table, sniff=functools.partial(_sniff, start) if sniff else (lambda head: False),
        personal=spec.PERSONAL_DATA, segment_tags=frozenset(tag_code(s.tag) for s in layout.segments),
        finish_tables=functools.partial(finish_tables, layout=layout), max_record=MAX_RECORD,
        describe=_describer(layout), records_schema=RECORDS_SCHEMA,
        catalogs={k: dict(v) for k, v in CATALOGS.items() if v is not None})


def define_format(layout: spec.Layout, name: Optional[str] = None, sniff: bool = False) -> formats.Format:
    """Register a layout as a format of its own (default name: the layout's). ``sniff``: detect it by
    its first bytes too (off by default: ``circulo`` already claims ``HDBNCPM``)."""
    name = name or layout.name
    if name in formats.names():
        raise UsageError(f"a format {name!r} is already registered")
    fmt = formats.register(make_format(layout, name, sniff))
    _LAYOUTS[name] = layout
    return fmt


def format_of(fmt=None) -> formats.Format:
    """A Círculo format by name (or itself); default the v5.0 one."""
    f = formats.get(fmt if fmt is not None else "circulo")
    if f.name not in _LAYOUTS:
        raise UnknownNameError(f"{f.name!r} is not a Círculo layout; layouts: {', '.join(_LAYOUTS)}")
    return f


def layout_of(fmt=None) -> spec.Layout:
    return _LAYOUTS[format_of(fmt).name]


FORMAT = formats.register(make_format(spec.CIRCULO_5, "circulo"))
_LAYOUTS["circulo"] = spec.CIRCULO_5
