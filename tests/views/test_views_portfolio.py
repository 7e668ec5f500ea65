"""The portfolio page's numbers on a portfolio small enough to count by hand, read back from the page's
tables; the page's shape on the sample and a generated corpus; the CLI."""
import html
from html.parser import HTMLParser

import numpy as np
import pytest

import mxbureau
from mxbureau import cli
from mxbureau.intl13 import synth

import view_records as V

pytest.importorskip("matplotlib", reason="portfolio pages need the views extra: pip install 'mxbureau[views]'")
from mxbureau.views import portfolio_html  # noqa: E402

AS_OF = "2026-10-31"


def _tl(**kw):
    base = {"updated_on": "20102026", "account_number": "1", "responsibility": "I", "currency": "MX",
            "opened_on": "01012020", "reported_on": "20102026", "past_due": "0"}
    return ("TL", dict(base, **kw))


# C1: a bank card (KOB BC -> BANCO) at 25% of its limit, always current; a store loan now at MOP 03.
# C2: a bank card over its limit (120%), now at MOP 02; two inquiries in the 12 months, one older.
# C3: no hit, excluded from BC Score. C4: an error record.
C1 = {"kind": "hit", "reference": "C1", "member_code": "BC00000001", "segments": [
    ("PN", {"paternal_surname": "UNO"}),
    _tl(member_code="BC00000001", user_name="BANCO", account_type="R", contract_type="CC", credit_limit="10000",
        balance="2500", mop="01", payment_history="1111", history_latest_on="31102026"),
    _tl(user_name="TIENDA COMERCIAL", account_type="I", contract_type="PL", balance="1000", mop="03",
        payment_history="321", history_latest_on="15102026"),
    ("SC", {"score_name": "BC SCORE", "score_code": "507", "score": "0700"})]}
C2 = {"kind": "hit", "reference": "C2", "member_code": "BC00000001", "bureau_indicator": "1100", "segments": [
    ("PN", {"paternal_surname": "DOS"}),
    _tl(user_name="BANCO", account_type="R", contract_type="CC", credit_limit="5000", balance="6000", mop="02",
        payment_history="21", history_latest_on="10102026"),
    ("IQ", {"inquired_on": "01092026", "user_name": "BANCO", "contract_type": "CC", "currency": "MX"}),
    ("IQ", {"inquired_on": "15012026", "user_name": "BANCO", "contract_type": "CC", "currency": "MX"}),
    ("IQ", {"inquired_on": "01012024", "user_name": "BANCO", "contract_type": "CC", "currency": "MX"}),
    ("SC", {"score_name": "BC SCORE", "score_code": "007", "score": "0455"})]}
C3 = {"kind": "nohit", "reference": "C3", "member_code": "BC00000001", "segments": [
    ("PN", {"paternal_surname": "TRES"}), ("SC", {"score_name": "BC SCORE", "score_code": "507", "score": "-009"})]}
C4 = {"kind": "error", "segments": [("UR", {"reference": "C4".rjust(25), "system_error": "Y"})]}


