"""The INTL13 records table: one row per record, from the header fields (spec.RESPONSE_HEADER,
CONSULTA_HEADER, the UR/AR reference of an error record) and the scanner's per-record numbers.

The Anexo 14 bureau indicator (header positions 34-37) is split into one column per bureau it names,
``bureau_tum`` (Buró de Crédito), ``bureau_dun`` (Dun & Bradstreet), ``bureau_cc`` (Círculo de Crédito),
holding the catalogue's label (``HIT``, ``NO HIT``, ``Sistema no disponible en la SIC``, ``Reporte de
Crédito Extenso D&B``); null for an Informe Buró, whose indicator is the reserved ``0000``. ``has_data``:
the record has data from some bureau -- found in Buró (``found``), or another SIC's hit (an integrated
report may say found = 0 and still carry Círculo's accounts and inquiries): the filter for "records
with any data" is ``has_data``, not ``kind == "hit"``."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..columns import RECORD_FIELDS, string_buffers, table_of
from ..tokens import Tokens, kind_names
from ..layout import tag_code
from . import _records, catalogs, spec

__all__ = ["RECORDS_SCHEMA", "records_table"]

RECORDS_SCHEMA = pa.schema([
    *RECORD_FIELDS,
    pa.field("version", pa.int8()),
    pa.field("reference", pa.large_string()),
    pa.field("member_code", pa.large_string()),
    pa.field("found", pa.bool_()),
    pa.field("bureau_indicator", pa.large_string()),
    *(pa.field(name, pa.dictionary(pa.int32(), pa.large_string())) for name in catalogs.BUREAU_INDICATOR_COLUMNS),
    pa.field("has_data", pa.bool_()),
    pa.field("control_number", pa.large_string()),
    pa.field("declared_length", pa.int64()),
    pa.field("cr_reading", pa.dictionary(pa.int32(), pa.large_string())),
    pa.field("ok", pa.bool_(), nullable=False),
])

_R = {h.name: h for h in spec.RESPONSE_HEADER}
_Q = {h.name: h for h in spec.CONSULTA_HEADER}
CR_READING_LABELS = ("text", "segment")                 # records["cr_reading"] 1 and 2
INDICATOR_LABELS = tuple(catalogs.BUREAU_INDICATOR_VALUES.values())
_CR_READINGS = string_buffers(CR_READING_LABELS)
_INDICATOR = string_buffers(INDICATOR_LABELS)
# the columns' kinds for columns.table_of, in RECORDS_SCHEMA's order
_LAYOUT = "fdfffssbs" + "d" * len(catalogs.BUREAU_INDICATOR_COLUMNS) + "bsfdb"
_INDICATOR_CODE = np.full(256, -1, np.int32)          # a byte of the indicator -> its label's index
for _k, _code in enumerate(catalogs.BUREAU_INDICATOR_VALUES):
    _INDICATOR_CODE[ord(_code)] = _k
_HAS_DATA = np.zeros(256, bool)
_HAS_DATA[[ord(c) for c in catalogs.BUREAU_INDICATOR_DATA]] = True
_PN = tag_code("PN")
_REFERENCE_SEGMENTS = np.array([tag_code("UR"), tag_code("AR")], np.uint16)   # an error record's reference
# header_columns' data: the kind codes, the header's positions and text widths, the indicator's
# catalogue, the number of bureau columns
_HEADER = ((spec.HIT, spec.NOHIT, spec.CONSULTA_RECORD, spec.ERROR_RECORD),
           (_R["reference"].start, _R["member_code"].start, _Q["member_code"].start, _R["bureau_indicator"].start),
           (_R["reference"].length, _R["member_code"].length, _R["bureau_indicator"].length),
           _INDICATOR_CODE, _HAS_DATA.view(np.uint8), len(catalogs.BUREAU_INDICATOR_COLUMNS))
_PREFIX_TOKENS = 16       # a CL (5 fields) and an AU (7) before INTL: the PN that follows is within 16


def _consulta_headers(tok: Tokens, rows: np.ndarray) -> np.ndarray:
    """Where the 88-byte INTL header of consultas ``rows`` starts: at the record's start, or, for a
    consulta written in the manual's order with CL (Sintetiza) or AU (online authentication) before
    INTL, the 88 + 4 bytes before the value of its PN (the record starts at the CL / AU, which the
    scanner tokenizes; the header is not a token). -1 where no PN follows."""
    buf = tok.buffer
    start = tok.records["start"][rows] - tok.base     # positions in tok.buffer (a stream's window)
    at = start.copy()
    intl = np.frombuffer(b"INTL", np.uint8)
    head = buf[np.minimum(start[:, None] + np.arange(4), len(buf) - 1)] if len(rows) else np.empty((0, 4), np.uint8)
    moved = np.flatnonzero(~(head == intl).all(axis=1))
    if len(moved):
        ts, te = tok.records["tok_start"][rows[moved]], tok.records["tok_end"][rows[moved]]
        last = max(len(tok) - 1, 0)
        idx = np.minimum(ts[:, None] + np.arange(_PREFIX_TOKENS), np.maximum(te - 1, ts)[:, None])
        idx = np.minimum(idx, last)
        tags = tok.take("tag", idx.reshape(-1)).reshape(idx.shape) if len(tok) else np.zeros(idx.shape, np.uint16)
        is_pn = (tags == _PN) & (idx < te[:, None])
        k = np.argmax(is_pn, axis=1)
        found = is_pn[np.arange(len(k)), k]
        pn_value = tok.take("offset", idx[np.arange(len(k)), k]) if len(tok) else np.zeros(len(k), np.int64)
        at[moved] = np.where(found, pn_value - 4 - spec.CONSULTA_HEADER_LENGTH, -1)
    return at


def records_table(tok: Tokens) -> pa.Table:
    buf = tok.buffer
    r = tok.records
    n = tok.n_records
    kind_code = r["kind_code"]
    ok = r["ok"].view(np.uint8)
    names = _kind_names(tok.format)
    args = (buf, tok.base, r["start"], r["end"], kind_code, ok, r["version"], r["declared_length"], r["cr_reading"],
            r["es_style"], *control_tokens(tok))
    data = (*_HEADER, len(names[0]) - 2)          # ... and the kind dictionary's index of "unknown"
    got = _records.header_columns(*args, None, None, *data)
    if got is None:                   # consultas (where is each one's INTL header?) or error records
        got = _records.header_columns(*args, *_heads_and_refs(tok), *data)
    # the reference: the header's, or for an error record the first field of UR / AR
    reference, member, indicator = ((*got[k], got[v]) for k, v in (("reference", "ref_valid"), ("member", "hdr"),
                                                                      ("indicator", "resp")))
    control = (*got["control"], got["ctl_valid"])
    bureaus = got["bureaus"]
    # One import through the C Data Interface: 17 pa.array calls and a Table.from_arrays were ~40% of
    # the records table of one 3.4 KB record (~0.4M of its ~0.6M instructions, callgrind)
    return table_of(RECORDS_SCHEMA, _LAYOUT, [
        (r["record"], None), (got["kind"], *names), (r["start"], None), (got["length"], None),
        (got["version"], got["version_valid"]), reference, member,
        (got["found"], got["found_valid"]), indicator, *((bureaus[k], *_INDICATOR) for k in range(len(bureaus))),
        (got["has_data"], got["resp"]), control, (got["declared"], got["declared_valid"]),
        (got["cr"], *_CR_READINGS), (r["ok"], None)], n)


def control_tokens(tok: Tokens):
    """header_columns' (ctl_off, ctl_len): the value of each record's next-to-last token, its control
    number where its ES is new-style (00 control number, then 01 **); read for those records only."""
    if not len(tok):
        return np.zeros(tok.n_records, np.int64), np.zeros(tok.n_records, np.uint16)
    es00 = np.minimum(np.maximum(tok.records["tok_end"] - 2, 0), len(tok) - 1)   # (np.clip: 8.8 against 3.8 us a call)
    return tok.take("offset", es00), tok.take("length", es00)


def _heads_and_refs(tok: Tokens):
    """(head_at, err_ref) for header_columns: where the INTL header of each parsed consulta is (its
    record's start, else found by _consulta_headers), and (offsets, lengths) of the first token's
    value of each parsed error record -- its reference when that token opens the UR or AR segment,
    length -1 where it does not (0 elsewhere; None when there are none). The value's own length, not
    the field's 25 bytes: a short one at the end of the input was read past the buffer, and one
    inside it carried the next tokens' bytes."""
    r = tok.records
    kind_code, ok = r["kind_code"], r["ok"]
    head_at = r["start"] - tok.base
    cons = np.flatnonzero((kind_code == spec.CONSULTA_RECORD) & ok)
    if len(cons):
        head_at[cons] = _consulta_headers(tok, cons)
    err = np.flatnonzero((kind_code == spec.ERROR_RECORD) & ok)
    err_ref = None
    if len(err):
        first = r["tok_start"][err]
        has = first < r["tok_end"][err]
        first = np.minimum(first, max(len(tok) - 1, 0))
        offsets, lengths = np.zeros(len(kind_code), np.int64), np.zeros(len(kind_code), np.int64)
        if len(tok):
            offsets[err] = tok.take("offset", first)
            opens = np.isin(tok.take("tag", first), _REFERENCE_SEGMENTS) & has
            lengths[err] = np.where(opens, tok.take("length", first).astype(np.int64), -1)
        else:
            lengths[err] = -1
        err_ref = (offsets, lengths)
    return head_at, err_ref


_NAMES = {}


def _kind_names(fmt):
    """The buffers of the kind column's dictionary (the format's kinds, "unknown" last), made once."""
    got = _NAMES.get(fmt.name)
    if got is None:
        got = _NAMES[fmt.name] = string_buffers(kind_names(fmt).tolist())
    return got
