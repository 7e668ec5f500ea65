"""English field descriptions (intl13/descriptions.py): every field documented when they were written
keeps its text, no text names a field that is gone, and each text is short plain English that says
the unit and the annex the manual gives, and holds no example value of a person."""
import re

import pytest

from mxbureau.intl13 import records, spec
from mxbureau.intl13.descriptions import DESCRIPTIONS, describe

# The fields described when descriptions.py was written (generated once from its keys, then checked
# against spec by hand). Fields spec gains later need not be here: this set only may not shrink.
DOCUMENTED = frozenset((layout, segment, name) for layout, segment, names in (
    ("response", "INTL", "segment_tag version reference country bureau_indicator member_code found reserved"),
    ("response", "PN", "paternal_surname maternal_surname additional_surname first_name middle_name birth_date "
                       "rfc prefix suffix nationality residence_type driver_license marital_status gender "
                       "professional_license voter_id curp country dependents dependents_ages "
                       "dependents_reported_on death_date"),
    ("response", "PA", "address_line1 address_line2 neighborhood municipality city state postal_code "
                       "residence_since phone phone_extension fax address_type special_indicator origin_country "
                       "reported_on"),
    ("response", "PE", "employer address_line1 address_line2 neighborhood municipality city state postal_code "
                       "phone phone_extension fax occupation hired_on salary_currency salary pay_period "
                       "employee_number last_day_on origin_country reported_on verified_on verification_mode"),
    ("response", "TL", "updated_on disputed member_code user_name user_phone account_number responsibility "
                       "account_type contract_type currency appraisal_value number_of_payments "
                       "payment_frequency payment_amount opened_on last_payment_on last_purchase_on closed_on "
                       "reported_on reporting_mode last_zero_balance_on collateral max_credit balance "
                       "credit_limit past_due payments_past_due mop payment_history history_latest_on "
                       "history_oldest_on observation payments_reported mop02_count mop03_count mop04_count "
                       "mop05_plus_count worst_delinquency_balance worst_delinquency_on worst_mop "
                       "restructure_on last_payment_amount"),
    ("response", "IQ", "inquired_on reserved member_code user_name user_phone contract_type currency "
                       "contract_amount responsibility new_customer sic_id"),
    ("response", "RS", "integrated_on accounts_mop07 accounts_mop06 accounts_mop05 accounts_mop04 "
                       "accounts_mop03 accounts_mop02 accounts_mop01 accounts_mop00 accounts_mop_ur "
                       "accounts_mop96 accounts_mop97 accounts_mop99 accounts_total accounts_installment "
                       "accounts_revolving accounts_closed accounts_delinquent_now accounts_delinquent_ever "
                       "accounts_in_dispute inquiries_6m new_address_60d alert_messages has_declarativa "
                       "currency revolving_max_credit revolving_limit revolving_balance revolving_past_due "
                       "revolving_payment revolving_utilization_pct installment_max_credit installment_balance "
                       "installment_past_due installment_payment oldest_opened_on newest_opened_on "
                       "inquiries_total last_inquiry_on collection_accounts collection_newest_opened_on "
                       "collection_inquiries collection_last_inquiry_on"),
    ("response", "HI", "reported_on prevention_code user_type message"),
    ("response", "HR", "reported_on prevention_code user_type message"),
    ("response", "CR", "declared_count declarativa"),
    ("response", "SC", "score_name score_code score reason_1 reason_2 reason_3 error_code"),
    ("response", "CL", "template characteristic_id characteristic value error_code"),
    ("response", "ES", "declared_length control_number end_mark"),
    ("error", "ERRR", "segment_tag"),
    ("error", "UR", "reference bad_request bad_version bad_product bad_member_or_password missing_segment "
                    "last_valid_info bad_field_info bad_related_value system_error bad_segment_tag "
                    "bad_segment_order bad_segment_count missing_required_field file_blocked"),
    ("error", "AR", "reference not_authenticated bad_member_or_password system_error bad_segment_tag "
                    "missing_required_field file_blocked"),
    ("error", "ES", "declared_length control_number end_mark"),
    ("consulta", "INTL", "segment_tag version reference product country reserved member_code password "
                         "responsibility contract_type currency contract_amount language output block_size "
                         "printer_id reserved_future"),
    ("consulta", "PN", "paternal_surname maternal_surname additional_surname first_name middle_name birth_date "
                       "rfc prefix suffix nationality residence_type driver_license marital_status gender "
                       "professional_license voter_id curp country dependents dependents_ages"),
    ("consulta", "PA", "address_line1 address_line2 neighborhood municipality city state postal_code "
                       "residence_since phone phone_extension fax address_type special_indicator origin_country"),
    ("consulta", "PE", "employer address_line1 address_line2 neighborhood municipality city state postal_code "
                       "phone phone_extension fax occupation hired_on salary_currency salary pay_period "
                       "employee_number last_day_on origin_country"),
    ("consulta", "PI", "account_number member_code user_name"),
    ("consulta", "AU", "report_type output_type reference has_credit_card card_last_digits has_mortgage "
                       "has_auto_loan_24m"),
    ("consulta", "CL", "template reference future_1 future_2 future_3"),
    ("consulta", "ES", "declared_length end_mark"),
    ("records", "records", "record kind start length version reference member_code found bureau_indicator "
                           "control_number declared_length cr_reading ok"),
) for name in names.split())

