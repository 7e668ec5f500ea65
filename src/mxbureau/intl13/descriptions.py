"""English descriptions of every INTL13 field, as data, for ``mxbureau.schema()`` and the CLI's
``mxbureau schema`` listing (issue #17, "Discoverability").

``DESCRIPTIONS`` maps (layout kind, segment tag, field name) to one or two plain sentences for a
credit-risk analyst. Layout kinds are those of ``spec.LAYOUTS`` ("response", "error", "consulta");
the fixed header fields are keyed by ("response", "INTL", name), ("consulta", "INTL", name) and
("error", "ERRR", name); the columns of ``records.RECORDS_SCHEMA`` by ("records", "records", name).

Each text is a reading of the manual's own definition (seed 002, its field tables' "Descripción /
Validación"): the unit or format it gives (dates DDMMAAAA; amounts whole units, no cents, in the
currency of the credit), the annex ("Anexo") its codes come from, and Anexo 14's repurposing of a
field in the integrated Reporte de Crédito. Where the manual is unclear the text says so. No text
holds an example value of a person. Descriptions are ASCII; the manual's Spanish names stay in
``spec`` (``Field.spanish``).
"""
from __future__ import annotations

from typing import Dict, Mapping, Tuple

__all__ = ["DESCRIPTIONS", "describe"]

Key = Tuple[str, str, str]

# Phrases the field texts share.
_DATE = "Date (DDMMAAAA)"
_CUR = "whole units of the credit's currency (tag 08), no cents"
_RS_CUR = "whole units of the currency in tag 20, no cents"
_MEMBER = ("2-letter business type (KOB, Anexo 1), 4-digit institution number, 4-digit suffix "
           "(product, branch or internal area)")
_OWN_DATA = (" The bureau shows its own general data, not other bureaus', unless only another bureau "
             "has the customer.")
_INDICATOR = ("zeros in an Informe Buro. In an integrated Reporte de Credito (Anexo 14) one digit per bureau "
              "(TransUnion, Dun & Bradstreet, Circulo de Credito, future use): 0 no hit, 1 hit, "
              "2 bureau unavailable, 3 D&B extended report.")
_REFERENCE = ("The operator reference of the consulta's header (positions 7-31), possibly blanks: the "
              "lender's key to the rejected request.")
_BAD_MEMBER = ("The value sent in consulta header positions 41-54 (member code and the start of the "
               "password), when wrong; the manual gives 14 bytes though the password runs to position 58.")
_BAD_TAG = ("The wrong segment tag; the manual says the field may also hold the tag's length, "
            "in a 2-byte field.")
_MISSING_FIELD = ("Segment tag and field tag of a required field missing from the consulta; up to 5 times.")
_SYSTEM_ERROR = "Y when Buro de Credito's system had a problem with the consulta."


def _add(out: Dict[Key, str], layout: str, segment: str, texts: Mapping[str, str]) -> None:
    for name, text in texts.items():
        out[(layout, segment, name)] = text


# ---------------------------------------------------------------------------------------------
# Response INTL header (49 bytes).
_RESPONSE_HEADER = {
    "segment_tag": "The letters INTL that open every response record (header positions 1-4).",
    "version": ("Version of the response format (positions 5-6). The manual says it is always 13; "
                "files answering older consultas carry 11 or 12."),
    "reference": ("The operator reference the lender put in the consulta (positions 7-31), or blanks: the "
                  "lender's key to join the report back to its request."),
    "country": "The country code (positions 32-33), always MX for Mexico.",
    "bureau_indicator": "Reserved positions 34-37: " + _INDICATOR,
    "member_code": "Member code of the user that made the consulta (positions 38-47): " + _MEMBER + ".",
    "found": ("Response code (position 48): 1 when the customer's file was found (hit), 0 when not "
              "found (no-hit)."),
    "reserved": "Reserved (position 49): a blank.",
}

