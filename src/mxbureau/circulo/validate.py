"""Every rule of the Círculo load format in one pass (spec.RULES): structure, trailer totals, fields,
RFCs, Tema 6 and the field descriptions' rules. One row per finding -- rule, severity, scope (what the
bureau rejects), segment, field tag and name, byte offset, company, credit, message -- never a value.

How it reads: the compiled walk (``Scanner.walk``) goes segment by segment, so a damaged segment is
one finding (it keeps its role and counts, its fields are not read) and the walk resumes at the next
segment; the whole segments' fields are decoded by the shared decoder and checked column by column
(numpy and Arrow, no Python per row), their bytes classified by a compiled status kernel (blank,
zeros, digits, valid date, control characters). Chunks of whole company blocks keep memory bounded;
what spans chunks (companies and contracts repeated, the trailer totals) is carried as counts and
64-bit hashes (16 bytes a company or credit). Never raises on bad bytes."""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Dict, List, Optional, Tuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..columns import empty
from ..errors import UsageError
from ..source import open_all, release
from ..tables import build_tables
from ..tokens import Tokens
from . import catalogs as _catalogs, spec
from .format import format_of, layout_of
from .records import RECORDS_SCHEMA

__all__ = ["validate", "SCHEMA", "Context", "check_blocks", "summary"]

SCHEMA = pa.schema([
    pa.field("rule", pa.large_string()), pa.field("severity", pa.large_string()), pa.field("scope", pa.large_string()),
    pa.field("segment", pa.large_string()), pa.field("field", pa.large_string()),
    pa.field("field_name", pa.large_string()), pa.field("offset", pa.int64()), pa.field("company", pa.int64()),
    pa.field("credit", pa.int64()), pa.field("message", pa.large_string()),
])

_ROLE = {t: i for i, t in enumerate(spec.ROLES)}
_ST = {"blank": 0, "zeros": 1, "ok": 2, "not_digits": 3, "bad_date": 4, "control": 5, "filled": 6, "damaged": 255}
_CODE_NAME = {v: k for k, v in spec.CODE.items()}
_DAY = np.timedelta64(1, "D")


@dataclasses.dataclass
class Context:
    """What the rules need from the header: the format (1 or 2), the period's last day and the report
    date (None when the header does not say), the catalogues."""
    format: int = 1
    period_end: Optional[dt.date] = None
    report_date: Optional[dt.date] = None
    catalogs: _catalogs.Catalogs = dataclasses.field(default_factory=lambda: _catalogs.CATALOGS)


class Findings:
    """Findings as column lists (numpy pieces), made a table once."""

    def __init__(self):
        self.parts: List[dict] = []

    def add(self, rule: str, tag: Optional[str], fld: Optional[spec.CField], offset, company, credit,
            message: Optional[str] = None, scope: Optional[str] = None, severity: Optional[str] = None):
        offset = np.atleast_1d(np.asarray(offset, np.int64))
        n = len(offset)
        if n == 0:
            return
        sev, default_scope, text = spec.RULES[rule]
        if scope is None:
            scope = default_scope or (spec.SEGMENTS[tag].scope if tag in spec.SEGMENTS else "file")
            if (severity or sev) == "warning":
                scope = "none"
        self.parts.append({
            "rule": rule, "severity": severity or sev, "scope": scope, "segment": tag,
            "field": fld.tag if fld is not None else None, "field_name": fld.name if fld is not None else None,
            "offset": offset, "company": np.broadcast_to(np.asarray(company, np.int64), (n,)),
            "credit": np.broadcast_to(np.asarray(credit, np.int64), (n,)),
            "message": message or text, "n": n})

    def table(self) -> pa.Table:
        if not self.parts:
            return empty(SCHEMA)
        cols = {}
        for name in ("rule", "severity", "scope", "segment", "field", "field_name", "message"):
            values = [p[name] for p in self.parts]
            counts = [p["n"] for p in self.parts]
            idx = np.repeat(np.arange(len(values)), counts)
            cols[name] = pa.array(values, pa.large_string()).take(pa.array(idx))
        for name in ("offset", "company", "credit"):
            v = np.concatenate([p[name] for p in self.parts])
            cols[name] = pa.array(v, pa.int64(), mask=v < 0 if name != "offset" else None)
        t = pa.table(cols, schema=SCHEMA)
        return t.take(pc.sort_indices(t, [("offset", "ascending"), ("rule", "ascending")]))


