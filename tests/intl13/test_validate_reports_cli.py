"""validate(), reports() and the mxbureau command."""
import pyarrow.parquet as pq
import pytest

import mxbureau
from mxbureau import cli
from mxbureau.intl13 import synth, writer
from corpora import ALL_KINDS

HEAD = writer.record_bytes({"kind": "hit", "reference": "R", "member_code": "BC12345678",
                            "segments": [("PN", {"paternal_surname": "A"})]})[:49]


def raw_record(*segments: bytes) -> bytes:
    """A response record from raw segment bytes, with an exact new-style ES."""
    body = HEAD + b"".join(segments)
    tail = b"00011" + b"0102**"
    return body + b"ES05%05d" % (len(body) + 9 + len(tail)) + tail


PN = b"PN06ZQXWVM"
PA = b"PA08CALLE SN0402DF050514210"


def problems_of(data):
    return [(p["segment"], p["tag"], p["problem"], p["offset"]) for p in mxbureau.validate(data).to_pylist()]


def test_generated_data_is_clean(corpus):
    assert mxbureau.validate(corpus).num_rows == 0


def test_each_kind_of_problem_is_found_with_its_place():
    """Each record breaks one rule; validate must report exactly the problems listed (no fewer, no
    more), at the value offsets worked out by hand: the 49-byte header, PN06ZQXWVM (49-58, value at
    53), then the next field or segment at 59 (value at 63); after PN and PA (27 bytes, 59-85) a TL
    starts at 86 with its date at 90 and the next field's value at 102."""
    cases = {
        # a 7-digit birth date: the wrong fixed length, and so not a date either
        "fixed": (raw_record(PN + b"04070101202", PA),
                  [("PN", "04", "fixed length 8 expected", 63), ("PN", "04", "not a valid date", 63)]),
        "long": (raw_record(PN + b"0705ABCDE", PA),
                 [("PN", "07", "value of 5 bytes, longer than the field's maximum of 4", 63)]),
        "code": (raw_record(PN, PA, b"TL08010120202602XX"), [("TL", "26", "code not in catalogue MOP", 102)]),
        # 31 February; the MOP is a valid 01
        "date": (raw_record(PN, PA, b"TL08310220202602" + b"01"), [("TL", "TL", "not a valid date", 90)]),
        # PN, then TL (59-76), then PA: PA's value at 81
        "order": (raw_record(PN, b"TL080101202026020" + b"1", PA), [("PA", "PA", "segment out of the manual's order", 81)]),
        "count": (raw_record(PN, PN, PA), [("PN", "PN", "more segments than the manual allows", 63)]),
        "unknown": (raw_record(PN + b"9902ZZ", PA), [("PN", "99", "tag not in the manual", 63)]),
        "number": (raw_record(PN, PA, b"TL08010120202204A1B2"), [("TL", "22", "not a number", 102)]),
    }
    for name, (data, want) in cases.items():
        found = problems_of(data)
        assert sorted(found) == sorted(want), (name, found)
        assert all("ZQXWV" not in m for _, _, m, _ in found)
        assert mxbureau.validate(raw_record(PN, PA)).num_rows == 0, "the same record without the damage is clean"


def test_es_mismatch_is_a_problem_not_an_exception():
    data = raw_record(PN, PA)
    i = data.rindex(b"ES05") + 8                  # the last digit of the declared length
    bad = data[:i] + (b"1" if data[i:i + 1] != b"1" else b"2") + data[i + 1:]
    probs = mxbureau.validate(bad).to_pylist()
    assert probs and "ES declares" in probs[0]["problem"] and probs[0]["start"] == 0


def test_reports_follow_the_generator():
    recs = [synth.generate_record(8, i, ALL_KINDS) for i in range(120)]
    data = b"\n".join(writer.record_bytes(r) for r in recs)
    reps = list(mxbureau.reports(data))
    assert [r.kind for r in reps] == [r["kind"] for r in recs]
    for rep, rec in zip(reps, recs):
        count = lambda tag: sum(1 for t, _ in rec.get("segments", ()) if t == tag)
        if rec["kind"] in ("hit", "nohit"):
            assert len(rep.accounts) == count("TL") and len(rep.addresses) == count("PA")
            assert rep.name.paternal_surname == dict(rec["segments"])["PN"]["paternal_surname"]
            assert rep.reference == rec["reference"].strip()
        if rec["kind"] == "error":
            err = rep.user_error or rep.auth_error
            assert err is not None and err.reference == rec["segments"][0][1]["reference"]
        if rec["kind"] == "hit" and count("TL"):
            first = [v for t, v in rec["segments"] if t == "TL"][0]
            assert rep.accounts[0].mop == first["mop"]
        d = rep.to_dict()
        assert d["kind"] == rec["kind"] and len(d["accounts"]) == len(rep.accounts)


