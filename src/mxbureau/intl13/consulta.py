"""Portfolio rows -> a batch of INTL13 consultas (requests), normalised and validated by the manual.

A row is a mapping of column -> value (a CSV row: strings; ``""`` and ``None`` mean absent). Columns
are the names of ``spec.py``: the INTL header's ``reference``; PN and PA fields by their own names
(``paternal_surname``, ``first_name``, ``birth_date`` (ISO ``YYYY-MM-DD``), ``rfc``, ``curp``,
``address_line1``, ``neighborhood``, ``municipality``, ``city``, ``state``, ``postal_code``,
``phone``...); PE, PI and AU fields prefixed with their segment's name (``employment_employer``,
``employment_city``, ``credit_reference_account_number``, ``authentication_has_credit_card``...).
``COLUMNS`` lists them all.

Normalisation ("Descripción y validación de los campos"): uppercase, accents and diaeresis removed,
Ñ -> N, runs of blanks collapsed; in AN fields ``@ % $ -> N``, ``#`` not followed by a digit -> N,
``> -> #``, ``< -> blank``, ``{ -> $ -> N``; ``S/N`` -> ``SN``; dates DDMMAAAA; phones and postal codes
keep their digits only (``+52`` dropped, a 4-digit postal code regains its leading zero); the INTL
reference is right-justified in 25 blanks and repeated in AU and CL; a state written CDMX (what
production systems hold for Mexico City), "CIUDAD DE MEXICO" or "CD MX" becomes Anexo 11's DF.

Order and version: a consulta is written in the manual's order -- CL (Sintetiza) before INTL, AU
before INTL when ``online`` (the AUTENTICADOR online), after PI in batch -- with its ES length counted
from the record's first byte; ``version`` 11, 12 or 13 (default) goes in the header, and an INTL11 or
INTL12 consulta carries no PA 13 / PE 20 (origin country), which version 13 added and requires.

Validation: the manual's rules (required fields, names of 3+ letters without prefixes, "NO
PROPORCIONADO" for a missing maternal surname, an address with a number or SN, municipality or
city, state code from Anexo 11, 5-digit postal code within its state, RFC AAAANNNNNN[ZZZ] and CURP
structure with real dates matching the birth date, no minors, phones of 5-11 digits not one repeated
digit, catalogue codes, field lengths...) plus one of mxbureau's: references unique within the batch
(they are how responses join back to the portfolio). A row that breaks any rule is not written; each
broken rule is a ``Reject(row, field, reason)``. Reasons name the rule, never the value.
"""
from __future__ import annotations

import csv
import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field as _dc_field
from typing import Dict, Iterable, Iterator, List, Mapping, Optional, Tuple

from ..errors import ConsultaError
from . import catalogs, spec, writer

__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "Reject", "Batch", "build", "consultas", "header", "read_csv",
           "normalize_text", "ConsultaError"]


@dataclass(frozen=True)
class Reject:
    row: int        # 1-based data row (the CSV header is not counted)
    field: str      # column name
    reason: str     # the rule broken; never the value


@dataclass
class Batch:
    data: bytes
    count: int
    rejects: List[Reject] = _dc_field(default_factory=list)

    def write(self, path) -> None:
        with open(path, "wb") as f:
            f.write(self.data)


# ---------------------------------------------------------------------------------------------
# Columns: one per consulta field, named from spec.py.
_PREFIX = {"PN": "", "PA": "", "PE": "employment_", "PI": "credit_reference_", "AU": "authentication_"}
_FILLED = {("AU", "report_type"), ("AU", "output_type"), ("AU", "reference")}   # set by build()
COLUMNS: Dict[str, Tuple[str, spec.Field]] = {
    _PREFIX[s.tag] + f.name: (s.tag, f)
    for s in spec.CONSULTA.segments if s.tag in _PREFIX for f in s.fields if (s.tag, f.name) not in _FILLED}
REQUIRED_COLUMNS = ("reference", "paternal_surname", "first_name", "address_line1", "state", "postal_code")