class _Part:
    """One segment type's rows in a chunk: walk rows, decoded table, field status, keys."""

    def __init__(self, tag: str, seg: spec.CSegment, walk: dict, table: Optional[pa.Table], status: np.ndarray,
                 buf: Optional[np.ndarray] = None):
        S = walk["segments"]
        m = S["role"] == _ROLE[tag]
        if (0 if table is None else table.num_rows) != int(m.sum()):
            raise AssertionError(f"{tag}: the decoded rows are not the walk's segments")
        self.tag, self.seg = tag, seg
        self.offset = S["offset"][m]
        self.ok = S["status"][m] == 0
        self.company = S["company"][m]
        self.credit = S["credit"][m]
        self.variant = S["variant"][m]
        self.n = len(self.offset)
        self.table = table
        self.status = status              # [n, nf] uint8, 255 on damaged rows
        self.index = {f.name: i for i, f in enumerate(seg.fields)}
        self.buf = buf
        # each column's masks and arrays once: the rules ask for the same ones many times (a third of
        # validate's time went to repeating Arrow calls before)
        self._memo: Dict[tuple, object] = {}

    def _cached(self, key, make):
        v = self._memo.get(key)
        if v is None:
            v = self._memo[key] = make()
        return v

    def f(self, name: str) -> spec.CField:
        return self.seg.fields[self.index[name]]

    def st(self, name: str) -> np.ndarray:
        return self.status[:, self.index[name]] if self.n else np.zeros(0, np.uint8)

    def present(self, name: str) -> np.ndarray:
        """Reported: not blank, and for dates, the period and numeric keys not all zeros either."""
        return self._cached(("present", name), lambda: self._present(name))

    def _present(self, name: str) -> np.ndarray:
        s = self.st(name)
        f = self.f(name)
        zeros_absent = f.type in ("D", "P") or (f.type == "N" and f.kind in ("digits",))
        return self.ok & (s != _ST["blank"]) & ~((s == _ST["zeros"]) & zeros_absent)

    def blank(self, name: str) -> np.ndarray:
        return self.ok & ~self.present(name)

    def good(self, name: str) -> np.ndarray:
        """Reported and of its type (digits, a real date)."""
        s = self.st(name)
        return self._cached(("good", name), lambda: self.present(name) & ((s == _ST["ok"]) | (s == _ST["zeros"])))

    def col(self, name: str) -> pa.Array:
        return self._cached(("col", name), lambda: self._col(name))

    def _col(self, name: str) -> pa.Array:
        if self.table is None or self.n == 0:
            return pa.nulls(self.n, pa.large_string())
        c = self.table.column(name).combine_chunks()
        return c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c

    def ints(self, name: str) -> np.ndarray:
        return self._cached(("ints", name), lambda: pc.fill_null(self.col(name), 0).to_numpy(zero_copy_only=False)
                            .astype(np.int64) if self.n else np.zeros(0, np.int64))

    def days(self, name: str) -> np.ndarray:
        return self._cached(("days", name), lambda: pc.fill_null(self.col(name).cast(pa.int32()), 0)
                            .to_numpy(zero_copy_only=False).astype(np.int64) if self.n else np.zeros(0, np.int64))

    def strings(self, name: str) -> pa.Array:
        return self._cached(("strings", name), lambda: pc.fill_null(self.col(name).cast(pa.large_string()), ""))

    def raw(self, name: str, start: int, width: int) -> np.ndarray:
        """uint8 [n, width]: the bytes of a field's value from ``start`` (every row; damaged rows' bytes
        are whatever is there: callers mask with ok)."""
        f = self.f(name)
        if self.n == 0 or self.buf is None:
            return np.zeros((self.n, width), np.uint8)
        at = self.offset + f.value_start + start
        idx = np.minimum(at[:, None] + np.arange(width), len(self.buf) - 1)
        return self.buf[idx]

    def field_offset(self, name: str) -> np.ndarray:
        return self.offset + self.f(name).value_start

    def add(self, F: Findings, rule: str, mask: np.ndarray, name: Optional[str], message=None, scope=None,
            severity=None):
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        fld = self.f(name) if name else None
        off = (self.offset[idx] + (fld.value_start if fld else 0))
        F.add(rule, self.tag, fld, off, self.company[idx], self.credit[idx], message, scope, severity)


def _match(arr: pa.Array, pattern: str) -> np.ndarray:
    return pc.fill_null(pc.match_substring_regex(arr, pattern), False).to_numpy(zero_copy_only=False)


def _isin(arr: pa.Array, values) -> np.ndarray:
    return pc.fill_null(pc.is_in(arr, value_set=pa.array(list(values), pa.large_string())), False) \
        .to_numpy(zero_copy_only=False)


def _eq(a: pa.Array, b: pa.Array) -> np.ndarray:
    return pc.fill_null(pc.equal(a, b), False).to_numpy(zero_copy_only=False)


# -- the structure ---------------------------------------------------------------------------------------

def _structure(F: Findings, walk: dict, lay: spec.Layout):
    S = walk["segments"]
    # (bytes after the TS are the walk's one S06 finding, not a finding a span)
    bad = np.flatnonzero((S["status"] != 0) & (S["status"] != spec.CODE["DATA_AFTER_TS"]))
    for i in bad.tolist():
        code, role, off = int(S["status"][i]), int(S["role"][i]), int(S["offset"][i])
        tag = spec.ROLES[role] if role >= 0 else None
        rule = spec.PROBLEM_RULE[code]
        company = int(S["company"][i])
        in_block = (tag in ("EM", "AC", "CR", "DE", "AV") or tag is None) and company >= 0
        fld = None
        if code == spec.CODE["UNKNOWN_BYTES"] and in_block:
            code = spec.CODE["UNKNOWN_IN_BLOCK"]
        msg = spec.MESSAGES[code].format(a=int(S["a"][i]), b=int(S["b"][i]))
        if code == spec.CODE["BAD_FIELD_TAG"] and S["bad"][i] >= 0:
            fld = lay[tag].fields[int(S["bad"][i])]
            off += fld.start
        F.add(rule, tag, fld, off, company if in_block else -1, int(S["credit"][i]), msg,
              scope="company" if in_block and rule != "S06" else "file")
    W = walk["findings"]
    for i in range(len(W["offset"])):
        code, role = int(W["code"][i]), int(W["role"][i])
        tag = spec.ROLES[role] if role >= 0 else None
        rule = spec.PROBLEM_RULE[code]
        F.add(rule, tag, None, int(W["offset"][i]), int(W["company"][i]), int(W["credit"][i]), spec.MESSAGES[code],
              scope=(("company" if int(W["company"][i]) >= 0 else "file") if rule == "S07" else None))
    legacy = np.flatnonzero((S["role"] == _ROLE["HD"]) & (S["variant"] == spec.HEADER_VARIANTS.index("legacy")))
    for i in legacy.tolist():
        F.add("S11", "HD", lay.legacy_header.fields[-1], int(S["offset"][i]) + lay.legacy_header.fields[-1].start, -1, -1)


# -- fields: presence, types, No aplica, fillers -----------------------------------------------------------

# Fields whose presence a rule of their own checks (not F01): the RFCs (V05), the opening date (V11),
# the payment fields (D04, a warning), the first default date (D05), the rating (V09), the conditional
# names and addresses (below).
_OWN_RULE = {"rfc", "opened_on", "number_of_payments", "payment_frequency_days", "payment_amount", "last_payment_on",
             "first_default_on", "portfolio_rating"}


