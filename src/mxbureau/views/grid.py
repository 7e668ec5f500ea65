"""The 24-month payment-history grid of one account, and its legend (Anexo 4).

TL tag 27 holds up to 24 characters, leftmost = the month of tag 28 (``history_latest_on``), each next
character one month earlier (DESIGN.md; checked on the manual's TL example). The grid always has 24
cells: months the history does not reach are drawn as "outside the history". Each cell carries its
month (``data-month="2010-05"``) and code (``data-code``); its colour comes from its code's class."""
from __future__ import annotations

import datetime as _dt
from typing import Optional

from ..intl13 import catalogs
from . import labels
from ._html import esc

__all__ = ["MONTHS", "CLASSES", "COLOURS", "CSS", "grid_html", "legend_html", "month_back"]

MONTHS = 24

# Anexo 4 code -> CSS class (colours in _html.CSS): green when on time, yellow to dark red as the
# delinquency grows, black for MOP 96/97/99, greys and pastels for the codes that rate nothing.
CLASSES = {"1": "m1", "0": "m0", "2": "m2", "3": "m3", "4": "m4", "5": "m5", "6": "m6", "7": "m7",
           "9": "m9", "U": "mU", "D": "mD", "-": "mdash", " ": "msp"}
# class -> (background, text colour); "mbad": a character Anexo 4 does not define; "mna": a month
# the history does not reach.
COLOURS = {"m1": ("#2e9d4a", "#ffffff"), "m0": ("#9ecae1", "#1d2330"), "m2": ("#f2d43d", "#1d2330"),
           "m3": ("#f5a623", "#1d2330"), "m4": ("#e8702a", "#ffffff"), "m5": ("#d63b2f", "#ffffff"),
           "m6": ("#a8231c", "#ffffff"), "m7": ("#6e1410", "#ffffff"), "m9": ("#1a1a1a", "#ffffff"),
           "mU": ("#c7c7c7", "#1d2330"), "mD": ("#b39ddb", "#1d2330"), "mdash": ("#ffffff", "#1d2330"),
           "msp": ("#efe3c8", "#1d2330"), "mbad": ("#ff4fd8", "#1d2330"), "mna": ("#f4f5f7", "#9aa1ad")}
CSS = "".join(f".mxb table.grid td.{c},.mxb table.legend td.{c}{{background:{bg};color:{fg}}}"
              for c, (bg, fg) in COLOURS.items())
_SHOWN = {" ": "␣"}           # a space (removed by law) drawn visibly


def month_back(day: _dt.date, k: int):
    """(year, month) of the month ``k`` months before ``day``'s month."""
    m = day.year * 12 + day.month - 1 - k
    return m // 12, m % 12 + 1


def grid_html(history: Optional[str], latest: Optional[_dt.date], lang: str) -> str:
    heads, cells = [], []
    names = labels.MONTHS[lang]
    for i in range(MONTHS):
        if latest is not None:
            y, m = month_back(latest, i)
            heads.append(f'<th data-month="{y:04d}-{m:02d}">{names[m - 1]}\n{y % 100:02d}</th>')
            when = f' data-month="{y:04d}-{m:02d}"'
        else:
            heads.append("<th>?</th>")
            when = ""
        if history is not None and i < len(history):
            ch = history[i]
            cls = CLASSES.get(ch, "mbad")
            cells.append(f'<td class="{cls}" data-code="{esc(ch)}"{when}>{esc(_SHOWN.get(ch, ch))}</td>')
        else:
            cells.append(f'<td class="mna" data-code=""{when}></td>')
    note = ""
    if history is None:
        note = f'<div class="l">{esc(labels.text("history_none", lang))}</div>'
    elif latest is None:
        note = f'<div class="l">{esc(labels.text("history_no_latest", lang))}</div>'
    return (f'<table class="grid"><thead><tr>{"".join(heads)}</tr></thead>'
            f'<tbody><tr>{"".join(cells)}</tr></tbody></table>{note}')


def legend_html(lang: str) -> str:
    rows = [f'<tr><td class="{CLASSES[c]}">{esc(_SHOWN.get(c, c))}</td><td><span class="c">{esc(repr(c)[1:-1])}'
            f'</span> {esc(catalogs.HISTORY_CODES[c])}</td></tr>'
            for c in ("1", "2", "3", "4", "5", "6", "7", "9", "0", "U", "D", "-", " ")]
    rows.append(f'<tr><td class="mbad">?</td><td>{esc(labels.text("undefined_code", lang))}</td></tr>')
    rows.append(f'<tr><td class="mna"></td><td>{esc(labels.text("outside_history", lang))}</td></tr>')
    return (f'<h3>{esc(labels.text("legend", lang))}</h3>'
            f'<table class="legend"><tbody>{"".join(rows)}</tbody></table>')
