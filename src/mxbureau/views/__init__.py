"""mxbureau.views: pages people read (extra ``mxbureau[views]``) — re-exports only.

``report_html(report)``: one record as a self-contained HTML page; ``report_text(report)``: the same
for a terminal; ``portfolio_html(tables, as_of)``: a page of plots (matplotlib, imported when a
portfolio page is built). One record of a file without decoding the file: ``mxbureau.find_report``
(``mxbureau.intl13.lookup``)."""
from .report import report_html
from .text import report_text

__all__ = ["report_html", "report_text", "portfolio_html"]


def __getattr__(name):
    # the portfolio page on first use: it needs the analytics and pandas, which a report page does not
    # (`mxbureau report` of the bundled sample: 0.93 s with them, 0.65 without; medians of 7)
    if name == "portfolio_html":
        from .portfolio import portfolio_html
        return portfolio_html
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