def _fields(F: Findings, P: _Part, ctx: Context):
    for f in P.seg.fields:
        s = P.st(f.name)
        req = f.requirement(ctx.format)
        if f.type == "F":
            P.add(F, "F06", P.ok & (s == _ST["filled"]), f.name)
            continue
        if f.type == "N":
            P.add(F, "F02", P.ok & (s == _ST["not_digits"]), f.name)
        elif f.type in ("D", "P"):
            P.add(F, "F03", P.ok & ((s == _ST["not_digits"]) | (s == _ST["bad_date"])), f.name)
        else:
            P.add(F, "F08", P.ok & (s == _ST["control"]), f.name)
        if req == "R" and f.name not in _OWN_RULE:
            P.add(F, "F01", P.blank(f.name), f.name)
        elif req == "X":
            P.add(F, "F07", P.present(f.name) & ~((s == _ST["zeros"]) & (f.type == "N")), f.name)


def _names(F: Findings, P: _Part, type_field: str, ctx: Context):
    """Names by client type: moral persons (1, 3, 4) Compañía; PFAE (2) Nombre 1, Paterno, Materno
    (V07 / V08 when the other kind's names are filled)."""
    ct = P.strings(type_field)
    valid_types = ("1", "2") if P.tag == "AV" else ("1", "2", "3", "4")
    known = P.ok & _isin(ct, valid_types)
    moral = known & _isin(ct, _catalogs.MORAL_CLIENT_TYPES)
    pf = known & _eq(ct, pa.scalar("2", pa.large_string()))
    P.add(F, "F01", moral & P.blank("company_name"), "company_name", "Compañía required for a moral client")
    for name in ("first_name", "paternal_surname", "maternal_surname"):
        P.add(F, "F01", pf & P.blank(name), name, f"{P.f(name).spanish} required for a PFAE client")
    filled = None
    for name in ("first_name", "middle_name", "paternal_surname", "maternal_surname"):
        filled = P.present(name) if filled is None else filled | P.present(name)
    scope = "company" if P.tag == "EM" else "segment"
    first = np.select([P.present(n) for n in ("first_name", "middle_name", "paternal_surname", "maternal_surname")],
                      [0, 1, 2, 3], -1)
    for k, name in enumerate(("first_name", "middle_name", "paternal_surname", "maternal_surname")):
        P.add(F, "V07", moral & filled & (first == k), name, scope=scope)
    P.add(F, "V08", pf & P.present("company_name"), "company_name", scope=scope)
    P.add(F, "F04", P.ok & P.present(type_field) & ~_isin(ct, valid_types), type_field, "client type not in the catalogue")
    return moral, pf, known


def _foreign(P: _Part) -> np.ndarray:
    c = P.strings("country")
    return P.present("country") & ~_eq(c, pa.scalar("MX", pa.large_string()))


def _address(F: Findings, P: _Part, ctx: Context, line: str, state_f: str, cp_f: str, required: np.ndarray):
    """The address rules: a domestic one needs colonia, municipio or ciudad, estado and CP; a foreign
    one municipio and ciudad and the foreign state. ``required``: the rows whose address must be whole."""
    foreign = _foreign(P)
    dom = required & ~foreign
    fo = required & foreign
    for name, what in ((line, "address line 1"), (cp_f, "postal code")):
        if P.f(name).requirement(ctx.format) != "R":          # else the generic F01 has it
            P.add(F, "F01", required & P.blank(name), name, f"{what} required once an address is given")
    P.add(F, "F01", dom & P.blank("neighborhood"), "neighborhood", "colonia required for a domestic address")
    P.add(F, "F01", dom & P.blank("municipality") & P.blank("city"), "municipality",
          "municipality or city required for a domestic address")
    P.add(F, "F01", dom & P.blank(state_f), state_f, "state required for a domestic address")
    P.add(F, "F01", fo & P.blank("municipality"), "municipality", "municipality required for a foreign address")
    P.add(F, "F01", fo & P.blank("city"), "city", "city required for a foreign address")
    P.add(F, "F01", fo & P.blank("foreign_state"), "foreign_state", "foreign state required for a foreign address")
    # values: country and nationality two letters; the state in the catalogue; the CP within the state's range
    states = ctx.catalogs["states"] or {}
    st = P.strings(state_f)
    in_cat = _isin(st, states)
    P.add(F, "F04", P.present(state_f) & ~foreign & ~in_cat, state_f, "state not in the catalogue (Anexo 11)")
    cp = P.strings(cp_f)
    five = _match(cp, r"^[0-9]{5}$")
    prefix = pc.cast(pc.utf8_slice_codeunits(pc.if_else(pa.array(five), cp, pa.scalar("00000", pa.large_string())), 0, 2),
                     pa.int64()).to_numpy(zero_copy_only=False)
    canon = pc.replace_substring(st, "CDMX", "DF")
    codes = list(_catalogs.POSTAL_CODE_STATES)
    k = pc.fill_null(pc.index_in(canon, value_set=pa.array(codes, pa.large_string())), -1).to_numpy(zero_copy_only=False)
    lo = np.array([r[0][0] for r in _catalogs.POSTAL_CODE_STATES.values()] + [-1])[k]
    hi = np.array([r[-1][1] for r in _catalogs.POSTAL_CODE_STATES.values()] + [-2])[k]
    fits = five & (prefix >= lo) & (prefix <= hi)
    P.add(F, "V06", P.present(state_f) & P.present(cp_f) & ~foreign & in_cat & ~fits, cp_f,
          "postal code does not belong to the state (SEPOMEX ranges)",
          scope="company" if P.tag == "EM" else "segment")
    return foreign


