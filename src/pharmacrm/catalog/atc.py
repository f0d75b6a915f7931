"""The ATC code format (WHO Anatomical Therapeutic Chemical classification).

An ATC code has five levels, each a fixed shape: ``N`` (anatomical main group, a letter),
``N02`` (therapeutic subgroup, two digits), ``N02B`` (pharmacological subgroup, a letter),
``N02BE`` (chemical subgroup, a letter), ``N02BE01`` (chemical substance, two digits). A code
may stop at any level, so a product known only as "an analgesic" can carry ``N02``.
The 14 anatomical main groups are the only valid first letters.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ANATOMICAL_GROUPS = frozenset("ABCDGHJLMNPRSV")
"""First letters of the 14 anatomical main groups (WHO ATC index)."""

_LEVEL_PATTERNS = (
    r"[A-Z]",
    r"[A-Z]\d{2}",
    r"[A-Z]\d{2}[A-Z]",
    r"[A-Z]\d{2}[A-Z]{2}",
    r"[A-Z]\d{2}[A-Z]{2}\d{2}",
)
_ATC = re.compile("|".join(f"(?:{pattern})" for pattern in _LEVEL_PATTERNS))


def normalise_atc_code(value: str) -> str:
    """Upper-case and drop spaces, as codes arrive typed by hand (``"n02be 01"`` → ``N02BE01``)."""
    return re.sub(r"\s+", "", value).upper()


def atc_code_problem(value: str) -> str | None:
    """Say what is wrong with an (already normalised) ATC code, or ``None`` when it is valid.

    The reason is one translated sentence naming the expected shape, so a person fixing an
    import file or a form knows what to type.
    """
    if _ATC.fullmatch(value) is None:
        return str(
            _(
                "“%(value)s” is not an ATC code: expected a letter, 2 digits, a letter, a letter "
                "and 2 digits (e.g. N02BE01), or a shorter level of it (N, N02, N02B, N02BE)."
            )
            % {"value": value}
        )
    if value[0] not in ANATOMICAL_GROUPS:
        return str(
            _("“%(value)s” is not an ATC code: %(letter)s is not an anatomical main group.")
            % {"value": value, "letter": value[0]}
        )
    return None


def validate_atc_code(value: str) -> None:
    """Django validator for the ``atc_code`` field (blank values are allowed by the field)."""
    problem = atc_code_problem(value)
    if problem is not None:
        raise ValidationError(problem, code="invalid_atc")


def atc_level(value: str) -> int:
    """The level (1–5) of a valid ATC code, from its length."""
    return {1: 1, 3: 2, 4: 3, 5: 4, 7: 5}[len(value)]