# ---------------------------------------------------------------------------------------------
# PN, PA, PE: the consulta sends the same fields the response returns (spec derives them), so the
# texts below serve both layouts; the consulta's own rules replace a text where the manual adds them.
_PN = {
    "paternal_surname": "The customer's paternal (first) surname, in full.",
    "maternal_surname": "The customer's maternal (second) surname, in full.",
    "additional_surname": "An additional surname: for women, the married surname may be given here.",
    "first_name": "The customer's first given name, in full.",
    "middle_name": "The customer's second and further given names, if any, separated by spaces.",
    "birth_date": _DATE + " of the customer's birth.",
    "rfc": ("The customer's RFC (federal taxpayer registry key): at least the first 10 characters (4 letters "
            "from the name, 6 digits of the birth date), sometimes with the 3-character homoclave."),
    "prefix": "A personal or professional prefix (title) of the customer, a code from Anexo 9.",
    "suffix": "A personal suffix of the customer, such as JR (junior), II (second) or III (third).",
    "nationality": "The customer's nationality, a country code from Anexo 10.",
    "residence_type": "The customer's housing: 1 owner, 2 renting, 3 boarding or living with relatives.",
    "driver_license": "The customer's driving licence number.",
    "marital_status": ("The customer's marital status: D divorced, F common-law union, M married, S single, "
                       "W widowed."),
    "gender": "The customer's gender: F female, M male.",
    "professional_license": "The customer's professional licence number (cedula profesional), if available.",
    "voter_id": "The customer's voter registration number (IFE electoral credential), if available.",
    "curp": ("The customer's unique identification key, depending on nationality: for a Mexican customer, "
             "the CURP."),
    "country": "The customer's country of citizenship, a country code from Anexo 10.",
    "dependents": "The number of people financially dependent on the customer, up to 15 (2 digits).",
    "dependents_ages": ("The ages of the dependents, 2 digits each, one after the other without spaces "
                        "(up to 15); an age under one year is given as 01."),
}
_PN_RESPONSE = {
    "paternal_surname": _PN["paternal_surname"] + _OWN_DATA,
    "maternal_surname": _PN["maternal_surname"] + _OWN_DATA,
    "additional_surname": _PN["additional_surname"] + _OWN_DATA,
    "first_name": _PN["first_name"] + _OWN_DATA,
    "middle_name": _PN["middle_name"] + _OWN_DATA,
    "dependents_reported_on": _DATE + " on which Buro de Credito most recently received the dependents' information.",
    "death_date": _DATE + " of the customer's death, when the bureau holds one.",
}
_PN_CONSULTA = {
    "paternal_surname": ("The customer's paternal (first) surname, in full and as on official identification; "
                         "required, at least 3 letters, without abbreviations, prefixes or titles."),
    "maternal_surname": ("The customer's maternal (second) surname, in full; required. With a single surname, "
                         "that one goes in the paternal surname and this field says NO PROPORCIONADO; "
                         "not the married name."),
    "first_name": "The customer's first given name, in full; required, at least 3 letters, no abbreviations.",
    "birth_date": (_DATE + " of the customer's birth; optional but highly recommended to find the right "
                   "file, and not to be given for customers under 18."),
    "rfc": ("The customer's RFC (federal taxpayer registry key): at least the first 10 characters, with the "
            "3-character homoclave if possible; the manual says it is required for accounts opened after "
            "January 1998."),
    "curp": ("The customer's unique identification key, depending on nationality: for a Mexican customer, "
             "the CURP. When given, the country code (tag 16) is required."),
}

_PA = {
    "address_line1": "First line of the customer's home address: street, exterior and interior number.",
    "address_line2": "Second line of the address, used when the first line is not enough.",
    "neighborhood": "The colonia or town (poblacion) of the address.",
    "municipality": "The delegacion or municipality of the address.",
    "city": "The city of the address.",
    "state": "The state of the Mexican Republic of the address, a code from Anexo 11.",
    "postal_code": "The postal code of the address, exactly 5 digits (leading zeros kept).",
    "residence_since": _DATE + " since which the customer has lived at this address.",
    "phone": "The customer's home telephone number: area code plus up to 8 digits.",
    "phone_extension": "The telephone extension at this address, if any.",
    "fax": "The fax number at this address: area code plus up to 8 digits.",
    "address_type": ("The type of address given: B business, C the user's (Usuario's) address as the manual "
                     "calls it, H home, P post-office box."),
    "special_indicator": ("A special indicator of the address's location: M military, R rural, K known "
                          "address (domicilio conocido)."),
    "origin_country": ("The country of origin of the address, a country code from Anexo 10 (tag in use since "
                       "1 December 2015)."),
}
_PA_RESPONSE = {
    "reported_on": _DATE + " on which the address was reported to Buro de Credito.",
}
_PA_CONSULTA = {
    "address_line1": ("First line of the customer's home address: street, exterior and interior number; "
                      "required. A street without a number is rejected: SN is written when there is none."),
    "municipality": ("The delegacion or municipality of the address; either this or the city (tag 03) is "
                     "required, else the consulta is rejected."),
    "city": ("The city of the address; either this or the municipality (tag 02) is required, else the "
             "consulta is rejected."),
    "state": ("The state of the Mexican Republic of the address, a code from Anexo 11; required, and checked "
              "with the postal code."),
    "postal_code": ("The postal code of the address, exactly 5 digits (leading zeros kept); required, and "
                    "checked against the SEPOMEX list for the state, municipality and city."),
    "phone": ("The customer's home telephone number: area code plus up to 8 digits; at least 5 digits, "
              "no dashes, not the same digit repeated throughout."),
    "origin_country": ("The country of origin of the address, a country code from Anexo 10; required "
                       "(tag in use since 1 December 2015)."),
}