def _country(F: Findings, P: _Part, ctx: Context, name: str):
    c = P.strings(name)
    two = _match(c, r"^[A-Z]{2}$")
    P.add(F, "F04", P.present(name) & ~two, name, "country code not two letters")
    codes = ctx.catalogs["countries"]
    if codes is not None:
        P.add(F, "F04", P.present(name) & two & ~_isin(c, codes), name, "country not in the catalogue")


def _catalogue(F: Findings, P: _Part, ctx: Context, name: str):
    """A field whose catalogue is an annex: checked only when the user supplied it."""
    codes = ctx.catalogs.get(P.f(name).catalog) if P.f(name).catalog else None
    if codes is None:
        return
    P.add(F, "F04", P.good(name) & ~_isin(P.strings(name), codes), name, "value not in the supplied catalogue")


# -- RFC --------------------------------------------------------------------------------------------------

def _rfc_date_ok(P: "_Part", start: int) -> np.ndarray:
    """The AAMMDD at ``start`` of the RFC is a date of some century (29 February in a year divisible by
    4), from the bytes in place (numpy over the rows; Arrow's string slicing and casting took a tenth
    of validate's time)."""
    b = P.raw("rfc", start, 6).astype(np.int64) - 48
    digits = ((b >= 0) & (b <= 9)).all(axis=1)
    yy, mm, dd = b[:, 0] * 10 + b[:, 1], b[:, 2] * 10 + b[:, 3], b[:, 4] * 10 + b[:, 5]
    dim = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[np.clip(mm, 0, 12)]
    dim = np.where((mm == 2) & (yy % 4 != 0), 28, dim)
    return digits & (mm >= 1) & (mm <= 12) & (dd >= 1) & (dd <= dim)


def _rfc_shape(F: Findings, P: _Part, moral: np.ndarray, pf: np.ndarray, homoclave: bool, types: pa.Array):
    """F05: PM 3 letters (A-Z, &, Ñ) + AAMMDD + homoclave; PF 4 letters; fideicomisos (type 3) the Tema
    5 form CNB/NBK + AAMMDD + 3 digits; no hyphens or blanks. ``homoclave``: mandatory (AC)."""
    rfc = P.strings("rfc")
    h = "" if homoclave else "?"
    date3, date4 = _rfc_date_ok(P, 3), _rfc_date_ok(P, 4)
    pm_ok = _match(rfc, rf"^[A-ZÑ&]{{3}}[0-9]{{6}}([A-Z0-9]{{3}}){h}$") & date3
    pf_ok = _match(rfc, rf"^[A-ZÑ&]{{4}}[0-9]{{6}}([A-Z0-9]{{3}}){h}$") & date4
    fid = moral & _eq(types, pa.scalar("3", pa.large_string()))
    tema5 = _match(rfc, r"^(CNB|NBK)[0-9]{6}[0-9]{3}$") & date3
    cnbf = _match(rfc, r"^CNBF")
    has = P.present("rfc")
    scope = "company" if P.tag == "EM" else "segment"
    P.add(F, "F05", has & fid & cnbf, "rfc", "a fideicomiso's CNBV key must drop the F (CNB + AAMMDD + 3 digits)", scope=scope)
    P.add(F, "F05", has & fid & ~cnbf & ~tema5, "rfc", "a fideicomiso's RFC: CNB or NBK + AAMMDD + 3 digits (Tema 5)",
          scope=scope)
    P.add(F, "F05", has & moral & ~fid & ~pm_ok, "rfc",
          "a moral person's RFC: 3 letters + AAMMDD" + (" + homoclave" if homoclave else " [+ homoclave]"), scope=scope)
    P.add(F, "F05", has & pf & ~pf_ok, "rfc",
          "a PFAE's RFC: 4 letters + AAMMDD" + (" + homoclave" if homoclave else " [+ homoclave]"), scope=scope)


# -- the chunk --------------------------------------------------------------------------------------------

class _State:
    """What spans chunks: the header's context, companies and contracts seen (hashes), the totals."""

    def __init__(self, ctx: Optional[Context], check_unique: bool):
        self.ctx = ctx
        self.ctx_from_header = ctx is None
        self.walk = None
        self.unique = check_unique
        self.em_keys: List[np.ndarray] = []
        self.cr_keys: List[np.ndarray] = []
        self.de_sum = 0
        self.de_unreadable = False
        self.ts: Optional[Tuple[int, Optional[int], Optional[int], bool, bool]] = None
        self.companies = 0


def _header_context(hd: _Part, catalogs) -> Context:
    ctx = Context(catalogs=catalogs)
    if hd.n == 0 or not hd.ok[0]:
        return ctx
    fmt = hd.strings("format").to_pylist()[0]
    ctx.format = 2 if fmt == "2" else 1
    p = hd.table.column("period").to_pylist()[0] if "period" in hd.table.column_names else None
    if isinstance(p, str) and len(p) == 6 and p.isdigit() and 1 <= int(p[:2]) <= 12 and int(p[2:]) >= 1:
        y, m = int(p[2:]), int(p[:2])
        ctx.period_end = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1) if y < 9999 else None
    ctx.report_date = hd.table.column("report_date").to_pylist()[0]
    return ctx


