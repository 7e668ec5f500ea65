"""The report page as HTML source: values read back equal the tables', codes beside their labels,
redaction, the terminal rendering, the lookup and the CLI. (What the browser shows: test_views_browser.py)"""
import datetime as dt
import html
from html.parser import HTMLParser

import pytest

import mxbureau
from mxbureau import cli, redact
from mxbureau.intl13.lookup import find_report
from mxbureau.views import report_html, report_text

import view_records as V

ACCOUNT_FIELDS = ("opened_on", "credit_limit", "balance", "past_due", "mop")


class Accounts(HTMLParser):
    """Per account (tbody.account): its position and the text of each td[data-f] of its first row; for
    the MOP the code alone (span.c); the data-code of each history cell and data-month of each month."""

    def __init__(self):
        super().__init__()
        self.accounts, self._acct, self._field, self._depth, self._in_code = [], None, None, 0, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tbody" and a.get("class") == "account":
            self._acct = {"position": int(a["data-position"]), "cells": [], "months": [], "_rows": 0}
            self.accounts.append(self._acct)
        if self._acct is None:
            return
        if tag == "tr":
            self._acct["_rows"] += 1
        if tag == "td" and a.get("data-f") in ACCOUNT_FIELDS and self._acct["_rows"] == 1:
            self._field, self._depth = a["data-f"], 0
            self._acct[self._field] = ""
        elif tag == "td" and "data-code" in a:
            self._acct["cells"].append(a["data-code"])
        if tag == "th" and "data-month" in a:
            self._acct["months"].append(a["data-month"])
        if self._field and tag == "span" and a.get("class") == "c":
            self._in_code = True
            if self._field == "mop":
                self._acct["mop"] = ""
        if self._field and tag == "td":
            self._depth += 1

    def handle_endtag(self, tag):
        if tag == "span":
            self._in_code = False
        if self._field and tag == "td":
            self._depth -= 1
            if self._depth == 0:
                self._field = None
        if tag == "tbody":
            self._acct = None

    def handle_data(self, d):
        if self._field and (self._field != "mop" or self._in_code):
            self._acct[self._field] += d


def amount(text):
    text = text.strip()
    return None if text == "—" else int(text.replace(",", ""))


def day(text, lang="es"):
    text = text.strip()
    if text == "—":
        return None
    return dt.datetime.strptime(text, "%d/%m/%Y" if lang == "es" else "%Y-%m-%d").date()


def accounts_of(page):
    p = Accounts()
    p.feed(page)
    return sorted(p.accounts, key=lambda a: a["position"])


def test_hand_built_values_on_the_page():
    page = report_html(V.report(V.HIT))
    a = accounts_of(page)
    assert [x["position"] for x in a] == [0, 1, 2]
    # by hand: 7597+ is 7,597; 1500- is -1,500; the installment account has no limit
    assert [amount(x["balance"]) for x in a] == [7597, -1500, 0]
    assert [amount(x["credit_limit"]) for x in a] == [50000, None, None]
    assert [amount(x["past_due"]) for x in a] == [0, 250, 0]
    assert [day(x["opened_on"]) for x in a] == [dt.date(2009, 1, 1), dt.date(2015, 2, 3), dt.date(2024, 1, 1)]
    assert [x["mop"] for x in a] == ["01", "02", "01"]
    # the manual's example: leftmost = September 2010 (tag 28), the "2" at position 4 is May 2010
    assert a[0]["months"][0] == "2010-09" and a[0]["months"][4] == "2010-05" and a[0]["months"][23] == "2008-10"
    assert a[0]["cells"] == list("11112111111112111-111111")
    # 13 months of history, then 11 cells outside it; 24 in all
    assert a[1]["cells"] == list("123456790UD- ") + [""] * 11
    assert a[1]["months"][:3] == ["2026-10", "2026-09", "2026-08"]
    # closed accounts apart
    assert page.index('id="accounts-open"') < page.index('data-position="1"') < page.index('id="accounts-closed"') \
        < page.index('data-position="2"')


