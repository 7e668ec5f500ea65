"""The Círculo records table: one row per record -- the header, each company block (EM with its AC,
CR, DE and AV), the trailer -- from the scanner's per-record numbers."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..columns import RECORD_FIELDS, coded, texts
from ..tokens import Tokens, kind_names
from . import spec
from .keys import bases

__all__ = ["RECORDS_SCHEMA", "records_table"]

RECORDS_SCHEMA = pa.schema([
    *RECORD_FIELDS,
    pa.field("company", pa.int64()),
    pa.field("credits", pa.int32(), nullable=False),
    pa.field("details", pa.int32(), nullable=False),
    pa.field("header_variant", pa.dictionary(pa.int32(), pa.large_string())),
    pa.field("ok", pa.bool_(), nullable=False),
])

_VARIANTS = texts(spec.HEADER_VARIANTS)
_HEADER = spec.KIND["header"]
_COMPANY = spec.KIND["company"]


def records_table(tok: Tokens) -> pa.Table:
    r = tok.records
    kind_code = r["kind_code"]
    names = kind_names(tok.format)
    kind = coded(np.where(kind_code < 0, len(names) - 1, kind_code).astype(np.int32),
                 pa.array(names.tolist(), pa.large_string()))
    # a company block's index: the company blocks before it
    first = bases(tok)[0]
    company = first + np.cumsum(kind_code == _COMPANY) - 1
    variant = np.where(kind_code == _HEADER, r["variant"], -1).astype(np.int32)
    return pa.Table.from_arrays([
        pa.array(r["record"]), kind, pa.array(r["start"]), pa.array(r["end"] - r["start"]),
        pa.array(company, pa.int64(), mask=kind_code != _COMPANY),
        pa.array(r["credits"].astype(np.int32)), pa.array(r["details"].astype(np.int32)),
        coded(variant, _VARIANTS), pa.array(r["ok"])], schema=RECORDS_SCHEMA)