HEADER_SEGMENT = {"response": "INTL", "consulta": "INTL", "error": "ERRR"}


def current_keys():
    """Every key spec and the records table define now."""
    keys = set()
    for kind, layout in spec.LAYOUTS.items():
        keys |= {(kind, HEADER_SEGMENT[kind], h.name) for h in layout.header}
        # a field's own column, its short reading's and its negative values' (tables.column_names)
        keys |= {(kind, s.tag, n) for s in layout.segments for f in s.fields
                 for n in (f.name,) + ((f.short.name,) if f.short else ()) + ((f.negative,) if f.negative else ())}
    keys |= {("records", "records", f.name) for f in records.RECORDS_SCHEMA}
    return keys


def fields():
    """(key, Field) for every segment field spec defines now."""
    for kind, layout in spec.LAYOUTS.items():
        for s in layout.segments:
            for f in s.fields:
                yield (kind, s.tag, f.name), f


def test_every_documented_field_keeps_a_description():
    assert len(DOCUMENTED) == 314
    missing = sorted(k for k in DOCUMENTED if not DESCRIPTIONS.get(k, "").strip())
    assert not missing, missing


def test_no_description_names_a_field_that_is_gone():
    gone = sorted(set(DESCRIPTIONS) - current_keys())
    assert not gone, gone


# Function words: an English text has some; Spanish ones would mean untranslated text ("de" is left
# out: it is in the bureaus' names, Buro de Credito, Circulo de Credito).
ENGLISH = {"the", "of", "a", "an", "in", "is", "and", "or", "to", "for", "by", "when", "from", "with", "its",
           "as", "on", "at", "if", "not", "per", "one", "no", "it", "this", "are"}
SPANISH = {"el", "la", "los", "las", "del", "que", "con", "para", "por", "en", "se", "es", "un", "una",
           "su", "al", "o", "lo"}
# Values the manual's examples give for people and places (names, RFC, address, phone, postal code,
# account numbers): no description may repeat one.
EXAMPLE_VALUES = ("MENDEZ", "GONZALEZ", "ANTUANET", "MEGA510503RE3", "VERAPAZ", "TLALPAN", "JARDINES",
                  "MONTANA", "ALMACENES", "DOMINGUEZ", "NICOLAS", "PUEC", "5554494949", "14210",
                  "123456789012345")


@pytest.mark.parametrize("key", sorted(DESCRIPTIONS), ids="/".join)
def test_texts_are_short_plain_english(key):
    text = DESCRIPTIONS[key]
    assert text.strip() == text and text[0].isupper() and text.endswith("."), key
    assert text.isascii() and len(text) <= 300, (key, len(text))
    words = set(re.findall(r"[a-z]+", text.lower()))
    assert ENGLISH & words, key
    running = set(re.findall(r"\b[a-z]+\b", text))       # lower-case words: not codes such as O, ES, EN
    assert not SPANISH & running, (key, SPANISH & running)
    assert not any(v.lower() in text.lower() for v in EXAMPLE_VALUES), key
    assert not re.search(r"\d{5,}", text), key          # no phone, postal code, RFC or account number