def _chunk(F: Findings, st: _State, buf: np.ndarray, fmt, lay: spec.Layout, walk: dict, record_base: int):
    S = walk["segments"]
    tok = Tokens(buf, fmt, [walk["tokens"]], walk["records"], [], record_base=record_base)
    tables = build_tables(tok)
    parts: Dict[str, _Part] = {}
    sc = fmt.scanner
    for tag in spec.ROLES:
        seg = lay[tag]
        m = S["role"] == _ROLE[tag]
        offs = S["offset"][m]
        ok = S["status"][m] == 0
        status = np.full((len(offs), len(seg.fields)), _ST["damaged"], np.uint8)
        if ok.any():
            if tag == "HD":
                legacy = S["variant"][m] == spec.HEADER_VARIANTS.index("legacy")
                std = ok & ~legacy
                if std.any():
                    status[std] = sc.field_status(buf, np.ascontiguousarray(offs[std]), tag)
                if (ok & legacy).any():
                    ls = sc.field_status(buf, np.ascontiguousarray(offs[ok & legacy]), tag, True)
                    # fields 00-05 as the standard header's; Versión, Nombre and the filler are S11's alone
                    status[ok & legacy, :ls.shape[1] - 1] = ls[:, :-1]
            else:
                status[ok] = sc.field_status(buf, np.ascontiguousarray(offs[ok]), tag)
        t = tables[tag] if tag in tables.names else None
        parts[tag] = _Part(tag, seg, walk, t, status, buf)
    _structure(F, walk, lay)
    hd = parts["HD"]
    if st.ctx_from_header and hd.n:
        st.ctx = _header_context(hd, st.ctx.catalogs if st.ctx else _catalogs.CATALOGS)
        st.ctx_from_header = False
    ctx = st.ctx
    for P in parts.values():
        if P.n:
            _fields(F, P, ctx)
    _header_rules(F, hd, ctx)
    em, ac, cr, de, av = (parts[t] for t in ("EM", "AC", "CR", "DE", "AV"))
    em_moral, em_pf, em_known = _names(F, em, "client_type", ctx)
    em_foreign = _address(F, em, ctx, "address_line1", "state", "postal_code", em.ok)
    _country(F, em, ctx, "country")
    _country(F, em, ctx, "nationality")
    _rfc_shape(F, em, em_moral, em_pf, False, em.strings("client_type"))
    em.add(F, "V05", em.blank("rfc") & ~em_foreign, "rfc", scope="company")
    _rating_activity(F, em, ctx)
    for name in ("economic_activity_1", "economic_activity_2", "economic_activity_3"):
        codes = ctx.catalogs["economic_activities"]
        if codes is not None:
            em.add(F, "F04", em.good(name) & ~_isin(em.strings(name), codes), name, "not in the supplied catalogue")
    _phones(F, em, ("phone", "fax"))
    # shareholders: the homoclave is mandatory; format 2 addresses are all or nothing
    if ac.n:
        ac_moral, ac_pf, _ = _names(F, ac, "client_type", ctx)
        addr = [n for n in ("address_line1", "address_line2", "neighborhood", "municipality", "city", "state",
                            "postal_code", "foreign_state")]
        given = np.zeros(ac.n, bool)
        for n in addr:
            given |= ac.present(n)
        _address(F, ac, ctx, "address_line1", "state", "postal_code", ac.ok & (given if ctx.format == 2 else True))
        _country(F, ac, ctx, "country")
        _rfc_shape(F, ac, ac_moral, ac_pf, True, ac.strings("client_type"))
        ac.add(F, "V05", ac.blank("rfc") & ~_foreign(ac), "rfc", scope="segment")
        _phones(F, ac, ("phone", "fax"))
    if av.n:
        av_moral, av_pf, _ = _names(F, av, "client_type", ctx)
        _address(F, av, ctx, "address_line1", "state", "postal_code", av.ok)
        _country(F, av, ctx, "country")
        _rfc_shape(F, av, av_moral, av_pf, False, av.strings("client_type"))
        av.add(F, "V05", av.blank("rfc") & ~_foreign(av), "rfc", scope="segment")
        _phones(F, av, ("phone", "fax"))
    _cross(F, em, ac, cr, de, av, em_foreign, ctx)
    _credits(F, cr, de, ctx, st)
    # what spans chunks
    if st.unique:
        if em.ok.any():
            rel = em.f("rfc").value_start
            h = sc.hashes(buf, np.ascontiguousarray(em.offset[em.ok]), rel, em.f("rfc").max_length)
            st.em_keys.append(np.stack([h.view(np.int64), em.offset[em.ok], em.company[em.ok]]))
        if ctx.format == 1 and cr.ok.any():
            rel = cr.f("contract_number").value_start
            h = sc.hashes(buf, np.ascontiguousarray(cr.offset[cr.ok]), rel, cr.f("contract_number").max_length)
            st.cr_keys.append(np.stack([h.view(np.int64), cr.offset[cr.ok], cr.company[cr.ok], cr.credit[cr.ok]]))
    if de.n:
        amt_ok = de.ok & de.good("amount")
        st.de_sum += int(de.ints("amount")[amt_ok].sum())
        st.de_unreadable |= bool((~de.ok).any() or (de.ok & de.present("amount") & ~de.good("amount")).any())
    ts = parts["TS"]
    if ts.n and st.ts is None:
        st.ts = (int(ts.offset[0]), int(ts.ints("company_count")[0]) if ts.good("company_count")[0] else None,
                 int(ts.ints("total_amount")[0]) if ts.good("total_amount")[0] else None, bool(ts.ok[0]),
                 bool(ts.ok[0] and ts.good("total_amount")[0]))


def _header_rules(F: Findings, hd: _Part, ctx: Context):
    if not hd.n:
        return
    legacy = hd.variant == spec.HEADER_VARIANTS.index("legacy")
    hd.add(F, "F04", hd.present("format") & ~_isin(hd.strings("format"), _catalogs.FORMATS), "format",
           "format not 1 (detallado) or 2 (sumarizado)")
    hd.add(F, "F04", hd.present("version") & ~legacy & ~_isin(hd.strings("version"), _catalogs.VERSIONS), "version",
           "version not 04")
    _catalogue(F, hd, ctx, "institution_type")


