"""``mxbureau.dask``: INTL13 files -- local, or at any fsspec URL (S3, GCS, HTTP...) -- as Dask
DataFrames, one per table, read over record-aligned byte ranges (the optional extra:
``pip install 'mxbureau[dask]'``).

A file is split by bytes like ``dask.dataframe.read_csv`` splits it (``blocksize``): a range owns the
records that *start* in it, reads past its end to finish the last one, and begins at
``mxbureau.align(start)``, the first record start the whole scan reaches (records chain to it from a
look-back window: a start found by looking only forward may lie inside a declarativa's text). So the
partitions together hold every record once, exactly as ``mxbureau.read`` of the whole file, damaged
spans too. Each range is read and decoded once for all the tables (one task a range; each table's
partition selects from its result), a remote range fetching only its bytes, a bounded look-back and
what its last record needs past the end (``fs.cat_file`` with a byte range). Compressed files are not
splittable: one task each.

Keys: every frame is indexed by ``record_start`` (the byte offset of the row's record in its
source; for ``problems``, of the record or damaged span the problem is in) and has a first column
``source`` (a categorical whose categories are the input names). (``source``, ``record_start``)
identifies a record whatever the blocksize and sorts in file order; ``record`` (an ordinal a range
cannot know without reading all before it) is left out. With one source the divisions are known
(the ranges' nominal starts). dtypes are those of ``Tables.to_pandas`` (nullable integers, strings,
datetime64 dates), identical in every partition and taken from the schemas, never sampled; code
columns with a catalogue are categoricals whose categories are the catalogue's codes (a code outside
its catalogue is left missing and reported in ``problems``), other code columns strings."""
from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from dask.utils import parse_bytes
from fsspec.core import get_fs_token_paths, url_to_fs
from fsspec.implementations.local import LocalFileSystem
from fsspec.utils import infer_compression

from .analytics.features import features as _features, features_schema
from .analytics.history import account_metrics as _account_metrics, account_metrics_schema
from .columns import value_counts
from .convert import Summary, parquet_options, writer_options
from .errors import FormatError, MissingSourceError, UsageError
from .formats import Format, get as get_format
from .scanner import align_in, lookback_of, scan, scan_between
from .source import compression_of
from .tables import PROBLEMS_SCHEMA, Tables, build_tables, decoding, pandas_types, schema_of, selection, with_source

__all__ = ["read_intl13", "to_parquet", "features", "account_metrics", "blocks", "Block"]

FORMAT = "intl13"
# Read past a range's end at first: the look-back window plus this share of it (at least 64 KB), so
# that the last record and the next range's start are decided on bytes that were all read.
_PAST_SHARE = 4
_MIN_PAST = 64 << 10


@dataclass(frozen=True)
class Block:
    """A byte range of one input: ``path`` as its filesystem names it, ``source`` the name the
    tables carry, [``start``, ``stop``) the nominal bytes, ``size`` the file's, ``whole`` for an input
    read whole (compressed), ``part`` the range's number over all inputs."""
    path: str
    source: str
    start: int
    stop: int
    size: int
    whole: bool
    part: int


def _blocksize(blocksize) -> Optional[int]:
    if blocksize is None:
        return None
    n = parse_bytes(blocksize) if isinstance(blocksize, str) else int(blocksize)
    if n < 1:
        raise UsageError("blocksize must be positive")
    return n


def blocks(urlpath, blocksize="128 MiB", storage_options=None) -> Tuple[object, List[Block]]:
    """(filesystem, the byte ranges) of a path, a glob, a list or any fsspec URL, in file order."""
    bs = _blocksize(blocksize)
    try:
        fs, _, paths = get_fs_token_paths(urlpath, mode="rb", storage_options=storage_options)
    except FileNotFoundError:
        paths, fs = [], None
    if not paths:
        raise MissingSourceError(f"no file matches {str(urlpath)[:40]}")
    local = isinstance(fs, LocalFileSystem)
    out: List[Block] = []
    for p in paths:
        try:
            size = int(fs.size(p))
        except FileNotFoundError:
            raise MissingSourceError(f"cannot read {str(p)[:40]}: no such file") from None
        name = p if local else fs.unstrip_protocol(p)
        if local:
            with open(p, "rb") as f:
                whole = compression_of(f.read(64 << 10)) is not None
        else:
            whole = infer_compression(p) is not None
        if whole or bs is None or size <= bs:
            cuts = [0]
        else:
            cuts = list(range(0, size, bs))
        for i, c in enumerate(cuts):
            stop = cuts[i + 1] if i + 1 < len(cuts) else size
            out.append(Block(p, name, c, stop, size, whole, len(out)))
    return fs, out


