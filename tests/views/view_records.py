"""Hand-built records for the page tests, with values checked by hand (not taken from any output).

HIT: the manual's TL example history (11112111111112111-111111, latest 05092010: the "2" at position
4 is May 2010), an account with every Anexo 4 code and a signed balance, a closed account, scores
with reasons of Anexo 6 and Anexo 7, a Hawk alert and a declarativa. NOHIT: an exclusion score.
ERROR: a UR record naming a missing field and segment. INTEGRATED: an Anexo 14 reply (bureau
indicator 1010, SIC ids, score codes 007 and 004). MARKED: every personal field holding a marker
(ZQX...), for the redaction tests."""
import mxbureau
from mxbureau.intl13 import writer

KEY = b"views-test-key-0123456789abcdef"

PN = {"paternal_surname": "MENDEZ", "maternal_surname": "GONZALEZ", "first_name": "ANA",
      "birth_date": "14071980", "rfc": "MEGA800714AB1", "nationality": "MX", "gender": "F", "marital_status": "M"}
PA = {"address_line1": "INSURGENTES SUR 1234", "neighborhood": "DEL VALLE", "municipality": "BENITO JUAREZ",
      "city": "MEXICO", "state": "DF", "postal_code": "03100", "origin_country": "MX"}

TL_MANUAL = {"updated_on": "05092010", "user_name": "BANCO", "member_code": "BC12345678", "account_number": "4152313",
             "responsibility": "I", "account_type": "R", "contract_type": "CC", "currency": "MX",
             "opened_on": "01012009", "reported_on": "05092010", "max_credit": "60000", "balance": "7597+",
             "credit_limit": "50000", "past_due": "0", "mop": "01", "payment_history": "11112111111112111-111111",
             "history_latest_on": "05092010", "worst_mop": "02", "worst_delinquency_on": "11052010"}
# every Anexo 4 code, then 11 months the history does not reach; "1500-": a trailing minus
TL_CODES = {"updated_on": "20102026", "user_name": "TIENDA COMERCIAL", "account_number": "99887766",
            "responsibility": "J", "account_type": "I", "contract_type": "PL", "currency": "MX",
            "opened_on": "03022015", "reported_on": "15102026", "max_credit": "12000", "balance": "1500-",
            "past_due": "250", "mop": "02", "payment_history": "123456790UD- ", "history_latest_on": "15102026",
            "observation": "PC"}
TL_CLOSED = {"updated_on": "30062026", "user_name": "FINANCIERA", "account_number": "5550001",
             "responsibility": "I", "account_type": "I", "contract_type": "AU", "currency": "MX",
             "opened_on": "01012024", "closed_on": "30062026", "reported_on": "30062026", "balance": "0",
             "past_due": "0", "mop": "01", "payment_history": "111", "history_latest_on": "30062026"}
IQ = {"inquired_on": "01082026", "member_code": "          ", "user_name": "FINANCIERA", "contract_type": "PL",
      "currency": "MX", "contract_amount": "20000", "responsibility": "I"}
RS = {"integrated_on": "01012009", "accounts_total": "0003", "accounts_mop01": "02", "accounts_mop02": "01",
      "alert_messages": "NNYNN", "new_address_60d": "N", "has_declarativa": "Y"}
SC_BC = {"score_name": "BC SCORE", "score_code": "507", "score": "0640", "reason_1": "04", "reason_2": "15",
         "reason_3": "28"}
SC_ICC = {"score_name": "ICC", "score_code": "504", "score": "0007", "reason_1": "010", "reason_2": "052",
          "reason_3": "26"}
HI = {"reported_on": "01032026", "prevention_code": "890", "user_type": "BANCO",
      "message": "COLONIA NO COINCIDE CON CODIGO POSTAL"}

HIT = {"kind": "hit", "reference": "VIEWS-HIT-1", "member_code": "BC12345678", "control_number": "000123456",
       "segments": [("PN", PN), ("PA", PA), ("TL", TL_MANUAL), ("TL", TL_CODES), ("TL", TL_CLOSED), ("IQ", IQ),
                    ("RS", RS), ("HI", HI), ("CR", {"declarativa": "NO ESTOY DE ACUERDO CON EL SALDO"}),
                    ("SC", SC_ICC), ("SC", SC_BC)]}