def test_values_equal_the_tables_for_the_sample():
    path = cli.sample_path()
    tl = mxbureau.read(path)["TL"].to_pylist()
    checked = 0
    for rep in mxbureau.reports(path):
        if len(rep.accounts) < 3 or checked >= 6:
            continue
        rows = [r for r in tl if r["record"] == rep.record]
        for lang in ("es", "en"):
            for acct in accounts_of(report_html(rep, lang=lang)):
                row = rows[acct["position"]]
                assert amount(acct["balance"]) == row["balance"]
                assert amount(acct["credit_limit"]) == row["credit_limit"]
                assert amount(acct["past_due"]) == row["past_due"]
                assert day(acct["opened_on"], lang) == row["opened_on"]
                assert acct["mop"] == row["mop"]
                hist = row["payment_history"] or ""
                assert acct["cells"] == list(hist) + [""] * (24 - len(hist))
                latest = row["history_latest_on"]
                assert acct["months"][0] == f"{latest.year:04d}-{latest.month:02d}"
        checked += 1
    assert checked == 6


def test_codes_beside_their_labels():
    page = html.unescape(report_html(V.report(V.HIT)))
    for text in ("Tarjeta de Crédito",                   # Anexo 2, CC
                 "Préstamo personal",                    # Anexo 2, PL
                 "Revolvente", "Pagos Fijos",            # TL 06
                 "Cuenta en Cobranza",                   # Anexo 5, PC
                 "Consulta reciente",                    # Anexo 6, 04
                 "Utilización significativa de límites de crédito revolventes",   # Anexo 6, 15
                 "Proporción alta de saldos contra crédito máximo",               # Anexo 6, 28
                 "Cuenta con histórico de pagos reciente",                        # Anexo 7, 010
                 "Número de consultas",                                           # Anexo 7, 052
                 "Cuentas con saldo vencido",            # Anexo 7, "26" = 026
                 "COLONIA NO COINCIDE CON CODIGO POSTAL",  # Anexo 8, 890
                 "Dirección no corresponde a la de la base de datos",  # RS 18, position 3
                 "Distrito Federal", "México",           # Anexo 11, Anexo 10
                 "Informe Buró con BC-Score recalibrado (2008)",
                 "NO ESTOY DE ACUERDO CON EL SALDO"):
        assert text in page, text
    # MOP 02 of Anexo 3 next to its code
    assert '<span class="c">02</span> <span class="l">Cuenta con atraso de 1 a 29 días' in html.unescape(report_html(V.report(V.HIT)))


def test_nohit_error_and_integrated_pages():
    nohit = html.unescape(report_html(V.report(V.NOHIT)))
    assert "-009" in nohit and "Expediente sin cuentas para cálculo de BC-Score" in nohit
    assert "No encontrado (no hit)" in nohit
    err = html.unescape(report_html(V.report(V.ERROR)))
    assert "Lo que rechazó el Buró" in err and "PRIMER NOMBRE" in err and "Dirección del Cliente" in err
    assert "Nombre del Cliente" in err and "VIEWS-ERR-1" in err
    integrated = html.unescape(report_html(V.report(V.INTEGRATED)))
    assert "Círculo de Crédito (CC)" in integrated                 # TL 03 and IQ 09 = 1
    assert "Dun & Bradstreet (DUN)" in integrated and "NO HIT" in integrated   # position 2 of 1010
    assert "Reporte de Crédito con BC-Score recalibrado (2008)" in integrated  # 007
    assert "Pago vencido reciente" in integrated and "Duración de cuenta abierta más antigua" in integrated
    assert "Fecha de la última consulta es reciente" in integrated  # Anexo 7 via 004
    en = report_html(V.report(V.HIT), lang="en")
    assert "Open accounts" in en and "Payment history" in en and "Consulta reciente" in en
    with pytest.raises(ValueError):
        report_html(V.report(V.HIT), lang="fr")


def _personal_values():
    for seg in V.MARKERS.values():
        yield from seg.values()
    yield from V.UR_MARKERS.values()
    yield from V.MARKED_BIRTH
    yield from V.MARKED_DEATH


def test_no_personal_value_in_a_redacted_page():
    for rec in (V.MARKED, V.MARKED_ERROR):
        rep = V.report(rec)
        plain = report_html(rep) + report_text(rep)
        assert any(v in html.unescape(plain) for v in _personal_values())     # shown without a key
        for lang in ("es", "en"):
            src = report_html(rep, redact_key=V.KEY, lang=lang) + report_text(rep, redact_key=V.KEY, lang=lang)
            for s in (src, html.unescape(src), src.upper()):
                for v in _personal_values():
                    assert v.upper() not in s.upper(), v
    page = report_html(V.report(V.MARKED), redact_key=V.KEY)
    assert redact.digest(V.KEY, "ZQXPATERNO") in page                         # the digest redact_table gives
    assert "1971" in page and "2020" in page                                 # birth and death years
    with pytest.raises(ValueError):
        report_html(V.report(V.MARKED), redact_key=b"short")


