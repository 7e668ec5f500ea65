"""The terminal rendering of one record (``Report.__str__``): plain text, a line a part, the accounts
as a fixed-width table with their payment histories as the bureau writes them (leftmost = the month of
tag 28), scores with their reason texts. Codes keep their labels where a line has room for them."""
from __future__ import annotations

from typing import List, Optional

from ..intl13 import catalogs, spec
from . import codes, labels
from ._personal import Personal
from .grid import month_back

__all__ = ["report_text"]


def _get(row, name):
    return None if row is None else getattr(row, name, None)


def _date(v, lang):
    if v is None:
        return "—"
    return v.strftime("%d/%m/%Y") if lang == "es" else v.isoformat()


def _amt(v) -> str:
    return "—" if v is None else f"{int(v):,}"


def report_text(report, *, redact_key=None, lang: str = "es") -> str:
    lang = labels.check_lang(lang)
    p = Personal(redact_key)
    t = lambda k: labels.text(k, lang)
    h = report.header
    kind = report.kind if report.kind in ("hit", "nohit", "error", "consulta") else "unknown"
    out: List[str] = []
    ref = (report.reference or "").strip()
    out.append(f"{t('report_title')} · {t('record')} {report.record} · {t('kind_' + kind)}" + (f" · {ref}" if ref else ""))
    member = (h.get("member_code") or "").strip()
    if member:
        kob = codes.kob_of_member(member)
        out.append(f"  {t('user')}: {member}" + (f" (KOB {kob}: {catalogs.KOB[kob][0]})" if kob else ""))
    if not h.get("ok", True):
        out.append("  " + t("record_damaged"))
    if kind == "error":
        for tag, row in (("UR", getattr(report, "user_error", None)), ("AR", getattr(report, "auth_error", None))):
            if row is None:
                continue
            out.append(t("ur" if tag == "UR" else "ar") + ":")
            for f in spec.ERROR.by_tag[tag].fields[1:]:
                v = _get(row, f.name)
                if v is not None:
                    shown = p.text(tag, f.name, v)
                    if f.name == "bad_member_or_password":
                        shown = v[:10] + "•" * max(0, len(v.rstrip()) - 10)
                    out.append(f"  {labels.field_heading(f, lang)}: {shown}")
        return "\n".join(out)
    if kind != "hit" and kind != "nohit":
        return "\n".join(out)
    indicator = h.get("bureau_indicator")
    if codes.is_integrated(indicator, [_get(s, "score_code") for s in report.scores]):
        pos = ", ".join(f"{name.split('(')[-1].rstrip(')')} {lab}" for name, v, lab in codes.bureau_positions(indicator) if lab)
        out.append(f"  {t('integrated')}: {indicator} ({pos})")
    pn = report.name
    if pn is not None:
        names = [p.text("PN", k, _get(pn, k)) for k in ("paternal_surname", "maternal_surname", "additional_surname",
                                                       "first_name", "middle_name")]
        line = " ".join(n.strip() for n in names if n)
        birth = _get(pn, "birth_date")
        if birth is not None:
            line += f" · {labels.field_heading(spec.PN.field('04'), lang)} " + (
                p.text("PN", "birth_date", birth) if p.redacting else _date(birth, lang))
        for k in ("rfc", "curp"):
            if _get(pn, k):
                line += f" · {k.upper()} {p.text('PN', k, _get(pn, k))}"
        out.append(f"{t('personal')}: {line}")
    for title, rows, seg in ((t("addresses"), report.addresses, "PA"), (t("employments"), report.employments, "PE")):
        if rows:
            out.append(f"{title}:")
            for i, a in enumerate(rows):
                keys = (("employer",) if seg == "PE" else ()) + ("address_line1", "address_line2", "neighborhood",
                                                                   "municipality", "city", "state", "postal_code")
                vals = [p.text(seg, k, _get(a, k)) for k in keys]
                out.append(f"  {i + 1}. " + ", ".join(v.strip() for v in vals if v and v.strip()))
    accts = list(enumerate(report.accounts))
    for title, group in ((t("accounts_open"), [x for x in accts if _get(x[1], "closed_on") is None]),
                         (t("accounts_closed"), [x for x in accts if _get(x[1], "closed_on") is not None])):
        if not group:
            continue
        out.append(f"{title} ({len(group)}):")
        out.append(f"  {'#':>3} {t('institution')[:16]:16} {t('type')[:4]:4} {t('contract')[:4]:4} {t('opened'):10} "
                   f"{t('limit'):>11} {t('balance'):>11} {t('past_due'):>10} MOP  {t('history').split(' (')[0]}")
        for i, a in group:
            latest = _get(a, "history_latest_on")
            since = ""
            if latest is not None:
                y, m = month_back(latest, 0)
                since = f"  ← {labels.MONTHS[lang][m - 1]} {y}"
            hist = _get(a, "payment_history")
            out.append(f"  {i:>3} {(_get(a, 'user_name') or '').strip()[:16]:16} {(_get(a, 'account_type') or ''):4} "
                       f"{(_get(a, 'contract_type') or ''):4} {_date(_get(a, 'opened_on'), lang):10} "
                       f"{_amt(_get(a, 'credit_limit')):>11} {_amt(_get(a, 'balance')):>11} {_amt(_get(a, 'past_due')):>10} "
                       f"{(_get(a, 'mop') or '—'):4} {('[' + hist + ']') if hist is not None else '—'}{since}")
    if report.inquiries:
        out.append(f"{t('inquiries')} ({len(report.inquiries)}): " + "; ".join(
            f"{_date(_get(q, 'inquired_on'), lang)} {(_get(q, 'user_name') or '').strip()} {_get(q, 'contract_type') or ''}"
            for q in report.inquiries[:6]) + (" …" if len(report.inquiries) > 6 else ""))
    for s in report.scores:
        out.append(_score_line(s, lang))
    for tag, rows in (("HI", report.hawk_inquiries), ("HR", report.hawk_responses)):
        for hk in rows:
            c = (_get(hk, "prevention_code") or "").strip()
            msg, kind_, role = codes.hawk(c)
            out.append(f"Hawk {tag} {_date(_get(hk, 'reported_on'), lang)} {c} {msg or ''}" + (f" ({role})" if role else ""))
    if report.declarativa is not None:
        text = p.text("CR", "declarativa", _get(report.declarativa, "declarativa")) or ""
        out.append(f"{t('declarativa')}: {text[:200]}" + ("…" if len(text) > 200 else ""))
    return "\n".join(out)


def _score_line(s, lang: str) -> str:
    sc = (_get(s, "score_code") or "").strip()
    name = (_get(s, "score_name") or "").strip()
    value, err = _get(s, "score"), (_get(s, "error_code") or "").strip()
    if _get(s, "exclusion_code") is not None and not err:
        value = _get(s, "exclusion_code")
    if err:
        shown = f"error {err} {catalogs.SCORE_ERRORS.get(err, '')}".rstrip()
    elif isinstance(value, str) or (value is not None and value < 0):
        code, lab = codes.exclusion(value)
        shown = f"{code} {lab or ''}".rstrip()
    else:
        shown = "—" if value is None else str(value)
    reasons: List[str] = []
    for k in ("reason_1", "reason_2", "reason_3"):
        rc: Optional[str] = (_get(s, k) or "").strip()
        if rc:
            annex, lab = codes.score_reason(sc, rc)
            reasons.append(f"{rc} {lab or '(' + labels.text('not_in_annex', lang) + ' ' + annex + ')'}")
    return f"Score {name} ({sc}): {shown}" + (" — " + "; ".join(reasons) if reasons else "")
