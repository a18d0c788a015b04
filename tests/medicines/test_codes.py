"""A dm+d code is a SNOMED CT concept's identifier: its partition says so."""

import pytest
from django.core.exceptions import ValidationError

from medicines.codes import is_dmd_code, validate_dmd_code


@pytest.mark.parametrize(
    "code",
    [
        "108502004",  # an international concept (short format: partition 00)
        "39720311000001101",  # a UK drug extension concept (long format: partition 10)
        "9990001000001101",  # the sample release's
        "322237001",
    ],
)
def test_a_concepts_code_is_one(code):
    assert is_dmd_code(code)
    validate_dmd_code(code)


@pytest.mark.parametrize(
    "code",
    [
        "9434765919",  # an NHS number (partition 91)
        "4010232137",  # another (partition 13)
        "12345",  # too short
        "1234567890123456789",  # too long
        "10850200x",
        "108502024",  # a description's identifier (partition 02), not a concept's
    ],
)
def test_anything_else_is_not(code):
    assert not is_dmd_code(code)
    with pytest.raises(ValidationError, match="the code of a medicine in the dm\\+d"):
        validate_dmd_code(code)