_MAX_REFERENCE = 25
_NOT_GIVEN = "NO PROPORCIONADO"          # the manual's phrase for a missing maternal surname or employer
_IDENTIFIERS = ("rfc", "curp")
_NAME_FIELDS = ("paternal_surname", "maternal_surname", "additional_surname", "first_name", "middle_name")
_NOT_IN_NAMES = frozenset(catalogs.PREFIXES) | {"JR", "II", "III", "IV"}
# str.isdigit() is True for "²" and other Unicode digits that the manual's numeric fields cannot hold
_ASCII_DIGITS = re.compile(r"[0-9]+").fullmatch
_AN_MAP = str.maketrans({"<": " ", ">": "#", "{": "N", "$": "N", "@": "N", "%": "N"})
_HASH_NOT_DIGIT = re.compile(r"#(?![0-9])")
_BLANKS = re.compile(r"\s+")
_SN = re.compile(r"\bS\s*/\s*N\b")
_HAS_NUMBER = re.compile(r"[0-9]|\bSN\b")
_RFC = re.compile(r"[A-Z&]{4}([0-9]{6})([A-Z0-9]{3})?")
_CURP = re.compile(r"[A-Z]{4}([0-9]{6})[HMX](?:[A-Z]{2})[B-DF-HJ-NP-TV-Z]{3}[A-Z0-9][0-9]")
_STATE_NAMES = {}     # normalised name or alias -> Anexo 11 code


def normalize_text(value: str, alphanumeric: bool = True) -> str:
    """The manual's normalisation of an A or AN value (see the module docstring)."""
    s = value.upper()
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s)
        s = "".join(c for c in s if not unicodedata.combining(c))    # accents, diaeresis, Ñ -> N
    if alphanumeric:
        s = _HASH_NOT_DIGIT.sub("N", s.translate(_AN_MAP))
        s = _SN.sub("SN", s)
    return _BLANKS.sub(" ", s).strip()


for _code, _name in catalogs.STATES.items():
    _STATE_NAMES[normalize_text(_name, False)] = _code
    _STATE_NAMES[_code] = _code
_STATE_NAMES.update(catalogs.STATE_ALIASES)
_STATE_NAMES.update({"CIUDAD DE MEXICO": "DF", "CD MX": "DF", "CD DE MEXICO": "DF", "C D MX": "DF",
                     "ESTADO DE MEXICO": "EM", "EDOMEX": "EM",
                     "MEXICO CITY": "DF", "MICHOACAN DE OCAMPO": "MICH", "BAJA CALIFORNIA": "BCN",
                     "COAHUILA DE ZARAGOZA": "COA", "VERACRUZ DE IGNACIO DE LA LLAVE": "VER"})


def _digits(value: str) -> str:
    return re.sub(r"[\s\-().]", "", value)


def _date(value) -> Optional[_dt.date]:
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return None


def _yymmdd(digits: str, born: Optional[_dt.date]) -> Optional[str]:
    """Why a YYMMDD (RFC, CURP) is wrong, or None."""
    yy, mm, dd = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    for century in (1900, 2000):
        try:
            _dt.date(century + yy, mm, dd)
            break
        except ValueError:
            continue
    else:
        return "date part is not a real date"
    if born is not None and born.strftime("%y%m%d") != digits:
        return "date part does not match birth_date"
    return None


class _Row:
    """One row's values as they will be written, and its rejects."""

    def __init__(self, number: int, raw: Mapping):
        self.number = number
        self.raw = raw
        self.rejects: List[Reject] = []
        self.seg: Dict[str, Dict[str, object]] = {"PN": {}, "PA": {}, "PE": {}, "PI": {}, "AU": {}}

    def bad(self, column: str, reason: str) -> None:
        self.rejects.append(Reject(self.number, column, reason))

    def get(self, column: str) -> str:
        v = self.raw.get(column)
        if v is None:
            return ""
        if isinstance(v, _dt.date):
            return v.isoformat()
        return str(v)


def _field(row: _Row, column: str, seg: str, f: spec.Field, today: _dt.date, version: str = "13") -> None:
    """Normalise and check one column by its spec field; store the value to write."""
    raw = row.raw.get(column)
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return
    if not spec.consulta_allows(version, seg, f.tag):
        row.bad(column, f"not in INTL{version} consultas (new in version 13)")
        return
    if f.kind == "date":
        d = _date(raw)
        if d is None:
            row.bad(column, "not a date (YYYY-MM-DD)")
        elif d > today:
            row.bad(column, "date in the future")
        else:
            row.seg[seg][f.name] = d
        return
    if f.type == "N":
        v, unit = _digits_of(row, column, f, row.get(column)), "digits"
    else:
        v, unit = _text_of(row, column, f, row.get(column)), "characters"
    if v is None:
        return
    if len(v) > f.max_length:
        row.bad(column, f"longer than {f.max_length} {unit}")
    elif f.fixed and len(v) != f.max_length:
        row.bad(column, f"must be exactly {f.max_length} {unit}")
    elif f.catalog is not None and v not in getattr(catalogs, f.catalog):
        row.bad(column, f"not a code of catalogue {f.catalog}")
    else:
        row.seg[seg][f.name] = v


