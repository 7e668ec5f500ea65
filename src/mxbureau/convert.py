"""``convert``: sources -> one Parquet (or CSV) file per table, streamed chunk by chunk so memory stays
bounded by the chunk size; the CLI's ``mxbureau convert`` and the benchmark both call it."""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, List, Optional

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from .errors import FormatError, UsageError
from .parallel import shared_out
from .redact import check_key, redact_table
from .scanner import scan_chunks
from .tables import build_tables, schema_of, with_values

__all__ = ["convert", "Summary", "Sink"]


class Sink:
    """One writer per table, created on first rows: Parquet row groups or CSV, streamed."""

    def __init__(self, outdir: str, fmt: str):
        if fmt not in ("parquet", "csv"):
            raise UsageError(f"output format is parquet or csv, not {fmt!r}")
        self.outdir, self.fmt, self.writers, self.rows = outdir, fmt, {}, Counter()
        os.makedirs(outdir, exist_ok=True)

    def write(self, name: str, table: pa.Table):
        if table.num_rows == 0 and name in self.writers:
            return
        w = self.writers.get(name)
        if self.fmt == "csv":
            table = pa.Table.from_arrays(
                [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns],
                names=table.column_names)
            if w is None:
                w = self.writers[name] = pcsv.CSVWriter(os.path.join(self.outdir, f"{name}.csv"), table.schema)
        elif w is None:
            w = self.writers[name] = pq.ParquetWriter(os.path.join(self.outdir, f"{name}.parquet"), table.schema)
        w.write_table(table)
        self.rows[name] += table.num_rows

    def write_all(self, tables, workers: int = 1):
        """A chunk's tables, each to its own file; with workers > 1 in that many threads, the tables
        shared out by size (Arrow encodes and compresses with the GIL released; Parquet writing is
        most of convert's time: 1.13 GB took 11.2 s with --workers 2 writing one table at a time, 7.1 s
        this way, peak RSS 0.92 GB either way). Each table still gets its chunks in order."""
        shared_out([lambda n=n, t=t: self.write(n, t) for n, t in tables], [t.nbytes for _, t in tables], workers)

    def close(self):
        for w in self.writers.values():
            w.close()


@dataclass
class Summary:
    """What a conversion wrote: input files and bytes, records by kind, rows by table, problems."""
    files: int = 0
    bytes: int = 0
    kinds: Counter = field(default_factory=Counter)
    rows: Counter = field(default_factory=Counter)
    problems: int = 0


def convert(inputs: Iterable, output: str, *, fmt: str = "parquet", segments: Optional[List[str]] = None,
            strict: bool = True, chunk_bytes: int = 64 << 20, workers: int = 1, redact_key=None,
            show_values: bool = False, progress: Optional[Callable[[int], None]] = None) -> Summary:
    """Convert each input (a path) into ``output`` (one folder, or one per input when there are
    several): records, every table (or ``segments``; those always written, empty or not) and
    problems, one file each. ``redact_key``: personal data -> HMAC under that key. ``progress``:
    called with the input bytes done so far. Raises FormatError on damage in strict mode (the
    outputs written until then are closed)."""
    if redact_key is not None and show_values:
        raise UsageError("show_values would put raw bytes next to redacted tables; use one or the other")
    key = check_key(redact_key) if redact_key is not None else None
    inputs = list(inputs)
    summary = Summary(files=len(inputs), bytes=sum(os.path.getsize(p) for p in inputs))
    done = 0
    for path in inputs:
        outdir = output if len(inputs) == 1 else os.path.join(output, os.path.splitext(os.path.basename(path))[0])
        sink = Sink(outdir, fmt)
        try:
            for tok in scan_chunks(path, chunk_bytes=chunk_bytes, strict=strict, workers=workers,
                                   show_values=show_values):
                t = build_tables(tok, segments, workers=workers)
                out = [("records", t.records)]
                for name in (segments or t.names):
                    table = t[name] if name in t.names else schema_of(name, tok.format.name).empty_table()
                    out.append((name, redact_table(name, table, key, tok.format.name) if key else table))
                if t.problems.num_rows:
                    out.append(("problems", with_values(t.problems, tok.buffer) if show_values else t.problems))
                sink.write_all(out, workers)
                summary.problems += t.problems.num_rows
                summary.kinds.update(t.records.column("kind").to_pylist())
                if tok.n_records:
                    done += int(tok.records["end"][-1]) - int(tok.records["start"][0])
                if progress:
                    progress(done)
        except FormatError as e:
            e.source = str(path)                  # which input (a message never holds its bytes)
            raise
        finally:
            sink.close()
            summary.rows.update(sink.rows)
    return summary
