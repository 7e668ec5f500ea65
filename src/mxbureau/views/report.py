"""The page for one record: ``report_html(report)``, a self-contained HTML document.

Header, personal data (or its redacted form), addresses, employments, the accounts (open, then closed
apart) with their 24-month payment-history grids, inquiries, the RS summary, Hawk alerts, the
declarativa, scores with their reasons spelled out and exclusions explained, Sintetiza; for an error
record, what the bureau rejected. Every code is shown beside its catalogue label. Fields are read from
the ``Report`` (``mxbureau.reports``) by their spec names; a field the page has no place for is still
shown, in its segment's list of fields."""
from __future__ import annotations

import datetime as _dt
from typing import List, Optional

from ..intl13 import catalogs, spec
from . import codes, labels
from ._html import amount, cell, code, date, esc, kv, page, section, table
from ._personal import Personal
from .grid import CSS as GRID_CSS, grid_html, legend_html

__all__ = ["report_html"]

_SEG = spec.RESPONSE.by_tag
_ERR = spec.ERROR.by_tag
_HEADER = {h.name: h for h in spec.RESPONSE_HEADER}
# TL fields that have a column of their own in the accounts table (the rest go in the detail row).
_TL_COLUMNS = ("member_code", "user_name", "account_type", "contract_type", "opened_on", "credit_limit",
               "balance", "past_due", "mop", "payment_history", "history_latest_on")
_IQ_COLUMNS = ("inquired_on", "member_code", "user_name", "contract_type", "contract_amount", "currency",
               "responsibility", "sic_id")


def report_html(report, *, redact_key=None, lang: str = "es", replied_on: Optional[_dt.date] = None,
                fragment: bool = False) -> str:
    """One record as a self-contained HTML page (inline CSS, no script, no request).

    ``redact_key``: personal data (``spec.PERSONAL_DATA``) shown as its keyed HMAC-SHA256 digest and
    birth / death dates as their year, so that no personal value is anywhere in the page's source.
    ``lang``: "es" (default) or "en" for the headings; code labels are the manual's Spanish.
    ``replied_on``: the date of the reply, which INTL13 records do not carry (the caller knows it).
    ``fragment``: the stylesheet and body only, for embedding (``Report._repr_html_``)."""
    r = _Render(report, Personal(redact_key), labels.check_lang(lang), replied_on)
    title = f"{labels.text('report_title', r.lang)} · {labels.text('record', r.lang)} {report.record}"
    return page(title, r.body(), r.lang, fragment, css=GRID_CSS)


def _get(row, name):
    return None if row is None else getattr(row, name, None)


