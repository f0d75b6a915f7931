"""ATC format: the five WHO levels, and the message a person sees."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from pharmacrm.catalog.atc import atc_code_problem, validate_atc_code


@pytest.mark.parametrize("code", ["N", "N02", "N02B", "N02BE", "N02BE01", "C10AA05", "V03AB"])
def test_valid_atc_levels_pass(code):
    assert atc_code_problem(code) is None


@pytest.mark.parametrize("code", ["N2", "N02BE1", "N02BE012", "02BE01", "N02B01", "NO2BE01"])
def test_malformed_atc_code_names_the_expected_shape(code):
    with pytest.raises(ValidationError) as raised:
        validate_atc_code(code)

    assert raised.value.messages == [
        f"“{code}” is not an ATC code: expected a letter, 2 digits, a letter, a letter and "
        "2 digits (e.g. N02BE01), or a shorter level of it (N, N02, N02B, N02BE)."
    ]


def test_unknown_anatomical_group_is_named():
    # WHO has 14 main groups; E, F, I, K, O, Q, T, U … are none of them.
    with pytest.raises(ValidationError) as raised:
        validate_atc_code("X10AA05")

    assert raised.value.messages == [
        "“X10AA05” is not an ATC code: X is not an anatomical main group."
    ]
