"""The pages as a real browser shows them: headless Chromium (Debian's ``chromium``), driven over the
DevTools protocol (tests/views/chromium_cdp.py), 1280 CSS pixels wide, with a proxy on a dead port.
Asserted on what is rendered: the history grids (24 cells an account, each coloured for its code and
labelled with its month), the reason texts, no element past the page's width, no request but the
file itself. Pages and screenshots are kept in artifacts/views/ (README "Pages")."""
from pathlib import Path

import pytest

import mxbureau
from mxbureau import cli
from mxbureau.intl13 import synth
from mxbureau.views import report_html

import view_records as V
from chromium_cdp import Browser, find_chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "views"
WIDTH = 1280
AS_OF = "2026-10-31"

# The page's palette for the Anexo 4 codes (README "Pages"): on time green, delinquency from yellow to
# dark red by level, MOP 96/97/99 black; the codes that rate nothing in pale colours.
PALETTE = {"1": (46, 157, 74), "2": (242, 212, 61), "3": (245, 166, 35), "4": (232, 112, 42), "5": (214, 59, 47),
           "6": (168, 35, 28), "7": (110, 20, 16), "9": (26, 26, 26), "0": (158, 202, 225), "U": (199, 199, 199),
           "D": (179, 157, 219), "-": (255, 255, 255), " ": (239, 227, 200), "": (244, 245, 247)}

GRIDS_JS = """Array.from(document.querySelectorAll('tbody.account')).map(tb => ({
  position: +tb.dataset.position,
  cells: Array.from(tb.querySelectorAll('table.grid tbody td')).map(td => ({
      code: td.dataset.code, month: td.dataset.month || null, text: td.innerText,
      bg: getComputedStyle(td).backgroundColor, w: td.getBoundingClientRect().width,
      h: td.getBoundingClientRect().height})),
  heads: Array.from(tb.querySelectorAll('table.grid thead th')).map(th => th.innerText)}))"""

OVERFLOW_JS = """(() => {
  const w = document.documentElement.clientWidth, bad = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && (r.right > w + 0.5 || r.left < -0.5))
      bad.push(el.tagName + '.' + (el.getAttribute('class') || '') + ' right=' + Math.round(r.right));
  }
  return {width: w, scroll: document.documentElement.scrollWidth, bad: bad.slice(0, 12)};
})()"""


@pytest.fixture(scope="module")
def browser():
    exe = find_chromium()
    if exe is None:
        pytest.skip("no chromium on PATH (CI installs Debian's chromium: .ci/run); the page tests need a real browser")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    b = Browser(exe, width=WIDTH)
    yield b
    b.close()


def show(browser, name: str, page: str):
    """Write the page to artifacts/views/NAME.html, load it, screenshot it; -> the requests it made."""
    path = ARTIFACTS / f"{name}.html"
    path.write_text(page, encoding="utf-8")
    requests = browser.open(str(path))
    browser.screenshot(str(ARTIFACTS / f"{name}.png"))
    return requests, browser.url


def rgb(css: str):
    return tuple(int(x) for x in css[css.index("(") + 1:css.index(")")].split(",")[:3])


def luminance(c):
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]


def assert_offline_and_inside(browser, requests, url):
    assert requests == [url], requests                 # the file itself, nothing else
    assert browser.evaluate("performance.getEntriesByType('resource').length") == 0
    o = browser.evaluate(OVERFLOW_JS)
    assert o["width"] == WIDTH and o["scroll"] <= WIDTH and not o["bad"], o


def test_hit_grid_colours_and_months(browser):
    requests, url = show(browser, "report-hit", report_html(V.report(V.HIT)))
    assert_offline_and_inside(browser, requests, url)
    grids = sorted(browser.evaluate(GRIDS_JS), key=lambda g: g["position"])
    assert len(grids) == 3 and all(len(g["cells"]) == 24 and len(g["heads"]) == 24 for g in grids)
    assert all(c["w"] > 10 and c["h"] > 10 for g in grids for c in g["cells"])          # drawn, not collapsed
    manual, codes_, closed = grids
    # the manual's TL example: leftmost September 2010, the "2" four months earlier is May 2010
    assert manual["heads"][0].split() == ["sep", "10"] and manual["heads"][4].split() == ["may", "10"]
    assert manual["cells"][4]["month"] == "2010-05" and manual["cells"][4]["text"] == "2"
    assert rgb(manual["cells"][4]["bg"]) == PALETTE["2"]
    assert [rgb(c["bg"]) for c in manual["cells"]] == [PALETTE[ch] for ch in "11112111111112111-111111"]
    # every Anexo 4 code, then 11 months outside the history
    hist = "123456790UD- "
    assert [rgb(c["bg"]) for c in codes_["cells"]] == [PALETTE[ch] for ch in hist] + [PALETTE[""]] * 11
    assert [c["month"] for c in codes_["cells"][:2]] == ["2026-10", "2026-09"]
    assert codes_["cells"][23]["month"] == "2024-11"
    assert [rgb(c["bg"]) for c in closed["cells"][:4]] == [PALETTE["1"]] * 3 + [PALETTE[""]]
    # the colours carry their meaning: green on time, darker as the delinquency grows, 96/97/99 darkest
    green = rgb(codes_["cells"][0]["bg"])
    assert green[1] > green[0] and green[1] > green[2]
    levels = [luminance(rgb(c["bg"])) for c in codes_["cells"][1:8]]          # codes 2..7, 9
    assert levels == sorted(levels, reverse=True)
    pale = {rgb(c["bg"]) for c in codes_["cells"][8:13]}                       # 0 U D - and space
    assert len(pale) == 5 and not pale & {rgb(c["bg"]) for c in codes_["cells"][:8]}
    rows = browser.evaluate("Array.from(document.querySelectorAll('table.legend tr')).map(r => r.getBoundingClientRect().height)")
    assert len(rows) == 15 and max(rows) < 60, rows                                  # Anexo 4, a line a code
    text = browser.evaluate("document.body.innerText")
    for reason in ("Consulta reciente", "Utilización significativa de límites de crédito revolventes",
                   "Proporción alta de saldos contra crédito máximo", "Cuenta con histórico de pagos reciente",
                   "Número de consultas", "Cuentas con saldo vencido", "COLONIA NO COINCIDE CON CODIGO POSTAL"):
        assert reason in text, reason
    assert "Cuentas cerradas (1)" in text and "7,597" in text and "-1,500" in text