def _rating_activity(F: Findings, em: _Part, ctx: Context):
    r = em.strings("portfolio_rating")
    known = _isin(r, _catalogs.PORTFOLIO_RATINGS)
    em.add(F, "V09", em.present("portfolio_rating") & ~known, "portfolio_rating")
    if ctx.format == 1:
        em.add(F, "V09", em.blank("portfolio_rating"), "portfolio_rating",
               "blank rating: accepted only from intervened banks", severity="warning")
    # V10: EM-10..12 all Banxico (7 significant digits) or all SCIAN (6); the other format's placeholder
    names = ("economic_activity_1", "economic_activity_2", "economic_activity_3")
    kinds = []
    other = _catalogs.ACTIVITY_PLACEHOLDERS[2 if ctx.format == 1 else 1]
    for name in names:
        s = em.strings(name)
        sig = pc.utf8_length(pc.utf8_ltrim(s, characters="0")).to_numpy(zero_copy_only=False)
        present = em.good(name)
        kinds.append(np.where(present, np.where(sig == 7, 7, np.where(sig <= 6, 6, 0)), -1))
        em.add(F, "V10", present & _eq(pc.utf8_ltrim(s, characters="0"), pa.scalar(other, pa.large_string())), name,
               "the other format's placeholder")
        em.add(F, "V10", present & (sig > 7), name, "more than 7 significant digits")
    k = np.stack(kinds)
    seven = (k == 7).any(axis=0)
    six = (k == 6).any(axis=0)
    em.add(F, "V10", em.ok & seven & six, "economic_activity_2", "Banxico and SCIAN codes mixed")


def _phones(F: Findings, P: _Part, names):
    for name in names:
        s = P.strings(name)
        P.add(F, "D11", P.present(name) & ~_match(s, r"^[0-9]{5,11}$"), name)


def _cross(F: Findings, em: _Part, ac: _Part, cr: _Part, de: _Part, av: _Part, em_foreign, ctx: Context):
    """Rules between a company's EM and its other segments (V01-V05 for CR, DE)."""
    if not em.n:
        return
    em_rfc = em.strings("rfc")
    em_ok = em.ok
    em_first = int(em.company[0]) if em.n else 0

    def company_row(P: _Part) -> np.ndarray:
        r = P.company - em_first
        good = (P.company >= 0) & (r >= 0) & (r < em.n)
        r = np.where(good, r, 0)
        good &= em.company[r] == P.company
        return np.where(good, r, -1)

    for P, rule in ((av, "V01"), (ac, "V02")):
        if not P.n:
            continue
        r = company_row(P)
        has = (r >= 0) & em_ok[np.maximum(r, 0)] & P.present("rfc")
        same = _eq(P.strings("rfc"), em_rfc.take(pa.array(np.maximum(r, 0))))
        P.add(F, rule, has & same & em.present("rfc")[np.maximum(r, 0)], "rfc")
    for P, rule in ((cr, "V03"), (de, "V04")):
        if not P.n:
            continue
        r = company_row(P)
        has = (r >= 0) & em_ok[np.maximum(r, 0)] & P.ok
        same = _eq(P.strings("rfc"), em_rfc.take(pa.array(np.maximum(r, 0))))
        P.add(F, rule, has & ~same & P.present("rfc"), "rfc")
        foreign = np.where(r >= 0, em_foreign[np.maximum(r, 0)], False)
        P.add(F, "V05", P.blank("rfc") & ~foreign, "rfc", scope="credit")


