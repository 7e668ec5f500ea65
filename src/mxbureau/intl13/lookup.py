"""One record of a file, found without decoding the file: ``find_report(source, reference=...)`` or
``find_report(source, record=N)``.

The file is tokenized chunk by chunk (``scan_chunks``: the compiled scanner, ~1 GB/s, bounded memory);
for a reference, each chunk's references are read from the record headers alone (``records_table``);
only the bytes of the record found are decoded into a ``Report``. Damaged spans are skipped (lenient
scan), so a record is found in a file that is damaged elsewhere."""
from __future__ import annotations

from typing import Optional

import numpy as np
import pyarrow.compute as pc

from ..errors import NotFoundError, UsageError
from ..scanner import scan_chunks
from .records import records_table
from .report import Report, reports

__all__ = ["find_report"]


def find_report(source, *, reference: Optional[str] = None, record: Optional[int] = None,
                chunk_bytes: int = 64 << 20) -> Report:
    """The record with operator reference ``reference`` (the first one, in file order; blanks around
    it do not matter), or the record of index ``record`` (0-based, as ``records.record``). Raises
    NotFoundError (a LookupError) when there is none (the message never repeats the reference)."""
    if (reference is None) == (record is None):
        raise UsageError("give exactly one of reference= and record=")
    if record is not None and record < 0:
        raise NotFoundError("record indices start at 0")
    want = None if reference is None else reference.strip()
    total = 0
    for tok in scan_chunks(source, chunk_bytes=chunk_bytes, strict=False):
        n0, n = int(tok.records["record"][0]) if tok.n_records else total, tok.n_records
        total = n0 + n
        if record is not None:
            if record >= total:
                continue
            i = record - n0
        else:
            refs = records_table(tok).column("reference")
            hits = np.flatnonzero(np.asarray(pc.fill_null(pc.equal(refs, want), False)))
            if not len(hits):
                continue
            i = int(hits[0])
        return _decode_one(tok, i)
    if record is not None:
        raise NotFoundError(f"record {record} is past the end: the file has {total} records")
    raise NotFoundError(f"no record has that reference ({total} records searched)")


def _decode_one(tok, i: int) -> Report:
    """Decode record i of a chunk from its own bytes; indices and offsets as in the whole source."""
    start, end = int(tok.records["start"][i]), int(tok.records["end"][i])
    rep = next(reports(bytes(tok.buffer[start - tok.base:end - tok.base]), strict=False))
    rep.record = rep.header["record"] = int(tok.records["record"][i])
    rep.header["start"] = rep.header["record_start"] = start
    return rep
