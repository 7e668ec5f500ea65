"""Pages (mxbureau.views): one report rendered after it is read, and the portfolio page of >= 1 M
accounts (the corpus' tables repeated) beside computing its figures alone — the analytics the page
shows (history matrix, account_metrics, features, roll_rates), interleaved. The issue's targets:
a report <= 20 ms; the portfolio page <= 2x its figures. Also the page's weight and build time with
SVG text as text (svg.fonttype "none", the choice) and as glyph paths ("path").
Figures are printed at the end of each test (and kept in the benchmark's extra_info)."""
import time

import pytest

import mxbureau
from mxbureau.bench import medians, paired, replicate, timed_rounds

pytest.importorskip("matplotlib", reason="the portfolio page needs the views extra")
from mxbureau.views import plots, portfolio_html, report_html  # noqa: E402
from mxbureau.views.figures import analytics  # noqa: E402

AS_OF = "2026-10-31"


def _say(capsys, line):
    with capsys.disabled():
        print("\n[views] " + line)


@pytest.fixture(scope="module")
def portfolio(corpus):
    name, path, buf = corpus
    tables = mxbureau.read(buf)
    target = 20_000 if name == "smoke" else 1_000_000
    return replicate(tables, max(1, -(-target // tables["TL"].num_rows)))


def test_report_render(benchmark, corpus, capsys):
    name, path, buf = corpus
    reps = list(mxbureau.reports(buf))[:2000]              # read first: the target is the rendering
    benchmark.pedantic(lambda: [report_html(r) for r in reps], rounds=3, iterations=1, warmup_rounds=1)
    stats = getattr(benchmark, "stats", None)
    if stats is not None and stats.stats is not None:
        per = stats.stats.median / len(reps) * 1e3
        accts = max(reps, key=lambda r: len(r.accounts))
        t0 = time.perf_counter()
        page = report_html(accts)
        worst = (time.perf_counter() - t0) * 1e3
        benchmark.extra_info.update(ms_per_report=per, largest_accounts=len(accts.accounts), largest_ms=worst)
        _say(capsys, f"report_html: {per:.2f} ms a report (median of {len(reps):,} reports); the largest, "
                     f"{len(accts.accounts)} accounts: {worst:.1f} ms, {len(page) / 1e3:.0f} kB")


def test_portfolio_page_vs_figures(benchmark, portfolio, capsys):
    big = portfolio
    portfolio_html(big, AS_OF)                               # warm: imports, font cache
    benchmark.pedantic(lambda: portfolio_html(big, AS_OF), rounds=1, iterations=1)
    raw = timed_rounds({"figures": lambda: analytics(big, AS_OF), "page": lambda: portfolio_html(big, AS_OF)}, 3, 1)
    t = medians(raw)
    page = portfolio_html(big, AS_OF)
    ratio = paired(raw, "page", "figures")
    benchmark.extra_info.update(accounts=big["TL"].num_rows, figures_s=t["figures"], page_s=t["page"],
                                page_vs_figures=ratio, page_kb=len(page.encode()) / 1e3)
    _say(capsys, f"portfolio page, {big['TL'].num_rows:,} accounts: figures {t['figures']:.3f} s, page "
                 f"{t['page']:.3f} s -> {ratio:.2f}x the figures (interleaved rounds); {len(page.encode()) / 1e3:.0f} kB")


def test_svg_text_as_text_or_paths(benchmark, portfolio, capsys):
    big = portfolio
    parts = analytics(big, AS_OF)                            # the plots alone: the figures are computed once
    out = {}
    for mode in ("none", "path", "none"):
        old = plots.RC["svg.fonttype"]
        plots.RC["svg.fonttype"] = mode
        try:
            t0 = time.perf_counter()
            page = portfolio_html(big, AS_OF, parts=parts)
            out[mode] = (time.perf_counter() - t0, len(page.encode()) / 1e3)
        finally:
            plots.RC["svg.fonttype"] = old
    benchmark.pedantic(lambda: portfolio_html(big, AS_OF, parts=parts), rounds=1, iterations=1)
    benchmark.extra_info.update({f"{k}_s": v[0] for k, v in out.items()})
    benchmark.extra_info.update({f"{k}_kb": v[1] for k, v in out.items()})
    _say(capsys, f"page with the figures computed: svg.fonttype none {out['none'][0]:.3f} s, {out['none'][1]:.0f} kB; "
                 f"path {out['path'][0]:.3f} s, {out['path'][1]:.0f} kB")
