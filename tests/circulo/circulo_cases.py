"""Small hand-built Círculo portfolios (format 1 and 2) that break no rule, the helpers that turn them
into files, and byte-level patches by segment and field: the cases the room's tests mutate."""
from __future__ import annotations

import copy
import datetime as dt
import io
from typing import Dict, List, Optional, Tuple

import pandas as pd

from mxbureau import circulo
from mxbureau.circulo import spec

D = dt.date
PERIOD = "2024-05"
PERIOD_END = D(2024, 5, 31)
LENDER = circulo.Lender("0123", "005", "BANCO DE PRUEBA")


def _company(**kw):
    base = dict(company_id=None, rfc=None, company_name=None, first_name=None, middle_name=None, paternal_surname=None,
                maternal_surname=None, nationality="MX", portfolio_rating=None, economic_activity_1="4111011",
                address_line1="AV REFORMA 100", neighborhood="CENTRO", municipality="CUAUHTEMOC", city="CIUDAD DE MEXICO",
                state="DF", postal_code="06600", phone="5512345678", client_type="1")
    base.update(kw)
    return base


def base_format1() -> Dict[str, List[dict]]:
    """Company A (moral) with a moral shareholder, a current credit C1 and a past-due credit C2 with a
    guarantor; company B (PFAE) with a settled credit C3."""
    return {
        "companies": [
            _company(company_id="A", rfc="ABC800101AB1", company_name="COMERCIAL ABC SA DE CV", portfolio_rating="A1"),
            _company(company_id="B", rfc="PEPJ750505AA1", first_name="JUAN", paternal_surname="PEREZ",
                     maternal_surname="PINEDA", portfolio_rating="B1", client_type="2", postal_code="44100",
                     state="JAL", municipality="GUADALAJARA", city="GUADALAJARA"),
        ],
        "shareholders": [
            _company(company_id="A", rfc="XYZ900202CD3", company_name="INVERSIONES XYZ SA", share_pct=60,
                     nationality=None, economic_activity_1=None, client_type="1"),
        ],
        "credits": [
            dict(company_id="A", credit_id="C1", contract_number="C1", opened_on=D(2020, 1, 15), term_days=360,
                 credit_type="1300", initial_balance=100000, currency="001", number_of_payments=12,
                 payment_frequency_days=30, payment_amount=9000, last_payment_on=D(2024, 5, 20),
                 outstanding_principal=50000, max_credit_used=100000),
            dict(company_id="A", credit_id="C2", contract_number="C2", opened_on=D(2021, 3, 1), term_days=720,
                 credit_type="1300", initial_balance=40000, currency="001", number_of_payments=24,
                 payment_frequency_days=30, payment_amount=2000, last_payment_on=D(2024, 3, 30),
                 first_default_on=D(2024, 4, 1), outstanding_principal=8000, max_credit_used=40000),
            dict(company_id="B", credit_id="C3", contract_number="C3", opened_on=D(2022, 6, 1), term_days=360,
                 credit_type="1300", initial_balance=20000, currency="001", number_of_payments=12,
                 payment_frequency_days=30, payment_amount=2000, settled_on=D(2024, 5, 10),
                 outstanding_principal=0, max_credit_used=20000),
        ],
        "details": [
            dict(credit_id="C1", days_past_due=0, amount=55000),
            dict(credit_id="C2", days_past_due=0, amount=10000),
            dict(credit_id="C2", days_past_due=30, amount=5000),
            dict(credit_id="C3", days_past_due=0, amount=0),
        ],
        "guarantors": [
            _company(credit_id="C2", rfc="LOMA700303EF4", first_name="MARIA", paternal_surname="LOPEZ",
                     maternal_surname="MARTINEZ", client_type="2", nationality=None, economic_activity_1=None,
                     postal_code="06700"),
        ],
    }


def base_format2() -> Dict[str, List[dict]]:
    """Format 2 (sumarizado): company A with a current account and company B past due in two buckets."""
    return {
        "companies": [
            _company(company_id="A", rfc="ABC800101AB1", company_name="COMERCIAL ABC SA DE CV",
                     economic_activity_1="8888888"),
            _company(company_id="B", rfc="PEPJ750505AA1", first_name="JUAN", paternal_surname="PEREZ",
                     maternal_surname="PINEDA", client_type="2", economic_activity_1="8888888"),
        ],
        "credits": [
            dict(company_id="A", credit_id="K1", credit_experiences=3, currency="001", outstanding_principal=7000,
                 max_credit_used=20000),
            dict(company_id="B", credit_id="K2", credit_experiences=5, currency="001", first_default_on=D(2024, 3, 1),
                 outstanding_principal=9000, max_credit_used=15000),
        ],
        "details": [
            dict(credit_id="K1", days_past_due=0, amount=8000),
            dict(credit_id="K2", days_past_due=0, amount=4000),
            dict(credit_id="K2", days_past_due=29, amount=3000),
            dict(credit_id="K2", days_past_due=59, amount=2500),
        ],
    }


def portfolio(fmt: int = 1):
    return copy.deepcopy(base_format1() if fmt == 1 else base_format2())


def file_of(p, fmt: int = 1, separator: str = "none", check: bool = False, lender=LENDER, period=PERIOD) -> bytes:
    """The bytes of a portfolio (lists of dicts), written without the writer's check so a test can
    break rules on purpose."""
    out = io.BytesIO()
    tables = {k: (pd.DataFrame(v) if isinstance(v, list) else v) for k, v in p.items()}
    circulo.write(tables, out, period=period, format=fmt, lender=lender, separator=separator, check=check)
    return out.getvalue()


def segment_offsets(data: bytes) -> List[Tuple[str, int]]:
    t = circulo.read(data, strict=False)
    s = t["segments"]
    return list(zip(s.column("tag").to_pylist(), s.column("offset").to_pylist()))


def nth(data: bytes, tag: str, k: int = 0) -> int:
    """The offset of the k-th segment with ``tag``."""
    return [o for t, o in segment_offsets(data) if t == tag][k]


def patch(data: bytes, tag: str, name: str, value: bytes, k: int = 0) -> bytes:
    """The bytes with field ``name`` of the k-th ``tag`` segment replaced (value padded to its width)."""
    seg = spec.SEGMENTS[tag]
    f = seg.field(name)
    o = nth(data, tag, k) + f.value_start
    v = value.ljust(f.max_length, b" ")
    assert len(v) == f.max_length
    return data[:o] + v + data[o + f.max_length:]


def found(data: bytes, **kw) -> List[Tuple[str, Optional[str], Optional[str]]]:
    """(rule, segment, field_name) of every finding."""
    t = circulo.validate(data, **kw)
    return list(zip(t.column("rule").to_pylist(), t.column("segment").to_pylist(), t.column("field_name").to_pylist()))