_PE = {
    "employer": "The name of the customer's employer: a person's name or a company's legal name (razon social).",
    "address_line1": "First line of the employer's address: street, exterior and interior number.",
    "address_line2": "Second line of the employer's address, used when the first line is not enough.",
    "neighborhood": "The colonia or town (poblacion) of the employer's address.",
    "municipality": "The delegacion or municipality of the employer's address.",
    "city": "The city where the customer works.",
    "state": "The state of the Mexican Republic of the employer's address, a code from Anexo 11.",
    "postal_code": ("The postal code of the employer's address, 5 digits, checked against the SEPOMEX list "
                    "for the state, municipality and city."),
    "phone": "The telephone number at the customer's work: area code plus up to 8 digits.",
    "phone_extension": "The telephone extension at work, if any.",
    "fax": "The fax number at the customer's work: area code plus up to 8 digits.",
    "occupation": "The customer's job title or position, if available.",
    "hired_on": _DATE + " on which the employer hired the customer.",
    "salary_currency": "The currency the customer's salary is paid in, a currency code from Anexo 10.",
    "salary": ("The customer's salary or wage per pay period (tag 14), in whole units of the currency in "
               "tag 12, no cents."),
    "pay_period": ("The pay period of the salary: B every two months, D daily, H hourly, K every 14 days, "
                   "M monthly, S twice a month, W weekly, Y yearly."),
    "employee_number": "The employee or payroll number the employer assigned to the customer.",
    "last_day_on": _DATE + " on which the customer last worked for this employer.",
    "origin_country": ("The country of origin of the employer's name and address, a country code from "
                       "Anexo 10 (tag in use since 1 December 2015)."),
}
_PE_RESPONSE = {
    "reported_on": _DATE + " on which this employment was first reported to Buro de Credito.",
    "verified_on": _DATE + " on which a user last verified the customer's employment data.",
    "verification_mode": ("How the employment was verified: A automated (the user reports it on tape), "
                          "M manual (the bureau updated it on a request to its customer service centre)."),
}
_PE_CONSULTA = {
    "employer": ("The name of the customer's employer: a person's name or a company's legal name; NO "
                 "PROPORCIONADO when unknown. Without it the employment data are not taken."),
    "municipality": ("The delegacion or municipality of the employer's address; either this or the city "
                     "(tag 04) must be given, else the employment data are not taken."),
    "city": ("The city where the customer works; either this or the municipality (tag 03) must be given, "
             "else the employment data are not taken."),
    "salary_currency": ("The currency the customer's salary is paid in, a currency code from Anexo 10; when "
                        "given, the salary (tag 13) and the pay period (tag 14) are required."),
    "origin_country": ("The country of origin of the employer's name and address, a country code from "
                       "Anexo 10; required (tag in use since 1 December 2015)."),
}

