"""Checks of plain values, each failing with a message a person can act on."""

from flask_babel import gettext as _

from cocreate.services.errors import Invalid


def text(value: object, label: str, *, max_length: int, required: bool = True) -> str:
    """Return the trimmed text; raises Invalid when it is missing, not text or too long."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(_("%(label)s must be text.", label=label))
    value = value.strip()
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
