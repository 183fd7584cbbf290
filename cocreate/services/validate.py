"""Checks of plain values, each failing with a message a person can act on."""

import re
import unicodedata

from flask_babel import gettext as _

from cocreate.services.errors import Invalid

#: The largest id the database holds (a positive 32-bit integer).
MAX_ID = 2**31 - 1

#: Characters that change how text around them is shown, not what it says: control
#: characters (NUL included) but the line break and tab, bidirectional embeddings,
#: overrides and isolates (they can make "gpj.exe" read as "exe.jpg" on the projector),
#: and the byte-order mark. Right-to-left marks (U+200E, U+200F) and joiners stay:
#: Arabic, Hebrew and many Indic scripts need them.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff]")
_LINE_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85]")


def clean(value: str) -> str:
    """Return text as it should be stored: NFC, one kind of line break, tabs as spaces,
    no invisible controls. Raises Invalid for lone surrogates (not text at all)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise Invalid(_("This text contains characters that are not valid text.")) from exc
    value = _LINE_BREAKS.sub("\n", value).replace("\t", " ")
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", value))


def text(value: object, label: str, *, max_length: int, required: bool = True) -> str:
    """Return the cleaned, trimmed text; raises Invalid when it is missing, not text
    (lone surrogates included) or too long."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(_("%(label)s must be text.", label=label))
    value = clean(value).strip()
    if required and not value:
        raise Invalid(_("%(label)s cannot be empty.", label=label))
    if len(value) > max_length:
        raise Invalid(
            _(
                "%(label)s can be at most %(max)d characters; this one has %(length)d.",
                label=label,
                max=max_length,
                length=len(value),
            )
        )
    return value


def whole_number(value: object, label: str, *, low: int, high: int) -> int:
    """Return the number; raises Invalid unless it is a whole number in [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(_("%(label)s must be a whole number.", label=label))
    if not low <= value <= high:
        raise Invalid(
            _("%(label)s must be between %(low)d and %(high)d.", label=label, low=low, high=high)
        )
    return value


def is_id(value: object) -> bool:
    """Tell whether a value can be a database id (a positive 32-bit integer, not a bool)."""
    return type(value) is int and 0 < value <= MAX_ID
