"""Spec-driven generator of realistic INTL13 files (no real person's data: every value is synthetic).

Record ``i`` of seed ``s`` is built from its own RNG, seeded by ``(s, i)``: the output is the same
bytes for the same seed whatever the chunking or the number of processes, and memory stays constant
at any N. Records are dicts in the writer's form (``writer.record_bytes``), so what is generated is
exactly what the spec allows.

What real replies carry is generated too: integrated reports (Anexo 14: the bureau indicator, TL 03 and
IQ 09 SIC ids, BC Score 007 and ICC 004), records not found in Buró (found = 0) that hold another SIC's
accounts, inquiries and summary, exclusion codes in the bureau's spellings (-009, -9, 009-), reason
codes with and without their leading zeros, UR 06 / UR 16 / AR 16 repeated up to five times,
Optimiza's UR 18, CDMX for Mexico City, consultas of versions 11 and 12 without INTL13's PA 13 / PE
20. ``manual_order=True`` also writes consultas that open with CL (Sintetiza) or AU (online
authentication) before INTL, as the manual orders them.
"""
from __future__ import annotations

import datetime as _dt
import multiprocessing as mp
import random
from typing import Dict, Iterator, Mapping, Optional

from . import catalogs, spec, writer

__all__ = ["DEFAULT_MIX", "generate_record", "records", "generate_bytes", "write_file", "portfolio_rows"]

# Record mix by default: hits, no-hits, error records (UR/AR), consultas (requests).
DEFAULT_MIX = {"hit": 0.86, "nohit": 0.07, "error": 0.07, "consulta": 0.0}
AS_OF = _dt.date(2026, 10, 31)    # the "today" of generated reports

_PATERNAL = ("HERNANDEZ", "GARCIA", "MARTINEZ", "LOPEZ", "GONZALEZ", "PEREZ", "RODRIGUEZ", "SANCHEZ",
             "RAMIREZ", "CRUZ", "FLORES", "GOMEZ", "MORALES", "VAZQUEZ", "JIMENEZ", "REYES", "DIAZ",
             "TORRES", "GUTIERREZ", "RUIZ", "MENDOZA", "AGUILAR", "ORTIZ", "MORENO", "CASTILLO",
             "ROMERO", "ALVAREZ", "MENDEZ", "CHAVEZ", "RIVERA", "JUAREZ", "RAMOS", "DOMINGUEZ",
             "HERRERA", "MEDINA", "CASTRO", "VARGAS", "GUZMAN", "VELAZQUEZ", "DE LA O", "DEL CAMPO")
_FIRST = ("MARIA", "JOSE", "JUAN", "GUADALUPE", "FRANCISCO", "ANTONIO", "ALEJANDRO", "MIGUEL",
          "FERNANDO", "VERONICA", "PATRICIA", "ROSA", "LETICIA", "ALMA", "RICARDO", "ARTURO", "DANIEL",
          "SILVIA", "ANTUANET", "LUIS", "CARLOS", "JORGE", "ELIZABETH", "GABRIELA", "ADRIANA")
_STREETS = ("PICO DE VERAPAZ", "INSURGENTES SUR", "REFORMA", "JUAREZ", "HIDALGO", "MORELOS", "5 DE MAYO",
            "20 DE NOVIEMBRE", "AV UNIVERSIDAD", "CALZADA DE TLALPAN", "LOS PINOS", "EMILIANO ZAPATA")
_COLONIAS = ("JARDINES EN LA MONTANA", "CENTRO", "DEL VALLE", "ROMA NORTE", "NARVARTE", "LAS AGUILAS",
             "SAN ANGEL", "INDUSTRIAL", "LOMAS ALTAS", "SANTA FE", "BOSQUES DE LAS LOMAS")
_PLACES = (("TLALPAN", "MEXICO", "DF", "14210"), ("BENITO JUAREZ", "MEXICO", "DF", "03100"),
           ("GUADALAJARA", "GUADALAJARA", "JAL", "44100"), ("MONTERREY", "MONTERREY", "NL", "64000"),
           ("PUEBLA", "PUEBLA", "PUE", "72000"), ("ECATEPEC", "ECATEPEC", "EM", "55000"),
           ("MERIDA", "MERIDA", "YUC", "97000"), ("LEON", "LEON", "GTO", "37000"),
           ("TIJUANA", "TIJUANA", "BCN", "22000"), ("CULIACAN", "CULIACAN", "SIN", "80000"),
           ("OAXACA DE JUAREZ", "OAXACA", "OAX", "68000"), ("MORELIA", "MORELIA", "MICH", "58000"))
_EMPLOYERS = ("ALMACENES DEL SUR", "GOBIERNO DEL ESTADO", "CONSTRUCTORA ALFA SA DE CV", "NO PROPORCIONADO",
              "TRANSPORTES UNIDOS", "HOSPITAL GENERAL", "ESCUELA PRIMARIA BENITO JUAREZ", "COMERCIAL MEXICANA")
