"""The portfolio page's plots: matplotlib figures rendered offline to SVG strings for inlining.

Rendering choices, measured on this machine (the page of a 1 M-account portfolio, its figures already
computed; benchmarks/test_bench_views.py): ``svg.fonttype = "none"`` writes text as SVG ``<text>`` in
the system's sans-serif (no font file, no request) — 134 kB against 293 kB for glyph paths ("path"),
0.51 against 0.55–0.65 s — and the numbers stay text the browser can find, select and test. No pyplot (no
global state, no GUI backend): each plot is a ``Figure`` on its own SVG canvas. Fixed margins instead of
``tight_layout``, which lays a figure out twice. Bars and heat-map cells are one PolyCollection each
and category names plain texts: patches and ticks were most of the time (the 7 plots: 0.60 -> 0.40 s). Ids are prefixed per plot so that the SVGs of one
page never share an id. ``svg.hashsalt`` fixed: the same numbers give the same bytes."""
from __future__ import annotations

import functools
import io
import re
from typing import List

import numpy as np

try:
    import matplotlib
    import matplotlib.collections
    import matplotlib.ticker
    import matplotlib.transforms
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
except ImportError as e:                                   # the views extra
    raise ImportError("portfolio pages need matplotlib: pip install 'mxbureau[views]'") from e

from . import labels
from .figures import BC_EDGES, BUCKET_NAMES, LEVELS, UTIL_LABELS, Figures
from .grid import COLOURS

__all__ = ["RC", "scores_svg", "kob_svg", "roll_svg", "util_svg", "buckets_svg", "inquiries_svg",
           "delinquency_svg"]

RC = {"svg.fonttype": "none", "svg.hashsalt": "mxbureau", "font.family": ["sans-serif"],
      "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica", "Liberation Sans"], "font.size": 10,
      "axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 11, "axes.titleweight": "bold"}
BLUE, GREY = "#3b6fb6", "#9aa1ad"
LEVEL_COLOURS = [COLOURS[f"m{lv}"][0] if lv else COLOURS["mU"][0] for lv in LEVELS]


def _svg(fig: Figure, label: str, prefix: str) -> str:
    """The figure as an inline <svg> (no prolog, no metadata), scaled to its box, its ids prefixed
    (each plot appears once in a page: unique ids, and the same bytes for the same numbers)."""
    buf = io.StringIO()
    FigureCanvasSVG(fig).print_svg(buf)
    s = buf.getvalue()
    s = s[s.index("<svg"):]
    s = re.sub(r"<metadata>.*?</metadata>\s*", "", s, flags=re.S)
    pre = prefix + "-"
    ids = set(re.findall(r'\bid="([^"]+)"', s))
    s = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{pre}{m.group(1)}"', s)
    s = re.sub(r'(xlink:href="#|href="#|url\(#)([^")]+)',
               lambda m: m.group(1) + (pre + m.group(2) if m.group(2) in ids else m.group(2)), s)
    s = re.sub(r'^<svg ([^>]*?)width="[^"]*" height="[^"]*"',
               lambda m: f'<svg {m.group(1)}class="plot" role="img" aria-label="{_attr(label)}"', s, count=1)
    return s


def _attr(s: str) -> str:
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _rc(plot):
    """Run a plot function under the page's rcParams (read when artists are made and when drawn)."""
    @functools.wraps(plot)
    def run(*args, **kwargs):
        with matplotlib.rc_context(RC):
            return plot(*args, **kwargs)
    return run


def _figure(w: float, h: float, left=0.09, right=0.98, bottom=0.16, top=0.88, wspace=0.28) -> Figure:
    fig = Figure(figsize=(w, h))
    fig.subplots_adjust(left=left, right=right, bottom=bottom, top=top, wspace=wspace)
    return fig


def _axes(fig: Figure, *args):
    ax = fig.add_subplot(*args)
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5))
    return ax


def _rects(ax, x0, y0, w, h, colours, **kw):
    """Rectangles as one collection: a patch per bar (ax.bar) cost most of a bar chart's time in
    limit updates and artists; one PolyCollection draws the same SVG paths."""
    x0, y0, w, h = (np.broadcast_to(np.asarray(v, float), np.shape(x0)) for v in (x0, y0, w, h))
    verts = np.stack([np.stack([x0, y0], -1), np.stack([x0, y0 + h], -1), np.stack([x0 + w, y0 + h], -1),
                      np.stack([x0 + w, y0], -1)], axis=1)
    coll = matplotlib.collections.PolyCollection(verts, facecolors=colours, **kw)
    ax.add_collection(coll, autolim=False)
    return coll


