"""A generator of valid Círculo load files (both formats), deterministic per seed: companies of every
client type (moral, PFAE, fideicomisos with Tema 5 RFCs, government), domestic and foreign
addresses, shareholders, credits current, past due, settled, charged off, forgiven and restructured,
their details (format 2: one per past-due bucket) and guarantors. It makes the lender's tables
(``portfolio``) and writes them with the writer, in batches, so a file of any size needs the memory
of a batch; the writer's check rejecting nothing is what "valid" means here (tested)."""
from __future__ import annotations

import datetime as dt
import io
from typing import TYPE_CHECKING, Dict, Optional

import numpy as np

from . import catalogs
from .writer import Lender, Writer, WriteResult

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["portfolio", "generate", "generate_bytes", "DEFAULT_LENDER", "DEFAULT_PERIOD"]

DEFAULT_PERIOD = "2024-05"
DEFAULT_LENDER = {1: Lender("0123", "005", "BANCO SINTETICO SA"), 2: Lender("0456", "999", "COMERCIAL SINTETICA SA DE CV")}

_LETTERS = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", np.uint8)
_ALNUM = np.frombuffer(b"ABCDEFGHIJKLMNPQRSTUVWXYZ0123456789", np.uint8)
_FIRST = ["JUAN", "MARIA", "JOSE", "ANA", "LUIS", "CARMEN", "JORGE", "LAURA", "PEDRO", "SOFIA", "MIGUEL", "ELENA"]
_SURNAMES = ["GARCIA", "HERNANDEZ", "LOPEZ", "MARTINEZ", "GONZALEZ", "PEREZ", "RODRIGUEZ", "SANCHEZ", "RAMIREZ",
             "CRUZ", "FLORES", "GOMEZ", "MUÑOZ", "DIAZ", "REYES", "MORALES", "PEÑA", "ORTIZ"]
_COMPANY_WORDS = ["COMERCIAL", "INDUSTRIAS", "SERVICIOS", "GRUPO", "DISTRIBUIDORA", "CONSTRUCTORA", "AGRICOLA",
                  "TRANSPORTES", "INMOBILIARIA", "TEXTILES", "ALIMENTOS", "TECNOLOGIA"]
_SUFFIX = ["SA DE CV", "SAPI DE CV", "S DE RL DE CV", "SC", "SA"]
_STREETS = ["AV REFORMA", "CALLE HIDALGO", "AV JUAREZ", "CALLE MORELOS", "BLVD INSURGENTES", "CALLE 5 DE MAYO"]
_COLONIAS = ["CENTRO", "DEL VALLE", "ROMA NORTE", "INDUSTRIAL", "LAS AMERICAS", "JARDINES", "SAN JOSE"]
_CITIES = ["CIUDAD CAPITAL", "PUERTO NUEVO", "VILLA HERMOSA", "SAN MIGUEL", "SANTA ROSA"]
_FOREIGN = [("US", "TEXAS", "HOUSTON", "77002"), ("ES", "MADRID", "MADRID", "28001"), ("CA", "ONTARIO", "TORONTO", "M5H2N2"),
            ("CO", "ANTIOQUIA", "MEDELLIN", "050001")]
_STATES = sorted(catalogs.POSTAL_CODE_STATES)
_BANXICO = ["4111011", "5211012", "3111019", "8911015", "6111016", "2311014"]
_SCIAN = ["461110", "236110", "311811", "484121", "541110", "722511"]
_CREDIT_TYPES = ["1300", "1305", "1380", "1700", "6250", "6280", "3011"]


def _pick(rng, items, n):
    return np.asarray(items, dtype=object)[rng.integers(0, len(items), n)]


def _codes(rng, alphabet: np.ndarray, n: int, k: int) -> np.ndarray:
    """n random strings of k characters from alphabet."""
    if k == 0:
        return np.full(n, "", dtype=object)
    b = alphabet[rng.integers(0, len(alphabet), (n, k))]
    return np.array([bytes(r).decode() for r in b], dtype=object)


