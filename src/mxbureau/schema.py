"""What the tables hold, for people: every column of a format's tables with its type, tag, the
manual's Spanish name, an English description and its catalogue (``schema``), and a catalogue's codes
with their labels (``catalog``)."""
from __future__ import annotations

from typing import Dict, Optional

import pyarrow as pa

from .columns import texts
from .errors import UnknownNameError
from .formats import get as get_format
from .tables import decoding, records_schema

__all__ = ["schema", "catalog"]

_SCHEMA = pa.schema([pa.field(n, pa.large_string()) for n in
                     ("table", "column", "type", "tag", "spanish", "description", "catalog")])


def schema(table: Optional[str] = None, format: Optional[str] = None) -> pa.Table:
    """One row per column of ``table`` (a segment tag such as "TL", or "records"; any case) or of
    every table: table, column, Arrow type, field tag, the manual's Spanish name, an English
    description, catalogue (``catalog(name)`` lists its codes). Columns every table has (record,
    position) are listed too."""
    fmt = get_format(format)
    d = decoding(fmt)
    tags = ["records"] + d.slots
    if table is not None:
        want = str(table).strip()
        want = want if want == "records" else want.upper()
        if want not in tags:
            raise UnknownNameError(f"no table {label_of(table)!r}; tables: {', '.join(tags)}")
        tags = [want]
    describe = fmt.describe or (lambda t, c: "")
    rows = []
    for tag in tags:
        arrow = records_schema(fmt) if tag == "records" else d.schemas[tag]
        fields = {} if tag == "records" else {f.name: f for f in d.segments[tag].fields}
        for af in arrow:
            f = fields.get(af.name)
            text = {"record": "Index of the record in its source (0-based).",
                    "position": "Order of the segment within its record (0-based).",
                    "record_start": "Byte offset of the record in its source (with source: the key "
                                    "whatever range or chunk was read)."}.get(af.name)
            rows.append({"table": tag, "column": af.name, "type": str(af.type), "tag": f.tag if f else "",
                         "spanish": f.spanish if f else "", "description": text or describe(tag, af.name),
                         "catalog": (f.catalog or "") if f else ""})
    # by columns.texts, not pa.Table.from_pylist: that imports pandas, 0.4 s of `mxbureau schema`'s 0.7
    return pa.Table.from_arrays([texts([r[n] for r in rows]) for n in _SCHEMA.names], schema=_SCHEMA)


def label_of(name) -> str:
    s = str(name)
    return s if len(s) <= 20 else s[:17] + "..."


def catalog(name: str, format: Optional[str] = None) -> Dict[str, str]:
    """A catalogue's codes -> labels (the manual's Spanish): by its name ("MOP", "ACCOUNT_TYPES"; any
    case) or by a column that uses it ("TL.account_type")."""
    fmt = get_format(format)
    key = str(name).strip()
    if "." in key:
        tag, col = key.split(".", 1)
        segs = fmt.tables
        seg = segs.get(tag.upper())
        f = next((f for f in seg.fields if f.name == col), None) if seg else None
        if f is None or not f.catalog:
            raise UnknownNameError(f"no catalogue for column {label_of(name)!r}")
        key = f.catalog
    cats = {k.upper(): v for k, v in fmt.catalogs.items()}
    if key.upper() not in cats:
        raise UnknownNameError(f"no catalogue {label_of(name)!r}; catalogues: {', '.join(sorted(fmt.catalogs))}")
    return dict(cats[key.upper()])