class _Render:
    def __init__(self, report, personal: Personal, lang: str, replied_on):
        self.rep, self.p, self.lang, self.replied_on = report, personal, lang, replied_on
        self.t = lambda key: labels.text(key, lang)
        self.integrated = codes.is_integrated(report.header.get("bureau_indicator"),
                                              [_get(s, "score_code") for s in getattr(report, "scores", [])])

    # ---- values -------------------------------------------------------------------------------
    def plain(self, f: spec.Field, v) -> str:
        if v is None:
            return "—"
        if f.kind == "date":
            return date(v, self.lang)
        if f.kind == "amount":
            return amount(v)
        if f.kind == "int":
            return esc(v)
        if f.kind == "history":
            return f'<span class="c">{esc(v)}</span>'
        s = v.strip() if isinstance(v, str) else v
        if s == "":
            return "—"
        if f.kind == "code":
            lab = codes.label(f.catalog, s)
            if lab is None and f.catalog is None and s in ("Y", "N"):
                lab = self.t("yes" if s == "Y" else "no")
            return code(s, lab, codes.annex_of(f.catalog, self.lang), self.lang)
        return esc(s)

    def value(self, seg: str, f: spec.Field, v) -> str:
        special = self.special(seg, f, v)
        if special is not None:
            return special
        return self.p.show(seg, f.name, v, lambda x: self.plain(f, x))

    def special(self, seg: str, f: spec.Field, v) -> Optional[str]:
        """Fields whose meaning depends on more than their catalogue."""
        if v is None:
            return None
        name = f.name
        if seg == "TL" and name == "sic_id":                              # Anexo 14: the SIC id
            return code(v, catalogs.SIC_IDS.get(v.strip()), "Anexo 14", self.lang)
        if seg == "IQ" and name == "sic_id":
            return code(v, catalogs.IQ_SIC_IDS.get(v.strip()), "Anexo 14", self.lang)
        if seg == "RS" and name == "alert_messages":
            found = codes.rs_alerts(v)
            if not found:
                return code(v, "sin mensajes de alerta" if self.lang == "es" else "no alert messages")
            return code(v, "; ".join(f"{i}: {t}" for i, t in found))
        if seg in ("UR", "AR") and name == "bad_member_or_password":
            # the bureau echoes the member code and password it refused: the password is not shown
            s = v.rstrip()
            return code(s[:10] + "•" * max(0, len(s) - 10), self.t("masked") if len(s) > 10 else None)
        if seg in ("UR", "AR") and name in ("missing_segment", "bad_segment_count", "bad_segment_tag"):
            seg_name = codes.consulta_segment(v.strip())
            return code(v.strip(), seg_name or self.t("unknown_segment"))
        if seg == "UR" and name == "bad_segment_order":
            s = v.strip()
            parts = [s[i:i + 2] for i in range(0, len(s), 2)]
            return " ".join(code(x, codes.consulta_segment(x) or self.t("unknown_segment")) for x in parts)
        if seg in ("UR", "AR") and name == "missing_required_field":
            where = codes.consulta_field(v.strip())
            if where is None:
                return code(v.strip(), self.t("unknown_field"))
            seg_name, tag, field_name = where
            return code(v.strip(), f"{self.t('segment_of')} {seg_name}, {tag}: {field_name or self.t('unknown_field')}")
        if seg == "UR" and name == "bad_product":
            return code(v.strip(), catalogs.SCORE_PRODUCTS.get(v.strip()),
                        codes.annex_of("SCORE_PRODUCTS", self.lang), self.lang)
        return None

    def fields(self, seg: spec.Segment, row, skip=()) -> List[tuple]:
        """(heading, html, field name) for every field of a segment row that has a value."""
        out = []
        for f in [g for h in seg.fields for g in ((h.short, h) if h.short else (h,))]:
            if f.name in skip:
                continue
            v = _get(row, f.name)
            if v is None or (isinstance(v, str) and f.kind == "code" and not v.strip()):
                continue
            out.append((labels.field_heading(f, self.lang), self.value(seg.tag, f, v), f.name))
        return out

    def f(self, seg: str, name: str, row) -> str:
        """One field's html (in the accounts and inquiries tables)."""
        s = _SEG[seg]
        return self.value(seg, s.field(name), _get(row, name))

    # ---- sections -----------------------------------------------------------------------------
    def body(self) -> str:
        rep, t = self.rep, self.t
        kind = rep.kind if rep.kind in ("hit", "nohit", "error", "consulta") else "unknown"
        ref = (rep.reference or "").strip()
        parts = [f'<h1>{esc(t("report_title"))}</h1>',
                 f'<p class="sub">{esc(t("record"))} {esc(rep.record)} · {esc(t("kind_" + kind))}'
                 f'{" · " + esc(ref) if ref else ""}</p>',
                 self.header()]
        if kind in ("hit", "nohit"):
            parts += [self.personal(), self.addresses(), self.employments(), self.accounts(),
                      self.inquiries(), self.summary(), self.hawk(), self.declarativa(), self.scores(),
                      self.sintetiza()]
            if getattr(rep, "accounts", None):
                parts.append(legend_html(self.lang))
        elif kind == "error":
            parts.append(self.error())
        elif kind == "consulta":
            parts.append(f'<p class="note">{esc(t("consulta_note"))}</p>')
        parts.append(f'<footer>{esc(t("footer"))}</footer>')
        return "".join(p for p in parts if p)

    def header(self) -> str:
        h, t, lang = self.rep.header, self.t, self.lang
        items = []
        head_field = lambda name: labels.field_heading(_HEADER[name], lang)
        if h.get("reference") is not None:
            items.append((head_field("reference"), esc(h["reference"].strip()) or "—", "reference"))
        member = h.get("member_code")
        if member:
            kob = codes.kob_of_member(member)
            items.append((head_field("member_code"), code(member.strip(), None) + (
                f' <span class="l">KOB {esc(kob)}: {esc(catalogs.KOB[kob][0])} (Anexo 1)</span>' if kob else ""),
                "member_code"))
        kind = h.get("kind") or "unknown"
        items.append((t("kind"), esc(t("kind_" + kind if kind in ("hit", "nohit", "error", "consulta") else "kind_unknown")), "kind"))
        if h.get("version") is not None:
            items.append((head_field("version"), esc(h["version"]), "version"))
        if h.get("found") is not None:
            items.append((head_field("found"), code("1" if h["found"] else "0",
                                                     "encontrado" if h["found"] else "no encontrado"), "found"))
        replied = date(self.replied_on, lang) if self.replied_on else f'<span class="l">{esc(t("reply_date_absent"))}</span>'
        items.append((t("reply_date"), replied, "replied_on"))
        if kind in ("hit", "nohit"):
            items.append((t("integrated"), self.bureaus(h.get("bureau_indicator")), "bureau_indicator"))
        if h.get("control_number"):
            items.append((labels.field_heading(_SEG["ES"].field("00"), lang), esc(h["control_number"]), "control_number"))
        if h.get("declared_length") is not None:
            items.append((labels.field_heading(_SEG["ES"].field("ES"), lang), esc(h["declared_length"]), "declared_length"))
        warn = "" if h.get("ok", True) else f'<p class="warn">{esc(t("record_damaged"))}</p>'
        return section("header", t("header"), warn + kv(items))

    def bureaus(self, indicator: Optional[str]) -> str:
        if not self.integrated:
            return esc(self.t("not_integrated"))
        rows = [f"<li>{esc(name)}: {code(v, lab) if lab else code(v, None)}</li>"
                for name, v, lab in codes.bureau_positions(indicator)]
        return f'{code(indicator or "", None)}<ul style="margin:2px 0 0 18px;padding:0">{"".join(rows)}</ul>'

    def personal(self) -> str:
        name = getattr(self.rep, "name", None)
        if name is None:
            return ""
        note = f'<p class="note">{esc(self.t("redacted_note"))}</p>' if self.p.redacting else ""
        return section("personal", self.t("personal"), note + kv(self.fields(_SEG["PN"], name)))

    def _blocks(self, ident: str, title: str, one: str, seg: str, rows) -> str:
        if not rows:
            return ""
        body = "".join(f'<h3>{esc(one)} {i + 1}</h3>{kv(self.fields(_SEG[seg], row))}' for i, row in enumerate(rows))
        return section(ident, f"{title} ({len(rows)})", body)

    def addresses(self) -> str:
        return self._blocks("addresses", self.t("addresses"), self.t("address"), "PA", getattr(self.rep, "addresses", []))

    def employments(self) -> str:
        return self._blocks("employments", self.t("employments"), self.t("employment"), "PE", getattr(self.rep, "employments", []))

    def accounts(self) -> str:
        accts = list(enumerate(getattr(self.rep, "accounts", [])))
        if not accts:
            return section("accounts-open", self.t("accounts_open"), f'<p>{esc(self.t("no_accounts"))}</p>')
        is_open = [(i, a) for i, a in accts if _get(a, "closed_on") is None]
        closed = [(i, a) for i, a in accts if _get(a, "closed_on") is not None]
        out = section("accounts-open", f'{self.t("accounts_open")} ({len(is_open)})', self.accounts_table(is_open))
        if closed:
            out += section("accounts-closed", f'{self.t("accounts_closed")} ({len(closed)})', self.accounts_table(closed))
        return out

    def institution(self, a) -> str:
        user = (_get(a, "user_name") or "").strip()
        parts = [esc(user) if user else "—"]
        generic = codes.generic_kob(user)
        member = (_get(a, "member_code") or "").strip()
        kob = codes.kob_of_member(member)
        if member:
            parts.append(code(member, f"KOB {kob}: {catalogs.KOB[kob][0]}" if kob else None))
        elif generic:
            parts.append(f'<span class="l">Anexo 1: {esc(", ".join(generic))}</span>')
        return "<br>".join(parts)

    def accounts_table(self, accts) -> str:
        t = self.t
        heads = ["#", t("institution"), t("type"), t("opened"), t("limit"), t("balance"), t("past_due"), t("current_mop")]
        bodies = []
        for i, a in accts:
            kind = self.f("TL", "account_type", a) + "<br>" + self.f("TL", "contract_type", a)
            first = "".join([
                cell(esc(i), "position"), cell(self.institution(a), "institution"), cell(kind, "type"),
                cell(self.f("TL", "opened_on", a), "opened_on"), cell(self.f("TL", "credit_limit", a), "credit_limit"),
                cell(self.f("TL", "balance", a), "balance"), cell(self.f("TL", "past_due", a), "past_due"),
                cell(self.f("TL", "mop", a), "mop")])
            grid = grid_html(_get(a, "payment_history"), _get(a, "history_latest_on"), self.lang)
            more = kv(self.fields(_SEG["TL"], a, skip=_TL_COLUMNS))
            detail = (f'<tr class="detail"><td colspan="{len(heads)}"><div class="l">{esc(t("history"))}</div>'
                      f'{grid}{more}</td></tr>')
            bodies.append(f'<tbody class="account" data-position="{i}"><tr>{first}</tr>{detail}</tbody>')
        head = "".join(f"<th>{esc(h)}</th>" for h in heads)
        return f'<table class="accounts"><thead><tr>{head}</tr></thead>{"".join(bodies)}</table>'

    def inquiries(self) -> str:
        rows = getattr(self.rep, "inquiries", [])
        if not rows:
            return ""
        t = self.t
        heads = [t("inquired_on"), t("user"), t("contract"), t("amount"), t("currency"), t("responsibility")]
        if self.integrated:
            heads.append(t("sic"))
        heads.append("+")
        trs = []
        for q in rows:
            cells = [cell(self.f("IQ", "inquired_on", q), "inquired_on"), cell(self.institution(q), "user"),
                     cell(self.f("IQ", "contract_type", q), "contract_type"),
                     cell(self.f("IQ", "contract_amount", q), "contract_amount", "n"),
                     cell(self.f("IQ", "currency", q), "currency"), cell(self.f("IQ", "responsibility", q), "responsibility")]
            if self.integrated:
                cells.append(cell(self.f("IQ", "sic_id", q), "sic_id"))
            rest = self.fields(_SEG["IQ"], q, skip=_IQ_COLUMNS)
            cells.append(cell("<br>".join(f'<span class="l">{esc(k)}:</span> {v}' for k, v, _ in rest)))
            trs.append(f"<tr>{''.join(cells)}</tr>")
        return section("inquiries", f'{t("inquiries")} ({len(rows)})', table(heads, trs, "inquiries"))

    def summary(self) -> str:
        rows = getattr(self.rep, "summaries", [])
        if not rows:
            return ""
        body = "".join((f"<h3>RS {i + 1}</h3>" if len(rows) > 1 else "") + kv(self.fields(_SEG["RS"], s))
                       for i, s in enumerate(rows))
        return section("summary", self.t("summary"), body)

    def hawk(self) -> str:
        groups = [("HI", self.t("hawk_hi"), getattr(self.rep, "hawk_inquiries", [])),
                  ("HR", self.t("hawk_hr"), getattr(self.rep, "hawk_responses", []))]
        if not any(rows for _, _, rows in groups):
            return ""
        t = self.t
        body = ""
        for tag, title, rows in groups:
            if not rows:
                continue
            trs = []
            for h in rows:
                c = (_get(h, "prevention_code") or "").strip()
                msg, kind, role = codes.hawk(c)
                lab = "; ".join(x for x in (msg, kind, role) if x) or None
                trs.append("<tr>" + cell(self.f(tag, "reported_on", h), "reported_on")
                           + cell(code(c, lab, "Anexo 8", self.lang), "prevention_code")
                           + cell(esc((_get(h, "user_type") or "").strip()), "user_type")
                           + cell(esc((_get(h, "message") or "").strip()), "message") + "</tr>")
            body += f"<h3>{esc(title)} ({len(rows)})</h3>" + table(
                [t("inquired_on"), t("prevention"), labels.field_heading(_SEG[tag].field("01"), self.lang), t("message")],
                trs, "hawk")
        return section("hawk", t("hawk"), body)

    def declarativa(self) -> str:
        cr = getattr(self.rep, "declarativa", None)
        if cr is None:
            return ""
        text = _get(cr, "declarativa")
        shown = self.p.show("CR", "declarativa", text, lambda v: esc(v))
        return section("declarativa", self.t("declarativa"), f'<pre class="cr">{shown}</pre>')

    def scores(self) -> str:
        rows = getattr(self.rep, "scores", [])
        if not rows:
            return ""
        t = self.t
        trs = []
        for s in rows:
            sc = (_get(s, "score_code") or "").strip()
            value = _get(s, "score")
            excluded = _get(s, "exclusion_code")
            err = (_get(s, "error_code") or "").strip()
            if err:
                shown = f'{esc(t("score_error"))}: {code(err, catalogs.SCORE_ERRORS.get(err), "Anexo 6", self.lang)}'
            elif excluded is not None:
                ex, lab = codes.exclusion(excluded)
                shown = f'{esc(t("exclusion"))}: {code(ex, lab, "Anexo 6", self.lang)}'
            elif value is None:
                shown = "—"
            elif value < 0:
                ex, lab = codes.exclusion(value)
                shown = f'{esc(t("exclusion"))}: {code(ex, lab, "Anexo 6", self.lang)}'
            else:
                shown = f'<b>{esc(value)}</b>'
            reasons = []
            for k in ("reason_1", "reason_2", "reason_3"):
                rc = (_get(s, k) or "").strip()
                if rc:
                    annex, lab = codes.score_reason(sc, rc)
                    reasons.append(f'<li data-f="{k}">{code(rc, lab, annex, self.lang)}</li>')
            trs.append("<tr>" + cell(esc((_get(s, "score_name") or "").strip()), "score_name")
                       + cell(code(sc, catalogs.SCORE_PRODUCTS.get(sc), codes.annex_of("SCORE_PRODUCTS", self.lang), self.lang), "score_code")
                       + cell(shown, "score")
                       + cell(f'<ol style="margin:0;padding-left:18px">{"".join(reasons)}</ol>' if reasons else "—", "reasons")
                       + "</tr>")
        heads = [t("score"), labels.field_heading(_SEG["SC"].field("00"), self.lang), t("score_value"), t("reasons")]
        return section("scores", t("scores"), table(heads, trs, "scores"))

    def sintetiza(self) -> str:
        rows = getattr(self.rep, "sintetiza", [])
        if not rows:
            return ""
        seg = _SEG["CL"]
        heads = [labels.field_heading(f, self.lang) for f in seg.fields]
        trs = ["<tr>" + "".join(cell(self.value("CL", f, _get(c, f.name)), f.name) for f in seg.fields) + "</tr>"
               for c in rows]
        return section("sintetiza", self.t("sintetiza"), table(heads, trs, "sintetiza"))

    def error(self) -> str:
        t = self.t
        ur, ar = getattr(self.rep, "user_error", None), getattr(self.rep, "auth_error", None)
        body = ""
        for tag, title, row in (("UR", t("ur"), ur), ("AR", t("ar"), ar)):
            if row is None:
                continue
            items = self.fields(_ERR[tag], row, skip=("reference",))
            body += f"<h3>{esc(title)}</h3>" + kv(items)
        if not body:
            body = f'<p>{esc(t("no_error_segment"))}</p>'
        return section("error", t("error_record"), body)
