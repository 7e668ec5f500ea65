"""Compare the compiled scanner with the pure-Python twin, token for token."""

import mxbureau
from mxbureau.intl13 import spec
from mxbureau.intl13 import twin as pytwin


def compiled_view(tok):
    toks = list(zip(tok.offset.tolist(), tok.length.tolist(), [spec.tag_str(x) for x in tok.tag.tolist()],
                    [spec.tag_str(x) for x in tok.segment_tag.tolist()]))
    R = tok.records
    recs = [dict(start=int(R["start"][i]), end=int(R["end"][i]), kind=str(R["kind"][i]), ok=bool(R["ok"][i]),
                 declared=int(R["declared_length"][i]), version=int(R["version"][i]), cr=int(R["cr_reading"][i]),
                 es_style=int(R["es_style"][i]), tok_start=int(R["tok_start"][i]), tok_end=int(R["tok_end"][i]))
            for i in range(tok.n_records)]
    errs = [dict(start=p.start, end=p.end, offset=p.offset, record=p.record, code=p.code) for p in tok.errors]
    return toks, recs, errs


def assert_same(data, strict=True, workers=1):
    """The compiled scanner and the twin agree on tokens, records and problems (or raise alike)."""
    try:
        tw = pytwin.pyscan(data, strict=strict)
    except pytwin.PyFormatError as e:
        try:
            mxbureau.scan(data, strict=strict, workers=workers)
        except mxbureau.FormatError as f:
            assert (f.code, f.offset, f.record) == (e.code, e.offset, e.record)
            return None
        raise AssertionError("the twin raised, the compiled scanner did not")
    tok = mxbureau.scan(data, strict=strict, workers=workers)
    toks, recs, errs = compiled_view(tok)
    assert toks == tw["tokens"]
    assert recs == tw["records"]
    assert errs == [{k: e[k] for k in ("start", "end", "offset", "record", "code")} for e in tw["errors"]]
    return tok