def _digits_of(row: _Row, column: str, f: spec.Field, text: str) -> Optional[str]:
    """A numeric field's digits (separators dropped, phones and zero padding as the manual says)."""
    v = _digits(text)
    if column.endswith("phone") or column.endswith("fax"):
        v = v[1:] if v.startswith("+") else v
        if len(v) == 12 and v.startswith("52"):
            v = v[2:]                           # +52: Mexico's country code is not part of the number
        if not _ASCII_DIGITS(v):
            row.bad(column, "phone has characters other than digits")
        elif not 5 <= len(v) <= f.max_length:
            row.bad(column, f"phone must have 5 to {f.max_length} digits")
        elif len(set(v)) == 1:
            row.bad(column, "phone is one digit repeated")
        else:
            return v
        return None
    if not _ASCII_DIGITS(v):
        row.bad(column, "must be digits only")
        return None
    if f.fixed and len(v) < f.max_length:
        if column.endswith("postal_code") and len(v) == f.max_length - 1:
            v = "0" + v                         # a spreadsheet dropped the leading zero
        elif f.kind == "int":
            v = v.zfill(f.max_length)           # the manual: one digit gets a zero to its left
    return v


def _text_of(row: _Row, column: str, f: spec.Field, text: str) -> Optional[str]:
    """An A or AN field normalised by the manual's rules; identifiers lose their separators."""
    v = normalize_text(text, alphanumeric=f.type != "A")
    if column in _IDENTIFIERS:
        v = v.replace(" ", "").replace("-", "")  # MEGA-510503-RE3: the separators are not the RFC
    if f.catalog == "STATES":
        v = _STATE_NAMES.get(v, v)
    if f.type == "A" and not re.fullmatch(r"[A-Z ]*", v):
        row.bad(column, "only letters and blanks are allowed")
    elif not (v.isascii() and v.isprintable()):
        row.bad(column, "characters outside the bureau's ASCII alphabet")
    elif not v:
        row.bad(column, "nothing left after normalisation")
    else:
        return v
    return None


def _rules(row: _Row, today: _dt.date, version: str = "13") -> None:
    """The manual's rules that look beyond one field's type."""
    pn, pa, pe, au = row.seg["PN"], row.seg["PA"], row.seg["PE"], row.seg["AU"]
    done = {r.field for r in row.rejects}
    for column in REQUIRED_COLUMNS:               # (the reference, a header field, is checked apart)
        if column in COLUMNS and column not in done and row.seg[COLUMNS[column][0]].get(COLUMNS[column][1].name) is None:
            row.bad(column, "required")
    if "maternal_surname" not in done and "maternal_surname" not in pn:
        pn["maternal_surname"] = _NOT_GIVEN      # the manual: a single surname goes with this phrase
    for column in _NAME_FIELDS:
        v = pn.get(column)
        if v is None or v == _NOT_GIVEN:
            continue
        if sum(c.isalpha() for c in v) < 3:
            row.bad(column, "names need 3 letters or more")
        elif _NOT_IN_NAMES.intersection(v.split()):
            row.bad(column, "contains a personal or professional prefix or suffix")
    born = pn.get("birth_date")
    if isinstance(born, _dt.date):
        eighteen = _dt.date(born.year + 18, born.month, 28 if (born.month, born.day) == (2, 29) else born.day)
        if eighteen > today:
            row.bad("birth_date", "a minor: the manual forbids birth dates under 18 years")
    else:
        born = None
    for name, pattern, shape in (("rfc", _RFC, "not AAAANNNNNN or AAAANNNNNNZZZ"),
                                 ("curp", _CURP, "does not have the CURP structure")):
        if name in pn:
            m = pattern.fullmatch(pn[name])
            why = shape if m is None else _yymmdd(m.group(1), born)
            if why:
                row.bad(name, f"{name.upper()} {why}")
    if "curp" in pn:
        pn.setdefault("country", "MX")             # the manual: a CURP makes tag 16 required
    if "address_line1" in pa and not _HAS_NUMBER.search(pa["address_line1"]):
        row.bad("address_line1", "an address needs a number or SN")
    if "municipality" not in pa and "city" not in pa and not done & {"municipality", "city"}:
        row.bad("municipality", "municipality or city is required")
    _postal_in_state(row, pa, "postal_code")
    if spec.consulta_allows(version, "PA", "13"):
        pa.setdefault("origin_country", "MX")      # required in version 13
    if pe:
        pe.setdefault("employer", _NOT_GIVEN)    # the manual: NO PROPORCIONADO when the name is missing
        if "address_line1" in pe and not _HAS_NUMBER.search(pe["address_line1"]):
            row.bad("employment_address_line1", "an address needs a number or SN")
        if "salary_currency" in pe and not {"salary", "pay_period"} <= set(pe):
            row.bad("employment_salary_currency", "salary and pay_period are required with the currency")
        _postal_in_state(row, pe, "employment_postal_code")
        if spec.consulta_allows(version, "PE", "20"):
            pe.setdefault("origin_country", "MX")
    if row.seg["PI"] and "account_number" not in row.seg["PI"] and "credit_reference_account_number" not in done:
        row.bad("credit_reference_account_number", "required with any other credit reference field")
    if au:
        for name in ("has_credit_card", "has_mortgage", "has_auto_loan_24m"):
            v = au.get(name)
            if v not in ("V", "F"):
                row.bad("authentication_" + name, "V or F is required")
        if au.get("has_credit_card") == "V" and "card_last_digits" not in au:
            row.bad("authentication_card_last_digits", "required when has_credit_card is V")