def test_cli_generate_convert_validate(tmp_path, capsys):
    f = tmp_path / "g.intl"
    assert cli.main(["generate", "-n", "900", "--seed", "4", "-o", str(f), "--separator", "crlf"]) == 0
    assert f.read_bytes() == synth.generate_bytes(900, seed=4, separator="crlf")
    out = tmp_path / "out"
    assert cli.main(["convert", str(f), "-o", str(out), "--chunk-mb", "1"]) == 0
    full = mxbureau.read(str(f))
    for name in full.names:
        back = pq.read_table(out / name)                   # a dataset (folder) per table
        assert back.num_rows == full[name].num_rows
        assert back.column("record").to_pylist() == full[name].column("record").to_pylist()
    assert pq.read_table(out / "TL").column("balance").to_pylist() == full["TL"].column("balance").to_pylist()
    text = capsys.readouterr().out
    assert "records: " in text and "peak RSS" in text
    out2 = tmp_path / "out2"                 # 2 threads per 1 MB chunk: the same files
    assert cli.main(["convert", str(f), "-o", str(out2), "--chunk-mb", "1", "--workers", "2"]) == 0
    for name in ["records"] + full.names:
        assert pq.read_table(out2 / name).equals(pq.read_table(out / name)), name
    csv_out = tmp_path / "csv"
    assert cli.main(["convert", str(f), "-o", str(csv_out), "--format", "csv", "--segments", "TL"]) == 0
    assert sorted(p.name for p in csv_out.iterdir()) == ["TL", "records"]
    assert [p.name for p in (csv_out / "TL").iterdir()] == ["part-00000.csv"]
    assert cli.main(["validate", str(f)]) == 0
    bad = tmp_path / "bad.intl"
    bad.write_bytes(raw_record(PN, PN, PA))
    assert cli.main(["validate", str(bad)]) == 1


def test_cli_convert_strict_stops_lenient_reports(tmp_path, capsys):
    good = synth.generate_bytes(30, seed=2)
    bad = tmp_path / "bad.intl"
    bad.write_bytes(good + b"GARBAGE" + good)
    assert cli.main(["convert", str(bad), "-o", str(tmp_path / "s")]) == 1
    assert "byte" in capsys.readouterr().err
    assert cli.main(["convert", str(bad), "-o", str(tmp_path / "l"), "--lenient"]) == 1     # problems found
    assert pq.read_table(tmp_path / "l" / "records").num_rows == 60
    assert pq.read_table(tmp_path / "l" / "problems").num_rows == 1