def _credits(F: Findings, cr: _Part, de: _Part, ctx: Context, st: _State):
    """Tema 6 and the field descriptions' rules on credits and their details."""
    fin = ctx.format == 1
    n = cr.n
    # details -> their credit's row
    cr_first = int(cr.credit[0]) if n else 0
    drow = de.credit - cr_first if de.n else np.zeros(0, np.int64)
    dgood = (de.credit >= 0) & (drow >= 0) & (drow < n)
    drow = np.where(dgood, drow, 0)
    if de.n and n:
        dgood &= cr.credit[drow] == de.credit
    drow = np.where(dgood, drow, -1)
    days = de.ints("days_past_due")
    amount = de.ints("amount")
    d_ok = de.ok & de.good("days_past_due") & de.good("amount") & (drow >= 0)
    d_bad = de.ok & (drow >= 0) & ~(de.good("days_past_due") & de.good("amount"))
    # per credit: Σ amount, details with days > 0, unreadable details (rules on sums skip those credits)
    sum_amt = np.bincount(drow[d_ok], weights=amount[d_ok], minlength=n).astype(np.int64) if n else np.zeros(0, np.int64)
    any_days = np.bincount(drow[d_ok & (days > 0)], minlength=n) > 0 if n else np.zeros(0, bool)
    any_nonzero = np.bincount(drow[d_ok & ((days > 0) | (amount > 0))], minlength=n) > 0 if n else np.zeros(0, bool)
    unreadable = np.bincount(drow[d_bad | (~de.ok & (drow >= 0))], minlength=n) > 0 if n else np.zeros(0, bool)
    sums_ok = cr.ok & ~unreadable
    settled = cr.present("settled_on")
    ctype = cr.strings("credit_type")
    # D02: a detail's amount 0 with days past due
    de.add(F, "D02", d_ok & (amount == 0) & (days > 0), "amount")
    # S10: detail counts
    if de.n and n:
        _detail_counts(F, de, drow, d_ok, days, fin)
    # D07: DE-01 = CR-02 (format 1)
    if fin and de.n and n:
        contract = cr.strings("contract_number").take(pa.array(np.maximum(drow, 0)))
        de.add(F, "D07", de.present("contract_number") & (drow >= 0) & cr.ok[np.maximum(drow, 0)]
               & ~_eq(de.strings("contract_number"), contract), "contract_number")
    if not n:
        return
    opened, opened_ok = cr.days("opened_on"), cr.good("opened_on")
    last_pay, last_ok = cr.days("last_payment_on"), cr.good("last_payment_on")
    restr, restr_ok = cr.days("restructured_on"), cr.good("restructured_on")
    sett, sett_ok = cr.days("settled_on"), cr.good("settled_on")
    fpi, fpi_ok = cr.days("first_default_on"), cr.good("first_default_on")
    epoch = dt.date(1970, 1, 1)
    limit = (ctx.period_end - epoch).days + 15 if ctx.period_end else None
    report = (ctx.report_date - epoch).days if ctx.report_date else None
    if fin:
        cr.add(F, "V11", cr.blank("opened_on"), "opened_on")
        cr.add(F, "V13", cr.good("initial_balance") & (cr.ints("initial_balance") == 0)
               & ~_isin(ctype, _catalogs.ZERO_INITIAL_BALANCE_TYPES), "initial_balance")
        if limit is not None:
            for rule, name, v, ok in (("V14", "opened_on", opened, opened_ok), ("V15", "last_payment_on", last_pay, last_ok),
                                      ("V17", "restructured_on", restr, restr_ok), ("V18", "settled_on", sett, sett_ok)):
                cr.add(F, rule, ok & (v > limit), name)
        cr.add(F, "V24", opened_ok & sett_ok & (opened > sett), "opened_on")
        cr.add(F, "V25", opened_ok & sett_ok & (opened == sett), "opened_on")
        # V12: settled with days or a balance (one finding a detail)
        if de.n:
            bad = d_ok & settled[np.maximum(drow, 0)] & cr.ok[np.maximum(drow, 0)] & ((days > 0) | (amount > 0))
            de.add(F, "V12", bad & (days > 0), "days_past_due", scope="credit")
            de.add(F, "V12", bad & (days == 0), "amount", scope="credit")
        zero_term = _isin(ctype, _catalogs.ZERO_TERM_TYPES)
        cr.add(F, "D01", cr.good("term_days") & (cr.ints("term_days") == 0) & ~zero_term & ~settled & sums_ok
               & (sum_amt > 0), "term_days")
        cr.add(F, "D03", sums_ok & (sum_amt == 0) & cr.blank("settled_on") & ~zero_term, "settled_on")
        open_bal = sums_ok & ~settled & (sum_amt > 0)
        for name in ("number_of_payments", "payment_frequency_days", "payment_amount", "last_payment_on"):
            cr.add(F, "D04", open_bal & cr.blank(name), name)
        quita = np.zeros(n, bool)
        for name in ("forgiven_amount", "dation_in_payment", "charge_off"):
            quita |= cr.good(name) & (cr.ints(name) > 0)
        cr.add(F, "D10", sums_ok & quita & any_nonzero, "forgiven_amount",
               "quita, dación or quebranto with a detail not at 0")
    cr.add(F, "V16", last_ok & opened_ok & (last_pay < opened), "last_payment_on")
    if report is not None:
        cr.add(F, "V19", opened_ok & (opened > report), "opened_on")
    cr.add(F, "V20", fpi_ok & opened_ok & (fpi < opened), "first_default_on")
    obs_blank = cr.blank("observation_code")
    cr.add(F, "V21", cr.good("charge_off") & (cr.ints("charge_off") > 0) & obs_blank, "charge_off")
    cr.add(F, "V22", cr.good("forgiven_amount") & (cr.ints("forgiven_amount") > 0) & obs_blank, "forgiven_amount")
    cr.add(F, "V23", cr.good("cash_payment") & (cr.ints("cash_payment") > 0) & cr.blank("settled_on"), "cash_payment")
    cr.add(F, "F04", cr.present("special_flag") & ~_isin(cr.strings("special_flag"), _catalogs.SPECIAL_FLAGS),
           "special_flag", "Especiales is F or blank")
    for name in ("credit_type", "currency", "observation_code"):
        _catalogue(F, cr, ctx, name)
    cr.add(F, "D05", cr.ok & any_days & cr.blank("first_default_on"), "first_default_on")
    principal, p_ok = cr.ints("outstanding_principal"), cr.good("outstanding_principal")
    cr.add(F, "D06", sums_ok & p_ok & (principal > sum_amt), "outstanding_principal",
           "outstanding principal greater than the balance (Σ DE-03)")
    zero_ok = (sum_amt == 0) & (settled | _isin(ctype, _catalogs.ZERO_PRINCIPAL_TYPES))
    cr.add(F, "D06", sums_ok & p_ok & (principal == 0) & ~zero_ok, "outstanding_principal",
           "outstanding principal 0 where it is not allowed")


def _detail_counts(F: Findings, de: _Part, drow: np.ndarray, d_ok: np.ndarray, days: np.ndarray, fin: bool):
    """S10: format 1 at most one current and one past-due detail a credit; format 2 one per bucket
    (0, 29, 59, 89, 119, 179, 180+)."""
    idx = np.flatnonzero(d_ok)
    if not len(idx):
        return
    if fin:
        kind = (days[idx] > 0).astype(np.int64)
    else:
        kind = np.where(days[idx] >= 180, 180, days[idx])
        bucket = np.isin(days[idx], [0, 29, 59, 89, 119, 179]) | (days[idx] >= 180)
        de.add(F, "F04", np.isin(np.arange(de.n), idx[~bucket]), "days_past_due",
               "days past due not a format-2 bucket (000 029 059 089 119 179 +179)")
    key = drow[idx] * 1000 + kind
    order = np.lexsort((idx, key))
    k = key[order]
    repeat = np.zeros(len(k), bool)
    repeat[1:] = k[1:] == k[:-1]
    de.add(F, "S10", np.isin(np.arange(de.n), idx[order][repeat]), "days_past_due",
           "a second current or past-due detail for one credit" if fin else "a second detail for one bucket")