def _postal_in_state(row: _Row, seg: Dict, postal_column: str) -> None:
    cp, state = seg.get("postal_code"), seg.get("state")
    if cp is None or state is None:
        return
    ranges = catalogs.POSTAL_CODE_STATES.get(state)
    if ranges and not any(lo <= int(cp[:2]) <= hi for lo, hi in ranges):
        row.bad(postal_column, "postal code is not in the state's range")


# ---------------------------------------------------------------------------------------------
def header(*, member_code: str, password: str, product: str = "507", contract_type: str = "UK",
           currency: str = "MX", responsibility: str = "I", language: str = "SP", output: str = "01",
           version: str = "13") -> Dict:
    """The batch-wide INTL header fields, checked (ConsultaError names the parameter, never a secret)."""
    checks = [
        ("version", version in spec.CONSULTA_VERSIONS, " or ".join(spec.CONSULTA_VERSIONS)),
        ("member_code", re.fullmatch(r"[A-Z]{2}[0-9]{8}", member_code or "") is not None
         and member_code[:2] in catalogs.KOB, "2 letters of Anexo 1 (KOB) and 8 digits"),
        ("password", isinstance(password, str) and len(password) == 8 and password.isascii()
         and password.isprintable(), "8 ASCII characters"),
        ("product", product in catalogs.SCORE_PRODUCTS, f"one of {sorted(catalogs.SCORE_PRODUCTS)}"),
        ("contract_type", contract_type in catalogs.CONTRACT_TYPES, "a code of Anexo 2"),
        ("currency", currency in catalogs.CREDIT_CURRENCIES, f"one of {sorted(catalogs.CREDIT_CURRENCIES)}"),
        ("responsibility", responsibility in ("A", "I", "J"), "A, I or J"),
        ("language", language in ("SP", "EN"), "SP or EN"),
        ("output", output in ("01", "02", "03"), "01, 02 or 03"),
    ]
    for name, ok, rule in checks:
        if not ok:
            raise ConsultaError(f"consulta header: {name} must be {rule}")
    return {"kind": "consulta", "version": version, "product": product, "member_code": member_code,
            "password": password, "responsibility": responsibility, "contract_type": contract_type,
            "currency": currency, "language": language, "output": output}