# ---------------------------------------------------------------------------------------------
# TL: accounts.
_TL = {
    "updated_on": _DATE + " on which the account's information was last updated in the bureau's database.",
    "disputed": ("Dispute flag: a value greater than zero means the customer has disputed (impugnado) the "
                 "account's information; zero or absent otherwise."),
    "member_code": ("Member code of the user that reported the account, shown only when it is the user "
                    "making the consulta, blanks otherwise: " + _MEMBER + "."),
    "user_name": ("The name of the reporting user when it is the user making the consulta; otherwise the "
                  "generic name of its business type (Anexo 1)."),
    "user_phone": ("The reporting user's telephone (area code plus up to 8 digits), or blanks. In an "
                   "integrated Reporte de Credito (Anexo 14) it holds the bureau the account comes from "
                   "instead: 0 Buro de Credito (TransUnion), 1 Circulo de Credito, 2 Dun & Bradstreet."),
    "sic_id": ("Anexo 14: in an integrated Reporte de Credito, the bureau (SIC) the account comes from, a one-digit "
               "value of tag 03: 0 Buro de Credito (TransUnion), 1 Circulo de Credito, 2 Dun & Bradstreet; null "
               "when tag 03 holds a telephone (user_phone)."),
    "account_number": "The number of the account or credit, as the user reports it.",
    "responsibility": ("The customer's liability for the account: A authorized (additional) user, "
                       "I individual, J joint, C co-obligor (obligado solidario)."),
    "account_type": ("The type of account: I fixed instalments, M mortgage, O open with no preset limit, "
                     "R revolving, X reported in Dun & Bradstreet (companies)."),
    "contract_type": "The product or contract type the user granted, a code from Anexo 2.",
    "currency": ("The currency the credit was granted in: MX or N$ Mexican pesos, UD investment units "
                 "(UDIs), US US dollars. The account's amounts are in this currency."),
    "appraisal_value": ("For fixed-instalment (I) or mortgage (M) credits, the total value of the asset for "
                        "appraisal or recovery; " + _CUR + "."),
    "number_of_payments": ("For fixed-instalment (I) or mortgage (M) accounts, the total number of payments "
                           "agreed at opening, counted in the payment frequency (tag 11)."),
    "payment_frequency": ("How often payments fall due. I and M accounts: B every 2 months, D daily, H every "
                          "6 months, K every 14 days, M monthly, P payroll deduction, Q quarterly, S twice a "
                          "month, V variable, W weekly, Y yearly; R and O accounts: Z minimum payment."),
    "payment_amount": ("The amount the customer must pay in the next monthly period, given the payment "
                       "frequency (a weekly payment times 4, a fortnightly one times 2); " + _CUR + "."),
    "opened_on": _DATE + " on which the user granted the credit (the account's opening).",
    "last_payment_on": _DATE + " of the customer's last payment.",
    "last_purchase_on": _DATE + " of the customer's last purchase or cash withdrawal (disposicion).",
    "closed_on": _DATE + " on which the account was closed.",
    "reported_on": (_DATE + " of extraction from the user's database: the last day of the reported period "
                    "for monthly reporting, or the date of the last change when the user updates more often."),
    "reporting_mode": ("How the account was reported: A automated, M manual (change requested from the user "
                       "service centre), C Confin (change applied by consumer services). Typed N in the "
                       "manual, though the codes are letters."),
    "last_zero_balance_on": (_DATE + " on which the account last had a zero balance; for fixed-instalment (I) "
                             "and mortgage (M) accounts it should equal the closing date."),
    "collateral": ("A free-text description of the collateral securing the credit, for mortgage (M) and "
                   "fixed-instalment (I) credits."),
    "max_credit": ("Highest credit. The manual defines it as the maximum amount used by the customer, while "
                   "its name says maximum authorized credit; " + _CUR + "."),
    "balance": ("Current balance: the total debt still to be paid, in " + _CUR + ". A negative amount is a "
                "balance in the customer's favour."),
    "credit_limit": "The credit limit the user granted, for revolving (R) accounts; " + _CUR + ".",
    "past_due": ("The whole balance past due at the reported period; for revolving credits it may still be "
                 "reported after the closing date. In " + _CUR + "."),
    "payments_past_due": ("The number of payments the customer has missed, counted in the payment frequency "
                          "(tag 11): a weekly account may have 1 to 4 past due in a month."),
    "mop": ("The account's current manner of payment (MOP, Anexo 3), in 30-day periods: UR no information, "
            "00 too new to rate, 01 current, 02 1-29 days late, ... 07 150 days to 12 months, 96 over 12 "
            "months, 97 unrecovered debt, 99 fraud."),
    "payment_history": ("Up to the last 24 reported months, one Anexo 4 code a month: 1-7 as MOP, 9 MOP "
                        "96/97/99, 0 too new, U no information, D annulled, - not reported, blank removed by "
                        "law. The manual states no order; its example reads leftmost = month of tag 28."),
    "history_latest_on": (_DATE + " of the latest month integrated in the payment history: the period of "
                          "the MOP shown in this response."),
    "history_oldest_on": _DATE + " on which the payment-history pattern starts, at most 72 months back.",
    "observation": ("The observation key describing the account's current status (e.g. in dispute, sold, "
                    "closed), a code from Anexo 5."),
    "payments_reported": ("The total number of payments reported, which the manual calls only a statistic "
                          "of the customer's credit behaviour."),
    "mop02_count": "The number of times the account was at MOP 02 (1-29 days late) in its history, at most 72 months.",
    "mop03_count": "The number of times the account was at MOP 03 (30-59 days late) in its history, at most 72 months.",
    "mop04_count": "The number of times the account was at MOP 04 (60-89 days late) in its history, at most 72 months.",
    "mop05_plus_count": ("The number of times the account was at MOP 05 or worse (90 days late or more) in "
                         "its history, at most 72 months."),
    "worst_delinquency_balance": ("The balance on the date of the account's highest delinquency, at most 72 "
                                  "months back; " + _CUR + "."),
    "worst_delinquency_on": _DATE + " of the account's highest delinquency in its history, at most 72 months back.",
    "worst_mop": ("The highest MOP (Anexo 3) the account reached in its history, at most 72 months back; "
                  "counted from MOP 02."),
    "restructure_on": (_DATE + " on which an observation key RA, RN or RV (Anexo 5) was first sent, marking "
                       "the account as restructured."),
    "last_payment_amount": ("The amount of the customer's most recent payment, in " + _CUR + ". The manual "
                            "says it appears only for consultas made with INTL12."),
}

# IQ: inquiries to the customer's file (those of the last 24 months).
_IQ = {
    "inquired_on": _DATE + " of an inquiry to the customer's file; the segment lists the inquiries of the last 24 months.",
    "reserved": "Reserved for future use.",
    "member_code": ("Member code of the user that made the inquiry, shown only when it is the user making "
                    "this consulta, blanks otherwise: " + _MEMBER + "."),
    "user_name": ("The name of the inquiring user when it is the user making this consulta; otherwise the "
                  "generic name of its business type (Anexo 1)."),
    "user_phone": ("A telephone number of the user (area code plus up to 8 digits); the manual's text speaks "
                   "of the user reporting an account, copied from TL."),
    "contract_type": "The product or contract type the inquiry was for, a code from Anexo 2.",
    "currency": "The currency of the credit applied for: MX or N$ Mexican pesos, UD UDIs, US US dollars.",
    "contract_amount": "The amount of the credit applied for, in whole units of the currency in tag 05, no cents.",
    "responsibility": ("The customer's liability in the credit applied for: A authorized (additional) user, "
                       "I individual, J joint, C co-obligor."),
    "new_customer": ("Y when the inquiry brought a new customer into the bureau's database: the name and "
                     "address were entered as a result of the inquiry."),
    "sic_id": ("Anexo 14: in an integrated Reporte de Credito, the bureau (SIC) the inquiry comes from, a "
               "one-digit value of tag 09: 0 Buro de Credito (TransUnion), 1 Circulo de Credito, 2 future use."),
    "reserved_09": ("Tag 09 when longer than one digit: reserved, zeros in an Informe Buro (the one-digit "
                    "reading is sic_id)."),
}