_OCCUPATIONS = ("EMPLEADO", "GERENTE", "CHOFER", "MAESTRO", "ENFERMERA", "CONTADOR", "VENDEDOR")
_KOB_FOR_PRODUCT = (("BC", "CC", "R"), ("BB", "PL", "I"), ("DS", "CC", "R"), ("FF", "PL", "I"),
                    ("BA", "AU", "I"), ("BM", "RE", "M"), ("HG", "RE", "M"), ("UT", "PS", "O"),
                    ("MI", "PL", "I"), ("CC", "CC", "R"), ("BY", "CL", "R"), ("AF", "AU", "I"),
                    ("LS", "LS", "I"), ("GG", "CC", "R"), ("YY", "MI", "I"), ("QU", "SE", "I"))
_FREQUENCIES = "BDHKMPQSVWY"
_OBSERVATIONS = tuple(catalogs.OBSERVATION_KEYS)
_HAWK = ("001", "011", "021", "031", "041", "051", "061", "070", "080", "090", "670", "680", "690",
         "692", "850", "860", "870", "890", "980", "981", "990", "991", "000", "001", "002", "003", "004")


def _d(day: _dt.date) -> str:
    return f"{day.day:02d}{day.month:02d}{day.year:04d}"


def _months_back(day: _dt.date, months: int) -> _dt.date:
    m = day.year * 12 + day.month - 1 - months
    y, mo = divmod(m, 12)
    return _dt.date(y, mo + 1, min(day.day, 28))


def _amount(r: random.Random, value: int) -> str:
    """An amount as the bureau writes it: mostly bare digits, sometimes a leading or trailing sign."""
    x = r.random()
    if x < 0.03:
        return f"{value}+"
    if x < 0.04:
        return f"+{value}"
    return str(value)


def _signed(r: random.Random, value: int) -> str:
    """A possibly negative amount (balance in the customer's favour): -1500 or 1500-."""
    if value < 0:
        return f"-{-value}" if r.random() < 0.5 else f"{-value}-"
    return _amount(r, value)


def _history(r: random.Random, months: int, bad: bool):
    """Payment history, leftmost = most recent month; every Anexo 4 code appears in a large corpus."""
    seq = []
    level = 1
    for m in range(months):                    # oldest -> newest
        if m < 1 and r.random() < 0.5:
            seq.append("0")                    # too new to rate
            continue
        x = r.random()
        if x < 0.015:
            seq.append("-")
            continue
        if x < 0.025:
            seq.append("U")
            continue
        if x < 0.028:
            seq.append("D")
            continue
        if x < 0.031:
            seq.append(" ")                    # removed by law
            continue
        up = 0.30 if bad else 0.02
        if level < 9 and r.random() < up:
            level = 9 if level == 7 else level + 1
        elif level > 1 and r.random() < (0.25 if bad else 0.6):
            level = 1 if level == 9 and r.random() < 0.3 else max(1, level - 1 if level != 9 else 7)
        seq.append(str(level))
    return "".join(reversed(seq))


def _mop_of(r: random.Random, code: str) -> str:
    if code == "9":
        return r.choice(("96", "97", "99"))
    if code in "1234567":
        return "0" + code
    return {"0": "00", "U": "UR"}.get(code, "01")