def test_nohit_error_integrated_pages(browser):
    cases = {"report-nohit": (V.NOHIT, ["Expediente sin cuentas para cálculo de BC-Score", "No encontrado (no hit)"]),
             "report-error": (V.ERROR, ["Lo que rechazó el Buró", "PRIMER NOMBRE", "Dirección del Cliente"]),
             "report-integrated": (V.INTEGRATED, ["Círculo de Crédito (CC)", "Pago vencido reciente",
                                                  "Fecha de la última consulta es reciente"])}
    for name, (rec, texts) in cases.items():
        requests, url = show(browser, name, report_html(V.report(rec)))
        assert_offline_and_inside(browser, requests, url)
        text = browser.evaluate("document.body.innerText")
        for s in texts:
            assert s in text, (name, s)
    grids = browser.evaluate(GRIDS_JS)                                   # the integrated report's account
    assert len(grids) == 1 and len(grids[0]["cells"]) == 24


def test_redacted_page_and_long_text_stay_inside(browser):
    long_cr = dict(V.HIT, segments=[s if s[0] != "CR" else ("CR", {"declarativa": "SINESPACIOS" * 1090})
                                    for s in V.HIT["segments"]])
    requests, url = show(browser, "report-long-declarativa", report_html(V.report(long_cr), lang="en"))
    assert_offline_and_inside(browser, requests, url)
    requests, url = show(browser, "report-redacted", report_html(V.report(V.MARKED), redact_key=V.KEY))
    assert_offline_and_inside(browser, requests, url)
    assert "ZQX" not in browser.evaluate("document.documentElement.outerHTML")


def test_sample_reports(browser):
    reps = list(mxbureau.reports(cli.sample_path()))
    biggest = max(reps, key=lambda r: len(r.accounts))
    requests, url = show(browser, "report-sample-largest", report_html(biggest))
    assert_offline_and_inside(browser, requests, url)
    grids = browser.evaluate(GRIDS_JS)
    assert len(grids) == len(biggest.accounts) and all(len(g["cells"]) == 24 for g in grids)


def _portfolio(browser, name, tables, **kw):
    from mxbureau.views import portfolio_html
    requests, url = show(browser, name, portfolio_html(tables, AS_OF, **kw))
    assert_offline_and_inside(browser, requests, url)
    figs = browser.evaluate("""Array.from(document.querySelectorAll('figure')).map(f => ({
        id: f.id, svg: f.querySelectorAll('svg.plot').length,
        w: f.querySelector('svg.plot') ? f.querySelector('svg.plot').getBoundingClientRect().width : 0,
        texts: f.querySelectorAll('svg text').length, caption: f.querySelector('figcaption').innerText}))""")
    return figs


def test_portfolio_pages(browser):
    pytest.importorskip("matplotlib", reason="portfolio pages need the views extra")
    from importlib import resources
    card = mxbureau.Scorecard.from_json(str(resources.files("mxbureau") / "data" / "scorecard_example.json"))
    sample = mxbureau.read(cli.sample_path())
    corpus = mxbureau.read(synth.generate_bytes(1500, seed=21, separator="lf"))
    for name, tables, kw in (("portfolio-sample", sample, {"scores": card}),
                             ("portfolio-corpus", corpus, {"lang": "en"})):
        figs = _portfolio(browser, name, tables, **kw)
        ids = [f["id"] for f in figs]
        assert ids == ["fig-scores", "fig-kob", "fig-roll", "fig-buckets", "fig-util", "fig-inquiries",
                       "fig-delinquency"]
        for f in figs:
            assert f["svg"] == 1 and f["w"] > 400 and f["texts"] > 5, f          # drawn, with text labels
            assert any(ch.isdigit() for ch in f["caption"]), f                     # the counts behind it
        rows = browser.evaluate("Array.from(document.querySelectorAll('#mop-legend tr')).map(r => r.getBoundingClientRect().height)")
        assert len(rows) == 12 and max(rows) < 60, rows                              # Anexo 3, a line a code
        accounts = f"{tables['TL'].num_rows:,}"
        assert accounts in browser.evaluate("document.querySelector('#fig-buckets figcaption').innerText")
        roll = browser.evaluate("Array.from(document.querySelectorAll('#fig-roll svg text')).map(t => t.textContent)")
        counts = mxbureau.roll_rates(tables, AS_OF).attrs["counts"].to_numpy()
        shown = " ".join(roll)
        assert all(f"{int(c):,}" in shown for c in counts.ravel()), "every roll count is written on the heat map"