# RS: the summary of the file.
_RS_MOP = {
    "07": "MOP 07 (150 days to 12 months late)", "06": "MOP 06 (120-149 days late)",
    "05": "MOP 05 (90-119 days late)", "04": "MOP 04 (60-89 days late)", "03": "MOP 03 (30-59 days late)",
    "02": "MOP 02 (1-29 days late)", "01": "MOP 01 (current)", "00": "MOP 00 (too new to rate)",
    "_ur": "MOP UR (no information)", "96": "MOP 96 (over 12 months late)",
    "97": "MOP 97 (debt partly or wholly unrecovered)", "99": "MOP 99 (fraud by the customer)",
}
_REVOLVING = "the active revolving (R) and open, no preset limit (O) accounts"
_INSTALMENT = "the active fixed-instalment (I) and mortgage (M) accounts"
_RS = {
    "integrated_on": _DATE + " on which the customer's information first entered the bureau's database.",
    **{f"accounts_mop{k}": f"The number of accounts at {v} at the time of the consulta (Anexo 3)."
       for k, v in _RS_MOP.items()},
    "accounts_total": "The total number of accounts in the customer's file.",
    "accounts_installment": "The number of fixed-instalment (I) and mortgage (M) accounts in the file.",
    "accounts_revolving": "The number of revolving (R) and open, no preset limit (O) accounts in the file.",
    "accounts_closed": "The number of accounts with a closing date in the file.",
    "accounts_delinquent_now": "The number of accounts whose current MOP is 02 to 07, 96, 97 or 99.",
    "accounts_delinquent_ever": ("The number of accounts at current MOP UR or 01 with a MOP of 02-07, 96, 97 "
                                 "or 99 in their history (up to 72 months), each counted once; over all "
                                 "bureaus in a Reporte de Credito."),
    "accounts_in_dispute": "The number of accounts with observation key AD (account in dispute with the user, Anexo 5).",
    "inquiries_6m": "The number of inquiries to the customer's file in the 6 months before this consulta.",
    "new_address_60d": ("Y if the customer's current addresses were received in the last 60 days, N if not; "
                        "over all bureaus in a Reporte de Credito."),
    "alert_messages": ("Alert flags, Y or N by position: 1 death date on file, 2 RFC differs from the file, "
                       "3 address differs, 4 more data in the commercial bureau, 5 invalid address in the "
                       "consulta, 6-8 future use; NNNNN for no alert. The manual says four messages, lists five."),
    "has_declarativa": "Y if the customer has a declarativa (consumer statement, segment CR), N if not.",
    "currency": ("The currency of the credit, per the manual: MX or N$ pesos, UD UDIs, US dollars. A second or "
                 "third RS carries only tags 20-30, which reads as one set of totals per currency; the manual "
                 "does not say so."),
    "revolving_max_credit": f"The sum of the highest credit of {_REVOLVING}; {_RS_CUR}.",
    "revolving_limit": f"The sum of the credit limits of {_REVOLVING}; {_RS_CUR}.",
    "revolving_balance": f"The sum of the current balances of {_REVOLVING}; {_RS_CUR}.",
    "revolving_past_due": f"The sum of the past-due balances of {_REVOLVING}; {_RS_CUR}.",
    "revolving_payment": f"The sum of the payment amounts of {_REVOLVING}; {_RS_CUR}.",
    "revolving_utilization_pct": (f"The percentage of credit limit used: the sum of the current balances of "
                                  f"{_REVOLVING} divided by the sum of their credit limits, rounded."),
    "installment_max_credit": f"The sum of the highest credit of {_INSTALMENT}; {_RS_CUR}.",
    "installment_balance": f"The sum of the current balances of {_INSTALMENT}; {_RS_CUR}.",
    "installment_past_due": f"The sum of the past-due balances of {_INSTALMENT}; {_RS_CUR}.",
    "installment_payment": f"The sum of the payment amounts of {_INSTALMENT}; {_RS_CUR}.",
    "oldest_opened_on": _DATE + " on which the customer's oldest account was opened.",
    "newest_opened_on": _DATE + " on which the customer's most recent account was opened.",
    "inquiries_total": ("The number of inquiries made to the customer's file, not counting the current one "
                        "(the manual gives no period)."),
    "last_inquiry_on": _DATE + " of the most recent inquiry to the file, not counting the current one.",
    "collection_accounts": ("The number of accounts reported by collection agencies or portfolio managers "
                            "(business type KOB YY, Anexo 1)."),
    "collection_newest_opened_on": (_DATE + " on which the most recent account held by a collection agency "
                                    "or portfolio manager was opened."),
    "collection_inquiries": ("The number of inquiries to the file by collection agencies or portfolio "
                             "managers, not counting the current one."),
    "collection_last_inquiry_on": (_DATE + " of the most recent inquiry by a collection agency or portfolio "
                                   "manager (KOB YY), not counting the current one."),
}


