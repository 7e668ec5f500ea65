"""Inputs the Dask tests share: generated records with long declarativas (CR texts of ~11,900 bytes,
some holding a whole INTL record, so that a range boundary inside one finds a record that parses
there), every separator, and damaged copies."""
import random

from mxbureau.intl13 import synth, writer

SEPARATORS = (b"", b"\n", b"\r\n", b"\x13")
_AFTER_CR = ("SC", "CL")            # CR comes after HR and before SC/CL (the manual's order)


def _with_cr(rec: dict, text: str) -> dict:
    segs = [s for s in rec["segments"] if s[0] != "CR"]
    at = next((i for i, (tag, _) in enumerate(segs) if tag in _AFTER_CR), len(segs))
    return dict(rec, segments=segs[:at] + [("CR", {"declarativa": text})] + segs[at:])


def records_with_declarativas(n: int, seed: int = 3, every: int = 4):
    """[(record bytes, separator after it)]: every ``every``-th hit carries a ~11,900-byte
    declarativa; half of those hold the bytes of another whole record (a false start)."""
    r = random.Random(seed)
    out = []
    for i, rec in enumerate(synth.records(n, seed=seed)):
        if rec["kind"] == "hit" and i % every == 0:
            inner = writer.record_bytes(next(synth.records(1, seed=seed + 1000 + i))).decode("latin-1")
            filler = "MI DECLARACION " * 800
            if i % (2 * every) == 0 and len(inner) < 11000:
                text = (filler[:3000] + inner + filler)[:11900]
            else:
                text = filler[:11900]
            rec = _with_cr(rec, text)
        out.append((writer.record_bytes(rec), r.choice(SEPARATORS)))
    return out


def file_bytes(parts) -> bytes:
    return b"".join(b + sep for b, sep in parts)


def damaged(data: bytes, every: int = 7) -> bytes:
    """``data`` with every ``every``-th record damaged (the tag before its ES end mark overwritten)
    and a run of garbage between two records."""
    import mxbureau
    tok = mxbureau.scan(data)
    b = bytearray(data)
    ends = tok.records["end"].tolist()
    for e in ends[3::every]:
        b[e - 6:e - 4] = b"#?"
    g = ends[len(ends) // 2]
    return bytes(b[:g] + b"GARBAGE 123 INTL13 NOT A RECORD" + b[g:])


def plain(t, drop=("record",)):
    """A table with codes as plain strings and one chunk a column, without ``drop``: tables read in
    pieces and whole compare equal when their values are."""
    import pyarrow as pa
    t = t.drop_columns([c for c in drop if c in t.column_names])
    cols = [c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c for c in t.columns]
    cols = [c.cast(pa.large_string()) if c.type == pa.string() else c for c in cols]       # as Parquet reads back
    return pa.Table.from_arrays([c.combine_chunks() for c in cols], names=t.column_names)


def as_values(df):
    """A frame (a Dask result or Tables.to_pandas) as comparable values: the index as a column,
    categoricals as strings, without ``record``; rows in file order."""
    import pandas as pd
    df = df.reset_index() if df.index.name else df.reset_index(drop=True)
    df = df.drop(columns=[c for c in ("record",) if c in df.columns])
    for c in df.columns:
        if isinstance(df[c].dtype, pd.CategoricalDtype):
            df[c] = df[c].astype("string")
    return df.reset_index(drop=True)


def expected(whole, name, source=None, n_scan=0):
    """What the distributed frame ``name`` must hold: ``whole`` (the Tables of read() of the same
    input) as pandas, keyed like the frames: problems by the start of their damaged span (the first
    ``n_scan`` rows, the scanner's) or of the record whose value they are about."""
    from mxbureau.tables import pandas_types
    df = whole[name].to_pandas(types_mapper=pandas_types, date_as_object=False)     # as Tables.to_pandas
    if name == "problems":
        starts = whole.records.column("start").to_numpy()
        key = df["start"].to_numpy().copy()
        key[n_scan:] = starts[df["record"].to_numpy()[n_scan:]]
        df.insert(1, "record_start", key)
        df = df.sort_values("record_start", kind="stable")
    if source is not None and "source" not in df.columns:
        df.insert(0, "source", source)
    return as_values(df)