# The annex each catalogue comes from, read in the manual's field tables (seed 002).
ANNEX_OF_CATALOG = {"CONTRACT_TYPES": 2, "MOP": 3, "HISTORY_CODES": 4, "OBSERVATION_KEYS": 5,
                    "SCORE_REASONS": 6, "SCORE_ERRORS": 6, "HAWK_PREVENTION_CODES": 8, "PREFIXES": 9,
                    "COUNTRIES": 10, "CURRENCIES": 10, "STATES": 11, "SINTETIZA": 12}
# Fields with no catalogue in spec whose manual text names an annex.
ANNEX_OF_FIELD = {("response", "INTL", "member_code"): 1, ("consulta", "INTL", "member_code"): 1,
                  ("response", "TL", "member_code"): 1, ("response", "IQ", "member_code"): 1,
                  ("response", "TL", "user_name"): 1, ("response", "IQ", "user_name"): 1,
                  ("response", "RS", "collection_accounts"): 1, ("consulta", "INTL", "contract_type"): 2,
                  ("response", "HI", "message"): 8, ("response", "HR", "message"): 8,
                  ("consulta", "INTL", "password"): 13,
                  # Anexo 14 repurposes these in the integrated Reporte de Credito
                  ("response", "INTL", "bureau_indicator"): 14, ("records", "records", "bureau_indicator"): 14,
                  ("response", "TL", "user_phone"): 14, ("response", "IQ", "sic_id"): 14,
                  ("response", "TL", "sic_id"): 14, ("records", "records", "bureau_tum"): 14,
                  ("records", "records", "bureau_dun"): 14, ("records", "records", "bureau_cc"): 14,
                  ("consulta", "INTL", "product"): 14}


def test_codes_name_the_annex_they_come_from():
    want = dict(ANNEX_OF_FIELD)
    want.update({k: ANNEX_OF_CATALOG[f.catalog] for k, f in fields() if f.catalog in ANNEX_OF_CATALOG})
    assert len(want) > 40
    wrong = sorted(k for k, n in want.items() if k in DESCRIPTIONS
                   and not re.search(rf"\bAnexo {n}\b", DESCRIPTIONS[k]))
    assert not wrong, wrong
    # Anexo 14 where it repurposes a field, nowhere it does not
    assert not [k for k, t in DESCRIPTIONS.items() if "Anexo 14" in t and k not in ANNEX_OF_FIELD
                and k != ("response", "SC", "score_code")]


def test_dates_and_amounts_say_their_unit():
    dates = [k for k, f in fields() if f.kind == "date" and k in DESCRIPTIONS]
    assert len(dates) > 30
    assert not [k for k in dates if "Date (DDMMAAAA)" not in DESCRIPTIONS[k]]
    # money (the manual: integers, no cents, in the currency the credit was granted in); the score and a
    # Sintetiza characteristic's value are kind "amount" too but are not money
    money = [k for k, f in fields() if f.kind == "amount" and k in DESCRIPTIONS
             and k[1:] not in (("SC", "score"), ("CL", "value"))]
    assert len(money) > 15
    assert not [k for k in money if "whole units of the" not in DESCRIPTIONS[k] or "no cents" not in DESCRIPTIONS[k]]
    assert "exclusion code" in DESCRIPTIONS[("response", "SC", "score")]


def test_consulta_reuses_the_response_text_only_where_the_meaning_is_the_same():
    same = {k[2] for k in DESCRIPTIONS if k[:2] == ("consulta", "PN")
            and DESCRIPTIONS[k] == DESCRIPTIONS.get(("response", "PN", k[2]))}
    assert "gender" in same and "paternal_surname" not in same     # the consulta's surname rules differ
    assert "required" in DESCRIPTIONS[("consulta", "PA", "origin_country")]
    assert "required" not in DESCRIPTIONS[("response", "PA", "origin_country")]


def test_describe_never_raises():
    assert describe("response", "TL", "balance") == DESCRIPTIONS[("response", "TL", "balance")]
    assert "Anexo 3" in describe("response", "TL", "mop")
    assert describe("records", "records", "ok")
    for key in (("response", "TL", "no_such_field"), ("consulta", "TL", "balance"), ("circulo", "EM", "rfc"),
                ("", "", "")):
        assert describe(*key) == ""