def _hawk(matches: str) -> Dict[str, str]:
    return {
        "reported_on": _DATE + " on which a user reported the possible fraud to the Hawk database. " + matches,
        "prevention_code": ("The Hawk prevention code (Anexo 8): the first two digits name the message (fraud, "
                            "politically exposed person, telephone and address checks, lawsuits, system "
                            "messages), the third the role, such as 0 for the holder."),
        "user_type": "The generic name of the type of user that reported the probable fraud.",
        "message": "The text of the prevention message; Anexo 8 explains the messages.",
    }


_CR = {
    "declared_count": ("The count after the CR tag. The manual says it is the length in bytes of the "
                       "declarativa text; some files give the whole segment's length (records.cr_reading "
                       "says which reading was taken)."),
    "declarativa": ("The customer's own statement disputing information in the report after a claim, up to "
                    "12,000 bytes. Each statement starts with ##; one about an account is labelled CREDITOnn, "
                    "nn being the account's order in the report."),
}

_REASON = ("reason code: why the customer does not get the highest score (Anexo 6 for BC Score 507; Anexo 7 "
           "lists the ICC reason codes, and the manual does not say which applies to code 504).")
_SC = {
    "score_name": "The name of the score requested.",
    "score_code": ("The code of the score: 507 BC Score recalibrated (2008) or 504 Credit Capacity Index "
                   "(ICC); product 004 is answered with two SC segments, 504 then 507. Replies to integrated-report "
                   "consultas (Anexo 14) are also seen with 004 and 007."),
    "score": ("The score value, a positive number (BC Score runs from 400 to 850; lower means a higher "
              "probability of default). A negative value is an exclusion code (Anexo 6) saying why no score "
              "could be computed: such values are null here and go to exclusion_code."),
    "exclusion_code": ("Why no score could be computed: the negative value of tag 01 (an exclusion code of Anexo 6), "
                       "spelled with its sign and three digits, e.g. -009; null when there is a score."),
    "reason_1": "The first " + _REASON,
    "reason_2": "The second " + _REASON,
    "reason_3": "The third " + _REASON,
    "error_code": ("The error code when the score could not be given (Anexo 6): 01 request not authorized, "
                   "02 invalid score request, 03 score not available; tags 01-04 are then absent."),
}

_CL = {
    "template": ("The Sintetiza template the characteristics were computed with; the segment repeats once "
                 "per characteristic of the template (up to 99)."),
    "characteristic_id": "The identifier assigned to the characteristic in the template.",
    "characteristic": "The number of the characteristic, from the Anexo 12 catalogue (e.g. number of open accounts).",
    "value": "The value of the characteristic computed on the file; its unit depends on the characteristic (Anexo 12).",
    "error_code": ("Present only when the characteristics could not be computed (CL then occurs once, without "
                   "tags 01-02): 1 service unavailable, 2 invalid request, 3 calculation error."),
}


def _es(record: str) -> Dict[str, str]:
    return {
        "declared_length": ("The total length in bytes of the " + record + ", from its first byte through the "
                            "final ** (this segment included), 5 or 6 digits; mxbureau checks it on every record."),
        "control_number": ("The control number Buro de Credito assigned to the consulta (in production since "
                           "30 November 2015); older files have none."),
        "end_mark": "The end of the record: the characters **.",
    }


