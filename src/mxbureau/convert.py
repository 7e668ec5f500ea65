"""``convert``: sources -> one dataset per table (``OUT/<table>/part-00000.parquet``, a part per
source), streamed chunk by chunk so memory stays bounded by the chunk size; the CLI's ``mxbureau
convert`` and the benchmark both call it. pyarrow.dataset, DuckDB (``read_parquet('OUT/TL/*.parquet')``)
and polars read each folder as one table; with several sources every table has a ``source`` column."""
from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, List, Optional

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from .columns import empty, value_counts
from .errors import FormatError, UsageError
from .formats import get as get_format, names as format_names
from .parallel import shared_out
from .redact import check_key, redact_table
from .scanner import scan_chunks
from .source import Source, label, open_all
from .tables import build_tables, records_schema, schema_of, selection, with_source, with_values

__all__ = ["convert", "Summary", "Sink", "staged_output", "parquet_options", "writer_options", "PARQUET_DEFAULTS",
           "COMPRESSIONS", "STATISTICS"]


class Sink:
    """The writers of one source's part of every table, created on first rows: Parquet row groups or
    CSV, streamed. ``parquet``: parquet_options' choices; ``row_group_size``: rows (None: a chunk's)."""

    def __init__(self, outdir: str, fmt: str, part: int, parquet: Optional[dict] = None,
                 row_group_size: Optional[int] = None):
        if fmt not in ("parquet", "csv"):
            raise UsageError(f"output format is parquet or csv, not {fmt!r}")
        self.outdir, self.fmt, self.part, self.writers, self.rows = outdir, fmt, part, {}, Counter()
        self.parquet, self.row_group_size = parquet or parquet_options(), row_group_size

    def path(self, name: str) -> str:
        d = os.path.join(self.outdir, name)
        os.makedirs(d, exist_ok=True)
        return os.path.join(d, f"part-{self.part:05d}.{self.fmt}")

    def write(self, name: str, table: pa.Table):
        if table.num_rows == 0 and name in self.writers:
            return
        w = self.writers.get(name)
        if self.fmt == "csv":
            table = pa.Table.from_arrays(
                [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in table.columns],
                names=table.column_names)
            if w is None:
                w = self.writers[name] = pcsv.CSVWriter(self.path(name), table.schema)
        elif w is None:
            w = self.writers[name] = pq.ParquetWriter(self.path(name), table.schema,
                                                      **writer_options(table.schema, self.parquet))
        if self.fmt == "csv":
            w.write_table(table)
        else:
            w.write_table(table, row_group_size=self.row_group_size)
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
    """What a conversion wrote: input sources and bytes, records by kind, rows by table (all sources
    added up), problems."""
    files: int = 0
    bytes: int = 0
    kinds: Counter = field(default_factory=Counter)
    rows: Counter = field(default_factory=Counter)
    problems: int = 0


# The folder a conversion writes into, inside its output, until it has succeeded (a leftover of a
# killed run is removed by the next conversion into that output).
STAGING_PREFIX = ".mxbureau-partial-"


def _ours(name: str) -> bool:
    """Whether an entry of an output folder is something convert writes: a table's folder (any
    format's), the one-file-per-table layout of earlier versions, or a staging folder left behind."""
    tables = {"records", "problems"}.union(*(get_format(f).tables for f in format_names()))
    stem, ext = os.path.splitext(name)
    return ((name in tables and not ext) or (ext in (".parquet", ".csv") and stem in tables)
            or name.startswith(STAGING_PREFIX))


