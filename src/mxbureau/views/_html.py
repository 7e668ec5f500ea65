"""HTML the pages share: escaping, value formats, a code beside its label, tables, and the page
shell with its inline stylesheet (no script, no font, no request: the page is one self-contained file).

Every selector is scoped under ``.mxb`` so that a page fragment can sit inside a notebook's page
(``Report._repr_html_``) without restyling it."""
from __future__ import annotations

import datetime as _dt
from html import escape
from typing import Iterable, Optional, Sequence

from . import labels

__all__ = ["esc", "amount", "date", "code", "cell", "table", "kv", "page", "section", "CSS"]


def esc(v) -> str:
    return escape("" if v is None else str(v), quote=True)


def amount(v: Optional[int]) -> str:
    """12345 -> "12,345" (Mexico groups thousands with commas), None -> "—"."""
    return "—" if v is None else f"{int(v):,}"


def date(v, lang: str) -> str:
    """DD/MM/AAAA on Spanish pages (the manual's order), ISO on English ones; None -> "—"."""
    if v is None:
        return "—"
    if isinstance(v, _dt.date):
        return v.strftime("%d/%m/%Y") if lang == "es" else v.isoformat()
    return esc(v)


def code(c, lab: Optional[str], annex: Optional[str] = None, lang: str = "es") -> str:
    """A code beside its label: <code>02</code> label. A code its catalogue lacks says so."""
    if c is None:
        return "—"
    if lab is None and annex:
        lab = f"({labels.text('not_in_annex', lang)} {annex})"
    body = f'<span class="c">{esc(c)}</span>'
    return body + (f' <span class="l">{esc(lab)}</span>' if lab else "")


def cell(html: str, field: Optional[str] = None, cls: str = "") -> str:
    attrs = (f' data-f="{esc(field)}"' if field else "") + (f' class="{cls}"' if cls else "")
    return f"<td{attrs}>{html}</td>"


def table(headings: Sequence[str], rows: Iterable[str], cls: str = "") -> str:
    """rows: ready <tr>...</tr> strings."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headings)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def kv(pairs: Iterable[tuple], cls: str = "kv") -> str:
    """A definition grid: (heading, html value, field name or None)."""
    items = []
    for k, v, f in pairs:
        attr = f' data-f="{esc(f)}"' if f else ""
        items.append(f"<div{attr}><dt>{esc(k)}</dt><dd>{v}</dd></div>")
    return f'<dl class="{cls}">{"".join(items)}</dl>' if items else ""


def section(ident: str, title: str, body: str) -> str:
    return f'<section id="{esc(ident)}"><h2>{esc(title)}</h2>{body}</section>'


CSS = """
.mxb{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:#1d2330;
 max-width:1240px;margin:0 auto;padding:16px 20px;box-sizing:border-box}
.mxb *{box-sizing:border-box}
.mxb h1{font-size:22px;margin:0 0 4px}
.mxb h2{font-size:17px;margin:22px 0 8px;padding-bottom:3px;border-bottom:2px solid #d5dae3}
.mxb h3{font-size:14px;margin:12px 0 6px}
.mxb .sub{color:#5b6475;margin:0 0 10px}
.mxb table{border-collapse:collapse;width:100%;margin:4px 0 10px}
.mxb th,.mxb td{border-bottom:1px solid #e3e6ec;padding:4px 6px;text-align:left;vertical-align:top;
 overflow-wrap:anywhere}
.mxb th{background:#f1f3f7;font-weight:600;font-size:12px}
.mxb td[data-f=balance],.mxb td[data-f=credit_limit],.mxb td[data-f=past_due],.mxb td.n{text-align:right;
 white-space:nowrap;font-variant-numeric:tabular-nums}
.mxb td[data-f$=_on]{white-space:nowrap}
.mxb .c{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;background:#eef1f6;
 border-radius:3px;padding:0 3px;white-space:pre}
.mxb .l{color:#4b5466;font-size:12px}
.mxb dl.kv{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:4px 14px;margin:4px 0 10px}
.mxb dl.kv div{min-width:0}
.mxb dt{font-size:11px;color:#5b6475;text-transform:none}
.mxb dd{margin:0;overflow-wrap:anywhere}
.mxb .red{font-family:ui-monospace,"DejaVu Sans Mono",monospace;color:#6b4fa0}
.mxb .note{background:#fff8e1;border-left:3px solid #e0b000;padding:4px 8px;margin:6px 0}
.mxb .warn{background:#fdecea;border-left:3px solid #c0392b;padding:4px 8px;margin:6px 0}
.mxb tbody.account>tr:first-child td{border-top:2px solid #c9cfda}
.mxb tr.detail td{background:#fafbfc}
.mxb table.accounts th{white-space:nowrap}
.mxb td[data-f=institution]{min-width:150px}.mxb td[data-f=type]{min-width:120px}
.mxb table.grid{width:auto;border-collapse:separate;border-spacing:2px;margin:4px 0}
.mxb table.grid th{background:none;font-weight:400;font-size:10px;line-height:1.1;text-align:center;
 padding:0;width:40px;color:#5b6475;white-space:pre}
.mxb table.grid td{width:40px;height:22px;padding:0;text-align:center;border:1px solid #b8bfcc;
 font:12px/20px ui-monospace,"DejaVu Sans Mono",monospace;white-space:pre}
.mxb table.grid td.mna{border-style:dotted}
.mxb table.legend{width:auto}.mxb table.legend td{font-size:12px}
.mxb table.legend td:first-child{width:34px;text-align:center;font-family:ui-monospace,monospace}
.mxb figure{margin:10px 0 18px;padding:10px;border:1px solid #e3e6ec;border-radius:6px;min-width:0}
.mxb figcaption{font-size:13px;color:#37404f;margin:6px 0}
.mxb svg.plot{width:100%;height:auto;display:block}
.mxb .figs{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:14px}
.mxb .figs figure.wide{grid-column:1/-1}
.mxb pre.cr{white-space:pre-wrap;overflow-wrap:anywhere;background:#f7f8fa;padding:8px;max-height:420px;
 overflow:auto;font-size:12px}
.mxb footer{margin-top:28px;color:#7a8292;font-size:12px}
"""


def page(title: str, body: str, lang: str, fragment: bool = False, css: str = "") -> str:
    """The whole page (or, ``fragment=True``, its stylesheet and body for a notebook); ``css``: rules
    of the page's own parts (the history grid's colours)."""
    inner = f'<style>{CSS}{css}</style><div class="mxb" lang="{lang}">{body}</div>'
    if fragment:
        return inner
    return (f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{esc(title)}</title></head><body style="margin:0">{inner}</body></html>')