# ---------------------------------------------------------------------------------------------
# Error record: ERRR + UR or AR + ES.
_ERROR_HEADER = {
    "segment_tag": ("The letters ERRR that open an error record, sent instead of a report when the bureau "
                    "found a problem with the consulta."),
}
_UR = {
    "reference": _REFERENCE,
    "bad_request": ("The value sent in consulta header positions 1-4, when wrong; reported only to LU6.2 "
                    "(CPU SNA) users."),
    "bad_version": "The version sent in consulta header positions 5-6, when wrong.",
    "bad_product": "The product code sent in consulta header positions 32-34, when wrong.",
    "bad_member_or_password": _BAD_MEMBER,
    "missing_segment": "The tag of the first required segment missing from the consulta.",
    "last_valid_info": ("Where processing stopped: the segment tag, field tag and length of the last field "
                        "processed correctly (6 characters, e.g. PA0404 for the state of an address, 4 bytes)."),
    "bad_field_info": ("The field that caused the rejection: its segment tag, its length and up to 40 bytes of "
                       "its data; up to 5 times."),
    "bad_related_value": ("A field rejected for a value inconsistent with another field (e.g. the state and the "
                          "postal code): segment tag, field tag, length and up to 40 bytes of data, for both fields."),
    "system_error": _SYSTEM_ERROR,
    "bad_segment_tag": _BAD_TAG,
    "bad_segment_order": ("The tag of the last segment processed correctly followed by the tag of the first "
                          "segment out of order; processing stops there."),
    "bad_segment_count": "The tag of a segment sent more times than allowed.",
    "missing_required_field": _MISSING_FIELD,
    "file_blocked": "Y when the customer's file is blocked for consultas at the customer's request.",
    "optimiza_result": ("Tag 18, seen in the manual's Optimiza examples though its UR table lacks it: the result "
                        "of an Optimiza request, free text (its meaning is not given)."),
}
_AR = {
    "reference": _REFERENCE,
    "not_authenticated": ("The words NO AUTENTICADO when the data given for authentication (segment AU) do "
                          "not match the bureau's."),
    "bad_member_or_password": _BAD_MEMBER,
    "system_error": _SYSTEM_ERROR,
    "bad_segment_tag": _BAD_TAG,
    "missing_required_field": _MISSING_FIELD,
    "file_blocked": ("The words EXPEDIENTE BLOQUEADO when the customer's file is blocked at the customer's "
                     "request; it applies when a Reporte de Credito is requested."),
}

# ---------------------------------------------------------------------------------------------
# Consulta record: 88-byte INTL header + PN, PA, PE, PI, AU, CL, ES.
_CONSULTA_HEADER = {
    "segment_tag": "The letters INTL that open each consulta record (positions 1-4).",
    "version": "The version of the consulta format (positions 5-6): 13.",
    "reference": ("A reference the lender chooses to identify the consulta (positions 7-31), blank-padded on "
                  "the left to 25 characters, or 25 blanks; the response header returns it."),
    "product": ("The product requested (positions 32-34): 501 Informe Buro, 504 with Credit Capacity Index "
                "(ICC), 507 with BC Score; 107 BC Score (Prospector); 001, 004, 007 the same for the integrated "
                "Reporte de Credito (Anexo 14)."),
    "country": "The country code (positions 35-36), always MX.",
    "reserved": "Reserved (positions 37-40): the digits 0000.",
    "member_code": ("The user's member code assigned by Buro de Credito (positions 41-50): " + _MEMBER + "."),
    "password": ("The user's access password, encrypted (positions 51-58); Anexo 13 explains how to obtain "
                 "and maintain it."),
    "responsibility": ("Whether the credit applied for is individual or joint (position 59): A authorized "
                       "(additional) user, I individual, J joint."),
    "contract_type": "The product the customer applies for (positions 60-61), a code from Anexo 2.",
    "currency": ("The currency of the credit applied for (positions 62-63): MX or N$ Mexican pesos, UD UDIs, "
                 "US US dollars."),
    "contract_amount": "The contract amount (positions 64-72): nine zeros.",
    "language": "The language of the reports (positions 73-74): EN English, SP Spanish; SP if missing or wrong.",
    "output": ("The output format of the reports (positions 75-76): 01 data string, 02 print format, 03 both; "
               "01 if missing or wrong."),
    "block_size": "The block size of the response record (position 77): one blank.",
    "printer_id": "The printer identification (positions 78-81): four blanks.",
    "reserved_future": "Reserved for future use (positions 82-88): seven zeros.",
}
_PI = {
    "account_number": ("The number of an account or credit the customer holds in their own name with another "
                       "user (a credit reference); not additional or debit cards, investment or cheque accounts."),
    "member_code": "The member code of the user that granted the referenced credit, if known.",
    "user_name": "The name of the user that granted the referenced credit, if known.",
}
_AU = {
    "report_type": "The report type for authentication: the letters RCN (normal credit report).",
    "output_type": ("What the user expects back: 1 authentication and the INTL response record, 2 authentication "
                    "and the standard Informe Buro, 3 both, 4 authentication only."),
    "reference": "The operator reference: the same 25 characters as in the consulta header.",
    "has_credit_card": ("Whether the customer has a bank or store credit card (not service, additional, debit "
                        "or payroll cards): V true, F false; F if missing or invalid."),
    "card_last_digits": "The last four digits of the customer's credit card; required when tag 02 is V.",
    "has_mortgage": ("Whether the customer is currently paying a mortgage from a bank or another institution: "
                     "V true, F false; F if invalid."),
    "has_auto_loan_24m": ("Whether the customer has had a car loan from a bank or another institution in the "
                          "last 24 months: V true, F false; F if invalid."),
}
_Q_CL = {
    "template": ("The code of the Sintetiza template to compute the characteristics with; 0 for the default "
                 "template. Sintetiza templates are defined beforehand."),
    "reference": "The operator reference: the same as in consulta header positions 7-31.",
    "future_1": "Reserved for future use (not applicable).",
    "future_2": "Reserved for future use (not applicable).",
    "future_3": "Reserved for future use (not applicable).",
}
_Q_ES = {
    "declared_length": ("The length in bytes of the consulta record, this segment included, zero-padded to "
                        "5 digits."),
    "end_mark": "The end mark of the consulta record: the characters **.",
}

