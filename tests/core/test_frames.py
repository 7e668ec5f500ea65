"""Tables as data frames people use: pandas with nullable types and datetime dates, polars, a reader of
tables chunk by chunk, column and table selection decoded (not projected)."""
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import mxbureau
from corpora import ALL_KINDS
from mxbureau.intl13 import synth

DATA = synth.generate_bytes(300, seed=41, mix=ALL_KINDS, separator="crlf")


@pytest.fixture(scope="module")
def full():
    return mxbureau.read(DATA)


def test_to_pandas_types(full):
    f = full.to_pandas()
    tl = f["TL"]
    assert str(tl["balance"].dtype) == "Int64"
    assert str(tl["appraisal_value"].dtype) == "Int64" and tl["appraisal_value"].isna().any()   # nullable, not float
    assert str(tl["mop_level"].dtype) == "Int8"
    assert str(tl["opened_on"].dtype).startswith("datetime64")
    assert isinstance(tl["mop"].dtype, pd.CategoricalDtype) and "01" in tl["mop"].cat.categories
    assert str(f["records"]["found"].dtype) == "boolean"
    assert str(f["PN"]["paternal_surname"].dtype) == "string"
    plain = full.to_pandas(types_mapper=None)["TL"]
    assert plain["appraisal_value"].dtype == np.float64                             # pyarrow's own


def test_to_polars(full):
    pl = pytest.importorskip("polars")
    frames = full.to_polars()
    assert frames["TL"].height == full["TL"].num_rows and frames["TL"]["balance"].dtype == pl.Int64
    assert frames["TL"]["balance"].sum() == pa.compute.sum(full["TL"].column("balance")).as_py()


def test_columns_decode_only_what_is_named(full):
    some = mxbureau.read(DATA, columns=["balance", "mop", "paternal_surname"])
    assert some.names == ["PN", "TL"]
    assert some["TL"].column_names == ["record", "record_start", "position", "balance", "mop", "mop_level"]   # the manual's order
    for c in ("record", "position", "balance", "mop", "mop_level"):
        assert some["TL"].column(c).equals(full["TL"].column(c)), c
    assert some["PN"].column("paternal_surname").equals(full["PN"].column("paternal_surname"))
    by_table = mxbureau.read(DATA, columns={"tl": ["payment_history"]})
    assert by_table.names == ["TL"] and by_table["TL"].column_names == ["record", "record_start", "position", "payment_history"]
    # the fields left out are passed over, not reported as tags the manual lacks (test_real_replies: an
    # unknown tag still is)
    assert full.problems.num_rows == 0 and some.problems.num_rows == 0 and by_table.problems.num_rows == 0
    sc = mxbureau.read(DATA, columns=["score", "exclusion_code"])                      # a short reading's sibling
    assert sc.names == ["SC"] and {"score", "exclusion_code"} <= set(sc["SC"].column_names)
    with pytest.raises(mxbureau.UnknownNameError):
        mxbureau.read(DATA, columns=["no_such_column"])
    with pytest.raises(mxbureau.UnknownNameError):
        mxbureau.read(DATA, columns={"TL": ["rfc"]})                                # rfc is PN's


def test_segments_as_a_string_any_case(full):
    for s in ("tl", "TL", ["tl"], "tl,iq", ["TL", "iq"]):
        t = mxbureau.read(DATA, segments=s)
        assert t.names == (["TL"] if "iq" not in str(s).lower() else ["TL", "IQ"]), s
        assert t["TL"].equals(full["TL"])


def test_read_chunks_concatenated_equal_read(full):
    parts = list(mxbureau.read_chunks(DATA, chunk_bytes=30_000))
    assert len(parts) > 10
    back = mxbureau.Tables.concat(parts)
    assert back.names == full.names
    for name in ["records"] + full.names:
        assert back[name].to_pylist() == full[name].to_pylist(), name
    tl_only = list(mxbureau.read_chunks(DATA, chunk_bytes=30_000, segments="TL", columns=["balance"]))
    assert all(p.names == ["TL"] and p["TL"].column_names == ["record", "record_start", "position", "balance"] for p in tl_only)


def test_schema_and_catalog():
    s = mxbureau.schema("TL").to_pandas().set_index("column")
    assert s.loc["balance", "tag"] == "22" and s.loc["balance", "spanish"] == "SALDO ACTUAL"
    assert s.loc["mop", "catalog"] == "MOP" and "Anexo 3" in s.loc["mop", "description"]
    assert (s["description"] != "").all()
    every = mxbureau.schema()
    assert set(every.column("table").to_pylist()) == {"records", *mxbureau.read(DATA).names, "CR"} | set(
        every.column("table").to_pylist())
    assert mxbureau.catalog("mop")["01"].startswith("Cuenta al corriente")
    assert mxbureau.catalog("TL.account_type") == mxbureau.catalog("ACCOUNT_TYPES")
    assert mxbureau.schema_of("TL").field("balance").metadata[b"description"].startswith(b"Current balance")
