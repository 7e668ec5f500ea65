"""validate()'s catalogue checks, which run once a distinct value (the compiled core groups the values
by their bytes: token_codes). Every code the generator wrote is overwritten, at random, with values of
its length -- the catalogue's own codes spelled with zeros or blanks, random digits, letters, non-ASCII
bytes -- and each is judged here on its own, as the manual's rule judges one value: a numeric code
spelled to its width (spell_code), looked up in its annex with the values that mean one of its codes
(CDMX); an SC reason in its score's family's annex. The oracle reads spec.py and catalogs.py, not
validate's tables."""
import numpy as np
import pytest

import mxbureau
from mxbureau import _decode, scan
from mxbureau.intl13 import catalogs, spec, synth
from mxbureau.intl13.validate import spell_code, validate_tokens
from mxbureau.layout import tag_str
from corpora import ALL_KINDS


def test_token_codes_numbers_each_distinct_value_once():
    rng = np.random.default_rng(3)
    # values of 0-40 bytes from a small alphabet, so that many repeat; beyond 16 bytes they are
    # compared past their first two words, and the last ones end at the buffer's last byte
    words = [bytes(rng.choice(list(b"ab0 \xf1"), size=int(rng.integers(0, 41)))) for _ in range(60)]
    vals = [words[int(rng.integers(0, len(words)))] for _ in range(3000)] + [b"", b"a" * 40]
    buf = np.frombuffer(b"".join(vals), np.uint8)
    ln = np.array([len(v) for v in vals], np.uint16)
    off = np.concatenate([[0], np.cumsum(ln[:-1], dtype=np.int64)]).astype(np.int64)
    tokens = np.r_[rng.permutation(len(vals))[:2500], len(vals) - 1, len(vals) - 2].astype(np.int64)
    index, first = _decode.token_codes(buf, off, ln, tokens)
    got = [vals[t] for t in tokens]
    number, first_at = {}, {}
    for j, v in enumerate(got):
        assert number.setdefault(v, index[j]) == index[j], "one value, one number"
        first_at.setdefault(v, tokens[j])
    assert sorted(number.values()) == list(range(len(first))), "distinct values, distinct numbers"
    assert all(first[number[v]] == t for v, t in first_at.items()), "first: the first token with the value"
    with pytest.raises(ValueError, match="out of range"):
        _decode.token_codes(buf, off, ln, np.array([len(vals)], np.int64))
    with pytest.raises(ValueError, match="out of range"):
        _decode.token_codes(buf[:-1], off, ln, np.array([len(vals) - 1], np.int64))
    index, first = _decode.token_codes(buf, off, ln, np.zeros(0, np.int64))
    assert len(index) == len(first) == 0


FIELDS = {(name, seg.tag, f.tag): f for name, layout in (("response", spec.RESPONSE), ("error", spec.ERROR))
          for seg in layout.segments for f in seg.fields}
SHORT = {(k[0], k[1], f.short.tag) for k, f in FIELDS.items() if f.short is not None}


def _value(rng, f, L):
    """A value of L characters for field f: one of its codes as a lender might spell it (zeros or
    blanks before it), random digits, or random bytes."""
    pick = rng.integers(0, 3)
    if pick == 0:
        code = str(rng.choice(sorted(getattr(catalogs, f.catalog))))
        return (str(rng.choice(["0", " ", "\xa0"])) * L + code)[-L:]
    if pick == 1:
        return "".join(rng.choice(list("0123456789"), size=L))
    return "".join(rng.choice(list("0123456789 AZ-\xa0\xb2"), size=L))


def _mutated(seed=5, n=900, rate=0.35):
    """A generated corpus with a share of its code values overwritten; (data, {value offset:
    expected problem or None})."""
    data = bytearray(synth.generate_bytes(n, seed=seed, mix=ALL_KINDS, separator="lf"))
    tok = scan(bytes(data))
    rng = np.random.default_rng(seed)
    layout_of = {spec.HIT: "response", spec.NOHIT: "response", spec.ERROR_RECORD: "error"}
    expected, score_code = {}, None
    for i in range(len(tok.offset)):
        kind = int(tok.kind_code[i])
        if kind not in layout_of:
            continue
        seg, tag = tag_str(int(tok.segment_tag[i])), tag_str(int(tok.tag[i]))
        o, L = int(tok.offset[i]), int(tok.length[i])
        if seg == "SC" and tag == "SC":
            score_code = None
        key = (layout_of[kind], seg, tag)
        f = FIELDS.get(key)
        coded = f is not None and key not in SHORT and f.short is None and f.catalog and f.kind == "code"
        mutate = coded and L and rng.random() < rate
        if mutate:
            data[o:o + L] = _value(rng, f, L).encode("latin-1")
        # every SC reason is judged (its score's code may have been overwritten), other codes overwritten
        if mutate or (coded and f.code_width_by is not None):
            value = bytes(data[o:o + L]).decode("latin-1")
            if f.code_width_by is not None:            # an SC reason: its score's family
                name = catalogs.REASON_CATALOG.get(score_code, "SCORE_REASONS")
                width = dict(f.code_width_by[1]).get(score_code, f.code_width)
                ok = spell_code(value, width) in getattr(catalogs, name)
            else:
                name = f.catalog
                aliases = set(catalogs.STATE_ALIASES) if name == "STATES" else set()
                ok = spell_code(value, f.code_width) in set(getattr(catalogs, name)) | aliases
            expected[o] = None if ok else f"code not in catalogue {name}"
        if seg == "SC" and tag == "00":                # the score's code, as written (or overwritten)
            score_code = bytes(data[o:o + L]).decode("latin-1").strip()
    return bytes(data), expected


def test_each_overwritten_code_is_judged_as_its_own_value():
    data, expected = _mutated()
    assert len(expected) > 2000
    wrong = {o for o, p in expected.items() if p}
    assert 0.2 < len(wrong) / len(expected) < 0.95, "both verdicts are exercised"
    assert any(p == "code not in catalogue ICC_REASONS" for p in expected.values())
    found = {p["offset"]: p["problem"] for p in mxbureau.validate(data).to_pylist()
             if p["problem"].startswith("code not in catalogue")}
    assert found == {o: p for o, p in expected.items() if p}
    # the same file in chunks (each with its own distinct values) finds the same
    chunked = [p for t in mxbureau.scan_chunks(data, chunk_bytes=200_000, strict=False)
               for p in validate_tokens(t).to_pylist()]
    assert {p["offset"]: p["problem"] for p in chunked if p["problem"].startswith("code not in")} == found