NOHIT = {"kind": "nohit", "reference": "VIEWS-NOHIT-1", "member_code": "FF00000001", "control_number": "000123457",
         "segments": [("PN", dict(PN, paternal_surname="LOPEZ")), ("PA", PA),
                      ("SC", {"score_name": "BC SCORE", "score_code": "507", "score": "-009"})]}
ERROR = {"kind": "error", "control_number": "000123458",
         "segments": [("UR", {"reference": "VIEWS-ERR-1".rjust(25), "missing_required_field": "PN02",
                              "missing_segment": "PA", "bad_segment_order": "PAPN"})]}
INTEGRATED = {"kind": "hit", "reference": "VIEWS-INT-1", "member_code": "BC12345678", "bureau_indicator": "1010",
              "control_number": "000123459",
              "segments": [("PN", PN), ("PA", PA),
                           ("TL", dict(TL_CLOSED, closed_on=None, user_phone="1", user_name="BANCO")),
                           ("IQ", dict(IQ, sic_id="1")),
                           ("SC", {"score_name": "ICC", "score_code": "004", "score": "0005", "reason_1": "041"}),
                           ("SC", {"score_name": "BC SCORE", "score_code": "007", "score": "0712", "reason_1": "05",
                                   "reason_2": "18"})]}

# personal-data markers: no digest, no year and no other value can contain them
MARKERS = {
    "PN": {"paternal_surname": "ZQXPATERNO", "maternal_surname": "ZQXMATERNO", "additional_surname": "ZQXADICIONAL",
           "first_name": "ZQXPRIMERO", "middle_name": "ZQXSEGUNDO", "rfc": "ZQXR800714XY", "curp": "ZQXC800714HDFRRN09",
           "voter_id": "ZQXVOTO1234", "driver_license": "ZQXLICENCIA", "professional_license": "ZQXCEDULA"},
    "PA": {"address_line1": "ZQXCALLE 17", "address_line2": "ZQXPISO 3", "neighborhood": "ZQXCOLONIA",
           "phone": "55987654321", "phone_extension": "97531864", "fax": "55123498765"},
    "PE": {"employer": "ZQXPATRON SA", "address_line1": "ZQXOFICINA 9", "address_line2": "ZQXTORRE B",
           "neighborhood": "ZQXBARRIO", "phone": "55876543219", "phone_extension": "86420975", "fax": "55234987651",
           "employee_number": "ZQXEMPLEADO42"},
    "TL": {"account_number": "ZQXCUENTA90210"},
    "CR": {"declarativa": "ZQXDECLARO QUE NO ES MIA"},
}
MARKED_BIRTH = ("27031971", "27/03/1971", "1971-03-27")
MARKED_DEATH = ("19112020", "19/11/2020", "2020-11-19")
MARKED = {"kind": "hit", "reference": "VIEWS-MARKED-1", "member_code": "BC12345678",
          "segments": [("PN", dict(MARKERS["PN"], birth_date="27031971", death_date="19112020")),
                       ("PA", dict(PA, **MARKERS["PA"])),
                       ("PE", dict(MARKERS["PE"], city="MEXICO", state="DF", postal_code="03100", origin_country="MX")),
                       ("TL", dict(TL_CLOSED, **MARKERS["TL"])),
                       ("CR", MARKERS["CR"])]}
UR_MARKERS = {"last_valid_info": "ZQXLVI", "bad_field_info": "ZQXCAMPOMALO"}
MARKED_ERROR = {"kind": "error", "segments": [("UR", dict({"reference": "VIEWS-ERR-2".rjust(25)}, **UR_MARKERS))]}


def data(*recs) -> bytes:
    return b"\n".join(writer.record_bytes(r) for r in recs) + b"\n"


def report(rec):
    return next(mxbureau.reports(writer.record_bytes(rec)))
