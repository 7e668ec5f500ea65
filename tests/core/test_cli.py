"""The command line as a pipeline uses it: one exit-code rule, one line for a user error (never a
traceback, never a value of the input), no success summary after a failure, one output layout,
--overwrite, keys in every output, --version, schema."""
import os
import subprocess
import sys

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import mxbureau
from mxbureau.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, main
from mxbureau.intl13 import synth

GOOD = synth.generate_bytes(40, seed=8, separator="lf")


def _run(*args, stdin=None):
    r = subprocess.run([sys.executable, "-m", "mxbureau.cli", *args], input=stdin, capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


@pytest.fixture()
def files(tmp_path):
    good = tmp_path / "good.intl"
    good.write_bytes(GOOD)
    bad = tmp_path / "bad.intl"
    bad.write_bytes(GOOD[:500] + b"#ZQXWVSECRET#" + GOOD[500:])
    notintl = tmp_path / "notes.csv"
    notintl.write_text("name,rfc\nZQXWV PEREZ,PEPJ800101AAA\n")
    return tmp_path, good, bad, notintl


def test_user_errors_are_one_line_exit_2_and_show_no_data(files):
    tmp, good, bad, notintl = files
    cases = [
        ("scan", str(tmp / "missing.intl")),                          # a missing path
        ("validate", str(tmp)),                                       # a folder
        ("score", str(good), "-o", str(tmp / "s.parquet"), "--as-of", "2026-10-31", "--scorecard",
         str(tmp / "nocard.json")),                                   # a missing scorecard
        ("features", str(good), "-o", str(tmp / "f.parquet"), "--as-of", "31/10/2026"),   # a bad date
        ("convert", str(good), "-o", str(tmp / "o"), "--segments", "ZZ"),                  # no such table
        ("convert", str(good), "-o", str(tmp / "o2"), "--workers", "0"),
        ("convert", str(good), "-o", str(notintl)),                                        # output is a file
        ("report", str(good), "--reference", "NOT-THERE-ZQXWV", "-o", str(tmp / "r.html")),
        ("schema", "XX"),
        ("consulta", str(tmp / "none.csv"), "-o", str(tmp / "b.txt"), "--member-code", "BC12345678",
         "--password", "12345678"),
    ]
    for args in cases:
        rc, out, err = _run(*args)
        assert rc == EXIT_USAGE, (args, rc, err)
        assert err.count("\n") == 1 and err.startswith("mxbureau: "), (args, err)
        assert "Traceback" not in err and "ZQXWV" not in err, (args, err)
        assert out == "", (args, out)                         # no success summary
    rc, out, err = _run("features", str(good), "-o", str(tmp / "f.parquet"), "--as-of", "31/10/2026")
    assert "YYYY-MM-DD" in err


def test_damage_exits_1_suggests_lenient_and_prints_no_summary(files):
    tmp, good, bad, notintl = files
    for args in (("convert", str(bad), "-o", str(tmp / "c")), ("scan", str(bad)),
                 ("features", str(notintl), "-o", str(tmp / "f.parquet"), "--as-of", "2026-10-31")):
        rc, out, err = _run(*args)
        assert rc == EXIT_PROBLEMS, (args, rc, err)
        assert "--lenient" in err and "ZQXWV" not in err and "Traceback" not in err, err
        assert "converted" not in out and "customers" not in out, out
    rc, out, err = _run("convert", str(bad), "-o", str(tmp / "l"), "--lenient")
    assert rc == EXIT_PROBLEMS and "problems: 1" in out                  # written, but problems were found
    rc, out, err = _run("validate", str(good))
    assert rc == EXIT_OK and "0 problem(s)" in out
    rc, out, err = _run("--version")
    assert rc == 0 and out.strip() == f"mxbureau {mxbureau.__version__}"
    rc, out, err = _run("convert", "--help")
    assert "exit status: 0" in out and "2 usage error" in out


def test_debug_shows_the_traceback(files):
    tmp, good, bad, notintl = files
    rc, out, err = _run("scan", str(tmp / "missing.intl"), "--debug")
    assert rc != 0 and "Traceback" in err and "MissingSourceError" in err


def test_one_layout_whatever_the_number_of_inputs_and_overwrite(tmp_path):
    (tmp_path / "x1").mkdir()
    (tmp_path / "x2").mkdir()
    (tmp_path / "x1" / "a.intl").write_bytes(GOOD)
    (tmp_path / "x2" / "a.intl").write_bytes(GOOD)                    # the same file name twice
    assert main(["convert", str(tmp_path / "x1" / "a.intl"), "-o", str(tmp_path / "one"), "-q"]) == 0
    assert main(["convert", str(tmp_path / "x1" / "a.intl"), str(tmp_path / "x2" / "a.intl"), "-o",
                 str(tmp_path / "two"), "-q"]) == 0
    one = mxbureau.read(GOOD)
    for d, n in (("one", 1), ("two", 2)):
        for name in ["records"] + one.names:
            table = ds.dataset(tmp_path / d / name, format="parquet").to_table()     # one table a folder
            assert table.num_rows == n * one[name].num_rows, (d, name)
    two = ds.dataset(tmp_path / "two" / "TL", format="parquet").to_table()
    assert set(two.column("source").to_pylist()) == {str(tmp_path / "x1" / "a.intl"), str(tmp_path / "x2" / "a.intl")}
    # a non-empty folder is refused; --overwrite replaces what convert wrote (stale tables included)
    assert main(["convert", str(tmp_path / "x1" / "a.intl"), "-o", str(tmp_path / "two"), "-q"]) == EXIT_USAGE
    (tmp_path / "two" / "notes.txt").write_text("mine")
    assert main(["convert", str(tmp_path / "x1" / "a.intl"), "-o", str(tmp_path / "two"), "--segments", "TL",
                 "--overwrite", "-q"]) == 0
    assert sorted(os.listdir(tmp_path / "two")) == ["TL", "notes.txt", "records"]
    assert "source" not in pq.read_table(tmp_path / "two" / "TL").column_names


def test_a_failed_convert_leaves_the_output_as_it_was(files):
    tmp, good, bad, notintl = files
    out = tmp / "out"
    assert main(["convert", str(good), "-o", str(out), "--segments", "TL", "-q"]) == 0
    (out / "notes.txt").write_text("mine")
    before = {p: (out / p).read_bytes() for p in ["notes.txt", "records/part-00000.parquet", "TL/part-00000.parquet"]}
    # damage (strict), a table that does not exist, a column that does not exist: each fails midway
    # or at its first chunk, after the earlier conversion would have been removed
    for args in (["--overwrite"], ["--overwrite", "--segments", "TL,ZZ"], ["--overwrite", "--columns", "balance,nope"]):
        src = bad if args == ["--overwrite"] else good
        assert main(["convert", str(src), "-o", str(out), "-q", *args]) in (EXIT_PROBLEMS, EXIT_USAGE), args
        assert sorted(os.listdir(out)) == ["TL", "notes.txt", "records"], args
        assert {p: (out / p).read_bytes() for p in before} == before, args
    # into a new folder: none is left behind
    for src, args in ((bad, []), (good, ["--segments", "ZZ"])):
        assert main(["convert", str(src), "-o", str(tmp / "fresh"), "-q", *args]) in (EXIT_PROBLEMS, EXIT_USAGE)
        assert not (tmp / "fresh").exists()
    # a staging folder a killed run left behind neither makes the folder non-empty nor stays
    (tmp / "empty" / ".mxbureau-partial-killed" / "TL").mkdir(parents=True)
    assert main(["convert", str(good), "-o", str(tmp / "empty"), "-q"]) == 0
    assert not any(e.startswith(".mxbureau-partial-") for e in os.listdir(tmp / "empty"))
    assert pq.read_table(tmp / "empty" / "TL").num_rows == mxbureau.read(GOOD)["TL"].num_rows
    # and a successful --overwrite still replaces the tables, leaving other files alone
    assert main(["convert", str(good), "-o", str(out), "--segments", "IQ", "--overwrite", "-q"]) == 0
    assert sorted(os.listdir(out)) == ["IQ", "notes.txt", "records"]


def test_validate_of_a_circulo_file_names_the_command_for_it(tmp_path):
    from mxbureau import circulo
    carga = tmp_path / "carga.txt"
    carga.write_bytes(circulo.generate_bytes(5, seed=3))
    rc, out, err = _run("validate", str(carga))
    assert rc == EXIT_USAGE and err.count("\n") == 1 and out == "", (rc, err)
    assert "carga.txt" in err and "mxbureau circulo validate" in err
    with pytest.raises(mxbureau.errors.UsageError):
        mxbureau.validate(str(carga))


def test_a_closed_pipe_ends_the_command_quietly(tmp_path):
    """`mxbureau schema TL | head -1`: the reader goes away; no message, SIGPIPE's status."""
    p = subprocess.Popen([sys.executable, "-m", "mxbureau.cli", "schema", "TL"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    assert p.stdout.readline().strip() == b"TL"
    p.stdout.close()                                  # before the command has written the rest
    err = p.stderr.read()
    assert p.wait() == 141 and err == b"", err


def test_strict_scan_names_the_damaged_input(files):
    tmp, good, bad, notintl = files
    rc, out, err = _run("scan", str(good), str(bad))
    assert rc == EXIT_PROBLEMS and err.startswith("mxbureau: ") and "ZQXWV" not in err, err
    assert err.split(": ")[1].endswith("/bad.intl") and len(err.split(": ")[1]) <= 40, err   # its file name


def test_the_rows_line_is_in_table_order(tmp_path, capsys):
    a, b = tmp_path / "a.intl", tmp_path / "b.intl"
    a.write_bytes(GOOD)
    b.write_bytes(GOOD)
    assert main(["convert", str(a), str(b), "-o", str(tmp_path / "o"), "--workers", "2", "-q"]) == 0
    line = next(l for l in capsys.readouterr().out.splitlines() if l.startswith("rows: "))
    names = [x.split()[0] for x in line[len("rows: "):].split(", ")]
    tables = list(mxbureau.formats.get("intl13").tables)
    assert names[0] == "records" and names[1:] == sorted(names[1:], key=tables.index) and len(names) > 5


def test_summary_adds_up_over_inputs(tmp_path, capsys):
    a, b = tmp_path / "a.intl", tmp_path / "b.intl"
    a.write_bytes(GOOD)
    b.write_bytes(GOOD[:GOOD.index(b"**") + 3])
    assert main(["convert", str(a), str(b), "-o", str(tmp_path / "o"), "-q"]) == 0
    out = capsys.readouterr().out
    both = mxbureau.read([str(a), str(b)])
    kinds = pd.Series(both.records.column("kind").to_pylist()).value_counts()
    assert "records: " + ", ".join(f"{k} {v:,}" for k, v in sorted(kinds.items())) in out
    assert f"TL {both['TL'].num_rows:,}" in out and "converted 2 source(s)" in out


def test_features_and_scores_carry_the_keys(tmp_path):
    src = tmp_path / "p.intl"
    src.write_bytes(GOOD)
    assert main(["features", str(src), "-o", str(tmp_path / "f.parquet"), "--as-of", "2026-10-31", "-q"]) == 0
    f = pd.read_parquet(tmp_path / "f.parquet")
    rec = mxbureau.read(GOOD).records.to_pandas().set_index("record")
    assert list(f.columns[:2]) == ["reference", "control_number"]
    assert (f["reference"] == rec.loc[f.index, "reference"]).all()
    assert (f["control_number"].fillna("") == rec.loc[f.index, "control_number"].fillna("")).all()
    assert main(["score", str(src), "-o", str(tmp_path / "s.parquet"), "--as-of", "2026-10-31", "-q"]) == 0
    s = pd.read_parquet(tmp_path / "s.parquet")
    assert list(s.columns[:3]) == ["reference", "control_number", "score"]
    card = mxbureau.Scorecard.example()
    pts = [c for c in s.columns if c.startswith("points_")]
    assert pts == [f"points_{x['feature']}" for x in card.features]
    assert (s[pts].sum(axis=1) + card.base - s["score"]).abs().max() < 1e-9, "the points add up to the score"
    m = mxbureau.account_metrics(mxbureau.read(str(src)), "2026-10-31")
    assert list(m.columns[:3]) == ["reference", "control_number", "record"]


def test_schema_lists_columns_with_their_meaning(capsys):
    assert main(["schema", "tl"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("TL\n") and "balance: int64 (tag 22, SALDO ACTUAL)" in out
    assert "mop_level: int8" in out
    assert main(["schema", "--catalog", "TL.account_type"]) == 0
    assert "Revolvente" in capsys.readouterr().out
