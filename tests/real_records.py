"""Pieces of records shaped like production replies, built byte by byte from the manual (seed 002),
for the tests that need them: the manual's PN, PA, RS examples, Anexo 14's IQ, Optimiza's BC Score,
a 49-byte INTL header and a record with an exact ES."""

PN = b"PN06MENDEZ0008GONZALEZ0208ANTUANET0513MEGA510503RE3"          # the manual's PN example
PA = b"PA15PICO DE VERAPAZ0207TLALPAN0306MEXICO0402DF0505142101302MX"   # its PA, with the number restored
RS = b"RS080512199600020001020002020003020004020005020106020207020008020009040002"   # the RS example
# Anexo 14's inquiry example: IQ 09 = 1, an inquiry from Círculo de Crédito
IQ_CC = b"IQ08290420130110SI999910010206BANCO20402AF060100701I0801Y09011"
# Optimiza's first example (~2413): BC Score 007 (integrated report), value 0731, reasons 21, 24, 09
SC_007 = b"SC08BC SCORE000300701040731020221030224040209"


def header(version=b"13", ref=b"REAL1", indicator=b"0000", member=b"BC99991001", found=b"1"):
    return b"INTL" + version + ref.rjust(25) + b"MX" + indicator + member + found + b" "


def record(head: bytes, *segments: bytes, control=b"044979158") -> bytes:
    """A record with an exact ES: ES + 05 + the total length, 00 + the control number, 01 + **."""
    body = head + b"".join(segments)
    tail = b"00%02d" % len(control) + control + b"0102**"
    return body + b"ES05%05d" % (len(body) + 9 + len(tail)) + tail