def _categories(ax, axis: str, positions, names, rotate=0, fontsize=8.5, pad=4):
    """Category names beside the axis as plain texts (a matplotlib tick is five artists)."""
    if axis == "x":
        ax.set_xticks([])
        tr = matplotlib.transforms.blended_transform_factory(ax.transData, ax.transAxes)
        off = matplotlib.transforms.offset_copy(tr, fig=ax.figure, y=-pad, units="points")
        for p, n in zip(positions, names):
            ax.text(p, 0, n, transform=off, fontsize=fontsize, rotation=rotate, rotation_mode="anchor",
                    ha="right" if rotate else "center", va="top" if not rotate else "center")
    else:
        ax.set_yticks([])
        tr = matplotlib.transforms.blended_transform_factory(ax.transAxes, ax.transData)
        off = matplotlib.transforms.offset_copy(tr, fig=ax.figure, x=-pad, units="points")
        for p, n in zip(positions, names):
            ax.text(0, p, n, transform=off, fontsize=fontsize, ha="right", va="center")


def _bars(ax, labels_, counts, colour=BLUE, rotate=0, every=1):
    """Bars with their category names (every ``every``-th written). The counts are in the table under
    the plot, not on the bars: a text on each bar cost ~40% of a bar chart's time."""
    counts = np.asarray(counts, float)
    x = np.arange(len(counts))
    _rects(ax, x - 0.4, 0, 0.8, counts, colour)
    ax.set_xlim(-0.7, len(counts) - 0.3)
    top = counts.max() if len(counts) and counts.max() > 0 else 1
    ax.set_ylim(0, top * 1.08)
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4, integer=True))
    _categories(ax, "x", x[::every], labels_[::every], rotate=rotate)


@_rc
def scores_svg(f: Figures, lang: str) -> str:
    t = lambda k: labels.text(k, lang)
    panels = [("BC Score (507, 007)", "bc"), ("ICC (504, 004)", "icc")] + ([(f"{t('scorecard')}: {f.card_name or ''}".rstrip(": "), "card")]
                                                                        if f.card is not None else [])
    fig = _figure(12, 3.6, left=0.05, right=0.99, bottom=0.2, top=0.86, wspace=0.22)
    for k, (title, which) in enumerate(panels):
        ax = _axes(fig, 1, len(panels), k + 1)
        ax.set_title(title)
        ax.set_ylabel(t("customers_h"))
        if which == "bc":
            counts = np.histogram(np.clip(f.bc, BC_EDGES[0], BC_EDGES[-1]), BC_EDGES)[0] if len(f.bc) else np.zeros(len(BC_EDGES) - 1)
            _bars(ax, [f"{a}" for a in BC_EDGES[:-1]], counts, rotate=60, every=2)
        elif which == "icc":
            counts = np.bincount(np.clip(f.icc.astype(int), 0, 9), minlength=10) if len(f.icc) else np.zeros(10, int)
            _bars(ax, [str(i) for i in range(10)], counts)
        else:
            edges = np.histogram_bin_edges(f.card, bins=16) if len(f.card) else np.arange(2)
            counts = np.histogram(f.card, edges)[0] if len(f.card) else np.zeros(1)
            _bars(ax, [f"{e:.0f}" for e in edges[:-1]], counts, colour="#6b4fa0", rotate=60, every=2)
    return _svg(fig, t("fig_scores"), "scores")


@_rc
def kob_svg(f: Figures, lang: str) -> str:
    t = lambda k: labels.text(k, lang)
    kob = f.kob
    height = 1.0 + 0.32 * max(1, len(kob))
    fig = _figure(12, height, left=0.17, right=0.83, bottom=0.55 / height, top=1 - 0.12 / height)
    ax = _axes(fig)
    totals = kob.sum(axis=1).to_numpy(float)
    share = kob.to_numpy(float) / np.where(totals > 0, totals, 1)[:, None]
    y = np.arange(len(kob))[::-1].astype(float)
    left = np.zeros(len(kob))
    names = {1: "01", 2: "02", 3: "03", 4: "04", 5: "05", 6: "06", 7: "07", 9: "96/97/99", 0: t("unrated")}
    for j, lv in enumerate(LEVELS):
        _rects(ax, left, y - 0.4, share[:, j], 0.8, LEVEL_COLOURS[j], edgecolors="white", linewidths=0.5,
               label=f"MOP {names[lv]}" if lv else names[lv])
        left = left + share[:, j]
    ax.set_ylim(-0.6, len(kob) - 0.4)
    _categories(ax, "y", y, [f"{g} ({int(n):,})" for g, n in zip(kob.index, totals)])
    ax.set_xlim(0, 1)
    ax.set_xlabel(t("share"))
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.spines["left"].set_visible(False)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return _svg(fig, t("fig_kob"), "kob")


