"""The portfolio page: ``portfolio_html(tables, as_of)``, a self-contained HTML page of plots with
their numbers — score distribution (and a scorecard's scores), worst MOP in 12 months by kind of
lender (KOB), the roll-rate matrix as a heat map, utilisation, accounts and balances by MOP bucket,
inquiries per customer, delinquency by month. Each plot has a caption saying what it shows and the
counts behind it, and a table of those counts. The numbers come from ``figures`` (the analytics,
counted); the drawings from ``plots`` (matplotlib, imported here: the views extra)."""
from __future__ import annotations

import numpy as np

from ..intl13 import catalogs, spec
from . import labels
from ._html import amount, code, date, esc, page, table
from .figures import BC_EDGES, BUCKET_CODES, BUCKET_NAMES, LEVELS, UTIL_LABELS, Figures, figures

__all__ = ["portfolio_html"]


def portfolio_html(tables, as_of, *, scores=None, lang: str = "es", fragment: bool = False, parts=None) -> str:
    """The page for ``tables`` (mxbureau.read) as of a date. ``scores``: a ``Scorecard`` (applied to
    the features) or its scores (DataFrame with ``score``, Series, array). ``parts``: the result of
    ``figures.analytics(tables, as_of)`` when already computed."""
    lang = labels.check_lang(lang)
    from . import plots                          # matplotlib: the views extra
    f = figures(tables, as_of, scores=scores, parts=parts)
    t = lambda k: labels.text(k, lang)
    head = (f"<h1>{esc(t('portfolio_title'))}</h1>"
            f'<p class="sub">{esc(t("as_of"))} {date(f.as_of, lang)} · {f.records:,} {esc(t("records"))} · '
            f'{f.customers:,} {esc(t("customers"))} · {f.accounts:,} {esc(t("accounts"))}</p>')
    figs = [_scores(f, lang, plots)]
    if f.kob is not None:
        figs += [_kob(f, lang, plots), _roll(f, lang, plots), _buckets(f, lang, plots), _util(f, lang, plots),
                 _inquiries(f, lang, plots), _delinquency(f, lang, plots)]
    else:
        figs += [_inquiries(f, lang, plots), f'<p>{esc(t("no_data"))}</p>']
    legend = _mop_legend(lang)
    body = (head + '<div class="figs">' + "".join(figs) + "</div>" + legend
            + f'<footer>{esc(t("generated_with"))} {esc(t("footer"))}</footer>')
    return page(f"{t('portfolio_title')} · {f.as_of.isoformat()}", body, lang, fragment)


def _figure(ident: str, title: str, svg: str, caption: str, numbers: str, wide: bool = False) -> str:
    return (f'<figure id="{ident}"{" class=wide" if wide else ""}><h2>{esc(title)}</h2>{svg}'
            f"<figcaption>{esc(caption)}</figcaption>{numbers}</figure>")


def _rows(pairs) -> list:
    return ["<tr>" + "".join(f'<td class="{c}">{v}</td>' for v, c in row) + "</tr>" for row in pairs]


def _scores(f: Figures, lang: str, plots) -> str:
    t = lambda k: labels.text(k, lang)
    excl = sum(n for _, _, n in f.exclusions)
    err = sum(n for _, _, n in f.score_errors)
    cap = t("cap_scores").format(bc=len(f.bc), icc=len(f.icc), excl=excl, err=err)
    if f.card is not None:
        cap += t("cap_card").format(name=f.card_name or "", n=len(f.card),
                                    median=float(np.median(f.card)) if len(f.card) else float("nan"))
    counts = np.histogram(np.clip(f.bc, BC_EDGES[0], BC_EDGES[-1]), BC_EDGES)[0] if len(f.bc) else np.zeros(len(BC_EDGES) - 1, int)
    bins = table([t("bin")] + [f"{a}–{b - 1 if b < 850 else 850}" for a, b in zip(BC_EDGES[:-1], BC_EDGES[1:])],
                 ['<tr><td>BC Score</td>' + "".join(f'<td class="n">{int(c):,}</td>' for c in counts) + "</tr>"], "bins")
    rows = [[(code(c, lab, "Anexo 6", lang), ""), (esc(t("exclusion")), ""), (f"{n:,}", "n")] for c, lab, n in f.exclusions]
    rows += [[(code(c, lab, "Anexo 6", lang), ""), (esc(t("score_error")), ""), (f"{n:,}", "n")] for c, lab, n in f.score_errors]
    ex = table([labels.field_heading(_field("SC", "01"), lang), t("type"), t("customers_h")], _rows(rows), "exclusions") if rows else ""
    return _figure("fig-scores", t("fig_scores"), plots.scores_svg(f, lang), cap, bins + ex, wide=True)


def _field(seg, tag):
    return spec.RESPONSE.by_tag[seg].field(tag)


def _level_name(lv: int, lang: str) -> str:
    return {9: "96/97/99", 0: labels.text("unrated", lang)}.get(lv, f"{lv:02d}")