def consultas(rows: Iterable[Mapping], *, member_code: str, password: str, product: str = "507",
              contract_type: str = "UK", currency: str = "MX", responsibility: str = "I",
              language: str = "SP", output: str = "01", authentication: Optional[str] = None,
              sintetiza_template: Optional[str] = None, online: bool = False, version: str = "13",
              today: Optional[_dt.date] = None) -> Iterator[Tuple[int, Optional[bytes], List[Reject]]]:
    """Stream (row number, record bytes or None, rejects) per row: the bulk path behind build() and
    the CLI (a portfolio of millions never sits in memory).

    ``authentication``: AU's output type ("1"-"4") to add the AUTENTICADOR segment (its V/F answers
    come from the ``authentication_*`` columns); ``online``: the consultas go online, AU before INTL
    (batch: after PI); ``sintetiza_template``: add a CL segment, before INTL. ``version``: 11, 12 or
    13, the fields each allows (spec.consulta_allows)."""
    head = header(member_code=member_code, password=password, product=product, contract_type=contract_type,
                  currency=currency, responsibility=responsibility, language=language, output=output,
                  version=version)
    if authentication is not None and authentication not in ("1", "2", "3", "4"):
        raise ConsultaError("consulta header: authentication must be 1, 2, 3 or 4")
    if sintetiza_template is not None and not (0 < len(sintetiza_template) <= 10 and sintetiza_template.isascii()):
        raise ConsultaError("consulta header: sintetiza_template must be 1 to 10 ASCII characters")
    head_bytes = writer.header_bytes(head)
    today = today or _dt.date.today()
    seen: Dict[str, int] = {}
    checked_columns = False
    for number, raw in enumerate(rows, 1):
        if not checked_columns:
            missing = [c for c in REQUIRED_COLUMNS if c not in raw]
            if missing:
                raise ConsultaError(f"portfolio lacks required column(s) {missing}")
            checked_columns = True
        row = _Row(number, raw)
        reference = normalize_text(row.get("reference"))
        if not reference:
            row.bad("reference", "required")
        elif len(reference) > _MAX_REFERENCE or not (reference.isascii() and reference.isprintable()):
            row.bad("reference", f"longer than {_MAX_REFERENCE} characters or not printable ASCII")
        elif reference in seen:
            row.bad("reference", f"duplicate of row {seen[reference]}")
        else:
            seen[reference] = number
        for column in raw:
            where = COLUMNS.get(column)
            if where is not None and (where[0] != "AU" or authentication is not None):
                _field(row, column, where[0], where[1], today, version)
        if authentication is not None:
            row.seg["AU"].update(report_type="RCN", output_type=authentication)
        _rules(row, today, version)
        if row.rejects:
            yield number, None, row.rejects
            continue
        ref25 = reference.rjust(_MAX_REFERENCE)
        segments = [("PN", row.seg["PN"]), ("PA", row.seg["PA"])]
        if row.seg["PE"]:
            segments.append(("PE", row.seg["PE"]))
        if row.seg["PI"]:
            segments.append(("PI", row.seg["PI"]))
        if authentication is not None:
            segments.append(("AU", dict(row.seg["AU"], reference=ref25)))
        if sintetiza_template is not None:
            segments.append(("CL", {"template": sintetiza_template, "reference": ref25}))
        yield number, writer.record_bytes({"kind": "consulta", "segments": segments, "online": online,
                                           "version": version},
                                          header=head_bytes[:6] + ref25.encode("ascii") + head_bytes[31:]), []


def build(rows: Iterable[Mapping], *, member_code: str, password: str, product: str = "507",
          contract_type: str = "UK", currency: str = "MX", responsibility: str = "I",
          language: str = "SP", output: str = "01", separator: str = "none", **options) -> Batch:
    """All rows at once: the batch bytes, the number of consultas and every reject."""
    sep = writer.SEPARATORS[separator]
    parts, rejects = [], []
    for _, rec, bad in consultas(rows, member_code=member_code, password=password, product=product,
                                 contract_type=contract_type, currency=currency, responsibility=responsibility,
                                 language=language, output=output, **options):
        if rec is None:
            rejects.extend(bad)
        else:
            parts.append(rec)
    return Batch(sep.join(parts) + (sep if parts else b""), len(parts), rejects)


def read_csv(path, encoding: str = "utf-8-sig") -> Iterator[Dict[str, str]]:
    """Portfolio rows from a CSV file with a header line (delimiter sniffed among , ; | and tab)."""
    with open(path, newline="", encoding=encoding) as f:
        sample = f.read(65536)
        f.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;|\t")
        except csv.Error:
            dialect = csv.excel
        yield from csv.DictReader(f, dialect=dialect)
