"""The accessibility check passes over NHS.UK frontend's own findings (UPSTREAM_FINDINGS) and
nothing else: the same rule on any other element still fails the page."""

import pytest

from tests.e2e.axe import axe_violations

pytestmark = pytest.mark.e2e

ENHANCED_UPLOAD = """
<main lang="en"><h1>Files</h1>
<div class="nhsuk-form-group nhsuk-file-upload">
  <label class="nhsuk-label" for="id_file" id="id_file-label">Add a file</label>
  <div class="nhsuk-file-upload__drop-zone">
    <button class="nhsuk-file-upload__drop-button" type="button" id="id_file"
      aria-labelledby="id_file-label id_file-comma id_file"><span>No file chosen</span><span
      style="position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)"
      id="id_file-comma">, </span><span>Choose file</span> <span>or drop file</span></button>
  </div>
</div>
%s
</main>"""


def rules(page, extra=""):
    page.set_content(f"<!doctype html><html lang='en'><title>t</title>{ENHANCED_UPLOAD % extra}")
    return {violation["id"] for violation in axe_violations(page)}


def test_the_file_upload_button_of_nhsuk_frontend_passes(page):
    assert "label-content-name-mismatch" not in rules(page)


def test_the_same_rule_fails_any_other_element(page):
    mismatched = '<button type="button" aria-label="Delete">Send the report</button>'
    assert "label-content-name-mismatch" in rules(page, mismatched)
