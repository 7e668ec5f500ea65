"""The INTL13 records table: one row per record, from the header fields (spec.RESPONSE_HEADER,
CONSULTA_HEADER, the UR/AR reference of an error record) and the scanner's per-record numbers."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..columns import coded, fixed_strings, token_strings
from ..tokens import Tokens, kind_names
from . import spec

__all__ = ["RECORDS_SCHEMA", "records_table"]

RECORDS_SCHEMA = pa.schema([
    pa.field("record", pa.int64(), nullable=False),
    pa.field("kind", pa.dictionary(pa.int32(), pa.large_string())),
    pa.field("start", pa.int64(), nullable=False),
    pa.field("length", pa.int64(), nullable=False),
    pa.field("version", pa.int8()),
    pa.field("reference", pa.large_string()),
    pa.field("member_code", pa.large_string()),
    pa.field("found", pa.bool_()),
    pa.field("bureau_indicator", pa.large_string()),
    pa.field("control_number", pa.large_string()),
    pa.field("declared_length", pa.int64()),
    pa.field("cr_reading", pa.dictionary(pa.int32(), pa.large_string())),
    pa.field("ok", pa.bool_(), nullable=False),
])

_R = {h.name: h for h in spec.RESPONSE_HEADER}
_Q = {h.name: h for h in spec.CONSULTA_HEADER}
_CR_READINGS = pa.array(["text", "segment"], pa.large_string())   # records["cr_reading"] 1 and 2


def records_table(tok: Tokens) -> pa.Table:
    buf = tok.buffer
    r = tok.records
    n = tok.n_records
    kind_code = r["kind_code"]
    start = r["start"] - tok.base              # positions in tok.buffer
    is_resp = (kind_code == spec.HIT) | (kind_code == spec.NOHIT)
    is_cons = kind_code == spec.CONSULTA_RECORD
    is_err = kind_code == spec.ERROR_RECORD
    ok = r["ok"]
    hdr = ok & (is_resp | is_cons)            # whole headers: parsed records only

    member = fixed_strings(buf, start + np.where(is_resp, _R["member_code"].start, _Q["member_code"].start),
                           hdr, _R["member_code"].length)
    indicator = fixed_strings(buf, start + _R["bureau_indicator"].start, hdr & is_resp,
                              _R["bureau_indicator"].length)
    # the reference: the header's, or for an error record the first field of UR / AR
    err = is_err & ok
    ref_at = start + _R["reference"].start
    if err.any():
        ref_at[err] = tok.take("offset", r["tok_start"][err])
    reference = fixed_strings(buf, ref_at, hdr | err, _R["reference"].length)
    # control number: in a new-style ES the last two tokens are 00 (control number) and 01 (**)
    rows = np.flatnonzero(ok & (r["es_style"] == 1))
    es00 = r["tok_end"][rows] - 2
    control = token_strings(buf, tok.take("offset", es00), tok.take("length", es00), rows, n)
    found = pa.array(kind_code == spec.HIT, mask=~is_resp | ~ok)
    version = pa.array(r["version"].astype(np.int8), mask=r["version"] < 0)
    declared = pa.array(r["declared_length"].astype(np.int64), mask=r["declared_length"] < 0)
    cr = coded(r["cr_reading"].astype(np.int32) - 1, _CR_READINGS)
    names = kind_names(tok.format)
    kind = coded(np.where(kind_code < 0, len(names) - 1, kind_code).astype(np.int32),
                 pa.array(names.tolist(), pa.large_string()))
    return pa.Table.from_arrays([
        pa.array(r["record"]), kind, pa.array(r["start"]), pa.array(r["end"] - r["start"]), version,
        reference, member, found, indicator, control, declared, cr, pa.array(ok)],
        schema=RECORDS_SCHEMA)