def _person(r: random.Random):
    birth = _dt.date(r.randint(1945, 2004), r.randint(1, 12), r.randint(1, 28))
    pat, mat, first = r.choice(_PATERNAL), r.choice(_PATERNAL), r.choice(_FIRST)
    letters = (pat[:2] + mat[0] + first[0]).replace(" ", "X")
    rfc = letters + birth.strftime("%y%m%d")
    if r.random() < 0.8:
        rfc += "".join(r.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789") for _ in range(3))
    pn = {"paternal_surname": pat, "maternal_surname": mat, "first_name": first,
          "birth_date": _d(birth), "rfc": rfc}
    if r.random() < 0.3:
        pn["middle_name"] = r.choice(_FIRST)
    if r.random() < 0.1:
        pn["additional_surname"] = r.choice(_PATERNAL)
    if r.random() < 0.1:
        pn["prefix"] = r.choice(("SR", "SRA", "LIC", "ING", "DR"))
    if r.random() < 0.05:
        pn["suffix"] = r.choice(("JR", "II", "III"))
    if r.random() < 0.6:
        pn["nationality"] = "MX" if r.random() < 0.97 else r.choice(("US", "GT", "ES", "CO"))
    if r.random() < 0.4:
        pn["residence_type"] = r.choice("123")
    if r.random() < 0.2:
        pn["driver_license"] = "".join(r.choice("0123456789ABCDEFGH") for _ in range(r.randint(8, 20)))
    if r.random() < 0.5:
        pn["marital_status"] = r.choice("DFMSW")
    if r.random() < 0.7:
        pn["gender"] = r.choice("FM")
    if r.random() < 0.05:
        pn["professional_license"] = str(r.randint(100000, 99999999))
    if r.random() < 0.3:
        pn["voter_id"] = "".join(r.choice("0123456789") for _ in range(13))
    if r.random() < 0.6:
        pn["curp"] = (letters + birth.strftime("%y%m%d") + r.choice("HM") + r.choice(tuple(catalogs.STATES))[:2]
                      + "".join(r.choice("BCDFGHJKLMNPRSTVZ") for _ in range(3)) + r.choice("0A") + str(r.randint(0, 9)))[:18]
        pn["country"] = "MX"
    if r.random() < 0.2:
        k = r.randint(0, 5)
        pn["dependents"] = f"{k:02d}"
        if k:
            pn["dependents_ages"] = "".join(f"{r.randint(1, 40):02d}" for _ in range(k))
            pn["dependents_reported_on"] = _d(_months_back(AS_OF, r.randint(1, 60)))
    if r.random() < 0.003:
        pn["death_date"] = _d(_months_back(AS_OF, r.randint(1, 30)))
    return pn


def _address(r: random.Random, employer: bool = False, cdmx: bool = False):
    """``cdmx``: Mexico City's state is sometimes CDMX, as production replies write it (Anexo 11 has
    DF; consultas are written with DF)."""
    mun, city, state, cp = r.choice(_PLACES)
    if cdmx and state == "DF" and r.random() < 0.4:
        state = "CDMX"
    a = {"employer": r.choice(_EMPLOYERS)} if employer else {}
    line = f"{r.choice(_STREETS)} {r.randint(1, 999) if r.random() < 0.95 else 'SN'}"
    if r.random() < 0.2:
        line += f" INT {r.randint(1, 20)}"
    if not employer or r.random() < 0.95:
        a["address_line1"] = line
    if r.random() < 0.1:
        a["address_line2"] = f"PISO {r.randint(1, 30)}"
    if r.random() < 0.9:
        a["neighborhood"] = r.choice(_COLONIAS)
    if r.random() < 0.95:
        a["municipality"] = mun
    if r.random() < 0.9 or "municipality" not in a:
        a["city"] = city
    a["state"] = state
    a["postal_code"] = cp
    if r.random() < 0.5:
        a["phone"] = "55" + "".join(r.choice("0123456789") for _ in range(8))
    if r.random() < 0.05:
        a["phone_extension"] = str(r.randint(1, 9999))
    if r.random() < 0.02:
        a["fax"] = "55" + "".join(r.choice("0123456789") for _ in range(8))
    if employer:
        if r.random() < 0.6:
            a["occupation"] = r.choice(_OCCUPATIONS)
        if r.random() < 0.6:
            a["hired_on"] = _d(_months_back(AS_OF, r.randint(3, 240)))
        if r.random() < 0.4:
            a["salary_currency"] = "MX"
            a["salary"] = _amount(r, r.randint(3000, 90000))
            a["pay_period"] = r.choice("BDHKMSWY")
        if r.random() < 0.2:
            a["employee_number"] = str(r.randint(1, 999999))
        if r.random() < 0.1:
            a["last_day_on"] = _d(_months_back(AS_OF, r.randint(1, 36)))
        if r.random() < 0.8:
            a["reported_on"] = _d(_months_back(AS_OF, r.randint(1, 120)))
        if r.random() < 0.3:
            a["verified_on"] = _d(_months_back(AS_OF, r.randint(1, 60)))
            a["verification_mode"] = r.choice("AM")
        a["origin_country"] = "MX"
    else:
        if r.random() < 0.4:
            a["residence_since"] = _d(_months_back(AS_OF, r.randint(1, 300)))
        if r.random() < 0.3:
            a["address_type"] = r.choice("BCHP")
        if r.random() < 0.05:
            a["special_indicator"] = r.choice("MRK")
        if r.random() < 0.9:
            a["reported_on"] = _d(_months_back(AS_OF, r.randint(0, 120)))
        a["origin_country"] = "MX" if r.random() < 0.98 else "US"
    return a


def _account(r: random.Random, member_code: str, integrated: bool, sics: str = "0001122"):
    """``integrated``: a Reporte de Crédito's account, its TL 03 the SIC it comes from (one of
    ``sics``: 0 TUM, 1 CC, 2 DUN), else a plain one, TL 03 a phone when present."""
    kob, product, acct_type = r.choice(_KOB_FOR_PRODUCT)
    bad = r.random() < 0.12
    age = int(r.expovariate(1 / 40)) + 1
    latest = _months_back(AS_OF, r.choice((0, 0, 0, 1, 1, 2, 3, 6, 12)))
    latest = latest.replace(day=r.randint(1, 28))
    opened = _months_back(latest, age)
    hist = _history(r, min(24, age), bad)
    mop = _mop_of(r, hist[0]) if hist else "00"
    t = {"updated_on": _d(_months_back(latest, -1 if latest < AS_OF.replace(day=1) else 0)),
         "member_code": member_code if r.random() < 0.05 else " " * 10,
         "user_name": catalogs.KOB[kob][1][:16],
         "account_number": "".join(r.choice("0123456789") for _ in range(r.randint(6, 20))),
         "responsibility": r.choice("IIIIIIIJAC"), "account_type": acct_type, "contract_type": product,
         "currency": "MX" if r.random() < 0.8 else r.choice(("N$", "US", "UD"))}
    if r.random() < 0.05:
        t["disputed"] = "0000" if r.random() < 0.7 else f"{r.randint(1, 99):04d}"
    if integrated:
        t["sic_id"] = r.choice(sics)
    elif r.random() < 0.2:
        t["user_phone"] = "55" + "".join(r.choice("0123456789") for _ in range(8))
    limit = r.choice((5000, 10000, 20000, 50550, 100000, 250000, 1500000))
    if acct_type in "IM":
        if r.random() < 0.3:
            t["appraisal_value"] = _amount(r, limit * r.randint(1, 3))
        t["number_of_payments"] = str(r.choice((6, 12, 15, 18, 24, 36, 48, 60, 120, 240)))
        t["payment_frequency"] = r.choice(_FREQUENCIES)
    else:
        t["payment_frequency"] = "Z"
    balance = int(limit * r.random() ** 2)
    if r.random() < 0.02:
        balance = -r.randint(1, 5000)
    t["payment_amount"] = _amount(r, max(0, balance // 12))
    t["opened_on"] = _d(opened)
    if r.random() < 0.85:
        t["last_payment_on"] = _d(_months_back(latest, r.randint(0, 3)))
    if acct_type in "RO" and r.random() < 0.6:
        t["last_purchase_on"] = _d(_months_back(latest, r.randint(0, 6)))
    closed = r.random() < 0.25
    if closed:
        t["closed_on"] = _d(latest)
    elif r.random() < 0.01:
        t["closed_on"] = "00000000"
    t["reported_on"] = _d(latest)
    t["reporting_mode"] = r.choice("AAAAAAAAMC")
    if closed and r.random() < 0.5:
        t["last_zero_balance_on"] = _d(latest)
    if acct_type in "IM" and r.random() < 0.3:
        t["collateral"] = r.choice(("HIPOTECA SOBRE INMUEBLE", "VEHICULO", "AVAL", "PRENDA"))
    t["max_credit"] = _amount(r, max(limit, balance))
    t["balance"] = _signed(r, 0 if closed else balance)
    if acct_type in "RO":
        t["credit_limit"] = _amount(r, limit)
    delinquent = hist[:1] in ("2", "3", "4", "5", "6", "7", "9")
    past_due = int(balance * r.random() * 0.5) if delinquent and balance > 0 else 0
    t["past_due"] = _amount(r, past_due)
    if delinquent:
        t["payments_past_due"] = str(r.randint(1, 12))
    t["mop"] = mop
    if hist:
        t["payment_history"] = hist
        t["history_latest_on"] = _d(latest)
        t["history_oldest_on"] = _d(_months_back(latest, min(72, age)))
    if r.random() < (0.25 if bad else 0.04):
        t["observation"] = r.choice(_OBSERVATIONS)
    if r.random() < 0.8:
        t["payments_reported"] = f"{min(999, age):03d}"
        counts = [hist.count(c) for c in "234"] + [sum(hist.count(c) for c in "5679")]
        for name, c in zip(("mop02_count", "mop03_count", "mop04_count", "mop05_plus_count"), counts):
            if c:
                t[name] = f"{min(c, 99):02d}"
    worst = max((c for c in hist if c in "2345679"), default=None)
    if worst:
        t["worst_delinquency_balance"] = _amount(r, max(0, balance))
        t["worst_delinquency_on"] = _d(_months_back(latest, hist.index(worst)))
        t["worst_mop"] = _mop_of(r, worst)
    if t.get("observation") in ("RA", "RN", "RV"):
        t["restructure_on"] = _d(_months_back(latest, r.randint(0, 24)))
    if r.random() < 0.5:
        t["last_payment_amount"] = _amount(r, max(1, balance // 10))
    return t


def _inquiry(r: random.Random, integrated: bool, sics: str = "01"):
    """IQ 09: the SIC of an integrated report's inquiry (0 TUM, 1 CC; 2 is "uso futuro"), or the
    zeros of an Informe Buró (the manual's example: 25)."""
    kob, product, _ = r.choice(_KOB_FOR_PRODUCT)
    q = {"inquired_on": _d(_months_back(AS_OF, r.randint(0, 23)).replace(day=r.randint(1, 28))),
         "member_code": " " * 10, "user_name": catalogs.KOB[kob][1][:16], "contract_type": product,
         "currency": "MX" if r.random() < 0.9 else "N$", "contract_amount": _amount(r, r.choice((0, 5000, 20000, 45000, 300000))),
         "responsibility": r.choice("IIIJ")}
    if r.random() < 0.1:
        q["reserved"] = "0000"
    if r.random() < 0.1:
        q["user_phone"] = "55" + "".join(r.choice("0123456789") for _ in range(8))
    if r.random() < 0.05:
        q["new_customer"] = "Y"
    if integrated:
        q["sic_id"] = r.choice(sics)
    elif r.random() < 0.9:
        q["reserved_09"] = "0" * r.choice((25, 25, 25, 2, 10))
    return q


def _summary(r: random.Random, tls, iqs, has_cr: bool):
    mops = [t["mop"] for t in tls]
    s = {"integrated_on": _d(_months_back(AS_OF, r.randint(12, 300)))}
    for code, name in spec.RS_MOP_FIELDS.items():
        s[name] = f"{min(99, mops.count(code)):02d}"
    s["accounts_total"] = f"{len(tls):04d}"
    s["accounts_installment"] = f"{sum(t['account_type'] in 'IM' for t in tls):04d}"
    s["accounts_revolving"] = f"{sum(t['account_type'] in 'RO' for t in tls):04d}"
    s["accounts_closed"] = f"{sum(t.get('closed_on', '00000000') != '00000000' for t in tls):04d}"
    s["accounts_delinquent_now"] = f"{sum(m not in ('UR', '00', '01') for m in mops):04d}"
    late = [lv >= 2 for lv in (catalogs.HISTORY_LEVELS.get(c, 0) for c in "0123456789")]
    s["accounts_delinquent_ever"] = f"{sum(m in ('UR', '01') and any(c.isdigit() and late[int(c)] for c in t.get('payment_history', '')) for m, t in zip(mops, tls)):04d}"
    s["accounts_in_dispute"] = f"{sum(t.get('observation') == 'AD' for t in tls):02d}"
    s["inquiries_6m"] = f"{min(99, len(iqs) // 3):02d}"
    s["new_address_60d"] = "Y" if r.random() < 0.05 else "N"
    s["alert_messages"] = "".join("Y" if r.random() < 0.03 else "N" for _ in range(5))
    s["has_declarativa"] = "Y" if has_cr else "N"
    if tls:
        s["currency"] = "MX"
        for name, v in (("revolving_max_credit", 9), ("revolving_limit", 9), ("revolving_balance", 10),
                        ("revolving_past_due", 9), ("revolving_payment", 9), ("installment_max_credit", 9),
                        ("installment_balance", 10), ("installment_past_due", 9), ("installment_payment", 9)):
            s[name] = str(r.randint(0, 10 ** r.randint(1, v - 2)))
        s["revolving_utilization_pct"] = str(r.randint(0, 120))
    if tls:
        opened = sorted((t["opened_on"][4:] + t["opened_on"][2:4] + t["opened_on"][:2], t["opened_on"]) for t in tls)
        s["oldest_opened_on"], s["newest_opened_on"] = opened[0][1], opened[-1][1]
    s["inquiries_total"] = f"{min(99, len(iqs)):02d}"
    if iqs:
        s["last_inquiry_on"] = max(iqs, key=lambda q: q["inquired_on"][4:] + q["inquired_on"][2:4] + q["inquired_on"][:2])["inquired_on"]
    s["collection_accounts"] = "00"
    s["collection_newest_opened_on"] = "00000000"
    s["collection_inquiries"] = "00"
    s["collection_last_inquiry_on"] = "00000000"
    return s


def _reason(r: random.Random, icc: bool) -> str:
    """A reason code of the score's annex (Anexo 7 for ICC, 6 for BC Score), with the leading zeros
    the bureau may or may not write ("010" or "10"; "04", "4" or "004")."""
    code = r.choice(_ICC_REASONS if icc else _BC_REASONS)
    x = r.random()
    if x < 0.25:
        return code.lstrip("0") or "0"
    if x < 0.35:
        return code.zfill(3)
    return code


_BC_REASONS = tuple(catalogs.SCORE_REASONS)
_ICC_REASONS = tuple(catalogs.ICC_REASONS)


def _scores(r: random.Random, product: str, integrated: bool = False):
    """SC segments: a BC Score, sometimes with an ICC before it (product 504 or 004). An integrated
    report (Anexo 14) answers the Reporte de Crédito's codes 007 / 004, an Informe Buró 507 / 504."""
    out = []
    bc, icc = ("007", "004") if integrated else ("507", "504")
    codes = (icc, bc) if product == "504" and r.random() < 0.5 else (bc,)
    for code in codes:
        is_icc = code in catalogs.ICC_SCORE_CODES
        sc = {"score_name": "ICC" if is_icc else "BC SCORE", "score_code": code}
        x = r.random()
        if x < 0.04:
            sc["error_code"] = r.choice(("01", "02", "03", "1", "2", "3"))
        elif x < 0.10 and not is_icc:
            sc["score"] = r.choice(_EXCLUSION_SPELLINGS)
        else:
            sc["score"] = f"{r.randint(0, 9):04d}" if is_icc else _amount(r, r.randint(400, 850)).zfill(r.choice((3, 4)))
            for k, name in enumerate(("reason_1", "reason_2", "reason_3")):
                if r.random() < 0.95:
                    sc[name] = _reason(r, is_icc)
        out.append(("SC", sc))
    return out


# Exclusion codes as the annex writes them and, rarely, with fewer zeros or a trailing sign.
_EXCLUSION_SPELLINGS = tuple(catalogs.SCORE_EXCLUSIONS) * 4 + ("-9", "009-", "-08")


def _declarativa(r: random.Random) -> str:
    x = r.random()
    size = (r.choice((1, 2, 9999, 10000, 12000 - 13, 12000)) if x < 0.15 else int(r.expovariate(1 / 400)) + 1)
    size = max(1, min(12000, size))
    words = ("ESTA ES UNA DECLARATIVA DE PRUEBA ", "##CREDITO01", "NO ESTOY CONFORME CON EL SALDO ",
             "PAGUE A TIEMPO ** ", "##CREDITO02", "EL CREDITO FUE LIQUIDADO ", "ES0500100", "INTL13")
    parts, n = [], 0
    while n < size:
        w = r.choice(words)
        parts.append(w)
        n += len(w)
    return "".join(parts)[:size]


def _member(r: random.Random) -> str:
    return r.choice(("BC", "BB", "FF", "DS", "MI")) + f"{r.randint(0, 9999):04d}{r.randint(0, 9999):04d}"


def _reference(r: random.Random) -> str:
    x = r.random()
    if x < 0.1:
        return ""
    return "REF" + str(r.randint(0, 10 ** r.randint(3, 20)))


def _control(r: random.Random) -> Optional[str]:
    if r.random() < 0.1:
        return None                               # old-style ES: 0002**
    return str(r.randint(0, 999999999)).zfill(r.choice((9, 9, 9, 10, 12)))


# UR 06 (up to five: the segment, the length and 40 bytes of the field refused) and UR / AR 16
# (segment + field tag of a missing required field, up to five).
_BAD_FIELDS = ("PN0005ABC", "PA0404XXXX", "PA0505ABCDE", "PN0408310220", "PE0503XYZ", "PN0513AB12")
_MISSING = ("PN02", "PA05", "PA04", "PN00", "PA02", "AU02", "AU07", "PE00")


def _some(r: random.Random, values, most: int = 5):
    return [r.choice(values) for _ in range(r.randint(1, most))]


def generate_record(seed: int, index: int, mix: Mapping[str, float] = DEFAULT_MIX, *,
                    manual_order: bool = False) -> Dict:
    """Record ``index`` of ``seed``. ``manual_order``: consultas with Sintetiza (CL) or online
    authentication (AU) carry that segment before INTL, as the manual orders them (else the
    generator writes no CL and only batch AU, after PI)."""
    r = random.Random(seed * 0x9E3779B1 + index)
    kind = r.choices(tuple(mix), weights=tuple(mix.values()))[0]
    rec = {"kind": kind, "control_number": _control(r)}
    if kind == "error":
        ref = _reference(r).rjust(25)
        if r.random() < 0.7:
            ur = {"reference": ref}
            for name, val in r.choice((
                    (("missing_segment", "PA"),), (("bad_field_info", _some(r, _BAD_FIELDS)),),
                    (("system_error", "Y"),), (("file_blocked", "Y"),), (("bad_version", "10"),),
                    (("bad_member_or_password", "BC12345678XXXX"),), (("bad_segment_order", "PAPN"),),
                    (("missing_required_field", _some(r, _MISSING)), ("last_valid_info", "PA0404")),
                    (("bad_product", "999"), ("bad_request", "INTX")), (("bad_segment_count", "PN"),),
                    (("bad_related_value", "PA0402DF0505XXXXX"),), (("bad_segment_tag", "XX"),),
                    (("bad_field_info", _some(r, _BAD_FIELDS)), ("missing_required_field", _some(r, _MISSING))),
                    # Optimiza: the score fell short of the user's cut-off (~2421)
                    (("optimiza_result", r.choice(("SC000561", "SC000402", "SCORE NO SATISFACTORIO"))),))):
                ur[name] = val
            rec["segments"] = [("UR", ur)]
        else:
            ar = {"reference": ref}
            name, val = r.choice((("not_authenticated", "NO AUTENTICADO"), ("system_error", "Y"),
                                  ("file_blocked", "EXPEDIENTE BLOQUEADO"), ("missing_required_field", _some(r, _MISSING)),
                                  ("bad_segment_tag", "AX"), ("bad_member_or_password", "BC1234567")))
            ar[name] = val
            rec["segments"] = [("AR", ar)]
        return rec
    member = _member(r)
    rec["reference"] = _reference(r)
    rec["member_code"] = member
    rec["version"] = r.choices(("13", "12", "11"), weights=(0.9, 0.06, 0.04))[0]
    if kind == "consulta":
        rec.update({"product": r.choice(("501", "504", "507", "001", "007")), "password": "XXXXXXXX",
                    "responsibility": "I", "contract_type": r.choice(("CC", "PL", "AU")), "currency": "MX",
                    "language": "SP", "output": "01", "control_number": None})
        new_in_13 = () if rec["version"] == "13" else ("origin_country",)   # PA 13, PE 20 (spec.consulta_allows)
        segs = [("PN", {k: v for k, v in _person(r).items() if k not in ("dependents_reported_on", "death_date")})]
        for _ in range(r.randint(1, 2)):
            a = _address(r)
            for k in ("reported_on",) + new_in_13:
                a.pop(k, None)
            segs.append(("PA", a))
        if r.random() < 0.3:
            e = _address(r, employer=True)
            for k in ("reported_on", "verified_on", "verification_mode") + new_in_13:
                e.pop(k, None)
            segs.append(("PE", e))
        for _ in range(r.choice((0, 0, 1, 2))):
            segs.append(("PI", {"account_number": str(r.randint(10 ** 5, 10 ** 15)), "member_code": member}))
        if r.random() < 0.1:
            segs.append(("AU", {"report_type": "RCN", "output_type": r.choice("1234"),
                                "reference": rec["reference"].rjust(25), "has_credit_card": "V",
                                "card_last_digits": f"{r.randint(0, 9999):04d}", "has_mortgage": "F",
                                "has_auto_loan_24m": "V"}))
            if manual_order and r.random() < 0.5:
                rec["online"] = True                   # AU before INTL
        if manual_order and r.random() < 0.15:
            segs.append(("CL", {"template": str(r.randint(0, 99)), "reference": rec["reference"].rjust(25)}))
        rec["segments"] = segs
        return rec
    integrated = r.random() < 0.15
    rec["bureau_indicator"] = r.choice(("1110", "1010", "1100", "1200", "1013")) if integrated else "0000"
    segs = [("PN", _person(r))]
    for _ in range(r.choices((1, 2, 3, 4), weights=(0.55, 0.25, 0.12, 0.08))[0]):
        segs.append(("PA", _address(r, cdmx=True)))
    for _ in range(r.choices((0, 1, 2), weights=(0.45, 0.4, 0.15))[0]):
        segs.append(("PE", _address(r, employer=True, cdmx=True)))
    if kind == "nohit":
        rec["bureau_indicator"] = "0000"            # found = 0: Buró (TUM, 1st position) has no file
        if r.random() < 0.3:
            # Not in Buró but in another SIC (Anexo 14): found = 0, the indicator names the bureau
            # that had data (Círculo, 3rd position; DUN, 2nd), and the record carries that bureau's
            # accounts, inquiries and the summary of them.
            rec["bureau_indicator"] = r.choice(("0010", "0010", "0100", "0110", "0020"))
            if "1" in rec["bureau_indicator"]:
                sics = ("1" if rec["bureau_indicator"][2] == "1" else "") + ("2" if rec["bureau_indicator"][1] == "1" else "")
                tls = [_account(r, member, True, sics) for _ in range(r.randint(0, 3))]
                iqs = [_inquiry(r, True, "1") for _ in range(r.randint(1, 4))]
                segs += [("TL", t) for t in tls] + [("IQ", q) for q in iqs]
                segs.append(("RS", _summary(r, tls, iqs, False)))
            if r.random() < 0.7:
                segs.append(("SC", {"score_name": "BC SCORE", "score_code": "007", "score": "-009"}))
        elif r.random() < 0.7:
            segs.append(("SC", {"score_name": "BC SCORE", "score_code": "507", "score": "-009"}))
        rec["segments"] = segs
        return rec
    n_tl = 0 if r.random() < 0.04 else min(40, max(1, int(r.lognormvariate(1.8, 0.55))))
    tls = [_account(r, member, integrated) for _ in range(n_tl)]
    iqs = [_inquiry(r, integrated) for _ in range(min(20, int(r.expovariate(1 / 3))))]
    has_cr = r.random() < 0.03
    segs += [("TL", t) for t in tls] + [("IQ", q) for q in iqs]
    segs.append(("RS", _summary(r, tls, iqs, has_cr)))
    for _ in range(r.choice((0, 1)) if r.random() < 0.05 else 0):
        s2 = {k: v for k, v in _summary(r, tls, iqs, has_cr).items()
              if k in ("integrated_on",) or ("revolving" in k or "installment" in k or k == "currency")}
        s2.pop("revolving_utilization_pct", None)
        segs.append(("RS", s2))
    if r.random() < 0.06:
        for tag in ("HI", "HR"):
            for _ in range(r.randint(0, 3)):
                code = r.choice(_HAWK)
                msg = catalogs.HAWK_SYSTEM_MESSAGES.get(code, catalogs.HAWK_CODES[code[:2]])[:48]
                segs.append((tag, {"reported_on": _d(_months_back(AS_OF, r.randint(0, 60))),
                                   "prevention_code": code, "user_type": r.choice(("BANCO", "BURO DE CREDITO", "FINANCIERA")),
                                   "message": msg}))
    if has_cr:
        segs.append(("CR", {"declarativa": _declarativa(r)}))
        rec["cr_reading"] = "text" if r.random() < 0.6 else "segment"
    if r.random() < 0.9:
        segs += _scores(r, r.choice(("507", "504")), integrated)
    if r.random() < 0.05:
        template = str(r.randint(0, 99))
        if r.random() < 0.1:
            segs.append(("CL", {"template": template, "error_code": r.choice("123")}))
        else:
            for k in range(r.randint(1, 5)):
                segs.append(("CL", {"template": template, "characteristic_id": str(k + 1),
                                    "characteristic": r.choice(tuple(catalogs.SINTETIZA)),
                                    "value": str(r.randint(0, 10 ** r.randint(1, 9)))}))
    rec["segments"] = segs
    return rec


def records(n: int, seed: int = 0, mix: Mapping[str, float] = DEFAULT_MIX, start: int = 0, *,
            manual_order: bool = False) -> Iterator[Dict]:
    for i in range(start, start + n):
        yield generate_record(seed, i, mix, manual_order=manual_order)


def generate_bytes(n: int, seed: int = 0, mix: Mapping[str, float] = DEFAULT_MIX, separator: str = "none",
                   start: int = 0, *, manual_order: bool = False) -> bytes:
    sep = writer.SEPARATORS[separator]
    return b"".join(writer.record_bytes(rec) + sep for rec in records(n, seed, mix, start, manual_order=manual_order))


def _iso(ddmmyyyy: str) -> str:
    return f"{ddmmyyyy[4:]}-{ddmmyyyy[2:4]}-{ddmmyyyy[:2]}"


def _messy(r: random.Random, text: str) -> str:
    """What portfolio systems hold: mixed case, accents, doubled blanks (consulta normalises them)."""
    if r.random() < 0.3:
        text = text.title()
    if r.random() < 0.1:
        text = text.replace("N", "Ñ", 1).replace("E", "É", 1)
    if r.random() < 0.05:
        text = text.replace(" ", "  ")
    return text


def portfolio_rows(n: int, seed: int = 0) -> Iterator[Dict[str, str]]:
    """Valid portfolio rows (column -> string, as a CSV gives them) for mxbureau.consulta, with the
    untidiness the manual's normalisation handles. Every customer is an adult on AS_OF."""
    for i in range(n):
        r = random.Random(f"portfolio:{seed}:{i}")
        pn = _person(r)
        pa = _address(r, cdmx=True)
        row = {"reference": f"CUST{seed:03d}{i:09d}"}
        for k, v in pn.items():
            if k in ("dependents_reported_on", "death_date", "prefix", "suffix"):
                continue
            row[k] = _iso(v) if k == "birth_date" else v
        for k, v in pa.items():
            if k in ("reported_on", "residence_since"):
                continue
            row[k] = v
        for k in ("paternal_surname", "maternal_surname", "first_name", "address_line1", "neighborhood"):
            if k in row:
                row[k] = _messy(r, row[k])
        if "phone" in row and r.random() < 0.3:
            p = row["phone"]
            row["phone"] = f"+52 ({p[:2]}) {p[2:6]}-{p[6:]}"
        if r.random() < 0.3:
            e = _address(r, employer=True)
            for k in ("employer", "address_line1", "city", "municipality", "state", "postal_code", "occupation"):
                if k in e:
                    row["employment_" + k] = e[k]
        yield row


def _block(args):
    n, seed, mix, separator, start = args
    return generate_bytes(n, seed, mix, separator, start)


def write_file(path, n: int, seed: int = 0, mix: Mapping[str, float] = DEFAULT_MIX, separator: str = "none",
               jobs: int = 1, block: int = 2000, progress=None) -> int:
    """Stream N records to ``path`` in blocks (constant memory); ``jobs`` > 1 uses processes.
    The bytes do not depend on ``jobs`` or ``block``. Returns the bytes written."""
    tasks = [(min(block, n - s), seed, dict(mix), separator, s) for s in range(0, n, block)]
    written = 0
    with open(path, "wb") as out:
        if jobs > 1:
            ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
            with ctx.Pool(jobs) as pool:
                for chunk in pool.imap(_block, tasks):
                    out.write(chunk)
                    written += len(chunk)
                    if progress:
                        progress(written)
        else:
            for t in tasks:
                chunk = _block(t)
                out.write(chunk)
                written += len(chunk)
                if progress:
                    progress(written)
    return written
