"""The generator: deterministic, streaming, realistic, and always exact."""
import collections

from mxbureau.intl13 import synth
from mxbureau.intl13.twin import pyscan


def test_same_seed_same_bytes_different_seed_different_bytes():
    a = synth.generate_bytes(80, seed=5)
    assert a == synth.generate_bytes(80, seed=5)
    assert a != synth.generate_bytes(80, seed=6)


def test_bytes_do_not_depend_on_blocks_or_processes(tmp_path):
    expected = synth.generate_bytes(300, seed=9, separator="crlf")
    for jobs, block in ((1, 7), (2, 50)):
        p = tmp_path / f"f{jobs}.intl"
        n = synth.write_file(p, 300, seed=9, separator="crlf", jobs=jobs, block=block)
        assert p.read_bytes() == expected and n == len(expected)


def test_corpus_parses_cleanly_with_every_es_exact(corpus):
    out = pyscan(corpus)
    assert not out["errors"]
    recs = out["records"]
    assert len(recs) == 1500 and all(r["ok"] for r in recs)
    # ES exact: the declared length is the record's span, from INTL/ERRR through the final **
    assert all(r["declared"] == r["end"] - r["start"] for r in recs)


def test_corpus_is_realistic(corpus):
    out = pyscan(corpus)
    toks, recs = out["tokens"], out["records"]
    segs = collections.Counter(t[3] for t in toks if t[2] == t[3])
    for tag in ("PN", "PA", "PE", "TL", "IQ", "RS", "HI", "HR", "CR", "SC", "CL", "ES", "UR", "AR", "PI"):
        assert segs[tag] > 0, f"no {tag} segment generated"
    kinds = collections.Counter(r["kind"] for r in recs)
    assert set(kinds) == {"hit", "nohit", "error", "consulta"}
    assert {r["version"] for r in recs if r["kind"] != "error"} == {11, 12, 13}
    assert {r["es_style"] for r in recs} == {0, 1}
    assert {r["cr"] for r in recs} == {0, 1, 2}
    value = lambda t: corpus[t[0]:t[0] + t[1]]
    hist = b"".join(value(t) for t in toks if t[3] == "TL" and t[2] == "27")
    assert set(hist.decode()) == set("12345679") | set("0UD- ")
    balances = [value(t) for t in toks if t[3] == "TL" and t[2] == "22"]
    assert any(b.startswith(b"-") for b in balances) and any(b.endswith(b"-") for b in balances)
    assert any(b.endswith(b"+") for b in balances)
    # accounts per hit: 0-40, mostly 3-10
    per = collections.Counter()
    for r in recs:
        if r["kind"] == "hit":
            per[sum(1 for t in toks[r["tok_start"]:r["tok_end"]] if t[2] == "TL" and t[3] == "TL")] += 1
    counts = list(per.elements())
    assert max(counts) <= 40 and min(counts) == 0
    assert sum(3 <= c <= 10 for c in counts) / len(counts) > 0.5
    cr_lengths = [t[1] for t in toks if t[3] == "CR" and t[2] == "00"]
    assert max(cr_lengths) <= 12000


def test_cr_extremes_appear_in_a_large_enough_sample():
    lengths = set()
    for i in range(40000):
        r = synth.generate_record(1, i)
        for tag, v in r.get("segments", ()):
            if tag == "CR":
                lengths.add(len(v["declarativa"]))
    assert 12000 in lengths and 1 in lengths and 9999 in lengths and 10000 in lengths