def _unique(F: Findings, st: _State, buf):
    """D08 / D09 over the whole file: the second and later occurrences of a company's RFC or a
    contract number (hash matches confirmed on the bytes)."""
    for keys, rule, tag, name in ((st.em_keys, "D08", "EM", "rfc"), (st.cr_keys, "D09", "CR", "contract_number")):
        if not keys:
            continue
        k = np.concatenate(keys, axis=1)
        h = k[0]
        live = h != 0
        k = k[:, live]
        h = k[0]
        order = np.argsort(h, kind="stable")
        hs = h[order]
        dup = np.zeros(len(hs), bool)
        dup[1:] = hs[1:] == hs[:-1]
        if not dup.any():
            continue
        fld = spec.SEGMENTS[tag].by_tag[{"rfc": "00", "contract_number": "02"}[name]]
        first = {}
        rows = []
        for i in range(len(hs)):
            j = order[i]
            if i == 0 or not dup[i]:
                first[int(hs[i])] = [j]
                continue
            off = int(k[1, j])
            val = bytes(buf[off + fld.value_start: off + fld.value_start + fld.max_length])
            if any(bytes(buf[int(k[1, f]) + fld.value_start:int(k[1, f]) + fld.value_start + fld.max_length]) == val
                   for f in first.setdefault(int(hs[i]), [])):
                rows.append(j)
            else:
                first[int(hs[i])].append(j)
        rows = np.array(sorted(rows, key=lambda j: k[1, j]), np.int64)
        if len(rows):
            F.add(rule, tag, fld, k[1, rows] + fld.value_start, k[2, rows], k[3, rows] if k.shape[0] > 3 else -1)


def _trailer(F: Findings, st: _State):
    if st.ts is None:
        return
    off, count, total, ok, total_ok = st.ts
    ts = spec.SEGMENTS["TS"]
    if ok and count is not None and count != st.companies:
        F.add("T01", "TS", ts.by_tag["00"], off + ts.by_tag["00"].value_start, -1, -1,
              f"TS-00 differs from the number of EM segments in the file ({st.companies})")
    if total_ok and not st.de_unreadable and total is not None and total != st.de_sum:
        F.add("T02", "TS", ts.by_tag["01"], off + ts.by_tag["01"].value_start, -1, -1,
              "TS-01 differs from the sum of DE-03 over the file")


def validate(source, *, catalogs=None, format: Optional[str] = None, chunk_bytes: int = 16 << 20) -> pa.Table:
    """Check a Círculo load file against every rule (spec.RULES); a table of findings (SCHEMA) in file
    order, empty for a file the rules accept. ``catalogs``: a Catalogs, or a mapping of catalogue name
    -> CSV/JSON path or {code: description}, for the annexes the seed lacks (credit_types, currencies,
    countries, observation_codes, institution_types, economic_activities). ``format``: a layout
    registered with ``define_format``. Never raises on bad bytes."""
    cat = _catalogs.CATALOGS
    if isinstance(catalogs, _catalogs.Catalogs):
        cat = catalogs
    elif catalogs:
        cat = cat.extended(**dict(catalogs))
    fmt = format_of(format)
    srcs = open_all(source)
    if len(srcs) != 1:
        for s in srcs:
            s.close()
        raise UsageError(f"validate takes one source, not {len(srcs)}")
    src = srcs[0]
    try:
        buf = src.read_all()            # a stream is read whole; a path is mapped and released by chunks
        t = _run(buf, src.owner, fmt, Context(catalogs=cat), chunk_bytes, from_header=True, start=src.start)
    finally:
        src.close()
    if src.base:
        t = t.set_column(t.schema.get_field_index("offset"), "offset", pc.add(t.column("offset"), src.base))
    return t


def _run(buf, owner, fmt, ctx: Context, chunk_bytes: int, from_header: bool, state0=None,
         unique: bool = True, findings: Optional[Findings] = None, start: int = 0) -> pa.Table:
    lay = layout_of(fmt.name)
    # validation aligns rows by the walk itself: no keys, and no records table (numbering its companies
    # without the keys re-scanned the bytes before every chunk: 0.13 s of 1.1 on 98 MB)
    plain = dataclasses.replace(fmt, finish_tables=None, records_table=lambda tok: empty(RECORDS_SCHEMA))
    F = findings or Findings()
    st = _State(ctx if not from_header else None, unique)
    if from_header:
        st.ctx = ctx
        st.ctx_from_header = True
    n = len(buf)
    pos, state, record_base = start, state0, 0
    while True:
        stop = n if pos + chunk_bytes >= n else fmt.scanner.find_record_start(buf, pos + chunk_bytes)
        w = fmt.scanner.walk(buf, pos, stop, state)
        _chunk(F, st, buf, plain, lay, w, record_base)
        record_base += len(w["records"]["start"])
        state = w["state"]
        done, pos = pos, max(w["end"], stop)
        release(owner, done, pos)
        if pos >= n:
            break
    st.companies = int(state[1]) + 1 if state is not None else 0
    if unique:
        _unique(F, st, buf)
        _trailer(F, st)
    return F.table()


def check_blocks(data: bytes, ctx: Context, fmt=None) -> pa.Table:
    """The findings of company blocks alone (no header, no trailer: the writer's check of a batch it is
    about to write). The walk starts as after a header; the file-wide rules (D08, D09, T01, T02) are
    the writer's own."""
    fmt = format_of(fmt)
    buf = np.frombuffer(data, np.uint8)
    after_header = (_ROLE["HD"] + 1, -1, -1, 0, -1, -1, 1, 1, 0)
    return _run(buf, data, fmt, ctx, 1 << 62, from_header=False, state0=after_header, unique=False)


def summary(findings: pa.Table) -> Dict[str, Dict[str, int]]:
    """Counts by rule and by (severity, scope)."""
    rules, scopes = {}, {}
    for r, sev, sc in zip(findings.column("rule").to_pylist(), findings.column("severity").to_pylist(),
                          findings.column("scope").to_pylist()):
        rules[r] = rules.get(r, 0) + 1
        scopes[f"{sev}:{sc}"] = scopes.get(f"{sev}:{sc}", 0) + 1
    return {"rules": dict(sorted(rules.items())), "scopes": dict(sorted(scopes.items()))}