# ---------------------------------------------------------------------------------------------
# One range -> its Tokens (local: the mapped file; remote: a window of it).

def _tokens(fs, blk: Block, strict: bool, lookback: Optional[int], fmt: Format):
    try:
        if blk.whole:
            with fs.open(blk.path, "rb") as f:
                return scan(f, strict=strict, format=fmt.name)
        if isinstance(fs, LocalFileSystem):
            return scan(blk.path, strict=strict, format=fmt.name, start=blk.start,
                        stop=None if blk.stop >= blk.size else blk.stop, lookback=lookback)
        return _remote_tokens(fs, blk, strict, lookback_of(fmt, lookback), fmt)
    except FormatError as e:
        e.source = blk.source
        raise


def _remote_tokens(fs, blk: Block, strict: bool, W: int, fmt: Format):
    """The range's records from a window of the file: [start - W, stop + W + W/4) at first, more
    past the end only when the last decisions need it. A decision (a record parsed, a damaged span
    skipped, a range start found) at position p reads at most the record starting there, at most W
    bytes: so decisions up to ``len(window) - W`` are those the whole file gives."""
    lo = max(0, blk.start - W)
    hi = min(blk.size, blk.stop + W + max(W // _PAST_SHARE, _MIN_PAST))
    data = fs.cat_file(blk.path, start=lo, end=hi)
    origin = 0 if lo == 0 else None
    while True:
        buf = np.frombuffer(data, np.uint8)
        whole_tail = lo + len(buf) >= blk.size
        a = align_in(fmt, buf, blk.start - lo, lookback=W, origin=origin)
        b = len(buf) if blk.stop >= blk.size else align_in(fmt, buf, blk.stop - lo, lookback=W, origin=origin)
        failure = None
        try:
            tok = scan_between(fmt, buf, a, max(a, b), strict, base=lo)
            reach = max(a, b, tok.span[1] - lo, max((p.end - lo for p in tok.errors), default=0))
        except FormatError as e:
            failure, reach = e, max(a, e.offset - lo)
        if whole_tail or reach + W <= len(buf):
            if failure is not None:
                raise failure
            return tok
        more = fs.cat_file(blk.path, start=lo + len(buf), end=min(blk.size, lo + len(buf) + W))
        data = bytes(data) + bytes(more)


# ---------------------------------------------------------------------------------------------
# Tables -> pandas partitions with the declared dtypes.

@dataclass
class _Layout:
    """What every partition must look like, built once on the client and shipped to the tasks:
    per table the Arrow schema of the selected columns, the categories of its code columns."""
    fmt: str
    tags: Optional[list]
    picked: Optional[dict]
    sources: List[str]
    names: List[str] = field(default_factory=list)
    categories: Dict[str, Dict[str, list]] = field(default_factory=dict)
    catalog_of: Dict[str, Dict[str, Tuple[str, str]]] = field(default_factory=dict)


def _layout(fmt: Format, segments, columns, sources: List[str]) -> _Layout:
    tags, picked = selection(fmt, segments, columns)
    d = decoding(fmt, picked)
    names = ["records"] + [t for t in d.slots if tags is None or t in tags] + ["problems"]
    lay = _Layout(fmt.name, tags, picked, list(sources), names)
    lay.categories["records"] = {"kind": list(fmt.kinds) + ["unknown"]}
    for tag in names[1:-1]:
        cats, where = {}, {}
        for f in d.segments[tag].fields:
            if f.kind == "code" and f.catalog and f.catalog in fmt.catalogs:
                codes = sorted({c for name in fmt.accepted.get(f.catalog, (f.catalog,)) for c in fmt.catalogs[name]})
                for col in f.columns:                   # name, and name_2.. of a tag that may repeat
                    cats[col] = codes
                    where[col] = (f.catalog, f.tag)
        lay.categories[tag], lay.catalog_of[tag] = cats, where
    return lay


def _arrow_schema(lay: _Layout, name: str) -> pa.Schema:
    if name == "problems":
        return PROBLEMS_SCHEMA
    if name == "records":
        return schema_of("records", lay.fmt)
    return decoding(lay.fmt, lay.picked).schemas[name]


def _frame(t: pa.Table, lay: _Layout, name: str, source: str) -> pd.DataFrame:
    """An Arrow table of one range -> its partition: ``source`` first, indexed by ``record_start``,
    without ``record``, every column in its declared dtype. Categories are fixed in Arrow (a
    dictionary array over the catalogue's codes), before the one conversion to pandas: recoding
    pandas categoricals afterwards took most of a small range's time."""
    cats = lay.categories.get(name, {})
    keep = [c for c in t.column_names if c not in ("record", "source", "record_start")]
    cols, fields = [], []
    n = t.num_rows
    src = pa.DictionaryArray.from_arrays(pa.array(np.full(n, lay.sources.index(source), np.int32)),
                                         pa.array(lay.sources, pa.large_string()))
    cols.append(src)
    fields.append(pa.field("source", src.type))
    for c in keep:
        col = t.column(c)
        if c in cats:
            known = pa.array(cats[c], pa.large_string())
            values = col.cast(pa.large_string()) if pa.types.is_dictionary(col.type) else col
            idx = pc.index_in(values, value_set=known).combine_chunks() if n else pa.array([], pa.int32())
            col = pa.DictionaryArray.from_arrays(idx.cast(pa.int32()), known)
        elif pa.types.is_dictionary(col.type):
            col = col.cast(pa.large_string())
        cols.append(col)
        fields.append(pa.field(c, col.type))
    df = pa.Table.from_arrays(cols, schema=pa.schema(fields)).to_pandas(types_mapper=pandas_types,
                                                                         date_as_object=False)
    df.index = pd.Index(np.asarray(t.column("record_start")) if n else np.empty(0, np.int64), name="record_start")
    return df


def _off_catalog(t: pa.Table, lay: _Layout, name: str) -> pa.Table:
    """Problem rows for codes outside their catalogue (missing in the categorical column): the
    record, segment, tag and catalogue, never the value."""
    rows = []
    for col, (catalog, tag) in lay.catalog_of.get(name, {}).items():
        if col not in t.column_names or not t.num_rows:
            continue
        c = t.column(col)
        known = pa.array(lay.categories[name][col], pa.large_string())
        bad = pc.and_(pc.is_valid(c), pc.invert(pc.is_in(c.cast(pa.large_string()), value_set=known)))
        if pc.any(bad).as_py():
            sub = t.filter(bad)
            rec = np.asarray(sub.column("record"))
            starts = np.asarray(sub.column("record_start"))
            rows.append(pa.Table.from_arrays([
                pa.array(rec), pa.array([name] * len(rec), pa.large_string()), pa.array([tag] * len(rec), pa.large_string()),
                pa.array(starts), pa.array(starts), pa.array(starts),
                pa.array([f"code not in catalogue {catalog}: missing in the categorical column"] * len(rec),
                         pa.large_string())], schema=PROBLEMS_SCHEMA))
    return pa.concat_tables(rows) if rows else PROBLEMS_SCHEMA.empty_table()


def _keyed_problems(tables: Tables, n_scan: int) -> pa.Table:
    """The problems table with ``record_start`` after ``record``: a damaged span's own start, or the
    start of the record whose value a problem is about (the first ``n_scan`` rows are the scanner's
    damaged spans)."""
    p = tables.problems
    key = np.asarray(p.column("start")).copy()
    if p.num_rows > n_scan:
        rec_starts = np.asarray(tables.records.column("start"))
        first = int(tables.records.column("record")[0].as_py())
        key[n_scan:] = rec_starts[np.asarray(p.column("record"))[n_scan:] - first]
    return p.add_column(1, pa.field("record_start", pa.int64(), nullable=False), pa.array(key, pa.int64()))


def _problems_frame(tables: Tables, n_scan: int, extra: pa.Table, lay: _Layout, source: str) -> pd.DataFrame:
    """The problems partition (with codes outside their catalogue, ``extra``), sorted by
    ``record_start`` (stable)."""
    extra = extra.add_column(1, pa.field("record_start", pa.int64(), nullable=False), extra.column("start"))
    p = pa.concat_tables([_keyed_problems(tables, n_scan), extra])
    p = p.take(pa.array(np.argsort(np.asarray(p.column("record_start")), kind="stable")))
    return _frame(p, lay, "problems", source)


def _range_tables(fs, blk: Block, lay: _Layout, strict: bool, lookback: Optional[int], segments=None):
    """One range, scanned and decoded once: (Tables, the number of scan problems)."""
    fmt = get_format(lay.fmt)
    tok = _tokens(fs, blk, strict, lookback, fmt)
    t = build_tables(tok, lay.tags if segments is None else segments, columns=lay.picked if segments is None else None,
                     strict=strict)
    return t, len(tok.errors)


def _range_frames(fs, blk: Block, lay: _Layout, strict: bool, lookback: Optional[int]) -> Dict[str, pd.DataFrame]:
    """Every table's partition for one range (the one task a range of read_intl13)."""
    t, n_scan = _range_tables(fs, blk, lay, strict, lookback)
    out, extra = {}, []
    for name in lay.names[:-1]:
        if name == "records":
            out[name] = _frame(t.records, lay, name, blk.source)
            continue
        table = t[name] if name in t.names else _arrow_schema(lay, name).empty_table()
        extra.append(_off_catalog(table, lay, name))
        out[name] = _frame(table, lay, name, blk.source)
    out["problems"] = _problems_frame(t, n_scan, pa.concat_tables(extra) if extra else PROBLEMS_SCHEMA.empty_table(),
                                      lay, blk.source)
    return out


def _meta(lay: _Layout, name: str) -> pd.DataFrame:
    schema = _arrow_schema(lay, name)
    if name == "problems":
        schema = schema.insert(1, pa.field("record_start", pa.int64(), nullable=False))
    return _frame(schema.empty_table(), lay, name, lay.sources[0])


def _divisions(blks: List[Block]):
    """The ranges' nominal starts and the file's size: a range's records start in [start, stop)
    (its first at align(start) >= start, and align(stop) is the first position after stop the scan
    reaches). Known with one source only (index values repeat across sources)."""
    if len({b.path for b in blks}) != 1:
        return None
    return tuple(b.start for b in blks) + (blks[-1].size,)


def _lookback(lookback) -> Optional[int]:
    """``lookback`` in bytes or as a string like "64 KiB" (None: the format's longest record)."""
    return _blocksize(lookback)


def _prepare(urlpath, blocksize, segments, columns, storage_options):
    fs, blks = blocks(urlpath, blocksize, storage_options)
    sources = list(dict.fromkeys(b.source for b in blks))
    return fs, blks, _layout(get_format(FORMAT), segments, columns, sources)


def read_intl13(urlpath, *, blocksize="128 MiB", segments=None, columns=None, strict: bool = False,
                storage_options=None, lookback: Optional[int] = None) -> Dict[str, dd.DataFrame]:
    """INTL13 files -> ``{"records": ddf, "PN": ddf, "TL": ddf, ..., "problems": ddf}``.

    ``urlpath``: a path, a glob, a list, or any fsspec URL (``s3://bucket/replies/*.intl``;
    ``storage_options`` go to the filesystem). ``blocksize``: bytes per range, an int or a string
    like ``"128 MiB"`` (None: one range per file). ``segments``, ``columns``: as for
    ``mxbureau.read`` (only those tables, only those columns decoded). ``strict=True``: a damaged
    record raises ``FormatError`` (absolute offset, ``source`` set) when its range is computed;
    by default damaged spans are skipped and reported in ``problems``. ``lookback``: the alignment
    window (``mxbureau.align``): bytes or a string like ``"64 KiB"``; by default the longest record
    the format allows (~1 MB; a remote range then reads ~2.25 MB beyond its bytes). A shorter one is
    exact for inputs whose records are all shorter than it.

    Every range is one task that scans and decodes all the tables; the frames select from it, so
    compute them together -- ``dask.compute(frames)`` or ``client.persist`` -- to read each byte
    once. Join on the index within a source, or on (``source``, ``record_start``) in general:
    ``tl.merge(records, on=["source", "record_start"])`` after ``reset_index()``."""
    fs, blks, lay = _prepare(urlpath, blocksize, segments, columns, storage_options)
    lookback = _lookback(lookback)
    parts = [dask.delayed(_range_frames, pure=True)(fs, b, lay, strict, lookback,
                                                    dask_key_name=f"mxbureau-range-{dask.base.tokenize(fs, b, lay, strict, lookback)}")
             for b in blks]
    divisions = _divisions(blks)
    out = {}
    for name in lay.names:
        pieces = [dask.delayed(operator.getitem, pure=True)(p, name) for p in parts]
        out[name] = dd.from_delayed(pieces, meta=_meta(lay, name), divisions=divisions, verify_meta=False)
    return out


# ---------------------------------------------------------------------------------------------
# Map-only analytics: a record never spans two ranges.

_ANALYTICS_SEGMENTS = ("TL", "IQ", "HI", "HR", "SC")


def _keyed(df: pd.DataFrame, t: Tables, source: str, sources: List[str], by_record: bool) -> pd.DataFrame:
    """A frame of one range's analytics (``record`` its index or a column) -> indexed by
    ``record_start`` with ``source`` first."""
    rec = df.index.to_numpy() if by_record else df["record"].to_numpy()
    starts = np.asarray(t.records.column("start"))
    first = int(t.records.column("record")[0].as_py()) if t.records.num_rows else 0
    df = df.reset_index(drop=True) if by_record else df.drop(columns=["record"]).reset_index(drop=True)
    df.insert(0, "source", pd.Categorical.from_codes(np.full(len(df), sources.index(source), np.int32),
                                                      categories=pd.Index(sources, dtype=object)))
    df.index = pd.Index(starts[rec - first] if len(rec) else np.empty(0, np.int64), name="record_start")
    return df


def _range_features(fs, blk: Block, lay: _Layout, strict, lookback, as_of) -> pd.DataFrame:
    t, _ = _range_tables(fs, blk, lay, strict, lookback, segments=list(_ANALYTICS_SEGMENTS))
    return _keyed(_features(t, as_of), t, blk.source, lay.sources, True)


def _range_metrics(fs, blk: Block, lay: _Layout, strict, lookback, as_of) -> pd.DataFrame:
    t, _ = _range_tables(fs, blk, lay, strict, lookback, segments=["TL"])
    return _keyed(_account_metrics(t, as_of), t, blk.source, lay.sources, False)


def _mapped(fn, urlpath, as_of, blocksize, strict, storage_options, lookback, meta) -> dd.DataFrame:
    fs, blks, lay = _prepare(urlpath, blocksize, None, None, storage_options)
    lookback = _lookback(lookback)
    parts = [dask.delayed(fn, pure=True)(fs, b, lay, strict, lookback, as_of) for b in blks]
    meta = _keyed(meta, Tables({}, schema_of("records").empty_table(), PROBLEMS_SCHEMA.empty_table()),
                  lay.sources[0], lay.sources, fn is _range_features)
    return dd.from_delayed(parts, meta=meta, divisions=_divisions(blks), verify_meta=False)


def features(urlpath, as_of, *, blocksize="128 MiB", strict: bool = False, storage_options=None,
             lookback: Optional[int] = None) -> dd.DataFrame:
    """``mxbureau.features`` of every record of the inputs, one partition a range (map-only): the
    columns of ``mxbureau.features_schema()`` with ``source`` first, indexed by ``record_start``."""
    return _mapped(_range_features, urlpath, as_of, blocksize, strict, storage_options, lookback, features_schema())


def account_metrics(urlpath, as_of, *, blocksize="128 MiB", strict: bool = False, storage_options=None,
                    lookback: Optional[int] = None) -> dd.DataFrame:
    """``mxbureau.account_metrics`` of every account (TL) of the inputs, one partition a range: the
    columns of ``mxbureau.account_metrics_schema()`` (``position`` the account's order in its record),
    ``source`` first, indexed by ``record_start``."""
    return _mapped(_range_metrics, urlpath, as_of, blocksize, strict, storage_options, lookback,
                   account_metrics_schema())


# ---------------------------------------------------------------------------------------------
# Parquet: one pass per range writes every table.

def _arrow_part(t: pa.Table, source: str) -> pa.Table:
    t = t.drop_columns([c for c in ("record", "source") if c in t.column_names])
    return with_source(t, source)


def _range_parquet(fs, blk: Block, lay: _Layout, strict, lookback, out_fs, outdir: str, parquet: dict) -> dict:
    t, n_scan = _range_tables(fs, blk, lay, strict, lookback)
    rows = {}
    for name in lay.names:
        if name == "problems":
            table = _arrow_part(_keyed_problems(t, n_scan), blk.source)
        elif name == "records":
            table = _arrow_part(t.records, blk.source)
        else:
            table = _arrow_part(t[name] if name in t.names else _arrow_schema(lay, name).empty_table(), blk.source)
        if table.num_rows == 0 and blk.part != 0:
            continue                            # the first range writes every table, even empty
        d = f"{outdir.rstrip('/')}/{name}"
        out_fs.makedirs(d, exist_ok=True)
        with out_fs.open(f"{d}/part-{blk.part:05d}.parquet", "wb") as f:
            pq.write_table(table, f, **writer_options(table.schema, parquet))
        rows[name] = table.num_rows
    return {"rows": rows, "kinds": value_counts(t.records.column("kind")), "bytes": blk.stop - blk.start,
            "problems": t.problems.num_rows}


def to_parquet(urlpath, outdir, *, blocksize="128 MiB", segments=None, columns=None, strict: bool = False,
               storage_options=None, lookback: Optional[int] = None, compression: Optional[str] = None,
               statistics: Optional[str] = None, compute: bool = True):
    """Convert INTL13 inputs into ``outdir/<table>/part-NNNNN.parquet`` (records, each table,
    problems: a dataset per table, as ``mxbureau convert`` writes; pyarrow.dataset, DuckDB and
    polars read each folder as one table), one task a range writing every table of it in one pass;
    ``compression`` and ``statistics`` as convert's (None: its defaults; "none": uncompressed).
    Tables carry ``source`` and ``record_start`` (not ``record``). ``outdir``: a folder or any
    fsspec URL. Returns a ``Summary`` (or, with ``compute=False``, the delayed one)."""
    parquet = parquet_options(compression, statistics)
    fs, blks, lay = _prepare(urlpath, blocksize, segments, columns, storage_options)
    lookback = _lookback(lookback)
    out_fs, out_path = url_to_fs(str(outdir), **(storage_options or {}))
    out_fs.makedirs(out_path, exist_ok=True)
    parts = [dask.delayed(_range_parquet, pure=False)(fs, b, lay, strict, lookback, out_fs, out_path, parquet)
             for b in blks]
    total = dask.delayed(_summary)(parts, len(lay.sources))
    return total.compute() if compute else total


def _summary(parts, files: int) -> Summary:
    s = Summary(files=files)
    for p in parts:
        s.rows.update(p["rows"])
        s.kinds.update(p["kinds"])
        s.bytes += p["bytes"]
        s.problems += p["problems"]
    return s
