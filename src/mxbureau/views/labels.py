"""Headings of the pages in their two languages (``lang="es"``, the default, or ``"en"``).

Only the words mxbureau writes itself live here: section titles, column headings, captions. What a code
*means* is the manual's and stays in Spanish in both languages (``mxbureau.catalogs``); a field's
Spanish heading is the manual's name for it (``spec.Field.spanish``), its English heading the spec's
English name in words.
"""
from __future__ import annotations

import re

from ..errors import UsageError

__all__ = ["LANGS", "check_lang", "text", "field_heading", "MONTHS"]

LANGS = ("es", "en")

MONTHS = {"es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
          "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}

# key -> (es, en)
_TEXT = {
    # report page
    "report_title": ("Informe de crédito", "Credit report"),
    "record": ("Registro", "Record"),
    "header": ("Encabezado", "Header"),
    "reply_date": ("Fecha de la respuesta", "Date of the reply"),
    "reply_date_absent": ("no viene en el registro INTL13", "not carried by the INTL13 record"),
    "kind": ("Tipo de registro", "Record kind"),
    "kind_hit": ("Encontrado (hit)", "Found (hit)"),
    "kind_nohit": ("No encontrado (no hit)", "Not found (no hit)"),
    "kind_error": ("Registro de error (ERRR)", "Error record (ERRR)"),
    "kind_consulta": ("Consulta (solicitud), no es una respuesta", "Consulta (a request), not a reply"),
    "kind_unknown": ("Desconocido", "Unknown"),
    "integrated": ("Reporte de Crédito integrado (Anexo 14)", "Integrated credit report (Anexo 14)"),
    "bureau_position": ("Posición", "Position"),
    "not_integrated": ("No: Informe Buró (indicador 0000)", "No: Informe Buró (indicator 0000)"),
    "record_damaged": ("El registro está dañado: su longitud declarada no coincide.",
                       "The record is damaged: its declared length does not match."),
    "personal": ("Datos personales", "Personal data"),
    "redacted_note": ("Datos personales reemplazados por HMAC-SHA256 con la clave dada (primeros 16 dígitos "
                      "hexadecimales); fechas de nacimiento y defunción reducidas al año.",
                      "Personal data replaced by HMAC-SHA256 under the given key (first 16 hex digits); "
                      "birth and death dates reduced to the year."),
    "addresses": ("Domicilios", "Addresses"),
    "address": ("Domicilio", "Address"),
    "employment": ("Empleo", "Employment"),
    "employments": ("Empleos", "Employments"),
    "accounts_open": ("Cuentas abiertas", "Open accounts"),
    "accounts_closed": ("Cuentas cerradas", "Closed accounts"),
    "no_accounts": ("Sin cuentas.", "No accounts."),
    "institution": ("Otorgante", "Lender"),
    "type": ("Tipo", "Type"),
    "opened": ("Apertura", "Opened"),
    "limit": ("Límite", "Limit"),
    "balance": ("Saldo", "Balance"),
    "past_due": ("Vencido", "Past due"),
    "current_mop": ("MOP actual", "Current MOP"),
    "history": ("Histórico de pagos (24 meses, el más reciente a la izquierda)",
                "Payment history (24 months, most recent on the left)"),
    "history_no_latest": ("sin fecha del histórico (etiqueta 28): meses desconocidos",
                          "no history date (tag 28): months unknown"),
    "history_none": ("sin histórico de pagos", "no payment history"),
    "outside_history": ("fuera del histórico", "outside the history"),
    "undefined_code": ("carácter no definido en el Anexo 4", "character Anexo 4 does not define"),
    "legend": ("Claves del histórico (Anexo 4)", "History codes (Anexo 4)"),
    "inquiries": ("Consultas al expediente", "Inquiries"),
    "inquired_on": ("Fecha", "Date"),
    "user": ("Usuario", "User"),
    "contract": ("Contrato", "Contract"),
    "amount": ("Importe", "Amount"),
    "currency": ("Moneda", "Currency"),
    "responsibility": ("Responsabilidad", "Responsibility"),
    "sic": ("SIC", "SIC"),
    "summary": ("Resumen (RS)", "Summary (RS)"),
    "hawk": ("Alertas Hawk (HI / HR)", "Hawk alerts (HI / HR)"),
    "hawk_hi": ("HI: de consultas", "HI: from inquiries"),
    "hawk_hr": ("HR: de la base de datos", "HR: from the database"),
    "prevention": ("Clave de prevención (Anexo 8)", "Prevention code (Anexo 8)"),
    "message": ("Mensaje", "Message"),
    "declarativa": ("Declarativa del consumidor (CR)", "Consumer's statement (CR)"),
    "scores": ("Scores (SC)", "Scores (SC)"),
    "score": ("Score", "Score"),
    "score_value": ("Valor", "Value"),
    "reasons": ("Códigos de razón", "Reason codes"),
    "exclusion": ("Código de exclusión (Anexo 6): sin score", "Exclusion code (Anexo 6): no score"),
    "score_error": ("Código de error (Anexo 6): sin score", "Error code (Anexo 6): no score"),
    "not_in_annex": ("no está en el", "not in"),
    "sintetiza": ("Sintetiza (CL)", "Sintetiza (CL)"),
    "characteristic": ("Característica (Anexo 12)", "Characteristic (Anexo 12)"),
    "value": ("Valor", "Value"),
    "error_record": ("Lo que rechazó el Buró", "What the bureau rejected"),
    "ur": ("UR: error en la consulta del usuario", "UR: error in the user's consulta"),
    "ar": ("AR: error de autenticación", "AR: authentication error"),
    "no_error_segment": ("El registro de error no trae segmento UR ni AR.", "The error record has no UR or AR segment."),
    "consulta_note": ("Los registros de consulta (solicitudes) no se decodifican en segmentos.",
                      "Consulta (request) records are not decoded into segments."),
    "yes": ("Sí", "Yes"),
    "no": ("No", "No"),
    "segment_of": ("segmento", "segment"),
    "unknown_segment": ("no es un segmento de la consulta", "not a segment of a consulta"),
    "unknown_field": ("campo no definido", "undefined field"),
    "masked": ("oculto: credencial", "hidden: a credential"),
    "footer": ("Generado por mxbureau a partir del registro; etiquetas de los catálogos del Manual INTL13.",
               "Made by mxbureau from the record; code labels from the INTL13 manual's catalogues."),
    # portfolio page
    "portfolio_title": ("Cartera", "Portfolio"),
    "as_of": ("Fecha de corte", "As of"),
    "customers": ("clientes", "customers"),
    "accounts": ("cuentas", "accounts"),
    "records": ("registros", "records"),
    "count": ("Cuentas", "Accounts"),
    "customers_h": ("Clientes", "Customers"),
    "share": ("Proporción", "Share"),
    "bin": ("Intervalo", "Range"),
    "sum_balance": ("Saldo total", "Total balance"),
    "bucket": ("Tramo de atraso", "Delinquency bucket"),
    "month": ("Mes", "Month"),
    "rated": ("Cuentas calificadas", "Rated accounts"),
    "delinquent": ("Con atraso (MOP ≥ 02)", "Delinquent (MOP ≥ 02)"),
    "fig_scores": ("Distribución de scores", "Score distribution"),
    "fig_kob": ("Peor MOP en 12 meses por tipo de otorgante (KOB)", "Worst MOP in 12 months by kind of lender (KOB)"),
    "fig_roll": ("Matriz de transición entre tramos (roll rates)", "Roll-rate matrix"),
    "fig_util": ("Utilización de cuentas revolventes", "Utilisation of revolving accounts"),
    "fig_buckets": ("Cuentas y saldos por tramo de MOP actual", "Accounts and balances by current MOP bucket"),
    "fig_inquiries": ("Consultas por cliente (12 meses)", "Inquiries per customer (12 months)"),
    "fig_delinquency": ("Atraso por mes", "Delinquency by month"),
    "from_to": ("de \\ a", "from \\ to"),
    "kob_group": ("Otorgante (nombre genérico, Anexo 1)", "Lender (generic name, Anexo 1)"),
    "kob_codes": ("Claves KOB", "KOB codes"),
    "unrated": ("sin calificar", "not rated"),
    "no_data": ("Sin datos para esta gráfica.", "No data for this plot."),
    "scorecard": ("Scorecard", "Scorecard"),
    "exclusions": ("Exclusiones y errores de BC Score", "BC Score exclusions and errors"),
    "cap_scores": ("Clientes por score: BC Score de {bc:,} clientes (códigos 507 y 007, el primero de cada "
                   "cliente) en intervalos de 25 puntos de 400 a 850; ICC de {icc:,} clientes (504 y 004), de 0 a 9. "
                   "{excl:,} clientes con código de exclusión y {err:,} con código de error, sin score (tabla).",
                   "Customers by score: BC Score of {bc:,} customers (codes 507 and 007, the first of each customer) "
                   "in 25-point ranges from 400 to 850; ICC of {icc:,} customers (504 and 004), 0 to 9. {excl:,} "
                   "customers with an exclusion code and {err:,} with an error code have no score (table)."),
    "cap_card": (" Scorecard «{name}»: {n:,} clientes puntuados, mediana {median:,.0f}.",
                 " Scorecard “{name}”: {n:,} customers scored, median {median:,.0f}."),
    "cap_kob": ("Proporción de las {n:,} cuentas de cada grupo de otorgantes según su peor MOP de los 12 meses "
                "hasta la fecha de corte (account_metrics: worst_mop_12m; «sin calificar»: ningún mes calificado). "
                "Grupo: el nombre genérico del Anexo 1 del KOB de la clave del otorgante (las dos primeras letras) "
                "o, si el Buró no la muestra, el nombre del usuario cuando es un nombre genérico (si no, OTROS). "
                "Cuentas por grupo y MOP en la tabla.",
                "Share of the {n:,} accounts of each lender group by their worst MOP in the 12 months up to the "
                "as-of date (account_metrics: worst_mop_12m; “not rated”: no rated month). Group: the Anexo 1 "
                "generic name of the KOB of the lender's member code (its first two letters) or, when the bureau "
                "does not show it, the user name when it is a generic name (else OTROS). Accounts by group and MOP "
                "in the table."),
    "cap_kob_rest": (" Los {rest:,} grupos más pequeños están sumados en OTROS.",
                     " The {rest:,} smallest groups are summed in OTROS."),
    "cap_roll": ("Transiciones mes a mes entre tramos de atraso en los 12 meses hasta la fecha de corte "
                 "(roll_rates): cada fila suma 100%; {n:,} transiciones entre meses calificados. En cada celda, "
                 "la tasa y el número de transiciones.",
                 "Month-over-month transitions between delinquency buckets in the 12 months up to the as-of date "
                 "(roll_rates): each row sums to 100%; {n:,} transitions between rated months. Each cell: the "
                 "rate and the number of transitions."),
    "cap_util": ("Saldo entre límite de crédito de las {n:,} cuentas revolventes con límite "
                 "(account_metrics: utilization); {outside:,} cuentas más no tienen utilización.",
                 "Balance over credit limit of the {n:,} revolving accounts with a limit (account_metrics: "
                 "utilization); {outside:,} more accounts have no utilisation."),
    "cap_buckets": ("Las {n:,} cuentas y la suma de sus saldos (etiqueta 22) por tramo de su MOP actual "
                    "(etiqueta 26): 01 al corriente, 02 de 1 a 29 días, 03 de 30 a 59, 04 de 60 a 89, 05 o peor "
                    "90+; 00 y UR no califican.",
                    "The {n:,} accounts and the sum of their balances (tag 22) by the bucket of their current "
                    "MOP (tag 26): 01 current, 02 1-29 days, 03 30-59, 04 60-89, 05 or worse 90+; 00 and UR "
                    "are not rated."),
    "cap_inquiries": ("Clientes por número de consultas (IQ) en los 12 meses hasta la fecha de corte "
                      "(features: inquiries_12m): {customers:,} clientes, {total:,} consultas.",
                      "Customers by their number of inquiries (IQ) in the 12 months up to the as-of date "
                      "(features: inquiries_12m): {customers:,} customers, {total:,} inquiries."),
    "cap_delinquency": ("Proporción de cuentas calificadas con MOP 02 o peor en cada uno de los 24 meses hasta "
                        "la fecha de corte (matriz del histórico; el mes más antiguo a la izquierda), y en gris "
                        "las cuentas calificadas en el mes: de {low:,} a {high:,}.",
                        "Share of rated accounts at MOP 02 or worse in each of the 24 months up to the as-of "
                        "date (history matrix; oldest month on the left), and in grey the accounts rated in the "
                        "month: {low:,} to {high:,}."),
    "mop_legend": ("Claves MOP (Anexo 3)", "MOP codes (Anexo 3)"),
    "generated_with": ("Gráficas de matplotlib como SVG en la página; sin red.",
                       "Plots by matplotlib as SVG inside the page; no network."),
}

# English headings where the spec's name in words reads badly.
_EN_FIELD = {"rfc": "RFC", "curp": "CURP", "voter_id": "Voter id (IFE/INE)", "mop": "Current MOP",
             "worst_mop": "Worst MOP (72 months)", "sic_id": "SIC id", "user_phone": "User phone / SIC id",
             "revolving_utilization_pct": "Revolving utilisation %"}


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise UsageError(f"lang must be one of {', '.join(LANGS)}")
    return lang


def text(key: str, lang: str) -> str:
    es, en = _TEXT[key]
    return es if lang == "es" else en


def field_heading(field, lang: str) -> str:
    """A spec.Field's heading: the manual's Spanish name, or the English name in words."""
    if lang == "es":
        return field.spanish
    name = field.name
    if name in _EN_FIELD:
        return _EN_FIELD[name]
    m = re.fullmatch(r"accounts_mop_?(\w+)", name)
    if m:
        return f"Accounts with MOP = {m.group(1).upper()}"
    return name.replace("_", " ").capitalize()
