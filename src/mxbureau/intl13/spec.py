"""The INTL13 manual as data.

One definition of every segment and field of the Buró de Crédito INTL13 format (seed 002, "Consulta y
recepción del Informe Buró, Personas Físicas, Formato INTL 13, Manual Técnico"). The scanner's
validation, the typed tables, the writer and the generator all read this module; when the bureau
changes a field, this is the one place to fix.

Field kinds (how each value is decoded) are those of ``mxbureau.layout``.

Where the manual contradicts itself, the choice made is written next to the field, and the list of
contradictions is in ``MANUAL_NOTES`` (tests check the "Suma longitudes máximas" of every segment
against these tables and accept exactly the differences listed there).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Dict

from ..layout import Field, HeaderField, RecordLayout, Segment, tag_code, tag_str
from .catalogs import ICC_SCORE_CODES, MOP_LEVELS

__all__ = [
    "Field", "Segment", "HeaderField", "RecordLayout",
    "RESPONSE", "ERROR", "CONSULTA", "LAYOUTS",
    "RESPONSE_HEADER", "CONSULTA_HEADER", "RESPONSE_HEADER_LENGTH", "CONSULTA_HEADER_LENGTH",
    "ERROR_HEADER", "MANUAL_NOTES", "PERSONAL_DATA", "segment", "tag_code", "tag_str",
    "KINDS", "HIT", "NOHIT", "ERROR_RECORD", "CONSULTA_RECORD", "DECODED_KINDS", "PROBLEMS", "CODE", "MESSAGES",
    "DECODE_PROBLEMS", "DECODE_CODE", "DECODE_MESSAGES", "CONSULTA_VERSIONS", "consulta_allows", "BEFORE_HEADER",
]


def F(tag, name, spanish, type_, max_length, fixed, kind, required=None, repeat=1, catalog=None, **more):
    return Field(tag, name, spanish, type_, max_length, fixed == "F", kind, required, repeat, catalog, **more)


# The MOP as a number (Field.ordinal: TL mop_level, worst_mop_level), so that ``mop_level >= 3`` selects
# what ``mop >= '03'`` on the text would get wrong (it matches 96 and UR)
_MOP_LEVELS = tuple(MOP_LEVELS.items())


def _req(v):
    return {"R": True, "O": False, "NA": False}[v]


# ---------------------------------------------------------------------------------------------
# Response record: 49-byte INTL header (manual, "Segmento de Encabezado o Inicio - INTL",
# respuesta; Anexo 14 for the bureau indicator in positions 34-37).
RESPONSE_HEADER_LENGTH = 49
RESPONSE_HEADER = (
    HeaderField("segment_tag", "ETIQUETA DEL SEGMENTO", "A", 0, 4, "code", "INTL"),
    HeaderField("version", "VERSION", "N", 4, 2, "code"),
    HeaderField("reference", "NUMERO DE REFERENCIA DEL OPERADOR", "AN", 6, 25, "text"),
    HeaderField("country", "CLAVE DE PAIS", "A", 31, 2, "code", "MX"),
    HeaderField("bureau_indicator", "RESERVADO / INDICADOR DE BURO (Anexo 14)", "N", 33, 4, "code"),
    HeaderField("member_code", "MEMBER CODE O CLAVE DE USUARIO", "AN", 37, 10, "code"),
    HeaderField("found", "CLAVE DE RESPUESTA DEL INFORME BURO", "AN", 47, 1, "code"),
    HeaderField("reserved", "RESERVADO", "AN", 48, 1, "code"),
)

PN = Segment("PN", "name", "Nombre del Cliente", (
    F("PN", "paternal_surname", "APELLIDO PATERNO", "A", 26, "V", "text"),
    F("00", "maternal_surname", "APELLIDO MATERNO", "A", 26, "V", "text"),
    F("01", "additional_surname", "APELLIDO ADICIONAL", "A", 26, "V", "text"),
    F("02", "first_name", "PRIMER NOMBRE", "A", 26, "V", "text"),
    F("03", "middle_name", "SEGUNDO NOMBRE", "A", 26, "V", "text"),
    F("04", "birth_date", "FECHA DE NACIMIENTO", "N", 8, "F", "date"),
    F("05", "rfc", "RFC", "AN", 13, "V", "text"),
    F("06", "prefix", "PREFIJO PERSONAL O PROFESIONAL", "A", 4, "V", "code", catalog="PREFIXES"),
    F("07", "suffix", "SUFIJO PERSONAL DEL CLIENTE", "A", 4, "V", "code"),
    F("08", "nationality", "NACIONALIDAD", "A", 2, "F", "code", catalog="COUNTRIES"),
    F("09", "residence_type", "TIPO DE RESIDENCIA", "N", 1, "F", "code", catalog="RESIDENCE_TYPES"),
    F("10", "driver_license", "NUMERO DE LICENCIA DE CONDUCIR", "AN", 20, "V", "text"),
    F("11", "marital_status", "ESTADO CIVIL", "A", 1, "F", "code", catalog="MARITAL_STATUS"),
    F("12", "gender", "GENERO", "A", 1, "F", "code", catalog="GENDERS"),
    F("13", "professional_license", "NUMERO DE CEDULA PROFESIONAL", "AN", 20, "V", "text"),
    F("14", "voter_id", "NUMERO DE REGISTRO ELECTORAL (IFE)", "AN", 20, "V", "text"),
    F("15", "curp", "CLAVE DE IDENTIFICACION UNICA (CURP EN MEXICO)", "AN", 20, "V", "text"),
    F("16", "country", "CLAVE DE PAIS", "A", 2, "F", "code", catalog="COUNTRIES"),
    F("17", "dependents", "NUMERO DE DEPENDIENTES", "N", 2, "F", "int"),
    F("18", "dependents_ages", "EDADES DE LOS DEPENDIENTES", "N", 30, "V", "digits"),
    F("19", "dependents_reported_on", "FECHA DE RECEPCION DE INFORMACION DE LOS DEPENDIENTES", "N", 8, "F", "date"),
    F("20", "death_date", "FECHA DE DEFUNCION", "N", 8, "F", "date"),
), max_occurs=1, manual_max_sum=294, required=True)

PA = Segment("PA", "address", "Dirección del Cliente", (
    F("PA", "address_line1", "PRIMER LINEA DE DIRECCION", "AN", 40, "V", "text"),
    F("00", "address_line2", "SEGUNDA LINEA DE DIRECCION", "AN", 40, "V", "text"),
    F("01", "neighborhood", "COLONIA O POBLACION", "AN", 40, "V", "text"),
    F("02", "municipality", "DELEGACION O MUNICIPIO", "AN", 40, "V", "text"),
    F("03", "city", "CIUDAD", "AN", 40, "V", "text"),
    F("04", "state", "ESTADO", "A", 4, "V", "code", catalog="STATES"),
    F("05", "postal_code", "CODIGO POSTAL", "N", 5, "F", "digits"),
    F("06", "residence_since", "FECHA DE RESIDENCIA", "N", 8, "F", "date"),
    F("07", "phone", "NUMERO DE TELEFONO", "N", 11, "V", "digits"),
    F("08", "phone_extension", "EXTENSION TELEFONICA", "N", 8, "V", "digits"),
    F("09", "fax", "NUMERO DE FAX EN ESTA DIRECCION", "N", 11, "V", "digits"),
    F("10", "address_type", "TIPO DE DOMICILIO", "A", 1, "F", "code", catalog="ADDRESS_TYPES"),
    F("11", "special_indicator", "INDICADOR ESPECIAL DE DOMICILIO", "A", 1, "F", "code", catalog="ADDRESS_INDICATORS"),
    F("12", "reported_on", "FECHA DE REPORTE DE LA DIRECCION", "N", 8, "F", "date"),
    F("13", "origin_country", "ORIGEN DEL DOMICILIO (PAIS)", "A", 2, "F", "code", catalog="COUNTRIES"),
), max_occurs=4, manual_max_sum=259, required=True)     # "al menos una se presentará" (~1598)

PE = Segment("PE", "employment", "Empleo del Cliente", (
    F("PE", "employer", "NOMBRE O RAZON SOCIAL DEL EMPLEADOR", "AN", 40, "V", "text"),
    F("00", "address_line1", "PRIMER LINEA DE DIRECCION", "AN", 40, "V", "text"),
    F("01", "address_line2", "SEGUNDA LINEA DE DIRECCION", "AN", 40, "V", "text"),
    F("02", "neighborhood", "COLONIA O POBLACION", "AN", 40, "V", "text"),
    F("03", "municipality", "DELEGACION O MUNICIPIO", "AN", 40, "V", "text"),
    F("04", "city", "CIUDAD", "AN", 40, "V", "text"),
    F("05", "state", "ESTADO", "A", 4, "V", "code", catalog="STATES"),
    F("06", "postal_code", "CODIGO POSTAL", "N", 5, "F", "digits"),
    F("07", "phone", "NUMERO DE TELEFONO", "N", 11, "V", "digits"),
    F("08", "phone_extension", "EXTENSION TELEFONICA", "N", 8, "V", "digits"),
    F("09", "fax", "NUMERO DE FAX EN ESTA DIRECCION", "N", 11, "V", "digits"),
    F("10", "occupation", "CARGO U OCUPACION", "AN", 30, "V", "text"),
    F("11", "hired_on", "FECHA DE CONTRATACION", "N", 8, "F", "date"),
    F("12", "salary_currency", "CLAVE DE LA MONEDA DE PAGO DEL SUELDO", "A", 2, "F", "code", catalog="CURRENCIES"),
    F("13", "salary", "MONTO DE SUELDO O SALARIO", "N", 9, "V", "amount"),
    F("14", "pay_period", "PERIODO DE PAGO O BASE SALARIAL", "A", 1, "F", "code", catalog="PAY_PERIODS"),
    F("15", "employee_number", "NUMERO DE EMPLEADO", "AN", 15, "V", "text"),
    F("16", "last_day_on", "FECHA DE ULTIMO DIA DE EMPLEO", "N", 8, "F", "date"),
    F("17", "reported_on", "FECHA DE REPORTE DE EMPLEO", "N", 8, "F", "date"),
    F("18", "verified_on", "FECHA DE VERIFICACION DE EMPLEO", "N", 8, "F", "date"),
    F("19", "verification_mode", "MODO DE VERIFICACION", "A", 1, "F", "code", catalog="VERIFICATION_MODES"),
    F("20", "origin_country", "ORIGEN DE LA RAZON SOCIAL Y DOMICILIO (PAIS)", "A", 2, "F", "code", catalog="COUNTRIES"),
), max_occurs=2, manual_max_sum=371)

TL = Segment("TL", "account", "Cuenta o Crédito del Cliente", (
    F("TL", "updated_on", "FECHA DE ACTUALIZACION", "N", 8, "F", "date"),
    F("00", "disputed", "REGISTRO IMPUGNADO", "N", 4, "F", "int"),
    F("01", "member_code", "CLAVE DEL USUARIO o MEMBER CODE", "AN", 10, "F", "code"),
    F("02", "user_name", "NOMBRE DEL USUARIO", "AN", 16, "V", "code"),
    # Anexo 14 repurposes tag 03 in an integrated report (Reporte de Crédito) as the SIC the account
    # comes from, one digit (0 TUM, 1 CC, 2 DUN); elsewhere it is the user's phone (5 to 11 digits, as
    # the consulta's phones). Told apart by length: one digit -> sic_id, longer -> user_phone.
    F("03", "user_phone", "NUMERO DE TELEFONO DEL USUARIO (un dígito: IDENTIFICADOR DE LA SIC, Anexo 14)",
      "N", 11, "V", "digits",
      short=F("03", "sic_id", "IDENTIFICADOR DE LA SOCIEDAD DE INFORMACION CREDITICIA (SIC), Anexo 14",
              "N", 1, "F", "code", catalog="SIC_IDS")),
    F("04", "account_number", "NUMERO DE CUENTA O CREDITO ACTUAL", "AN", 25, "V", "text"),
    F("05", "responsibility", "TIPO DE RESPONSABILIDAD DE LA CUENTA", "A", 1, "F", "code", catalog="RESPONSIBILITY"),
    F("06", "account_type", "TIPO DE CUENTA", "A", 1, "F", "code", catalog="ACCOUNT_TYPES"),
    F("07", "contract_type", "TIPO DE CONTRATO O PRODUCTO", "A", 2, "F", "code", catalog="CONTRACT_TYPES"),
    F("08", "currency", "MONEDA DEL CREDITO", "A", 2, "F", "code", catalog="CREDIT_CURRENCIES"),
    F("09", "appraisal_value", "IMPORTE DEL AVALUO", "N", 9, "V", "amount"),
    F("10", "number_of_payments", "NUMERO DE PAGOS", "N", 4, "V", "int"),
    F("11", "payment_frequency", "FRECUENCIA DE PAGOS", "A", 1, "F", "code", catalog="PAYMENT_FREQUENCIES"),
    F("12", "payment_amount", "MONTO A PAGAR", "N", 9, "V", "amount"),
    F("13", "opened_on", "FECHA DE APERTURA DE CUENTA O CREDITO", "N", 8, "F", "date"),
    F("14", "last_payment_on", "FECHA DE ULTIMO PAGO", "N", 8, "F", "date"),
    F("15", "last_purchase_on", "FECHA DE ULTIMA COMPRA O DISPOSICION", "N", 8, "F", "date"),
    F("16", "closed_on", "FECHA DE CIERRE", "N", 8, "F", "date"),
    F("17", "reported_on", "FECHA DE REPORTE DE INFORMACION", "N", 8, "F", "date"),
    # The manual types tag 18 as N but lists the letters A, M, C: kept as a code.
    F("18", "reporting_mode", "MODO DE REPORTAR", "N", 1, "F", "code", catalog="REPORTING_MODES"),
    F("19", "last_zero_balance_on", "ULTIMA FECHA CON SALDO CERO", "N", 8, "F", "date"),
    F("20", "collateral", "GARANTIA", "AN", 40, "V", "text"),
    F("21", "max_credit", "CREDITO MAXIMO AUTORIZADO", "N", 9, "V", "amount"),
    F("22", "balance", "SALDO ACTUAL", "N", 9, "V", "amount"),
    F("23", "credit_limit", "LIMITE DE CREDITO", "N", 9, "V", "amount"),
    F("24", "past_due", "SALDO VENCIDO", "N", 9, "V", "amount"),
    F("25", "payments_past_due", "NUMERO DE PAGOS VENCIDOS", "N", 4, "V", "int"),
    F("26", "mop", "CLASIFICACION DE PUNTUALIDAD DE PAGO - MOP", "AN", 2, "F", "code", catalog="MOP",
      ordinal=("mop_level", "MOP_LEVELS", _MOP_LEVELS)),
    F("27", "payment_history", "HISTORICO DE PAGOS", "AN", 24, "V", "history", catalog="HISTORY_CODES"),
    F("28", "history_latest_on", "FECHA MAS RECIENTE DEL HISTORICO DE PAGOS", "N", 8, "F", "date"),
    F("29", "history_oldest_on", "FECHA MAS ANTIGUA DEL HISTORICO DE PAGOS", "N", 8, "F", "date"),
    F("30", "observation", "CLAVE DE OBSERVACION", "A", 2, "F", "code", catalog="OBSERVATION_KEYS"),
    F("31", "payments_reported", "TOTAL DE PAGOS REPORTADOS", "N", 3, "F", "int"),
    F("32", "mop02_count", "TOTAL DE PAGOS CON MOP = 02", "N", 2, "F", "int"),
    F("33", "mop03_count", "TOTAL DE PAGOS CON MOP = 03", "N", 2, "F", "int"),
    F("34", "mop04_count", "TOTAL DE PAGOS CON MOP = 04", "N", 2, "F", "int"),
    F("35", "mop05_plus_count", "TOTAL DE PAGOS CON MOP = 05 O MAYOR", "N", 2, "F", "int"),
    F("36", "worst_delinquency_balance", "SALDO EN LA MOROSIDAD HISTORICA MAS ALTA", "N", 9, "V", "amount"),
    F("37", "worst_delinquency_on", "FECHA DE LA MOROSIDAD HISTORICA MAS ALTA", "N", 8, "F", "date"),
    F("38", "worst_mop", "MOP DE LA MOROSIDAD MAS ALTA", "AN", 2, "F", "code", catalog="MOP",
      ordinal=("worst_mop_level", "MOP_LEVELS", _MOP_LEVELS)),
    F("42", "restructure_on", "FECHA DE INICIO DE LA REESTRUCTURA", "N", 8, "F", "date"),
    F("45", "last_payment_amount", "MONTO DE ULTIMO PAGO", "N", 9, "V", "amount"),
), max_occurs=None, manual_max_sum=323)

IQ = Segment("IQ", "inquiry", "Consultas al Informe Buró", (
    F("IQ", "inquired_on", "FECHA DE LA CONSULTA", "N", 8, "F", "date"),
    F("00", "reserved", "RESERVADO", "N", 4, "F", "digits"),
    F("01", "member_code", "CLAVE DEL USUARIO o MEMBER CODE", "AN", 10, "F", "code"),
    F("02", "user_name", "NOMBRE DEL USUARIO", "AN", 16, "V", "code"),
    F("03", "user_phone", "NUMERO DE TELEFONO DEL USUARIO", "N", 11, "V", "digits"),
    F("04", "contract_type", "TIPO DE CONTRATO O PRODUCTO", "A", 2, "F", "code", catalog="CONTRACT_TYPES"),
    F("05", "currency", "MONEDA DEL CREDITO", "A", 2, "F", "code", catalog="CREDIT_CURRENCIES"),
    F("06", "contract_amount", "IMPORTE DEL CONTRATO", "N", 9, "V", "amount"),
    F("07", "responsibility", "TIPO DE RESPONSABILIDAD DE LA CUENTA", "A", 1, "F", "code", catalog="RESPONSIBILITY"),
    F("08", "new_customer", "INDICADOR DE CLIENTE NUEVO", "A", 1, "F", "code"),
    # Reserved: zeros in an Informe Buró (the manual's example: 25 of them). Anexo 14: in an integrated
    # report the SIC the inquiry comes from, one digit (0 TUM, 1 CC, 2 "uso futuro": not TL 03's list).
    # Told apart by length: one digit -> sic_id, longer -> reserved_09.
    F("09", "reserved_09", "RESERVADO (ceros; un dígito: IDENTIFICADOR DE LA SIC, Anexo 14)", "N", 25, "V", "digits",
      short=F("09", "sic_id", "IDENTIFICADOR DE LA SOCIEDAD DE INFORMACION CREDITICIA (SIC), Anexo 14",
              "N", 1, "F", "code", catalog="IQ_SIC_IDS")),
), max_occurs=None, manual_max_sum=89)

RS = Segment("RS", "summary", "Resumen del Informe Buró", (
    F("RS", "integrated_on", "FECHA DE INTEGRACION EN LA BASE DE DATOS", "N", 8, "F", "date"),
    F("00", "accounts_mop07", "NUMERO DE CUENTAS CON MOP = 07", "N", 2, "F", "int"),
    F("01", "accounts_mop06", "NUMERO DE CUENTAS CON MOP = 06", "N", 2, "F", "int"),
    F("02", "accounts_mop05", "NUMERO DE CUENTAS CON MOP = 05", "N", 2, "F", "int"),
    F("03", "accounts_mop04", "NUMERO DE CUENTAS CON MOP = 04", "N", 2, "F", "int"),
    F("04", "accounts_mop03", "NUMERO DE CUENTAS CON MOP = 03", "N", 2, "F", "int"),
    F("05", "accounts_mop02", "NUMERO DE CUENTAS CON MOP = 02", "N", 2, "F", "int"),
    F("06", "accounts_mop01", "NUMERO DE CUENTAS CON MOP = 01", "N", 2, "F", "int"),
    F("07", "accounts_mop00", "NUMERO DE CUENTAS CON MOP = 00", "N", 2, "F", "int"),
    F("08", "accounts_mop_ur", "NUMERO DE CUENTAS CON MOP = UR", "N", 2, "F", "int"),
    F("09", "accounts_total", "NUMERO DE CUENTAS", "N", 4, "F", "int"),
    F("10", "accounts_installment", "NUMERO DE CUENTAS DE PAGOS FIJOS E HIPOTECARIO", "N", 4, "F", "int"),
    F("11", "accounts_revolving", "NUMERO DE CUENTAS REVOLVENTES Y SIN LIMITE PRE-ESTABLECIDO", "N", 4, "F", "int"),
    F("12", "accounts_closed", "NUMERO DE CUENTAS CERRADAS", "N", 4, "F", "int"),
    F("13", "accounts_delinquent_now", "NUMERO DE CUENTAS CON MOROSIDAD ACTUAL", "N", 4, "F", "int"),
    F("14", "accounts_delinquent_ever", "NUMERO DE CUENTAS CON HISTORIAL DE MOROSIDAD", "N", 4, "F", "int"),
    F("15", "accounts_in_dispute", "NUMERO DE CUENTAS EN ACLARACION", "N", 2, "F", "int"),
    F("16", "inquiries_6m", "NUMERO DE SOLICITUDES DE CONSULTA", "N", 2, "F", "int"),
    F("17", "new_address_60d", "NUEVA DIRECCION EN LOS ULTIMOS 60 DIAS", "A", 1, "F", "code"),
    F("18", "alert_messages", "MENSAJE DE ALERTA", "A", 8, "V", "code"),
    F("19", "has_declarativa", "DECLARATIVA", "A", 1, "F", "code"),
    F("20", "currency", "MONEDA DEL CREDITO", "A", 2, "F", "code", catalog="CREDIT_CURRENCIES"),
    F("21", "revolving_max_credit", "TOTAL DE CREDITOS MAXIMOS PARA CUENTAS REVOLVENTES Y SIN LIMITE PRE-ESTABLECIDO", "N", 9, "V", "amount"),
    F("22", "revolving_limit", "TOTAL DE LIMITES DE CREDITO PARA CUENTAS REVOLVENTES Y SIN LIMITE PRE-ESTABLECIDO", "N", 9, "V", "amount"),
    F("23", "revolving_balance", "TOTAL DE SALDOS ACTUALES PARA CUENTAS REVOLVENTES Y SIN LIMITE PRE-ESTABLECIDO", "N", 10, "V", "amount"),
    F("24", "revolving_past_due", "TOTAL DE SALDOS VENCIDOS PARA CUENTAS REVOLVENTES Y SIN LIMITE PRE-ESTABLECIDO", "N", 9, "V", "amount"),
    F("25", "revolving_payment", "TOTAL DE IMPORTE DE PAGO PARA CUENTAS REVOLVENTES Y SIN LIMITE PRE-ESTABLECIDO", "N", 9, "V", "amount"),
    F("26", "revolving_utilization_pct", "PORCENTAJE DEL LIMITE DE CREDITO UTILIZADO PARA CUENTAS REVOLVENTES Y SIN LIMITE PRE-ESTABLECIDO", "N", 3, "V", "int"),
    F("27", "installment_max_credit", "TOTAL DE CREDITOS MAXIMOS PARA CUENTAS DE PAGOS FIJOS E HIPOTECARIOS", "N", 9, "V", "amount"),
    F("28", "installment_balance", "TOTAL DE SALDOS ACTUALES PARA CUENTAS DE PAGOS FIJOS E HIPOTECARIOS", "N", 10, "V", "amount"),
    F("29", "installment_past_due", "TOTAL DE SALDOS VENCIDOS PARA CUENTAS DE PAGOS FIJOS E HIPOTECARIOS", "N", 9, "V", "amount"),
    F("30", "installment_payment", "TOTAL DE IMPORTE DE PAGO PARA CUENTAS DE PAGOS FIJOS E HIPOTECARIOS", "N", 9, "V", "amount"),
    F("31", "accounts_mop96", "NUMERO DE CUENTAS CON MOP = 96", "N", 2, "F", "int"),
    F("32", "accounts_mop97", "NUMERO DE CUENTAS CON MOP = 97", "N", 2, "F", "int"),
    F("33", "accounts_mop99", "NUMERO DE CUENTAS CON MOP = 99", "N", 2, "F", "int"),
    F("34", "oldest_opened_on", "FECHA DE APERTURA DE LA CUENTA MAS ANTIGUA", "N", 8, "F", "date"),
    F("35", "newest_opened_on", "FECHA DE APERTURA DE LA CUENTA MAS RECIENTE", "N", 8, "F", "date"),
    F("36", "inquiries_total", "NUMERO DE SOLICITUDES DEL INFORME BURO", "N", 2, "F", "int"),
    F("37", "last_inquiry_on", "FECHA DE LA CONSULTA MAS RECIENTE", "N", 8, "F", "date"),
    F("38", "collection_accounts", "NUMERO DE CUENTAS EN DESPACHO DE COBRANZA O ADMINISTRADORA DE CARTERA", "N", 2, "F", "int"),
    F("39", "collection_newest_opened_on", "FECHA DE APERTURA MAS RECIENTE DE UNA CUENTA EN DESPACHO DE COBRANZA", "N", 8, "F", "date"),
    F("40", "collection_inquiries", "NUMERO DE SOLICITUDES REALIZADAS POR DESPACHOS DE COBRANZA", "N", 2, "F", "int"),
    F("41", "collection_last_inquiry_on", "FECHA DE LA CONSULTA MAS RECIENTE DE UN DESPACHO DE COBRANZA", "N", 8, "F", "date"),
), max_occurs=3, manual_max_sum=201)


# The RS counts of accounts by current MOP: MOP code -> RS field ("07" -> accounts_mop07, "UR" ->
# accounts_mop_ur), read by the generator and the RS cross-check.
RS_MOP_FIELDS = {f.name.rsplit("mop", 1)[1].lstrip("_").upper(): f.name for f in RS.fields
                 if f.name.startswith("accounts_mop")}


def _hawk(tag, spanish):
    return Segment(tag, "hawk_" + ("inquiry" if tag == "HI" else "response"), spanish, (
        F(tag, "reported_on", "FECHA DE REPORTE", "N", 8, "F", "date"),
        F("00", "prevention_code", "CODIGO DE LA PREVENCION", "N", 3, "F", "code", catalog="HAWK_PREVENTION_CODES"),
        F("01", "user_type", "TIPO DE USUARIO", "AN", 16, "V", "code"),
        F("02", "message", "MENSAJE", "AN", 48, "V", "code"),
    ), max_occurs=20, manual_max_sum=75)


HI = _hawk("HI", "HAWK Alert (consulta)")
HR = _hawk("HR", "HAWK Alert (base de datos)")

# CR is the exception to the 2-digit length: CR + 04 (or 05) + the count, then 00 + 00 + the text.
# The manual says the count is the text length; a public fixture has the whole segment length
# (text + 12 with a 4-digit count). The scanner accepts both readings (see _scan.pyx).
CR_MAX_TEXT = 12000
CR = Segment("CR", "declarativa", "Declarativa del Consumidor", (
    # "N 4 V" in the table, but a text over 9,999 bytes needs a 5-digit count: 5 allowed.
    F("CR", "declared_count", "TIPO DE SEGMENTO (longitud de la Declarativa)", "N", 5, "V", "int"),
    F("00", "declarativa", "DECLARATIVA DEL CLIENTE", "A/N", CR_MAX_TEXT, "V", "text"),
), max_occurs=1, manual_max_sum=12004)

SC = Segment("SC", "score", "BC-Score", (
    F("SC", "score_name", "NOMBRE DEL SCORE", "AN", 30, "V", "code"),
    F("00", "score_code", "CODIGO DEL SCORE", "N", 3, "F", "code", catalog="SCORE_PRODUCTS"),
    # A negative value is an exclusion code (Anexo 6): the column ``score`` holds scores only, and
    # ``exclusion_code`` the exclusions, spelled as the annex ("-009").
    F("01", "score", "VALOR DEL SCORE", "N", 4, "V", "amount", negative="exclusion_code"),
    # Reasons: Anexo 6 (2 digits, "04") for BC Score, Anexo 7 (3 digits, "010") for ICC (504, 004):
    # spelled so whatever zeros the bureau put in front ("4", "004" -> "04"; "10" -> "010").
    *(F(tag, name, "CODIGO DE RAZON", "N", 3, "V", "code", catalog="SCORE_REASONS", code_width=2,
        code_width_by=("00", tuple((c, 3) for c in ICC_SCORE_CODES)))
      for tag, name in (("02", "reason_1"), ("03", "reason_2"), ("04", "reason_3"))),
    F("06", "error_code", "CODIGO DE ERROR", "N", 2, "V", "code", catalog="SCORE_ERRORS", code_width=2),
), max_occurs=15, manual_max_sum=46)

CL = Segment("CL", "sintetiza", "Sintetiza", (
    # Fixed 10 in the table, but the manual's own example has CL0215 (length 2): read as variable.
    F("CL", "template", "PLANTILLA SOLICITADA", "N", 10, "V", "digits"),
    F("00", "characteristic_id", "IDENTIFICADOR DE CARACTERISTICA EN PLANTILLA", "N", 10, "V", "digits"),
    F("01", "characteristic", "NUMERO DE CARACTERISTICA", "N", 10, "V", "code", catalog="SINTETIZA", code_width=1),
    F("02", "value", "VALOR DE LA CARACTERISTICA", "N", 10, "V", "amount"),
    F("03", "error_code", "CODIGO DE ERROR", "N", 2, "V", "code", catalog="SINTETIZA_ERRORS", code_width=1),
), max_occurs=99, manual_max_sum=42)

ES = Segment("ES", "end", "Fin del Informe Buró", (
    F("ES", "declared_length", "LONGITUD DE TRANSMISION", "N", 6, "V", "int"),
    F("00", "control_number", "NUMERO DE CONTROL DE LA CONSULTA", "N", 99, "V", "digits"),
    F("01", "end_mark", "FIN DEL REGISTRO DE RESPUESTA", "AN", 2, "F", "code"),
), max_occurs=1, manual_max_sum=107, required=True)

RESPONSE = RecordLayout("response", RESPONSE_HEADER, RESPONSE_HEADER_LENGTH,
                        (PN, PA, PE, TL, IQ, RS, HI, HR, CR, SC, CL, ES))

# ---------------------------------------------------------------------------------------------
# Error record: ERRR + UR or AR + ES.
ERROR_HEADER = (HeaderField("segment_tag", "ETIQUETA DEL SEGMENTO", "A", 0, 4, "code", "ERRR"),)

UR = Segment("UR", "user_error", "Referencia de Error del Usuario", (
    F("UR", "reference", "NUMERO DE REFERENCIA DEL OPERADOR", "AN", 25, "F", "text"),
    F("00", "bad_request", "SOLICITUD DEL CLIENTE ERRONEA", "AN", 4, "F", "text"),
    F("01", "bad_version", "VERSION PROPORCIONADA ERRONEA", "AN", 2, "F", "text"),
    F("02", "bad_product", "PRODUCTO SOLICITADO ERRONEO", "AN", 3, "F", "text"),
    F("03", "bad_member_or_password", "CLAVE DE USUARIO O CONTRASENA DE ACCESO ERRONEA", "AN", 14, "V", "text"),
    F("04", "missing_segment", "SEGMENTO REQUERIDO NO PROPORCIONADO", "A", 2, "V", "code"),
    F("05", "last_valid_info", "ULTIMA INFORMACION VALIDA DEL CLIENTE", "AN", 6, "F", "code"),
    F("06", "bad_field_info", "INFORMACION ERRONEA PARA CONSULTA", "AN", 46, "V", "text", repeat=5),
    F("07", "bad_related_value", "VALOR ERRONEO EN UN CAMPO RELACIONADO", "AN", 92, "V", "text"),
    F("11", "system_error", "ERROR EN EL SISTEMA DE BURO DE CREDITO", "A", 1, "F", "code"),
    F("12", "bad_segment_tag", "ETIQUETA DE SEGMENTO ERRONEA", "A", 2, "F", "code"),
    F("13", "bad_segment_order", "ORDEN ERRONEO DEL SEGMENTO", "A", 4, "F", "code"),
    F("14", "bad_segment_count", "NUMERO ERRONEO DE SEGMENTOS", "A", 2, "F", "code"),
    F("16", "missing_required_field", "FALTA CAMPO REQUERIDO", "AN", 4, "F", "code", repeat=5),
    # Not in the UR table: the Optimiza example (~2421) returns, under tag 18, the message that the score
    # did not reach the user's cut-off, or the score itself ("1808SC000561"). No length is given: the
    # 2-digit length allows 99.
    F("18", "optimiza_result", "OPTIMIZA: MENSAJE DE PUNTO DE CORTE O VALOR DEL SCORE", "AN", 99, "V", "text"),
    F("20", "file_blocked", "EXPEDIENTE BLOQUEADO PARA CONSULTA", "A", 1, "F", "code"),
), max_occurs=1, manual_max_sum=208)

AR = Segment("AR", "auth_error", "Error para Autenticación", (
    F("AR", "reference", "NUMERO DE REFERENCIA DEL OPERADOR", "AN", 25, "F", "text"),
    F("00", "not_authenticated", "SUJETO NO AUTENTICADO", "AN", 14, "F", "code"),
    F("03", "bad_member_or_password", "CLAVE DE USUARIO O CONTRASENA DE ACCESO ERRONEA", "AN", 14, "V", "text"),
    F("11", "system_error", "ERROR EN EL SISTEMA DE BURO DE CREDITO", "A", 1, "F", "code"),
    F("12", "bad_segment_tag", "ETIQUETA DE SEGMENTO ERRONEA", "A", 2, "F", "code"),
    F("16", "missing_required_field", "FALTA CAMPO REQUERIDO", "AN", 4, "F", "code", repeat=5),
    F("18", "file_blocked", "EXPEDIENTE BLOQUEADO", "AN", 20, "F", "code"),
), max_occurs=1, manual_max_sum=80)

ERROR = RecordLayout("error", ERROR_HEADER, 4, (UR, AR, ES))

# ---------------------------------------------------------------------------------------------
# Consulta (request) record: 88-byte INTL header + PN, PA, PE, PI, AU, CL, ES.
CONSULTA_HEADER_LENGTH = 88
CONSULTA_HEADER = (
    HeaderField("segment_tag", "ETIQUETA DEL SEGMENTO", "A", 0, 4, "code", "INTL"),
    HeaderField("version", "VERSION", "N", 4, 2, "code"),
    HeaderField("reference", "NUMERO DE REFERENCIA DEL OPERADOR", "AN", 6, 25, "text"),
    HeaderField("product", "CLAVE DEL PRODUCTO REQUERIDO", "N", 31, 3, "code"),
    HeaderField("country", "CLAVE DE PAIS", "A", 34, 2, "code", "MX"),
    HeaderField("reserved", "RESERVADO", "N", 36, 4, "code", "0000"),
    HeaderField("member_code", "CLAVE DEL USUARIO o MEMBER CODE", "AN", 40, 10, "code"),
    HeaderField("password", "CONTRASENA O PASSWORD DE ACCESO", "AN", 50, 8, "text"),
    HeaderField("responsibility", "TIPO DE RESPONSABILIDAD", "A", 58, 1, "code"),
    HeaderField("contract_type", "TIPO DE CONTRATO O PRODUCTO", "A", 59, 2, "code"),
    HeaderField("currency", "MONEDA DEL CREDITO", "A", 61, 2, "code"),
    HeaderField("contract_amount", "IMPORTE DEL CONTRATO", "N", 63, 9, "code", "000000000"),
    HeaderField("language", "IDIOMA", "A", 72, 2, "code"),
    HeaderField("output", "TIPO DE SALIDA", "N", 74, 2, "code"),
    HeaderField("block_size", "TAMANO DEL BLOQUE DEL REGISTRO DE RESPUESTA", "A", 76, 1, "code", " "),
    HeaderField("printer_id", "IDENTIFICACION DE LA IMPRESORA", "AN", 77, 4, "code", "    "),
    HeaderField("reserved_future", "RESERVADO PARA USO FUTURO", "N", 81, 7, "code", "0000000"),
)

def _consulta(seg: Segment, required: str, drop: str = "", *, max_sum: int, required_seg: bool = False) -> Segment:
    """A consulta segment from its response twin: the same fields (the manual prints both tables with
    the same tags, names, types and lengths) minus the tags ``drop``, each marked R or O in the
    order of ``required`` (one letter a kept field)."""
    kept = [f for f in seg.fields if f.tag not in drop.split()]
    if len(required) != len(kept):
        raise ValueError(f"consulta {seg.tag}: {len(required)} R/O marks for {len(kept)} fields")
    return Segment(seg.tag, seg.name, seg.spanish,
                   tuple(replace(f, required=_req(r)) for f, r in zip(kept, required)),
                   seg.max_occurs, max_sum, required_seg)


# Consulta PN: the response fields but 19-20 (dependents' report date, death date).
Q_PN = _consulta(PN, "RROROOOOOOOOOOOOOOOO", "19 20", max_sum=278, required_seg=True)
# Consulta PA: the response fields but 12 (reported on).
Q_PA = _consulta(PA, "ROORRRROOOOOOR", "12", max_sum=251, required_seg=True)
# Consulta PE: the response fields but 17-19 (reported, verified on, verification mode).
Q_PE = _consulta(PE, "OOOOOOOOOOOOOOOOOOR", "17 18 19", max_sum=354)

Q_PI = Segment("PI", "credit_reference", "Referencias Crediticias", (
    F("PI", "account_number", "NUMERO DE CUENTA", "AN", 25, "V", "text", _req("O")),
    F("00", "member_code", "CLAVE DEL USUARIO o MEMBER CODE", "AN", 10, "F", "code", _req("O")),
    F("01", "user_name", "NOMBRE DEL USUARIO", "AN", 16, "V", "text", _req("O")),
), max_occurs=4, manual_max_sum=51)

Q_AU = Segment("AU", "authentication", "Autenticación (AUTENTICADOR)", (
    F("AU", "report_type", "TIPO DE REPORTE", "A", 3, "F", "code", _req("R")),
    F("00", "output_type", "TIPO DE SALIDA", "N", 1, "F", "code", _req("R")),
    F("01", "reference", "REFERENCIA DEL OPERADOR", "AN", 25, "F", "text", _req("R")),
    F("02", "has_credit_card", "CUENTA CON TARJETA DE CREDITO", "A", 1, "F", "code", _req("R")),
    F("04", "card_last_digits", "ULTIMOS CUATRO DIGITOS", "AN", 4, "V", "text", _req("O")),
    F("07", "has_mortgage", "HA EJERCIDO UN CREDITO HIPOTECARIO", "A", 1, "F", "code", _req("R")),
    F("11", "has_auto_loan_24m", "HA EJERCIDO UN CREDITO AUTOMOTRIZ EN LOS ULTIMOS 24 MESES", "A", 1, "F", "code", _req("R")),
), max_occurs=1, manual_max_sum=36)

Q_CL = Segment("CL", "sintetiza", "Sintetiza", (
    F("CL", "template", "PLANTILLA SOLICITADA", "AN", 10, "V", "text", _req("R")),
    F("00", "reference", "REFERENCIA DEL OPERADOR", "AN", 25, "F", "text", _req("R")),
    F("01", "future_1", "USO FUTURO", "AN", 10, "V", "text", _req("NA")),
    F("02", "future_2", "USO FUTURO", "AN", 10, "V", "text", _req("NA")),
    F("03", "future_3", "USO FUTURO", "AN", 10, "V", "text", _req("NA")),
), max_occurs=1, manual_max_sum=57)

Q_ES = Segment("ES", "end", "Cierre", (
    F("ES", "declared_length", "LONGITUD DEL REGISTRO", "N", 5, "F", "int", _req("R")),
    F("00", "end_mark", "MARCA DE FIN", "A", 2, "F", "code", _req("R")),
), max_occurs=1, manual_max_sum=7, required=True)

CONSULTA = RecordLayout("consulta", CONSULTA_HEADER, CONSULTA_HEADER_LENGTH,
                        (Q_PN, Q_PA, Q_PE, Q_PI, Q_AU, Q_CL, Q_ES))

# Where a consulta's CL and AU go. Sintetiza: "se incluye el segmento de Sintetiza antes del segmento
# INTL" (~1176-1190): CL comes first. AUTENTICADOR online: AU is the first of the 7 segments, before
# INTL (~564-567, the example at ~1358); in batch it follows PI, before ES (~520-535, ~1349). With
# both, CL is written first, then AU (the manual shows no record with both). The ES length counts
# from the record's first byte. BEFORE_HEADER: the segments that may precede INTL, in that order.
BEFORE_HEADER = ("CL", "AU")

# Consulta versions and what each allows: version 13 added PA 13 (origin of the address) and PE 20
# (origin of the employer), required in it (the manual's change history, "Creación de versión 13");
# INTL11 and INTL12 consultas have neither. Everything else is the same in the three.
CONSULTA_VERSIONS = ("11", "12", "13")
_NEW_IN_13 = frozenset({("PA", "13"), ("PE", "20")})


def consulta_allows(version: str, segment: str, tag: str) -> bool:
    """Whether a consulta of ``version`` (11, 12, 13) may carry the field ``segment`` ``tag``."""
    return version == "13" or (segment, tag) not in _NEW_IN_13

LAYOUTS = {"response": RESPONSE, "error": ERROR, "consulta": CONSULTA}

# Record kinds as the scanner codes them (Tokens.records["kind_code"]; _scan.pyx compiles the same
# numbers in, and a test holds them equal).
KINDS = ("hit", "nohit", "error", "consulta")
HIT, NOHIT, ERROR_RECORD, CONSULTA_RECORD = range(len(KINDS))
# The kinds whose segments are decoded into tables (consultas are listed in ``records`` only).
DECODED_KINDS = (HIT, NOHIT, ERROR_RECORD)

# Header positions the scanner and the records table read (0-based, from the header tables above).
_HEADER = {h.name: h for h in RESPONSE_HEADER}
_QHEADER = {h.name: h for h in CONSULTA_HEADER}
RESPONSE_COUNTRY_AT = _HEADER["country"].start          # "MX" here: a response
RESPONSE_FOUND_AT = _HEADER["found"].start              # "1" found (hit), "0" not found
CONSULTA_COUNTRY_AT = _QHEADER["country"].start         # "MX" here: a consulta
ERROR_HEADER_LENGTH = ERROR_HEADER[0].length            # ERRR

# ---------------------------------------------------------------------------------------------
# Problems the scanner reports (codes in FormatError.code and Problem.code). Each message is
# formatted with the problem's numeric details a and b; none ever holds a byte of the input.
# _scan.pyx compiles the same numbers in (a test holds them equal); the twin uses these names.
PROBLEMS = {
    "RECORD_START": (1, "expected a record start (INTL, ERRR, or a consulta's CL or AU segment)"),
    "TRUNCATED": (2, "input ends inside a record: a field needs {a} bytes, {b} remain"),
    "BAD_TAG": (3, "field tag is neither two digits nor two capital letters"),
    "BAD_LENGTH": (4, "field length is not two ASCII digits"),
    "BAD_VERSION": (5, "INTL header: version is not two digits"),
    "NO_COUNTRY": (6, "INTL header: country code MX not found at position 32 (response) or 35 (consulta)"),
    "BAD_FOUND_FLAG": (7, "INTL header: found flag is neither 0 nor 1"),
    "FIELD_OUTSIDE_SEGMENT": (8, "field outside a segment: a numeric tag before any segment tag"),
    "BAD_ES_LENGTH": (9, "ES length is not 1 to 6 digits"),
    "ES_LENGTH_MISMATCH": (10, "ES declares {a} bytes but the record has {b}"),
    "SEGMENT_AFTER_ES": (11, "a segment starts after ES before its ** end mark"),
    "NO_END_MARK": (12, "record passes {a} bytes without an ES end mark"),
    "BAD_CR_COUNT": (13, "CR count is not digits"),
    "BAD_CR_SEPARATOR": (14, "CR: expected tag 00 with length 00 before the declarativa text"),
    "CR_NO_READING": (15, "CR count fits neither reading (text length or whole-segment length)"),
    # codes 16-19: record starts and lenient resynchronisation (20 and up: the decoder's)
    "PREFIX_SEGMENT": (16, "before a consulta's INTL header only CL and AU segments may come"),
    "PREFIX_HEADER": (17, "CL/AU segments are followed by a response's INTL header, not a consulta's"),
    "RUNS_INTO_NEXT": (18, "record has no end before the next intact record starts"),
}
CODE = {name: code for name, (code, _) in PROBLEMS.items()}

# Problems the table decoder finds in well-formed records (tables.build_tables): a strict read raises
# FormatError with these codes, a lenient one lists them in Tables.problems. Not the scanner's: its
# compiled codes stop at 15 (_scan.pyx; a test holds those equal to PROBLEMS above).
DECODE_PROBLEMS = {
    # The value is nulled in every output (a damaged length that realigns would otherwise carry the
    # next field's bytes, maybe personal, into a column that redaction leaves alone).
    "VALUE_TOO_LONG": (16, "value of {a} bytes, longer than the field's maximum of {b}"),
    # A tag the manual lets appear once (or {b} times: UR 06, UR 16, AR 16) appears again: the value of
    # the extra occurrence is in no column.
    "TAG_REPEATED": (17, "tag repeated within its segment: the manual allows {b} occurrence(s)"),
}
DECODE_CODE = {name: code for name, (code, _) in DECODE_PROBLEMS.items()}
MESSAGES = {code: text for code, text in PROBLEMS.values()}
DECODE_MESSAGES = {code: text for code, text in DECODE_PROBLEMS.values()}

# ---------------------------------------------------------------------------------------------
# Where the manual contradicts itself, and what mxbureau does. Keyed by (layout, segment).
# "sum": the manual's "Suma longitudes máximas" differs from the sum of its own field table.
MANUAL_NOTES = {
    ("response", "TL"): "Tag 18 (MODO DE REPORTAR) is typed N but takes A/M/C: read as a "
                        "code. Tag 45 is said to appear only for INTL12 queries; accepted in any version.",
    ("response", "RS"): "Suma longitudes máximas says 201; the field table sums to 204. Tag 18 (MENSAJE "
                        "DE ALERTA) says 'four messages' and then lists five positions plus three "
                        "reserved (A 8 V): kept as an 8-byte code string.",
    ("response", "SC"): "Suma says 46 and 24 bytes of tags: the table has seven fields (48 bytes, 28 "
                        "of tags); tag 06 (error code) was evidently added later. The table is followed. "
                        "The score (tag 01) is 'N' but carries negative exclusion codes (-001..-009): "
                        "scores go to `score`, exclusions to `exclusion_code` ('-009').",
    ("response", "CL"): "Tag CL is 'N 10 F' but the manual's own example is CL0215 (length 2): read "
                        "as variable length. Sum says 42 (matches) but '10 bytes' of tags for five fields.",
    ("response", "ES"): "ES length is 'N 6 V'; the examples use 5 digits. Both accepted. 16 bytes of "
                        "tags stated for three fields (12).",
    ("response", "CR"): "The count is 'N 4 V' yet the text may reach 12,000 bytes (5 digits). The manual "
                        "says the count is the text length; a public fixture uses the whole segment "
                        "length. Both readings accepted, resolved by the next segment and the ES length.",
    ("response", "INTL"): "VERSION 'always 13'; files from INTL11/12 consultas carry 11 or 12. Accepted.",
    ("response", "TL03"): "TL 03 says '10 digits' with a maximum of 11; Anexo 14 reuses it for the SIC id "
                          "(one digit): read by length, one digit is sic_id, longer values user_phone.",
    ("error", "UR"): "Tags 06 and 16 may appear up to five times (repeated field tags): each "
                     "occurrence has a column (bad_field_info, bad_field_info_2 .. _5); a sixth, or a "
                     "second of any other tag, is a TAG_REPEATED problem. The stated 58 bytes of tags "
                     "do not match fifteen fields (60). The Optimiza example (~2421) has tag 18, which "
                     "the table lacks (AR's 18 is 'expediente bloqueado'): modelled as optimiza_result, "
                     "AN up to 99 (no length is given), so the sum is 307.",
    ("error", "AR"): "Tag 16 'Puede incluirse hasta 5 veces' like UR 16: repeat=5 (columns "
                     "missing_required_field .. _5).",
    ("error", "ES"): "The AR examples close with 'ES 05 00066 00 02 **': the end mark under tag 00 "
                     "and no control number (the old style of responses). Accepted like it.",
    ("response", "PA"): "Required: 'al menos una se presentará' (~1598); validate reports a response "
                        "without PA.",
    ("response", "IQ09"): "Tag 09 is 'RESERVADO' (zeros in an Informe Buró) and, in Anexo 14, the "
                          "SIC of an integrated report's inquiry, whose list says 2 = 'para uso futuro' "
                          "where TL 03's says 2 = DUN. Read by length: one digit is sic_id (catalogue "
                          "IQ_SIC_IDS), longer values reserved_09. The IQ example's legend says 25 "
                          "characters and prints 30 zeros (extraction): the table's 25 is the maximum.",
    ("response", "SC00"): "The field lists 504 and 507; the Optimiza examples (~2413-2417) and Anexo 14 "
                          "(products 001/004/007) answer 007 and 004. Families: BC Score 507/007/107, "
                          "ICC 504/004 (catalogs.BC_SCORE_CODES, ICC_SCORE_CODES).",
    ("response", "records.reference"): "The INTL reference is right-justified in 25 blanks; "
                                       "records.reference holds it with the blanks stripped (the "
                                       "operator's key, as find_report looks it up); the UR / AR / "
                                       "AU / CL reference fields are free text and kept exactly, "
                                       "blanks included.",
    ("consulta", "INTL"): "IMPORTE DEL CONTRATO says 'Reportar 9 ceros' (~747) while the header "
                          "examples carry 000050000: the writer writes the 9 zeros the field's rule "
                          "asks for.",
    ("consulta", "AU"): "AU goes before INTL online (~564, ~1358) and after PI in batch (~530, ~1349); "
                        "CL (Sintetiza) before INTL (~1187). The ES length counts from the record's "
                        "first byte, the CL or AU in front included.",
    ("consulta", "PA"): "The segment list says 'hasta 3 direcciones', the PA description 'hasta 4'. "
                        "mxbureau allows 4.",
    ("consulta", "PI"): "The segment list says PI is 'Requerido'; its description says OPCIONAL. "
                        "mxbureau treats it as optional.",
    ("consulta", "CL"): "Suma says 57 bytes; the table sums to 65 (10+25+10+10+10). Tag CL is 'F 10' "
                        "but the example has CL0215: read as variable. With Sintetiza the manual puts CL "
                        "before the INTL header ('CL02150025REFERENCIA DEL OPERADOR 1INTL11...ES05004730002**'), "
                        "and with the authenticator AU before INTL ('AU03RCN...INTL13...'), while its "
                        "segment tables list them after PE/PI. Both orders are read: a consulta may start "
                        "with CL and AU segments (any of them, in any order) and then its 88-byte INTL "
                        "header; the record then starts at its first CL/AU byte and the ES length counts "
                        "from there (the example: 473 bytes from CL). AU/CL after the other segments, "
                        "before ES (the older writer's order, and the manual's AU example at ~1350), are "
                        "ordinary segments of the record.",
}

# (layout, segment) -> the field-table sum that differs from manual_max_sum, checked by the tests.
MANUAL_SUM_CONTRADICTIONS = {
    ("response", "CR"): 12005,               # the count allows 5 digits (text up to 12,000 bytes)
    ("response", "RS"): 204,
    ("response", "SC"): 48,
    ("consulta", "CL"): 65,
    ("error", "UR"): 307,                    # tag 18 of the Optimiza example, up to 99
}


# ---------------------------------------------------------------------------------------------
# Personal data: what identifies a customer, per segment tag -> {field name: treatment}, for every
# layout that has the segment. "hmac": replaced by a keyed HMAC-SHA256 of the value's bytes by
# Tables.redact / convert --redact-key-file; "year": a date reduced to its year. Names, RFC, CURP,
# voter, licence and cédula ids, address lines, colonia, phones, account numbers, employer names and
# employee numbers; the declarativa (the customer's own words) and the bureau's echo of a consulta's
# bad data in UR. Not in it (kept for models): city, municipality, state, postal code, dates other
# than birth and death, amounts, codes; the operator reference (the lender's own key).
PERSONAL_DATA: Dict[str, Dict[str, str]] = {
    "PN": {"paternal_surname": "hmac", "maternal_surname": "hmac", "additional_surname": "hmac",
           "first_name": "hmac", "middle_name": "hmac", "rfc": "hmac", "curp": "hmac", "voter_id": "hmac",
           "driver_license": "hmac", "professional_license": "hmac", "birth_date": "year", "death_date": "year"},
    "PA": {"address_line1": "hmac", "address_line2": "hmac", "neighborhood": "hmac", "phone": "hmac",
           "phone_extension": "hmac", "fax": "hmac"},
    "PE": {"employer": "hmac", "address_line1": "hmac", "address_line2": "hmac", "neighborhood": "hmac",
           "phone": "hmac", "phone_extension": "hmac", "fax": "hmac", "employee_number": "hmac"},
    "TL": {"account_number": "hmac"},
    "PI": {"account_number": "hmac"},
    "CR": {"declarativa": "hmac"},
    "UR": {"last_valid_info": "hmac", **{name: "hmac" for name in UR.field("06").columns}},
}


def segment(layout: str, tag: str) -> Segment:
    return LAYOUTS[layout].by_tag[tag]
