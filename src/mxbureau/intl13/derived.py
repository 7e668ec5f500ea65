"""The columns mxbureau computes from decoded ones, and what they say: TL ``mop_level`` (and
``worst_mop_level``), the MOP code as an ordinal number (``catalogs.MOP_LEVELS``: 01-07 -> 1-7,
96/97/99 -> 9, 00 -> 0; UR and unknown codes null), so that ``mop_level >= 3`` selects what
``mop >= '03'`` on the text would get wrong (it matches 96 and UR). The decoder computes them
(``Field.ordinal`` of the MOP fields in spec.TL); this module only describes them."""
from __future__ import annotations

__all__ = ["DESCRIPTIONS"]

DESCRIPTIONS = {
    ("TL", "mop_level"): "The current MOP (tag 26) as a number: 01-07 -> 1-7, 96/97/99 -> 9, 00 -> 0; "
                         "null for UR (no information). Computed by mxbureau, not in the reply.",
    ("TL", "worst_mop_level"): "The worst MOP of the history (tag 38) as a number, on the scale of mop_level. "
                               "Computed by mxbureau, not in the reply.",
}
