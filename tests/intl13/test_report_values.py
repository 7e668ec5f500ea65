"""Report values (columns.pylist: pyarrow's to_pylist, faster for codes and dates) equal pyarrow's
own to_pylist: for every column of every table, sliced and in several chunks, and whole reports hold
the rows of the tables."""
import mxbureau
import pyarrow as pa

from corpora import ALL_KINDS
from mxbureau.columns import pylist
from mxbureau.intl13 import synth, writer
from mxbureau.intl13.report import _MANY, _ONE


def _data(n=240, seed=11):
    recs = [synth.generate_record(seed, i, ALL_KINDS) for i in range(n)]
    return b"\n".join(writer.record_bytes(r) for r in recs)


def _damaged():
    data = bytearray(_data(60, 5))
    for at in range(500, len(data), 1700):      # digits into letters: nulls and problem rows
        data[at:at + 3] = b"X#\xe9"
    return bytes(data)


def test_pylist_is_to_pylist_for_every_column():
    checked = set()
    for data, kw in ((_data(), {}), (_data(), {"workers": 2}), (_damaged(), {"strict": False})):
        t = mxbureau.read(data, **kw)
        for name, table in t.all():
            for c in table.column_names:
                col = table.column(c)
                assert pylist(col) == col.to_pylist(), (name, c)
                for ch in col.chunks:
                    part = ch.slice(1, max(0, len(ch) - 3))
                    assert pylist(part) == part.to_pylist(), (name, c)
                checked.add(str(col.type))
    assert {"int64", "int8", "date32[day]", "large_string", "bool",
            "dictionary<values=large_string, indices=int32, ordered=0>"} <= checked
    empty = pa.chunked_array([], pa.large_string())
    assert pylist(empty) == []


def test_reports_hold_the_rows_of_the_tables():
    for data, strict in ((_data(), True), (_damaged(), False)):
        t = mxbureau.read(data, strict=strict)

        def rows(tag):
            out = {}
            if tag in t:
                for row in t[tag].to_pylist():
                    rec = row.pop("record")
                    row.pop("record_start")
                    row.pop("position", None)
                    out.setdefault(rec, []).append(row)
            return out
        one = {k: rows(tag) for k, tag in _ONE.items()}
        many = {k: rows(tag) for k, tag in _MANY.items()}
        reps = list(mxbureau.reports(data, strict=strict))
        assert len(reps) == t.records.num_rows
        for head, rep in zip(t.records.to_pylist(), reps):
            want = dict(head)
            want.update({k: (one[k].get(head["record"]) or [None])[0] for k in _ONE})
            want.update({k: many[k].get(head["record"], []) for k in _MANY})
            got = rep.to_dict()
            assert got == want, head["record"]
            assert list(got) == list(want)
            for k in _ONE:
                if want[k] is not None:
                    assert list(got[k]) == list(want[k])         # the columns' order