@_rc
def roll_svg(f: Figures, lang: str) -> str:
    t = lambda k: labels.text(k, lang)
    rates = f.roll.to_numpy(float)
    counts = f.roll_counts.to_numpy()
    fig = _figure(6.2, 4.4, left=0.16, right=0.97, bottom=0.15, top=0.9)
    ax = _axes(fig)
    n = len(rates)
    cmap = matplotlib.colormaps["Reds"]
    i, j = np.divmod(np.arange(n * n), n)
    r = rates.ravel()
    # vector cells (imshow would embed a PNG in the SVG)
    _rects(ax, j - 0.5, i - 0.5, 1, 1, cmap(np.nan_to_num(r)), edgecolors="white", linewidths=0.5)
    for ii, jj, rr, c in zip(i, j, r, counts.ravel()):
        text = "—" if np.isnan(rr) else f"{100 * rr:.1f}%\n{int(c):,}"
        ax.text(jj, ii, text, ha="center", va="center", fontsize=8,
                color="white" if (not np.isnan(rr) and rr > 0.55) else "#1d2330")
    ax.set_xlim(-0.5, n - 0.5)
    ax.set_ylim(n - 0.5, -0.5)
    _categories(ax, "x", range(n), list(f.roll.columns))
    _categories(ax, "y", range(n), list(f.roll.index))
    ax.set_xlabel(f"{labels.text('bucket', lang)}: t" if lang == "en" else "tramo en el mes t", labelpad=14)
    ax.set_ylabel(f"{labels.text('bucket', lang)}: t − 1" if lang == "en" else "tramo en el mes t − 1", labelpad=36)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    return _svg(fig, t("fig_roll"), "roll")


@_rc
def util_svg(f: Figures, lang: str) -> str:
    fig = _figure(6.2, 3.6, bottom=0.25)
    ax = _axes(fig)
    _bars(ax, list(UTIL_LABELS), f.util, rotate=45)
    ax.set_ylabel(labels.text("count", lang))
    return _svg(fig, labels.text("fig_util", lang), "util")


@_rc
def buckets_svg(f: Figures, lang: str) -> str:
    b = f.buckets
    fig = _figure(6.2, 3.6, left=0.11, bottom=0.25, wspace=0.42)
    ax1, ax2 = _axes(fig, 1, 2, 1), _axes(fig, 1, 2, 2)
    colours = [COLOURS[c][0] for c in ("m1", "m2", "m3", "m4", "m5", "mU")] + [GREY]
    x = np.arange(len(b))
    for ax, col, title in ((ax1, "accounts", labels.text("count", lang)), (ax2, "balance", labels.text("sum_balance", lang))):
        v = b[col].to_numpy(float)
        _rects(ax, x - 0.4, np.minimum(v, 0), 0.8, np.abs(v), colours, edgecolors="#6b7280", linewidths=0.4)
        ax.set_xlim(-0.7, len(b) - 0.3)
        lo, hi = min(0.0, v.min()), max(1.0, v.max())
        ax.set_ylim(lo * 1.08, hi * 1.08)
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4, integer=True))
        ax.set_title(title, fontsize=10)
        _categories(ax, "x", x, list(BUCKET_NAMES), rotate=50, fontsize=8)
    ax2.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v / 1e6:,.0f} M" if abs(v) >= 1e6 else f"{v:,.0f}"))
    return _svg(fig, labels.text("fig_buckets", lang), "buckets")


@_rc
def inquiries_svg(f: Figures, lang: str) -> str:
    fig = _figure(6.2, 3.6)
    ax = _axes(fig)
    names = [str(i) for i in range(len(f.inquiries) - 1)] + [f"{len(f.inquiries) - 1}+"]
    _bars(ax, names, f.inquiries)
    ax.set_xlabel(labels.text("fig_inquiries", lang), labelpad=14)
    ax.set_ylabel(labels.text("customers_h", lang))
    return _svg(fig, labels.text("fig_inquiries", lang), "inquiries")


@_rc
def delinquency_svg(f: Figures, lang: str) -> str:
    """Oldest month on the left (a time series), as_of on the right."""
    fig = _figure(6.2, 3.6, left=0.13, bottom=0.2, right=0.88)
    ax = _axes(fig)
    rated, late = f.rated[::-1].astype(float), f.delinquent[::-1].astype(float)
    share = np.divide(late, rated, out=np.full(len(rated), np.nan), where=rated > 0)
    x = np.arange(len(share))
    ax.plot(x, share, color="#d63b2f", marker="o", markersize=3)
    ax.set_xlim(-0.7, len(share) - 0.3)
    ax.set_ylim(0, max(0.05, np.nanmax(share) * 1.2 if np.isfinite(share).any() else 0.05))
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    months: List = f.months[::-1]
    names = labels.MONTHS[lang]
    ticks = [i for i in range(len(months)) if (len(months) - 1 - i) % 3 == 0]
    _categories(ax, "x", ticks, [f"{names[months[i][1] - 1]} {months[i][0] % 100:02d}" for i in ticks], rotate=45, fontsize=8)
    ax.set_ylabel(labels.text("delinquent", lang))
    ax2 = ax.twinx()
    ax2.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4, integer=True))
    _rects(ax2, x - 0.4, 0, 0.8, rated, GREY, alpha=0.25)
    ax2.set_ylim(0, max(1.0, rated.max()) * 1.08)
    ax2.set_ylabel(labels.text("rated", lang), color="#6b7280")
    ax2.set_zorder(ax.get_zorder() - 1)
    ax.patch.set_visible(False)
    return _svg(fig, labels.text("fig_delinquency", lang), "delinquency")