def _yymmdd(rng, n, start=1950, end=2015) -> np.ndarray:
    days = rng.integers((dt.date(start, 1, 1) - dt.date(1970, 1, 1)).days, (dt.date(end, 12, 31) - dt.date(1970, 1, 1)).days, n)
    d = np.datetime64("1970-01-01") + days.astype("timedelta64[D]")
    return np.array([x.strftime("%y%m%d") for x in d.astype(object)], dtype=object)


def _base26(x: np.ndarray, k: int) -> np.ndarray:
    out = np.empty((len(x), k), np.uint8)
    for j in range(k - 1, -1, -1):
        out[:, j] = _LETTERS[x % 26]
        x = x // 26
    return out


def _rfc(rng, n, kind: np.ndarray, homoclave: np.ndarray, ids: Optional[np.ndarray] = None) -> np.ndarray:
    """RFCs by client type: PM 3 letters, PF 4, fideicomisos the Tema 5 form (CNB/NBK + AAMMDD + 3
    digits), each with a birth or foundation date and a homoclave where asked. With ``ids`` the
    letters and date come from the id (unique in the file: D08), else at random."""
    out = np.empty(n, dtype=object)
    raw = ids if ids is not None else rng.integers(0, 2 ** 40, n)
    raw = np.asarray(raw, np.int64)
    l3 = _base26(raw % 17576, 3)
    l3[(l3[:, 0] == ord("C")) & (l3[:, 1] == ord("N")) & (l3[:, 2] == ord("B")), 2] = ord("X")   # not Tema 5's
    l3[(l3[:, 0] == ord("N")) & (l3[:, 1] == ord("B")) & (l3[:, 2] == ord("K")), 2] = ord("X")
    l4 = _base26(raw % 456976, 4)
    letters3 = np.array([bytes(r).decode() for r in l3], dtype=object)
    letters4 = np.array([bytes(r).decode() for r in l4], dtype=object)
    base = np.datetime64("1950-01-01")
    span = 23000                                   # days: dates from 1950 to 2012
    d3 = base + ((raw // 17576) % span).astype("timedelta64[D]")
    d4 = base + ((raw // 456976) % span).astype("timedelta64[D]")
    df = base + ((raw // 1000) % span).astype("timedelta64[D]")
    fmt = lambda a: np.array([x.strftime("%y%m%d") for x in a.astype(object)], dtype=object)
    date3, date4, datef = fmt(d3), fmt(d4), fmt(df)
    hc = _codes(rng, _ALNUM, n, 3)
    seq = np.array([f"{x % 1000:03d}" for x in raw], dtype=object)
    pref = np.where((raw // 7) % 2 == 0, "CNB", "NBK")
    for i in range(n):
        k = kind[i]
        if k == "2":
            out[i] = letters4[i] + date4[i] + (hc[i] if homoclave[i] else "")
        elif k == "3":
            out[i] = pref[i] + datef[i] + seq[i]
        else:
            out[i] = letters3[i] + date3[i] + (hc[i] if homoclave[i] else "")
    return out


def _postal(rng, states: np.ndarray) -> np.ndarray:
    lo = np.array([catalogs.POSTAL_CODE_STATES[s][0][0] for s in states])
    hi = np.array([catalogs.POSTAL_CODE_STATES[s][-1][1] for s in states])
    prefix = lo + (rng.random(len(states)) * (hi - lo + 1)).astype(int)
    return np.array([f"{p:02d}{r:03d}" for p, r in zip(prefix, rng.integers(0, 1000, len(states)))], dtype=object)


def _persons(rng, n: int, kinds: np.ndarray, foreign: np.ndarray, fmt: int, *, homoclave_always: bool,
             address_prob: float = 1.0, ids: Optional[np.ndarray] = None) -> Dict[str, np.ndarray]:
    """The name, RFC and address fields shared by EM, AC and AV."""
    moral = np.isin(kinds, catalogs.MORAL_CLIENT_TYPES)
    homo = np.ones(n, bool) if homoclave_always else rng.random(n) < 0.8
    rfc = _rfc(rng, n, kinds, homo, ids)
    rfc = np.where(foreign & (rng.random(n) < 0.5), None, rfc)          # optional when foreign
    names = {
        "rfc": rfc,
        "company_name": np.where(moral, _pick(rng, _COMPANY_WORDS, n) + " " + _pick(rng, _COMPANY_WORDS, n) + " "
                                 + _pick(rng, _SUFFIX, n), None),
        "first_name": np.where(moral, None, _pick(rng, _FIRST, n)),
        "middle_name": np.where(~moral & (rng.random(n) < 0.3), _pick(rng, _FIRST, n), None),
        "paternal_surname": np.where(moral, None, _pick(rng, _SURNAMES, n)),
        "maternal_surname": np.where(moral, None, np.where(rng.random(n) < 0.05, "NO PROPORCIONADO",
                                                            _pick(rng, _SURNAMES, n))),
    }
    states = _pick(rng, _STATES, n)
    fi = rng.integers(0, len(_FOREIGN), n)
    fo = np.asarray(_FOREIGN, dtype=object)[fi]
    has = rng.random(n) < address_prob
    addr = {
        "address_line1": np.where(has, _pick(rng, _STREETS, n) + " " + rng.integers(1, 999, n).astype(str).astype(object), None),
        "neighborhood": np.where(has & ~foreign, _pick(rng, _COLONIAS, n), None),
        "municipality": np.where(has, _pick(rng, _CITIES, n), None),
        "city": np.where(has, np.where(foreign, fo[:, 2], _pick(rng, _CITIES, n)), None),
        "state": np.where(has & ~foreign, states, None),
        "postal_code": np.where(has, np.where(foreign, fo[:, 3], _postal(rng, states)), None),
        "phone": np.where(rng.random(n) < 0.6, np.array([f"55{x:08d}" for x in rng.integers(0, 10 ** 8, n)], dtype=object), None),
        "foreign_state": np.where(has & foreign, fo[:, 1], None),
        "country": np.where(foreign, fo[:, 0], None),
    }
    return {**names, **addr}


def portfolio(companies: int, *, seed: int = 0, format: int = 1, period: str = DEFAULT_PERIOD,
              start: int = 0) -> Dict[str, pd.DataFrame]:
    """The lender's tables for ``companies`` companies (ids from ``start``), deterministic per (seed,
    start): companies, shareholders, credits, details, guarantors."""
    import pandas as pd
    rng = np.random.default_rng([seed, start, format])
    n = companies
    year, month = int(period[:4]), int(period[5:7])
    p_end = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1))
    p_start = dt.date(year, month, 1)
    kinds = rng.choice(np.array(["1", "2", "3", "4"], dtype=object), n, p=[0.6, 0.25, 0.1, 0.05])
    foreign = rng.random(n) < 0.05
    company_ids = np.arange(start, start + n)
    em = _persons(rng, n, kinds, foreign, format, homoclave_always=False, ids=company_ids)
    scian = rng.random(n) < 0.2
    act = np.where(scian, _pick(rng, _SCIAN, n), _pick(rng, _BANXICO, n))
    unknown = rng.random(n) < 0.1
    placeholder = catalogs.ACTIVITY_PLACEHOLDERS[format]
    comp = pd.DataFrame({
        "company_id": company_ids, **em,
        "nationality": np.where(foreign, np.asarray(_FOREIGN, dtype=object)[rng.integers(0, 4, n)][:, 0], "MX"),
        "portfolio_rating": _pick(rng, list(catalogs.PORTFOLIO_RATINGS), n) if format == 1 else None,
        "economic_activity_1": np.where(unknown, placeholder, act),
        "economic_activity_2": np.where(~unknown & (rng.random(n) < 0.3), np.where(scian, _pick(rng, _SCIAN, n),
                                                                                    _pick(rng, _BANXICO, n)), None),
        "client_type": kinds,
    })
    # shareholders: moral companies, 0-3 each, with the homoclave the AC RFC needs
    moral = np.isin(kinds, ("1",))
    n_ac = np.where(moral, rng.integers(0, 4, n), 0)
    ac_co = np.repeat(company_ids, n_ac)
    m = len(ac_co)
    ac_kind = rng.choice(np.array(["1", "2"], dtype=object), m, p=[0.3, 0.7])
    ac_foreign = rng.random(m) < 0.03
    ac = _persons(rng, m, ac_kind, ac_foreign, format, homoclave_always=True,
                  address_prob=1.0 if format == 1 else 0.6)
    ac["rfc"] = np.where(ac["rfc"] == None, _rfc(rng, m, ac_kind, np.ones(m, bool)), ac["rfc"])  # noqa: E711
    shareholders = pd.DataFrame({"company_id": ac_co, **ac, "share_pct": rng.integers(10, 60, m), "client_type": ac_kind})
    # credits: 1-4 a company
    n_cr = rng.integers(1, 5, n)
    cr_co = np.repeat(company_ids, n_cr)
    k = len(cr_co)
    credit_ids = np.arange(k) + start * 8
    # format 2 reports no settlement date (No aplica): its credits are current or past due
    status = rng.choice(np.array(["current", "past_due", "settled", "charged_off", "forgiven"], dtype=object), k,
                        p=[0.62, 0.2, 0.1, 0.05, 0.03] if format == 1 else [0.75, 0.25, 0, 0, 0])
    co_rfc = pd.Series(comp["rfc"].to_numpy(), index=company_ids)
    days_open = rng.integers(60, 3000, k)
    opened = np.array([p_start - dt.timedelta(days=int(d)) for d in days_open], dtype=object)
    ctype = _pick(rng, _CREDIT_TYPES, k)
    revolving = np.isin(ctype, catalogs.ZERO_TERM_TYPES)
    balance = rng.integers(10_000, 5_000_000, k)
    initial = np.where(np.isin(ctype, catalogs.ZERO_INITIAL_BALANCE_TYPES) & (rng.random(k) < 0.3), 0, balance)
    closed = np.isin(status, ("settled", "charged_off", "forgiven"))
    settled_on = np.array([p_start + dt.timedelta(days=int(d)) for d in rng.integers(0, 28, k)], dtype=object)
    last_pay = np.array([max(o + dt.timedelta(days=1), p_end - dt.timedelta(days=int(d)))
                         for o, d in zip(opened, rng.integers(0, 40, k))], dtype=object)
    past_due = status == "past_due"
    dpd = rng.choice(np.array([1, 15, 30, 45, 60, 90, 120, 200]), k)
    first_default = np.array([max(o, p_end - dt.timedelta(days=int(d))) for o, d in zip(opened, dpd)], dtype=object)
    current_amt = np.where(closed, 0, (balance * rng.uniform(0.1, 1.0, k)).astype(np.int64) + 1)
    due_amt = np.where(past_due, (balance * rng.uniform(0.01, 0.3, k)).astype(np.int64) + 1, 0)
    total = current_amt + due_amt
    principal = np.where(closed, 0, np.maximum(1, (total * rng.uniform(0.5, 1.0, k)).astype(np.int64)))
    fin = format == 1
    credits = pd.DataFrame({
        "company_id": cr_co, "credit_id": credit_ids,
        "rfc": co_rfc.loc[cr_co].to_numpy(),
        "credit_experiences": None if fin else rng.integers(1, 40, k),
        "contract_number": np.array([f"CT{seed:02d}{c:010d}" for c in credit_ids], dtype=object) if fin else None,
        "previous_contract_number": np.where(rng.random(k) < 0.03, "RS" + credit_ids.astype(str).astype(object), None) if fin else None,
        "opened_on": opened if fin else None,
        "term_days": np.where(revolving, 0, rng.choice(np.array([180, 360, 720, 1080, 1800]), k)) if fin else None,
        "credit_type": ctype if fin else None,
        "initial_balance": initial if fin else None,
        "currency": "001",
        "number_of_payments": rng.integers(1, 60, k) if fin else None,
        "payment_frequency_days": rng.choice(np.array([7, 15, 30, 90]), k) if fin else None,
        "payment_amount": (balance // 12 + 1) if fin else None,
        "last_payment_on": last_pay if fin else None,
        "restructured_on": np.where(rng.random(k) < 0.02, last_pay, None) if fin else None,
        "cash_payment": np.where(status == "settled", rng.integers(1000, 50000, k), None) if fin else None,
        "settled_on": np.where(closed, settled_on, None) if fin else None,
        "forgiven_amount": np.where(status == "forgiven", rng.integers(1000, 100000, k), None) if fin else None,
        "dation_in_payment": None,
        "charge_off": np.where(status == "charged_off", rng.integers(1000, 900000, k), None) if fin else None,
        "observation_code": np.where(status == "charged_off", "CV", np.where(status == "forgiven", "LC", None)) if fin else None,
        "special_flag": np.where(rng.random(k) < 0.01, "F", None) if fin else None,
        "first_default_on": np.where(past_due, first_default, None),
        "outstanding_principal": principal,
        "max_credit_used": np.maximum(balance, total),
    })
    # details: format 1 a current DE and, when past due, a past-due one; format 2 one per bucket
    if fin:
        de_cr = np.concatenate([credit_ids, credit_ids[past_due]])
        de_days = np.concatenate([np.zeros(k, np.int64), dpd[past_due]])
        de_amt = np.concatenate([current_amt, due_amt[past_due]])
        order = np.argsort(np.concatenate([np.arange(k) * 2, np.flatnonzero(past_due) * 2 + 1]), kind="stable")
        de_cr, de_days, de_amt = de_cr[order], de_days[order], de_amt[order]
        contract = credits["contract_number"].to_numpy()[np.searchsorted(credit_ids, de_cr)]
    else:
        # the bucket's upper bound (029 ... 179), or the days themselves past 179 ("+179")
        bucket = np.array([next((b for b in (29, 59, 89, 119, 179) if d <= b), d) for d in dpd.tolist()], np.int64)
        de_cr = np.concatenate([credit_ids, credit_ids[past_due]])
        de_days = np.concatenate([np.zeros(k, np.int64), bucket[past_due]])
        de_amt = np.concatenate([np.where(closed, 0, current_amt), due_amt[past_due]])
        order = np.argsort(np.concatenate([np.arange(k) * 2, np.flatnonzero(past_due) * 2 + 1]), kind="stable")
        de_cr, de_days, de_amt = de_cr[order], de_days[order], de_amt[order]
        contract = None
    details = pd.DataFrame({"credit_id": de_cr, "contract_number": contract, "days_past_due": de_days, "amount": de_amt})
    # guarantors for one credit in five
    g = rng.random(k) < 0.2
    av_cr = credit_ids[g]
    q = len(av_cr)
    av_kind = rng.choice(np.array(["1", "2"], dtype=object), q, p=[0.4, 0.6])
    av_foreign = rng.random(q) < 0.03
    av = _persons(rng, q, av_kind, av_foreign, format, homoclave_always=False)
    guarantors = pd.DataFrame({"credit_id": av_cr, **av, "client_type": av_kind})
    return {"companies": comp, "shareholders": shareholders, "credits": credits, "details": details,
            "guarantors": guarantors}


BATCH = 5000          # companies a portfolio() call: the bytes depend on the seed only


def generate(dest, companies: int, *, seed: int = 0, format: int = 1, separator: str = "none",
             period: str = DEFAULT_PERIOD, lender: Optional[Lender] = None, check: bool = True,
             progress=None) -> WriteResult:
    """Write a valid file of ``companies`` companies to dest (a path or a binary file), BATCH
    companies at a time."""
    lender = lender or DEFAULT_LENDER[format]
    with Writer(dest, period=period, format=format, lender=lender, separator=separator, check=check) as w:
        for s in range(0, companies, BATCH):
            w.add(portfolio(min(BATCH, companies - s), seed=seed, format=format, period=period, start=s))
            if progress:
                progress(w.result.bytes)
    return w.result


def generate_bytes(companies: int, **kw) -> bytes:
    buf = io.BytesIO()
    generate(buf, companies, **kw)
    return buf.getvalue()
