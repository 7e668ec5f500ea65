"""The generator writes what real replies carry (issue #15), so that the differential tests over its
corpus (tables against reply_oracle, validate clean, the twin) cover it: integrated reports with 007 /
004 scores and Anexo 14 SIC ids, exclusion codes, reason codes with and without leading zeros,
repeated UR / AR tags, Optimiza's UR 18, CDMX, records not found in Buró with another SIC's data, and
consultas of versions 11 and 12 without INTL13's fields."""
import collections

import pytest

import mxbureau
from mxbureau.intl13 import catalogs, synth
from corpora import ALL_KINDS


@pytest.fixture(scope="module")
def replies():
    data = synth.generate_bytes(3000, seed=17, mix=ALL_KINDS)
    return data, mxbureau.read(data)


def values(t, table, column):
    return collections.Counter(v for v in t[table].column(column).to_pylist() if v is not None)


def test_scores_of_both_families_and_exclusions(replies):
    _, t = replies
    assert set(values(t, "SC", "score_code")) == {"507", "504", "007", "004"}
    assert set(values(t, "SC", "exclusion_code")) >= {"-009", "-008", "-001"}
    assert min(values(t, "SC", "score")) >= 0
    raw = replies[0]
    assert b"0203010" in raw or b"0303010" in raw or b"0403010" in raw, "an ICC reason with its leading zero"
    rows = t["SC"].to_pylist()
    icc = [s["reason_1"] for s in rows if s["score_code"] in catalogs.ICC_SCORE_CODES and s["reason_1"]]
    bc = [s["reason_1"] for s in rows if s["score_code"] in catalogs.BC_SCORE_CODES and s["reason_1"]]
    assert icc and all(len(x) == 3 for x in icc), "one spelling: Anexo 7's 3 digits"
    assert bc and all(len(x) == 2 for x in bc), "one spelling: Anexo 6's 2 digits"


def test_anexo_14_readings(replies):
    _, t = replies
    assert set(values(t, "TL", "sic_id")) == {"0", "1", "2"} and values(t, "TL", "user_phone")
    assert set(values(t, "IQ", "sic_id")) == {"0", "1"} and values(t, "IQ", "reserved_09")
    r = t.records
    kind = r.column("kind").to_pylist()
    data = r.column("has_data").to_pylist()
    assert any(k == "nohit" and d for k, d in zip(kind, data)), "not found in Buró, data of another SIC"
    assert any(k == "nohit" and d is False for k, d in zip(kind, data))
    assert set(values(t, "records", "bureau_cc")) >= {"HIT", "NO HIT"}


def test_repeated_tags_optimiza_and_cdmx_are_what_the_manual_allows(replies):
    data, t = replies
    assert values(t, "UR", "bad_field_info_3") and values(t, "UR", "missing_required_field_2")
    assert values(t, "AR", "missing_required_field_2")
    assert values(t, "UR", "optimiza_result")
    assert values(t, "PA", "state")["CDMX"] > 0 and values(t, "PA", "state")["DF"] > 0
    assert t.problems.num_rows == 0
    assert mxbureau.validate(data).num_rows == 0


def test_consulta_versions_carry_their_fields():
    recs = [synth.generate_record(3, i, {"consulta": 1.0}) for i in range(300)]
    versions = collections.Counter(r["version"] for r in recs)
    assert set(versions) == {"11", "12", "13"}
    for r in recs:
        pa = [v for tag, v in r["segments"] if tag == "PA"]
        assert all(("origin_country" in v) == (r["version"] == "13") for v in pa), r["version"]


def test_deterministic_per_seed():
    a = synth.generate_bytes(200, seed=23, mix=ALL_KINDS, manual_order=True)
    assert a == synth.generate_bytes(200, seed=23, mix=ALL_KINDS, manual_order=True)
    assert b"".join(synth.generate_bytes(1, seed=23, mix=ALL_KINDS, start=i, manual_order=True)
                    for i in range(200)) == a