def test_terminal_rendering():
    text = str(V.report(V.HIT))
    assert "11112111111112111-111111" in text and "sep 2010" in text
    assert "7,597" in text and "-1,500" in text
    assert "04 Consulta reciente" in text and "010 Cuenta con histórico de pagos reciente" in text
    assert "FALTA CAMPO REQUERIDO: PN02" in str(V.report(V.ERROR))
    frag = V.report(V.HIT)._repr_html_()
    assert frag.startswith("<style>") and "<html" not in frag and 'class="mxb"' in frag


def test_find_report_by_reference_and_index(corpus):
    data = V.data(V.NOHIT, V.ERROR, V.HIT) + corpus
    rep = find_report(data, reference="  VIEWS-HIT-1 ", chunk_bytes=4096)
    assert rep.record == 2 and rep.reference == "VIEWS-HIT-1" and len(rep.accounts) == 3
    assert rep.header["start"] == len(V.data(V.NOHIT, V.ERROR))       # two records and their newlines before it
    assert find_report(data, reference="VIEWS-ERR-1").kind == "error"
    whole = list(mxbureau.reports(data))
    for n in (0, 5, 700, len(whole) - 1):                      # across many 64 KB chunks
        got = find_report(data, record=n, chunk_bytes=64 << 10)
        assert got.record == n and got.to_dict() == whole[n].to_dict()
    with pytest.raises(LookupError) as e:
        find_report(data, reference="NOT-THERE-ZQX")
    assert "ZQX" not in str(e.value)
    with pytest.raises(LookupError):
        find_report(data, record=len(whole))


def test_cli_report_and_its_errors(tmp_path, capsys):
    f = tmp_path / "in.intl"
    f.write_bytes(V.data(V.NOHIT, V.HIT, V.MARKED))
    out = tmp_path / "r.html"
    assert cli.main(["report", str(f), "--reference", "VIEWS-HIT-1", "-o", str(out), "--lang", "en",
                     "--replied-on", "2026-10-31"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "Open accounts" in page and "2026-10-31" in page
    key = tmp_path / "key"
    key.write_bytes(V.KEY + b"\n")
    assert cli.main(["report", str(f), "--record", "2", "-o", str(out), "--redact-key-file", str(key)]) == 0
    assert "ZQX" not in out.read_text(encoding="utf-8")
    capsys.readouterr()
    key.write_bytes(b"short")
    for args in (["--record", "9"], ["--reference", "ZQXNOPE"], ["--record", "0", "--redact-key-file", str(key)],
                 ["--record", "0", "--replied-on", "31/10/2026"]):
        assert cli.main(["report", str(f), "-o", str(out)] + args) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err and "ZQX" not in err
    assert cli.main(["report", str(tmp_path / "missing.intl"), "--record", "0", "-o", str(out)]) == 2


def test_report_pages_need_no_matplotlib():
    """The report page and the terminal rendering work on the base install; only the portfolio page
    needs the views extra, and says so."""
    import subprocess
    import sys
    code = ("import sys; sys.modules['matplotlib'] = None\n"
            "import mxbureau, mxbureau.views as v\n"
            f"rep = next(r for r in mxbureau.reports({cli.sample_path()!r}) if r.accounts)\n"
            "assert 'accounts-open' in v.report_html(rep) and str(rep)\n"
            "try:\n    v.portfolio_html(mxbureau.read(b''), '2026-10-31')\n"
            "except ImportError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "pip install 'mxbureau[views]'" in out.stdout


def test_lookup_decodes_only_the_record(monkeypatch, corpus):
    from mxbureau.intl13 import lookup
    data = V.data(V.HIT) + corpus
    scanned, decoded = [], []
    real_chunks, real_reports = lookup.scan_chunks, lookup.reports

    def chunks(*a, **k):
        for tok in real_chunks(*a, **k):
            scanned.append(tok.n_records)
            yield tok

    def reps(source, **k):
        decoded.append(len(source))
        return real_reports(source, **k)
    monkeypatch.setattr(lookup, "scan_chunks", chunks)
    monkeypatch.setattr(lookup, "reports", reps)
    rep = find_report(data, reference="VIEWS-HIT-1", chunk_bytes=64 << 10)
    assert rep.record == 0 and len(scanned) == 1 and len(corpus) > 40 * (64 << 10)   # the first chunk of 50+
    assert decoded == [len(mxbureau.writer.record_bytes(V.HIT))]                      # that record's bytes only
