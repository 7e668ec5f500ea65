"""spec.py and catalogs.py against the manual's own tables."""
import re

import pytest

from mxbureau.intl13 import catalogs, spec


def all_segments():
    for layout in spec.LAYOUTS.values():
        for seg in layout.segments:
            yield layout, seg


@pytest.mark.parametrize("layout,seg", list(all_segments()), ids=lambda x: getattr(x, "tag", getattr(x, "kind", "")))
def test_sum_of_max_lengths_matches_the_manual(layout, seg):
    """The manual prints "Suma longitudes máximas de campos" per segment. Where it disagrees with its
    own field table, the disagreement is listed in spec.MANUAL_SUM_CONTRADICTIONS and explained in
    spec.MANUAL_NOTES; everywhere else the sums must match exactly."""
    key = (layout.kind, seg.tag)
    if key in spec.MANUAL_SUM_CONTRADICTIONS:
        assert seg.max_sum == spec.MANUAL_SUM_CONTRADICTIONS[key] != seg.manual_max_sum
        assert key in spec.MANUAL_NOTES
    else:
        assert seg.max_sum == seg.manual_max_sum


@pytest.mark.parametrize("layout,seg", list(all_segments()), ids=lambda x: getattr(x, "tag", getattr(x, "kind", "")))
def test_field_tables_are_well_formed(layout, seg):
    assert seg.fields[0].tag == seg.tag, "a segment opens with a field tagged with its own letters"
    tags = [f.tag for f in seg.fields[1:]]
    assert all(re.fullmatch(r"\d\d", t) for t in tags)
    assert tags == sorted(tags) and len(set(tags)) == len(tags), "numeric tags ascend, no duplicates"
    names = [f.name for f in seg.fields]
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names)
    for f in seg.fields:
        assert f.type in ("N", "A", "AN", "A/N")
        assert f.kind in ("text", "code", "digits", "int", "amount", "date", "history")
        if f.kind == "date":
            assert f.max_length == 8 and f.fixed
        if f.catalog:
            assert f.catalog in catalogs.CATALOGS, f.catalog
        if layout.kind == "consulta":
            assert f.required is not None, "consulta fields carry the manual's R/O"


def test_headers_cover_their_positions_exactly():
    for layout, length in ((spec.RESPONSE, 49), (spec.CONSULTA, 88)):
        pos = 0
        for h in layout.header:
            assert h.start == pos, h.name
            pos += h.length
        assert pos == layout.header_length == length


def test_manual_positions_of_the_response_header():
    h = {f.name: f for f in spec.RESPONSE_HEADER}
    # 1-based positions from the manual: reference 7-31, country 32-33, reserved 34-37, member 38-47,
    # found flag 48, reserved 49.
    assert (h["reference"].start + 1, h["reference"].length) == (7, 25)
    assert (h["country"].start + 1, h["bureau_indicator"].start + 1, h["member_code"].start + 1) == (32, 34, 38)
    assert (h["found"].start + 1, h["reserved"].start + 1) == (48, 49)


def test_manual_positions_of_the_consulta_header():
    h = {f.name: f for f in spec.CONSULTA_HEADER}
    assert (h["product"].start + 1, h["country"].start + 1, h["member_code"].start + 1) == (32, 35, 41)
    assert (h["password"].start + 1, h["responsibility"].start + 1, h["language"].start + 1) == (51, 59, 73)
    assert (h["reserved_future"].start + 1, h["reserved_future"].length) == (82, 7)


def test_order_and_occurrence_limits():
    assert spec.RESPONSE.order == ("PN", "PA", "PE", "TL", "IQ", "RS", "HI", "HR", "CR", "SC", "CL", "ES")
    limits = {s.tag: s.max_occurs for s in spec.RESPONSE.segments}
    assert limits == {"PN": 1, "PA": 4, "PE": 2, "TL": None, "IQ": None, "RS": 3, "HI": 20, "HR": 20,
                      "CR": 1, "SC": 15, "CL": 99, "ES": 1}
    assert spec.CONSULTA.order == ("PN", "PA", "PE", "PI", "AU", "CL", "ES")
    assert spec.ERROR.order == ("UR", "AR", "ES")


def test_fixed_names_of_the_design():
    tl = spec.segment("response", "TL")
    assert (tl.field("22").name, tl.field("26").name, tl.field("27").name, tl.field("28").name) == \
        ("balance", "mop", "payment_history", "history_latest_on")
    sc = spec.segment("response", "SC")
    assert (sc.field("SC").name, sc.field("00").name, sc.field("01").name) == ("score_name", "score_code", "score")
    assert spec.segment("response", "CR").field("00").name == "declarativa"
    assert spec.segment("response", "ES").field("00").name == "control_number"


def test_anexo_14_additions_are_in_the_spec():
    assert "SIC" in spec.segment("response", "TL").field("03").spanish
    assert spec.segment("response", "TL").field("03").short.name == "sic_id"
    assert spec.segment("response", "IQ").field("09").short.name == "sic_id"
    assert {h.name for h in spec.RESPONSE_HEADER} >= {"bureau_indicator"}


def test_catalogs_hold_the_annexes():
    assert len(catalogs.KOB) == 50 and catalogs.KOB["BC"][1] == "BANCO"
    assert set(catalogs.MOP) == {"UR", "00", "01", "02", "03", "04", "05", "06", "07", "96", "97", "99"}
    assert set(catalogs.HISTORY_CODES) == set("1234567") | {"9", "0", "U", "D", "-", " "}
    assert len(catalogs.OBSERVATION_KEYS) == 35 and "UP" in catalogs.OBSERVATION_KEYS
    assert set(catalogs.SCORE_EXCLUSIONS) == {"-001", "-005", "-006", "-007", "-008", "-009"}
    assert len(catalogs.COUNTRIES) == 249 and catalogs.COUNTRIES["MX"] == "México"
    assert len(catalogs.STATES) == 32 and "MICH" in catalogs.STATES
    assert len(catalogs.SINTETIZA) == 89 and 43 not in catalogs.SINTETIZA
    assert catalogs.HAWK_CODES["99"] == "INFORMACION DE JUICIO"
    assert len(catalogs.ICC_REASONS) == 126 and len(catalogs.SCORE_REASONS) == 33


def test_tag_codes_round_trip():
    assert spec.tag_code("TL") == ord("T") | (ord("L") << 8) == 0x4C54
    assert spec.tag_str(spec.tag_code("27")) == "27"
    with pytest.raises(ValueError):
        spec.tag_code("ABC")