def _kob(f: Figures, lang: str, plots) -> str:
    t = lambda k: labels.text(k, lang)
    kob = f.kob
    cap = t("cap_kob").format(n=int(kob.to_numpy().sum()))
    if f.kob_merged:
        cap += t("cap_kob_rest").format(rest=f.kob_merged)
    heads = [t("kob_group"), t("kob_codes")] + [f"MOP {_level_name(lv, lang)}" if lv else _level_name(lv, lang) for lv in LEVELS] + ["Σ"]
    rows = []
    for g, r in kob.iterrows():
        kobs = f.kob_codes.get(g) or ""
        named = "; ".join(f"{k} {catalogs.KOB[k][0]}" for k in kobs.split(", ") if k)
        rows.append([(esc(g), ""), (f'<span class="l">{esc(named) or "—"}</span>', "")]
                    + [(f"{int(v):,}", "n") for v in r.to_numpy()] + [(f"{int(r.sum()):,}", "n")])
    return _figure("fig-kob", t("fig_kob"), plots.kob_svg(f, lang), cap, table(heads, _rows(rows), "kob"), wide=True)


def _roll(f: Figures, lang: str, plots) -> str:
    t = lambda k: labels.text(k, lang)
    counts = f.roll_counts
    cap = t("cap_roll").format(n=int(counts.to_numpy().sum()))
    rows = [[(esc(i), "")] + [(f"{int(v):,}", "n") for v in counts.loc[i].to_numpy()] for i in counts.index]
    return _figure("fig-roll", t("fig_roll"), plots.roll_svg(f, lang), cap,
                   table([t("from_to")] + list(counts.columns), _rows(rows), "roll"))


def _util(f: Figures, lang: str, plots) -> str:
    t = lambda k: labels.text(k, lang)
    cap = t("cap_util").format(n=int(f.util.sum()), outside=f.util_outside)
    rows = [[(esc(lab), ""), (f"{int(c):,}", "n")] for lab, c in zip(UTIL_LABELS, f.util)]
    return _figure("fig-util", t("fig_util"), plots.util_svg(f, lang), cap, table([t("bin"), t("count")], _rows(rows), "util"))


def _buckets(f: Figures, lang: str, plots) -> str:
    t = lambda k: labels.text(k, lang)
    b = f.buckets
    cap = t("cap_buckets").format(n=int(b["accounts"].sum()))
    rows = [[(esc(name), ""), (f'<span class="c">{esc(codes_)}</span>' if codes_ else "—", ""),
             (f"{int(r.accounts):,}", "n"), (amount(round(r.balance)), "n")]
            for name, codes_, r in zip(BUCKET_NAMES, BUCKET_CODES, b.itertuples())]
    heads = [t("bucket"), labels.field_heading(_field("TL", "26"), lang), t("count"), t("sum_balance")]
    return _figure("fig-buckets", t("fig_buckets"), plots.buckets_svg(f, lang), cap, table(heads, _rows(rows), "buckets"))


def _inquiries(f: Figures, lang: str, plots) -> str:
    t = lambda k: labels.text(k, lang)
    cap = t("cap_inquiries").format(customers=int(f.inquiries.sum()), total=f.inquiries_total)
    names = [str(i) for i in range(len(f.inquiries) - 1)] + [f"{len(f.inquiries) - 1}+"]
    rows = [[(n, ""), (f"{int(c):,}", "n")] for n, c in zip(names, f.inquiries)]
    return _figure("fig-inquiries", t("fig_inquiries"), plots.inquiries_svg(f, lang), cap,
                   table([t("fig_inquiries"), t("customers_h")], _rows(rows), "inquiries"))


def _delinquency(f: Figures, lang: str, plots) -> str:
    t = lambda k: labels.text(k, lang)
    cap = t("cap_delinquency").format(low=int(f.rated.min()) if len(f.rated) else 0,
                                      high=int(f.rated.max()) if len(f.rated) else 0)
    names = labels.MONTHS[lang]
    rows = []
    for (y, m), r, d in zip(f.months, f.rated, f.delinquent):
        share = f"{100 * d / r:.1f}%" if r else "—"
        rows.append([(f"{names[m - 1]} {y}", ""), (f"{int(r):,}", "n"), (f"{int(d):,}", "n"), (share, "n")])
    return _figure("fig-delinquency", t("fig_delinquency"), plots.delinquency_svg(f, lang), cap,
                   table([t("month"), t("rated"), t("delinquent"), t("share")], _rows(rows), "delinquency"))


def _mop_legend(lang: str) -> str:
    rows = [f'<tr><td><span class="c">{esc(c)}</span></td><td>{esc(lab)}</td></tr>' for c, lab in catalogs.MOP.items()]
    return f'<section id="mop-legend"><h2>{esc(labels.text("mop_legend", lang))}</h2><table class="legend"><tbody>{"".join(rows)}</tbody></table></section>'

