"""Uploads judged by their content (core/uploads.py): the edges of reading text."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from core import uploads
from tests.uploads import PDF


def test_a_long_text_file_whose_first_part_ends_inside_a_character_is_text():
    """Found on review: the first 64 KB were decoded alone, so a character of two bytes across
    the edge made a good CSV "not a kind of file we know"."""
    body = b"a" * (uploads.HEAD_BYTES - 1) + "é,dose\n".encode() + b"b,c\n" * 10
    kind, content_type, name = uploads.identify(SimpleUploadedFile("doses.csv", body))
    assert (kind, name) == ("csv", "doses.csv")


def test_a_short_file_that_ends_inside_a_character_is_not_text():
    with pytest.raises(ValidationError, match="not a kind of file we know"):
        uploads.identify(SimpleUploadedFile("notes.txt", b"Dose checked \xc3"))


LONG = "Omitted-doses-audit-" + "x" * 176 + ".pdf"  # 200 characters


def test_a_long_name_is_shortened_in_its_stem_and_keeps_its_extension():
    """Found by a security probe: the name was cut at 150 characters, its ".pdf" with it, and
    the file then refused as not what its name said."""
    assert len(LONG) == 200
    assert uploads.safe_name(LONG) == LONG[:146] + ".pdf"
    assert uploads.identify(SimpleUploadedFile(LONG, PDF))[2] == LONG[:146] + ".pdf"


def test_a_name_is_made_safe_before_it_is_shortened():
    assert uploads.safe_name("C:\\Users\\me\\" + "ward audit " * 20 + ".PDF") == (
        "ward_audit_" * 13 + "war.PDF"
    )


def test_a_name_that_is_all_extension_is_kept():
    assert uploads.safe_name(".pdf") == ".pdf"
    assert uploads.identify(SimpleUploadedFile(".pdf", PDF))[::2] == ("pdf", ".pdf")


def test_a_very_long_extension_is_not_one_and_the_name_is_cut_as_it_is():
    name = "notes." + "p" * 300
    assert uploads.safe_name(name) == name[:150]
    with pytest.raises(ValidationError) as refused:
        uploads.identify(SimpleUploadedFile(name, PDF))
    assert refused.value.messages == [
        "The file's name does not say what kind of file it is, but it is a PDF: rename it to "
        "end .pdf and try again"
    ]
