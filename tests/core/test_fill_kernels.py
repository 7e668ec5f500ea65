"""The fill's value kernels at their edges, against oracles that do not come from the decoder: dates
against Python's calendar (datetime.date), a code column's values against the bytes written (the
same value in consecutive rows, values that share a prefix),
text columns over several blocks of rows against the values written."""
import datetime

import pytest

from mxbureau.scanner import scan
from mxbureau.tables import build_tables
from test_fused_columns import field, record

EPOCH = datetime.date(1970, 1, 1)

# DDMMYYYY: leap years by the Gregorian rule (1900 and 2100 are not, 2000 is), month lengths, days and
# months 0 and past the end, years before 1900 and from 2200 on (outside the decoder's month table),
# year 1, year 0 (no such year), and bytes that are not digits
DATES = [b"29021900", b"28021900", b"29022000", b"29022004", b"29022100", b"29022196", b"31042020",
         b"30042020", b"31012020", b"32012020", b"31122199", b"01012200", b"29022400", b"29022300",
         b"31121899", b"01011900", b"00012020", b"01002020", b"01132020", b"31062021", b"31072021",
         b"01010001", b"01010000", b"0101200A", b"1 012020", b"31129999", b"29021600", b"29021700"]


def oracle(raw: bytes):
    """The date a DDMMYYYY value is (datetime.date's rules), or None for a value that is not one."""
    try:
        return datetime.date(int(raw[4:]), int(raw[2:4]), int(raw[:2])) if raw.isdigit() else None
    except ValueError:
        return None


def test_dates_as_the_calendar_has_them():
    data = b"".join(record(field(b"04", v), ref=b"R%d" % k) for k, v in enumerate(DATES))
    t = build_tables(scan(data, strict=False))
    got = t["PN"].column("birth_date").to_pylist()
    assert got == [oracle(v) for v in DATES]
    # every value that is not a date is a problem row (no value is silently dropped)
    assert t.problems.num_rows == sum(oracle(v) is None for v in DATES)


def test_no_date_is_absent_not_bad():
    t = build_tables(scan(record(field(b"04", b"00000000")), strict=False))
    assert t["PN"].column("birth_date").to_pylist() == [None]
    assert t.problems.num_rows == 0


def test_every_day_of_four_centuries():
    # 1899-2201 day by day through one column: the month table's whole range and both sides of it
    days, d = [], datetime.date(1899, 12, 25)
    while d <= datetime.date(2201, 1, 5):
        days.append(d)
        d += datetime.timedelta(days=1)
    data = b"".join(record(field(b"04", b"%02d%02d%04d" % (x.day, x.month, x.year)), ref=b"R%d" % k)
                    for k, x in enumerate(days))
    t = build_tables(scan(data, strict=False))
    assert t["PN"].column("birth_date").to_pylist() == days
    assert t.problems.num_rows == 0


@pytest.mark.parametrize("values", [
    [b"DR", b"DR", b"DRA", b"DRA", b"DR", b"ING", b"ING", b"LIC", b"", b"", b"DR"],
    [b"ABCD", b"ABC", b"AB", b"A", b"", b"A", b"AB", b"ABC", b"ABCD", b"ABCD"],
    [b"D\xd1A", b"D\xd1A", b"DNA", b"D\xd1A"],
])
def test_code_values_row_after_row(values):
    data = b"".join(record(field(b"06", v), ref=b"R%d" % k) for k, v in enumerate(values))
    col = build_tables(scan(data, strict=False))["PN"].column("prefix").combine_chunks()
    assert col.to_pylist() == [v.decode("latin-1") for v in values]
    # one dictionary entry a distinct value, in order of first occurrence
    assert col.dictionary.to_pylist() == list(dict.fromkeys(v.decode("latin-1") for v in values))


def test_text_over_many_blocks():
    # more rows than a block holds, names of every length up to the field's 26, some latin-1
    names = [(b"N\xd1" * 13)[:k % 27] for k in range(1500)]
    data = b"".join(record(field(b"02", v), ref=b"R%d" % k) for k, v in enumerate(names))
    t = build_tables(scan(data, strict=False))
    assert t["PN"].column("first_name").to_pylist() == [v.decode("latin-1") for v in names]