class Tables(HTMLParser):
    """Every <table class=...> of the page: its rows as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self._stack, self._cell = {}, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            name = dict(attrs).get("class") or ""
            self._stack.append(name)
            self.tables.setdefault(name, [])
        elif tag == "tr" and self._stack:
            self.tables[self._stack[-1]].append([])
        elif tag in ("td", "th") and self._stack:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._stack.pop()
        elif tag in ("td", "th") and self._cell is not None and self._stack:
            self.tables[self._stack[-1]][-1].append(self._cell.strip())
            self._cell = None

    def handle_data(self, d):
        if self._cell is not None:
            self._cell += d


def tables_of(page):
    p = Tables()
    p.feed(page)
    return p.tables


def n(text):
    return int(text.replace(",", ""))


@pytest.fixture(scope="module")
def hand_page():
    t = mxbureau.read(V.data(C1, C2, C3, C4))
    return portfolio_html(t, AS_OF, scores=np.array([600.0, 650.0]))


def test_numbers_counted_by_hand(hand_page):
    t = tables_of(hand_page)
    buckets = {r[0]: (n(r[2]), n(r[3])) for r in t["buckets"][1:]}
    assert buckets["current"] == (1, 2500) and buckets["1-29"] == (1, 6000) and buckets["30-59"] == (1, 1000)
    assert buckets["60-89"] == (0, 0) and buckets["90+"] == (0, 0)
    util = {r[0]: n(r[1]) for r in t["util"][1:]}
    assert util["20–30%"] == 1 and util["> 100%"] == 1 and sum(util.values()) == 2
    # roll rates: C1 card 1,1,1,1 -> three current->current; store loan 1,2,3 (oldest first) -> current->1-29,
    # 1-29->30-59; C2 card 1,2 -> current->1-29
    roll = {r[0]: [n(x) for x in r[1:]] for r in t["roll"][1:]}
    assert roll["current"] == [3, 2, 0, 0, 0] and roll["1-29"] == [0, 0, 1, 0, 0]
    assert sum(map(sum, roll.values())) == 6
    inq = {r[0]: n(r[1]) for r in t["inquiries"][1:]}
    assert inq["0"] == 2 and inq["2"] == 1 and sum(inq.values()) == 3          # C3 counts as a customer
    months = {r[0]: (n(r[1]), n(r[2])) for r in t["delinquency"][1:]}
    assert months["oct 2026"] == (3, 2) and months["sep 2026"] == (3, 1)
    assert months["ago 2026"] == (2, 0) and months["jul 2026"] == (1, 0) and months["jun 2026"] == (0, 0)
    kob = {r[0]: [n(x) for x in r[2:]] for r in t["kob"][1:]}
    # columns: MOP 01..07, 96/97/99, not rated, total
    assert kob["BANCO"] == [1, 1, 0, 0, 0, 0, 0, 0, 0, 2]
    assert kob["TIENDA COMERCIAL"] == [0, 0, 1, 0, 0, 0, 0, 0, 0, 1]
    assert set(kob) == {"BANCO", "TIENDA COMERCIAL"}
    bins = t["bins"]
    counted = {h: n(c) for h, c in zip(bins[0][1:], bins[1][1:])}
    assert counted["700–724"] == 1 and counted["450–474"] == 1 and sum(counted.values()) == 2   # 507 and 007
    ex = t["exclusions"][1:]
    assert len(ex) == 1 and ex[0][0].startswith("-009") and n(ex[0][2]) == 1


def test_captions_and_labels(hand_page):
    text = html.unescape(hand_page)
    assert "de 2 clientes (códigos 507 y 007" in text and "1 clientes con código de exclusión" in text
    assert "Scorecard" in text and "2 clientes puntuados, mediana 625" in text
    assert "6 transiciones" in text and "Las 3 cuentas" in text
    assert "BC Tarjeta de Crédito Bancaria" in text                 # KOB codes beside their Anexo 1 names
    assert "Expediente sin cuentas para cálculo de BC-Score" in text
    assert "Cuenta con atraso de 1 a 29 días" in text                # the MOP legend (Anexo 3)
    assert hand_page.count('<svg ') >= 7 and "<script" not in hand_page and "@font-face" not in hand_page
    again = portfolio_html(mxbureau.read(V.data(C1, C2, C3, C4)), AS_OF, scores=np.array([600.0, 650.0]))
    assert again == hand_page                                       # the same numbers, the same bytes
    ids = [x for x in hand_page.split('id="')[1:]]
    names = [x.split('"')[0] for x in ids]
    assert len(names) == len(set(names))                            # no id shared by two plots


def test_sample_and_corpus_pages(tmp_path):
    for data in (cli.sample_path(), synth.generate_bytes(400, seed=3, separator="lf")):
        t = mxbureau.read(data)
        page = portfolio_html(t, AS_OF, lang="en")
        tab = tables_of(page)
        assert sum(n(r[2]) for r in tab["buckets"][1:]) == t["TL"].num_rows
        assert sum(n(r[1]) for r in tab["util"][1:]) == int(np.sum(
            mxbureau.account_metrics(t, AS_OF)["utilization"].notna()))
        counts = mxbureau.roll_rates(t, AS_OF).attrs["counts"].to_numpy()
        assert [[n(x) for x in r[1:]] for r in tab["roll"][1:]] == counts.tolist()
        assert "Score distribution" in page and "Roll-rate matrix" in page


def test_cli_portfolio(tmp_path, capsys):
    f = tmp_path / "in.intl"
    f.write_bytes(V.data(C1, C2, C3, C4, V.MARKED))
    out = tmp_path / "p.html"
    card = str(__import__("importlib").resources.files("mxbureau") / "data" / "scorecard_example.json")
    key = tmp_path / "key"
    key.write_bytes(V.KEY)
    assert cli.main(["portfolio", str(f), "--as-of", AS_OF, "-o", str(out), "--scorecard", card,
                     "--redact-key-file", str(key)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "example-behaviour-card" in page and "ZQX" not in page
    capsys.readouterr()
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    for args in (["--as-of", "31/10/2026"], ["--as-of", AS_OF, "--scorecard", str(bad)],
                 ["--as-of", AS_OF, "--scorecard", str(tmp_path / "none.json")]):
        assert cli.main(["portfolio", str(f), "-o", str(out)] + args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
