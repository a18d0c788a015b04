"""Uploads judged by their content (mso_portal/uploads.py): the edges of reading text."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from mso_portal import uploads


def test_a_long_text_file_whose_first_part_ends_inside_a_character_is_text():
    """Found on review: the first 64 KB were decoded alone, so a character of two bytes across
    the edge made a good CSV "not a kind of file we know"."""
    body = b"a" * (uploads.HEAD_BYTES - 1) + "é,dose\n".encode() + b"b,c\n" * 10
    kind, content_type, name = uploads.identify(SimpleUploadedFile("doses.csv", body))
    assert (kind, name) == ("csv", "doses.csv")


def test_a_short_file_that_ends_inside_a_character_is_not_text():
    with pytest.raises(ValidationError, match="not a kind of file we know"):
        uploads.identify(SimpleUploadedFile("notes.txt", b"Dose checked \xc3"))