def test_cli_bench_json(tmp_path, capsys):
    import json
    out = tmp_path / "b.json"
    assert cli.main(["bench", "--size", "2MB", "--rounds", "1", "--accounts", "20000", "--json", str(out)]) == 0
    rep = json.loads(out.read_text())
    assert rep["input_bytes"] > 1_000_000 and rep["tokens"] > 100_000
    names = {r["name"] for r in rep["results"]}
    assert {"scan", "scan_workers_2", "c_walk", "c_walk_threads_2", "read_all_tables", "read_tl", "pyarrow_csv_tl_one_thread",
            "pure_python_twin", "convert_parquet"} <= names
    assert all(r["mb_per_s"] > 0 for r in rep["results"] if "accounts" not in r)
    assert all(r["accounts_per_s"] > 0 and r["accounts"] > 0 for r in rep["results"] if "accounts" in r)
    assert {"analytics_accounts", "python_loop_analytics", "intl13_to_features"} <= names
    assert set(rep["ratios"]) == {"scan_vs_pure_python", "scan_vs_c_walk", "two_workers_vs_one",
                                  "c_walk_2_threads_vs_one", "tl_table_vs_pyarrow_csv", "analytics_vs_python_loop",
                                  "uneven_workers_2_vs_one", "uneven_workers_2_vs_one_static_split",
                                  "read_workers_2_vs_one", "read_vs_scan", "convert_vs_its_limit",
                                  "one_record_read_vs_twin", "one_record_reports_vs_twin"}
    assert {"scan_uneven", "scan_uneven_workers_2", "scan_uneven_workers_2_static_split"} <= names
    # Every ratio is the quotient of its two figures, faster over slower as named ("a_vs_b": a's
    # speed over b's): an inverted or mismatched ratio fails here. (One round: a ratio of times taken
    # in the same round, bench.paired, is then the quotient of the two medians.)
    sec = {r["name"]: r["seconds"] for r in rep["results"]}
    assert all(rep["rounds_seconds"][k] == [sec[k]] for k in sec if k in rep["rounds_seconds"])
    speed = {r["name"]: r["mb_per_s"] for r in rep["results"] if "mb_per_s" in r}
    quotients = {
        "scan_vs_pure_python": speed["scan"] / speed["pure_python_twin"],
        "scan_vs_c_walk": sec["c_walk"] / sec["scan"],
        "two_workers_vs_one": sec["scan"] / sec["scan_workers_2"],
        "c_walk_2_threads_vs_one": sec["c_walk"] / sec["c_walk_threads_2"],
        "uneven_workers_2_vs_one": sec["scan_uneven"] / sec["scan_uneven_workers_2"],
        "uneven_workers_2_vs_one_static_split": sec["scan_uneven"] / sec["scan_uneven_workers_2_static_split"],
        "read_workers_2_vs_one": sec["read_all_tables"] / sec["read_all_tables_workers_2"],
        "tl_table_vs_pyarrow_csv": sec["pyarrow_csv_tl_one_thread"] / sec["read_tl"],
        "read_vs_scan": sec["scan"] / sec["read_all_tables"],
        "convert_vs_its_limit": sec["convert_limit_read_and_write_table"] / sec["convert_parquet"],
        "one_record_read_vs_twin": sec["twin_one"] / sec["read_one"],
        "one_record_reports_vs_twin": sec["twin_one"] / sec["reports_one"],
        "analytics_vs_python_loop": ({r["name"]: r for r in rep["results"]}["analytics_accounts"]["accounts_per_s"]
                                     / {r["name"]: r for r in rep["results"]}["python_loop_analytics"]["accounts_per_s"]),
    }
    for name, q in quotients.items():
        assert rep["ratios"][name] == pytest.approx(q, rel=1e-9), name
    # speeds are the bytes measured over the seconds
    for r in rep["results"]:
        if "bytes" in r:
            assert r["mb_per_s"] == pytest.approx(r["bytes"] / r["seconds"] / 1e6, rel=1e-9), r["name"]
    assert rep["ratios"]["scan_vs_pure_python"] > 10 and rep["peak_rss_mb"] > 0
    assert "scan_vs_c_walk" in capsys.readouterr().out


def test_bench_ratios_pair_the_rounds():
    """A ratio of two cases is the median of their per-round quotients: a round where the whole
    machine ran at half speed made both take twice as long and leaves its quotient as it was."""
    from mxbureau.bench import paired
    drifting = {"twin": [1.0, 2.0, 1.0, 2.2, 1.1], "read": [0.5, 1.0, 0.5, 1.1, 0.55]}
    assert paired(drifting, "twin", "read") == pytest.approx(2.0)
    assert paired(drifting, "read", "twin") == pytest.approx(0.5)
    # per-round quotients 2, 1, 1, 2, 4: their median, not the quotient of the medians (1 / 1)
    mixed = {"twin": [1.0, 1.0, 1.0, 2.0, 2.0], "read": [0.5, 1.0, 1.0, 1.0, 0.5]}
    assert paired(mixed, "twin", "read") == pytest.approx(2.0)


def test_readme_main_job_runs_on_the_bundled_sample(tmp_path, capsys):
    """`mxbureau convert -o DIR` with no input converts the sample shipped inside the package."""
    out = tmp_path / "mxbureau-out"
    assert cli.main(["convert", "-o", str(out)]) == 0
    rec = pq.read_table(out / "records")
    assert rec.num_rows == 60 and set(rec.column("kind").to_pylist()) == {"hit", "nohit", "error", "consulta"}
    assert pq.read_table(out / "TL").num_rows > 0
    assert "records: " in capsys.readouterr().out