@contextmanager
def staged_output(output: str, overwrite: bool) -> Iterator[str]:
    """A folder to write a conversion into: inside ``output`` (so that moving its entries there is a
    rename), which must be empty -- or, with ``overwrite``, may hold an earlier conversion, whose
    tables are replaced (other files are left alone). The entries move into ``output`` only when the
    block ends without an error; on an error the folder is removed and ``output`` is as it was (not
    even created when it did not exist): a failed conversion never costs the one before it."""
    if os.path.exists(output) and not os.path.isdir(output):
        raise UsageError(f"the output {label(output)} exists and is not a folder")
    created = not os.path.exists(output)
    entries = [] if created else [e for e in os.listdir(output) if not e.startswith(STAGING_PREFIX)]
    if entries and not overwrite:
        raise UsageError(f"the output folder {label(output)} is not empty: choose another or use --overwrite")
    os.makedirs(output, exist_ok=True)
    stage = tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=output)
    try:
        yield stage
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        if created:
            shutil.rmtree(output, ignore_errors=True)
        raise
    for e in os.listdir(output):
        p = os.path.join(output, e)
        if p != stage and _ours(e):
            shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
    for e in os.listdir(stage):
        os.replace(os.path.join(stage, e), os.path.join(output, e))
    os.rmdir(stage)


# Parquet writer defaults, chosen by measurement (``mxbureau bench --parquet``; README "Parquet
# settings"): pq.write_table of every table of the 50 MB corpus, one thread, 5 interleaved rounds, two
# runs (2026-12-03; each line changes one thing from the default, 0.32 s and 12.5 MB):
# - codecs: zstd level 1 0.36-0.38 s and 9.2 MB (level 3: 0.37-0.45 s and 9.3 MB); lz4
#   0.30-0.34 s and 12.9 MB; none 0.26-0.30 s and 17.6 MB; gzip 6.9-7.4 s. Snappy: as fast as any but
#   none, and what every reader has.
# - statistics (min, max, nulls): on every column 0.39-0.43 s. The code columns' cost most (Arrow
#   computes them on the dictionary's values), then the text columns' (9 rounds: every column 0.369 s,
#   none 0.280, numbers and dates only 0.288, with the codes too 0.330, with the text too 0.305). They
#   prune nothing there -- every chunk holds most codes, names and addresses are not sorted -- while
#   numbers, dates and flags (record, amounts, dates) keep theirs. convert of the 50 MB: 0.645 -> 0.572 s
#   (medians of 9, interleaved).
# - without dictionaries: 1.32x the size, 1.5-1.7x the read-back time; row groups of 131,072 rows
#   0.39 s. (Figures of different runs differ: the machine drifts; compare within a run.)
PARQUET_DEFAULTS = {"compression": "snappy", "statistics": "numbers-and-dates"}
# The Parquet choices convert takes (``compression``, ``statistics``; writer_options turns them into
# pyarrow's arguments), the default first. "numbers-and-dates": every integer, floating, decimal, date,
# time and boolean column; none on text, codes (dictionary-encoded) or nested columns.
COMPRESSIONS = ("snappy", "zstd", "lz4", "gzip", "none")
STATISTICS = ("numbers-and-dates", "all", "none")


def _numbers_and_dates(schema: pa.Schema) -> List[str]:
    t = pa.types
    return [f.name for f in schema if t.is_integer(f.type) or t.is_floating(f.type) or t.is_decimal(f.type)
            or t.is_temporal(f.type) or t.is_boolean(f.type)]


def parquet_options(compression: Optional[str] = None, statistics: Optional[str] = None, **pyarrow) -> dict:
    """PARQUET_DEFAULTS with the caller's ``compression`` and ``statistics`` (None: the default),
    checked; other ParquetWriter arguments (``pyarrow``: compression_level, use_dictionary...) ride
    along as they are."""
    opts = {**PARQUET_DEFAULTS, **pyarrow}
    if compression is not None:
        if compression not in COMPRESSIONS:
            raise UsageError(f"compression is one of {', '.join(COMPRESSIONS)}, not {compression!r}")
        opts["compression"] = compression
    if statistics is not None:
        if statistics not in STATISTICS:
            raise UsageError(f"statistics is one of {', '.join(STATISTICS)}, not {statistics!r}")
        opts["statistics"] = statistics
    return opts


def writer_options(schema: pa.Schema, options: dict) -> dict:
    """pyarrow.parquet's writer arguments for a table of ``schema`` from parquet_options' choices:
    ``compression`` "none" -> None, ``statistics`` -> ``write_statistics`` (True, False, or the
    columns that are numbers, dates and flags)."""
    opts = dict(options)
    c, st = opts.pop("compression"), opts.pop("statistics")
    opts["compression"] = None if c == "none" else c
    opts["write_statistics"] = _numbers_and_dates(schema) if st == "numbers-and-dates" else st == "all"
    return opts