# ---------------------------------------------------------------------------------------------
# The records table (records.RECORDS_SCHEMA): one row per record, built by mxbureau from the header
# and the scanner's numbers, so these texts describe mxbureau's columns rather than a manual field.
_RECORDS = {
    "record": "The 0-based index of the record in its source: the key joining every segment table to it.",
    "kind": ("What the record is: hit, nohit, error or consulta; unknown when the header of a damaged record "
             "cannot be read."),
    "start": "The byte offset of the record's first byte (INTL or ERRR) in its source.",
    "length": ("The number of bytes the record spans: through its final ** when intact; a damaged record runs "
               "to the next verified record start."),
    "version": ("The format version from the INTL header (13; 11 or 12 in older files); null for error "
                "records and damaged ones."),
    "reference": ("The operator reference: the lender's key from the INTL header, or the first field of UR or "
                  "AR in an error record (null when that record does not open with UR or AR, or its "
                  "value is longer than the field's 25 characters); blanks stripped."),
    "member_code": ("The member code from the INTL header: of the user that made the consulta (response) or "
                    "sends it (consulta)."),
    "found": ("From the response header: true when the customer's file was found (hit), false when not "
              "(no-hit); null for error, consulta and damaged records."),
    "bureau_indicator": "Response header positions 34-37: " + _INDICATOR,
    "bureau_tum": ("Anexo 14: the bureau indicator's first digit, for Buro de Credito (TransUnion), as the "
                   "catalogue's label (hit, no hit, bureau unavailable); null in an Informe Buro (indicator 0000)."),
    "bureau_dun": ("Anexo 14: the bureau indicator's second digit, for Dun & Bradstreet, as the catalogue's label "
                   "(hit, no hit, bureau unavailable, D&B extended report); null in an Informe Buro."),
    "bureau_cc": ("Anexo 14: the bureau indicator's third digit, for Circulo de Credito, as the catalogue's label "
                  "(hit, no hit, bureau unavailable); null in an Informe Buro."),
    "has_data": ("True when the response carries data from some bureau: found in Buro de Credito, or another "
                 "bureau's hit or extended report in an integrated Reporte de Credito; null for other records."),
    "control_number": ("ES tag 00: the control number Buro de Credito assigned to the consulta; null when ES "
                       "has none (consultas, older files)."),
    "declared_length": ("The record length in bytes that ES declares; it equals length for every intact "
                        "record (ok), and is null for damaged ones."),
    "cr_reading": ("How the CR count was read: text (the count is the declarativa's length, as the manual "
                   "says) or segment (the whole segment's length); null without a CR segment."),
    "ok": ("True when the record was read intact and its ES length matched; false for a damaged record kept "
           "in lenient mode (it has no fields)."),
}


def _build() -> Dict[Key, str]:
    out: Dict[Key, str] = {}
    _add(out, "response", "INTL", _RESPONSE_HEADER)
    _add(out, "response", "PN", {**_PN, **_PN_RESPONSE})
    _add(out, "response", "PA", {**_PA, **_PA_RESPONSE})
    _add(out, "response", "PE", {**_PE, **_PE_RESPONSE})
    _add(out, "response", "TL", _TL)
    _add(out, "response", "IQ", _IQ)
    _add(out, "response", "RS", _RS)
    _add(out, "response", "HI", _hawk("HI alerts match data used in this consulta."))
    _add(out, "response", "HR", _hawk("HR alerts match data held in the bureau's file."))
    _add(out, "response", "CR", _CR)
    _add(out, "response", "SC", _SC)
    _add(out, "response", "CL", _CL)
    _add(out, "response", "ES", _es("response record"))
    _add(out, "error", "ERRR", _ERROR_HEADER)
    _add(out, "error", "UR", _UR)
    _add(out, "error", "AR", _AR)
    _add(out, "error", "ES", _es("error record"))
    _add(out, "consulta", "INTL", _CONSULTA_HEADER)
    _add(out, "consulta", "PN", {**_PN, **_PN_CONSULTA})
    _add(out, "consulta", "PA", {**_PA, **_PA_CONSULTA})
    _add(out, "consulta", "PE", {**_PE, **_PE_CONSULTA})
    _add(out, "consulta", "PI", _PI)
    _add(out, "consulta", "AU", _AU)
    _add(out, "consulta", "CL", _Q_CL)
    _add(out, "consulta", "ES", _Q_ES)
    _add(out, "records", "records", _RECORDS)
    return out


DESCRIPTIONS: Dict[Key, str] = _build()


def describe(layout: str, segment: str, name: str) -> str:
    """The English description of a field or column, or "" when there is none."""
    return DESCRIPTIONS.get((layout, segment, name), "")
