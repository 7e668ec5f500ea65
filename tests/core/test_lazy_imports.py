"""What a command does not need, it does not import: pandas (0.4 s, half of every command's start) only
where a DataFrame is made. And the arrays built without pa.array (whose first call imports pandas)
equal pa.array's."""
import importlib
import json
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pytest

from mxbureau.columns import empty, numbers, string_buffers, texts, value_counts
from mxbureau.tables import PROBLEMS_SCHEMA, _tag_names


def _fresh(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it prints a JSON object as its last line."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_reading_validating_converting_a_report_page_and_the_schema_never_import_pandas(tmp_path):
    """Nor does reading a Circulo file, a lenient read's damaged spans, or the problem rows of an
    INTL13 validation."""
    from mxbureau.circulo import synth
    circulo = tmp_path / "circulo.txt"                  # (the generator itself may use pandas)
    circulo.write_bytes(synth.generate_bytes(40))
    got = _fresh(f"""
import json, sys
import mxbureau
from mxbureau.convert import convert
from mxbureau.views import report_html
from mxbureau.cli import main
seen = {{"import": "pandas" in sys.modules}}
p = mxbureau.sample_path()
t = mxbureau.read(p)
seen["read"] = "pandas" in sys.modules
rep = next(iter(mxbureau.reports(p)))
report_html(rep)
seen["report"] = "pandas" in sys.modules
mxbureau.validate(p)
seen["validate"] = "pandas" in sys.modules
convert([p], {str(tmp_path / "out")!r})
seen["convert"] = "pandas" in sys.modules
main(["scan", p])
seen["cli scan"] = "pandas" in sys.modules
mxbureau.schema()
main(["schema", "TL"])
seen["schema"] = "pandas" in sys.modules
c = {str(circulo)!r}
seen["circulo"] = mxbureau.read(c, format="circulo")["CR"].num_rows > 0
seen["circulo read"] = "pandas" in sys.modules
from mxbureau.intl13.writer import record_bytes
lacking = record_bytes({{"kind": "hit", "reference": "X", "member_code": "BC00000001", "control_number": "1",
                        "segments": [("CR", {{"declarativa": "D"}})]}})
seen["missing segments"] = mxbureau.validate(lacking).num_rows   # _missing_segments' rows
seen["validate problems"] = "pandas" in sys.modules
damaged = open(p, "rb").read()
damaged = damaged[:5000] + bytes(40) + damaged[5040:]
seen["damaged spans"] = len(mxbureau.scan(damaged, strict=False).errors)
seen["damaged rows"] = mxbureau.read(damaged, strict=False).problems.num_rows   # scan_problems' rows
seen["lenient read"] = "pandas" in sys.modules
seen["tables"] = t["TL"].num_rows
print(json.dumps(seen))
""")
    assert got.pop("tables") > 0 and got.pop("circulo") and got.pop("missing segments") == 2
    assert got.pop("damaged rows") >= got.pop("damaged spans") > 0
    assert got == {k: False for k in got}, got


def test_the_analytics_load_when_first_used_and_old_paths_are_the_same_modules():
    got = _fresh("""
import importlib, json, sys
import mxbureau
before = "pandas" in sys.modules or "mxbureau.analytics.features" in sys.modules
f = mxbureau.features
from mxbureau import Scorecard, account_metrics
import mxbureau.history as old
print(json.dumps({"before": before, "features": f.__module__, "scorecard": Scorecard.__module__,
                  "metrics": account_metrics is mxbureau.analytics.history.account_metrics,
                  "old": old is importlib.import_module("mxbureau.analytics.history"),
                  "spec": old.__spec__.name, "dir": "features" in dir(mxbureau)}))
""")
    assert got == {"before": False, "features": "mxbureau.analytics.features",
                   "scorecard": "mxbureau.analytics.scorecard", "metrics": True, "old": True,
                   "spec": "mxbureau.analytics.history", "dir": True}
    import mxbureau
    with pytest.raises(AttributeError):
        mxbureau.no_such_name
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("mxbureau.no_such_module")


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.int8, np.uint8, np.float64, np.bool_])
def test_numbers_equal_pa_array(dtype):
    rng = np.random.default_rng(3)
    for n in (0, 1, 7, 8, 9, 100):
        values = (rng.integers(-50, 50, n) > 0 if dtype == np.bool_ else rng.integers(0, 100, n)).astype(dtype)
        for mask in (None, rng.random(n) < 0.3, np.zeros(n, bool), np.ones(n, bool)):
            got = numbers(values, mask=mask)
            want = pa.array(values, mask=mask)
            assert got.type == want.type and got.equals(want), (dtype, n, mask)
            got.validate(full=True)
    strided = np.arange(20, dtype=np.int64)[::3]            # not contiguous: copied, same values
    assert numbers(strided).to_pylist() == strided.tolist()


def test_texts_and_string_buffers_equal_pa_array():
    values = ["", "A", "ÑANDÚ", "cuenta al corriente", "\u00a0x", "€"]
    got = texts(values)
    assert got.type == pa.large_string() and got.equals(pa.array(values, pa.large_string()))
    got.validate(full=True)
    assert texts([]).equals(pa.array([], pa.large_string()))
    ascii_only = ["", "TL", "code not in catalogue MOP", "x" * 300]       # the path that encodes once
    assert texts(ascii_only).equals(pa.array(ascii_only, pa.large_string()))
    assert texts(iter(ascii_only)).equals(pa.array(ascii_only, pa.large_string()))
    with_nulls = [None, "TL", None, "ÑANDÚ", ""]                          # None: a null row
    got = texts(with_nulls)
    assert got.equals(pa.array(with_nulls, pa.large_string())) and got.null_count == 2
    got.validate(full=True)
    assert texts([None]).equals(pa.array([None], pa.large_string()))
    offsets, data = string_buffers(values)
    assert offsets.dtype == np.int64 and offsets[0] == 0 and offsets[-1] == len(data)
    assert [bytes(data[a:b]).decode() for a, b in zip(offsets[:-1], offsets[1:])] == values


def test_empty_and_tag_names():
    e = empty(PROBLEMS_SCHEMA)
    assert e.schema == PROBLEMS_SCHEMA and e.num_rows == 0 and e.equals(PROBLEMS_SCHEMA.empty_table())
    codes = np.array([0x4C54, 0x4E50, 0x4C54, 0x3030, 0x0041], np.uint16)     # "TL", "PN", "TL", "00", "A"
    assert _tag_names(codes).to_pylist() == ["TL", "PN", "TL", "00", "A"]
    assert _tag_names(np.zeros(0, np.uint16)).to_pylist() == []


def test_value_counts_over_chunks_with_dictionaries_of_their_own():
    from collections import Counter
    values = [["hit", "nohit", "hit"], ["error", "hit"], []]
    col = pa.chunked_array([pa.array(v, pa.string()).dictionary_encode() for v in values])
    want = Counter(v for chunk in values for v in chunk)
    assert value_counts(col) == want and value_counts(pa.array(values[0])) == Counter(values[0])
    assert value_counts(col.slice(0, 0)) == {}