def convert(inputs: Iterable, output: str, *, fmt: str = "parquet", segments=None, columns=None,
            strict: bool = True, chunk_bytes: int = 64 << 20, workers: int = 1, redact_key=None,
            show_values: bool = False, overwrite: bool = False, compression: Optional[str] = None,
            row_group_size: Optional[int] = None, statistics: Optional[str] = None,
            progress: Optional[Callable[[int], None]] = None) -> Summary:
    """Convert sources (as ``read`` takes them: paths, globs, ``-``, compressed files...) into the
    folder ``output``: ``records``, every table (or ``segments``, each written even when empty) and
    ``problems``, one dataset each, a part per source. ``columns``: only those columns. ``redact_key``:
    personal data -> HMAC under that key. ``overwrite``: replace an earlier conversion in a non-empty
    folder. ``compression`` (COMPRESSIONS), ``row_group_size`` (rows) and ``statistics``
    (STATISTICS: min, max and nulls on numbers, dates and flags, on every column, or none): Parquet
    settings, by default PARQUET_DEFAULTS; refused for CSV. ``progress``: called with the bytes of
    each chunk done. Raises FormatError on damage in strict mode (with ``source`` set; the parts
    written until then are closed).

    While a chunk's tables are written (in a thread: Parquet encoding and compression release the
    GIL), the next chunk is scanned and decoded: at most two chunks are held at a time."""
    if redact_key is not None and show_values:
        raise UsageError("show_values would put raw bytes next to redacted tables; use one or the other")
    key = check_key(redact_key) if redact_key is not None else None
    if fmt == "csv" and (compression, row_group_size, statistics) != (None, None, None):
        raise UsageError("compression, row_group_size and statistics are Parquet settings; the output is CSV")
    parquet = parquet_options(compression, statistics)         # checked before anything is removed
    srcs: List[Source] = open_all(list(inputs) if isinstance(inputs, (list, tuple)) else inputs)
    many = len(srcs) > 1
    summary = Summary(files=len(srcs))
    # the writer thread is done before the staged tables move into the output
    with staged_output(output, overwrite) as stage, \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="mxbureau-write") as writer:
        for part, src in enumerate(srcs):
            sink = Sink(stage, fmt, part, parquet, None if row_group_size is None else int(row_group_size))
            wanted = None
            pending = None
            try:
                for tok in scan_chunks(src, chunk_bytes=chunk_bytes, strict=strict, workers=workers,
                                       show_values=show_values):
                    if wanted is None:
                        tags, _ = selection(tok.format, segments, columns)
                        wanted = tags
                    t = build_tables(tok, segments, workers=workers, columns=columns, strict=strict)
                    out = [("records", t.records)]
                    for name in (wanted or t.names):
                        table = t[name] if name in t.names else empty(schema_of(name, tok.format.name))
                        out.append((name, redact_table(name, table, key, tok.format.name) if key else table))
                    if t.problems.num_rows:
                        out.append(("problems", with_values(t.problems, tok.buffer, tok.base) if show_values else t.problems))
                    if many:
                        out = [(n, with_source(x, src.name)) for n, x in out]
                    if pending is not None:
                        pending.result()                     # the previous chunk is written
                    pending = writer.submit(sink.write_all, out, workers)
                    summary.problems += t.problems.num_rows
                    summary.kinds.update(value_counts(t.records.column("kind")))
                    n = tok.span[1] - tok.span[0]
                    summary.bytes += n
                    if progress:
                        progress(n)
                if pending is not None:
                    pending.result()
                    pending = None
                if "records" not in sink.writers:             # an empty source: its datasets still exist
                    none = empty(records_schema())
                    sink.write("records", with_source(none, src.name) if many else none)
            except FormatError as e:
                e.source = src.name                   # which input (a message never holds its bytes)
                raise
            finally:
                if pending is not None:
                    pending.exception()                # wait for it, whatever happened
                sink.close()
                summary.rows.update(sink.rows)
    return summary
