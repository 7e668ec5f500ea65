"""One 3-4 KB hit record (the one-customer path): reports() and read() beside the pure-Python twin
tokenizing the same record, and scan(), interleaved in one run (the issue's aims: reports() >= 5x
faster than the twin, read() >= 2x). The ratios go to the benchmark's extra_info; no timed asserts."""
import mxbureau
from mxbureau.bench import _one_record, interleaved, medians, paired, timed_rounds
from mxbureau.intl13.twin import pyscan


def test_one_record_latency(benchmark, corpus):
    name, path, buf = corpus
    head = bytes(buf[:2_000_000])
    one = _one_record(head[:head.rfind(b"**") + 2])             # whole records, as bench.run takes them
    assert 3000 <= len(one) <= 4000
    fns = {"reports": lambda: list(mxbureau.reports(one)), "read": lambda: mxbureau.read(one),
           "twin": lambda: pyscan(one), "scan": lambda: mxbureau.scan(one)}
    interleaved(fns, 1, 3)                                # warm-up: the decoder's and the rows' tables
    rounds = 3 if benchmark.disabled else 15
    raw = benchmark.pedantic(timed_rounds, args=(fns, rounds, 20), rounds=1, iterations=1)
    med = medians(raw)
    benchmark.extra_info.update({
        "record_bytes": len(one),
        **{f"{k}_us": v * 1e6 for k, v in med.items()},
        "one_record_reports_vs_twin": paired(raw, "twin", "reports"),
        "one_record_read_vs_twin": paired(raw, "twin", "read"),
        "scan_share_of_reports": paired(raw, "scan", "reports"),
    })
    (rep,) = mxbureau.reports(one)
    assert rep.kind == "hit" and rep.accounts
