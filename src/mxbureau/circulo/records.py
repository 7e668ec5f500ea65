"""The Círculo records table: one row per record -- the header, each company block (EM with its AC,
CR, DE and AV), the trailer -- from the scanner's per-record numbers."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..columns import RECORD_FIELDS, coded, numbers, texts
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
    kind = coded(np.where(kind_code < 0, len(names) - 1, kind_code).astype(np.int32), texts(names.tolist()))
    # a company block's index: the company blocks before it
    first = bases(tok)[0]
    company = first + np.cumsum(kind_code == _COMPANY) - 1
    variant = np.where(kind_code == _HEADER, r["variant"], -1).astype(np.int32)
    return pa.Table.from_arrays([
        numbers(r["record"]), kind, numbers(r["start"]), numbers(r["end"] - r["start"]),
        numbers(company.astype(np.int64), kind_code != _COMPANY),
        numbers(r["credits"].astype(np.int32)), numbers(r["details"].astype(np.int32)),
        coded(variant, _VARIANTS), numbers(r["ok"])], schema=RECORDS_SCHEMA)
