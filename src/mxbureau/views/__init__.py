"""mxbureau.views: pages people read (extra ``mxbureau[views]``) — re-exports only.

``report_html(report)``: one record as a self-contained HTML page; ``report_text(report)``: the same
for a terminal; ``portfolio_html(tables, as_of)``: a page of plots (matplotlib, imported when a
portfolio page is built); ``find_report(source, reference=... | record=...)``: one record of a file,
decoding only the chunk that holds it."""
from .lookup import find_report
from .portfolio import portfolio_html
from .report import report_html
from .text import report_text

__all__ = ["report_html", "report_text", "portfolio_html", "find_report"]
