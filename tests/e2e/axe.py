"""Accessibility checks with axe-core in a Playwright page.

axe-core comes from npm (package.json devDependencies, `npm ci`); the helper injects the
minified script into the page under test and fails the test on any WCAG 2.x A or AA violation.
"""

from pathlib import Path

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0, 2.1 and 2.2 at levels A and AA: the NHS service standard's accessibility bar.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

# Findings on NHS.UK frontend's own markup that a person checked and found to be no barrier,
# each as (rule, CSS selector of the element). Nothing of the project's own belongs here.
#
# The enhanced file upload (nhsuk-frontend 10) names its button from the label and itself,
# with a visually hidden comma between its status and "Choose file": Chromium names it "Add a
# file, No file chosen, Choose file or drop file", which holds the label and each visible
# phrase, but axe looks for the button's whole visible text in one piece.
UPSTREAM_FINDINGS = (("label-content-name-mismatch", "button.nhsuk-file-upload__drop-button"),)

_RUN_AXE = """
async ([tags, upstream]) => {
  const results = await axe.run(document, { runOnly: { type: "tag", values: tags } });
  const known = (id, node) => node.target.length === 1 && upstream.some(([rule, selector]) =>
    rule === id && document.querySelector(node.target[0])?.matches(selector));
  return results.violations
    .map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      helpUrl: violation.helpUrl,
      targets: violation.nodes
        .filter((node) => !known(violation.id, node))
        .map((node) => node.target.join(" ")),
    }))
    .filter((violation) => violation.targets.length);
}
"""


def axe_violations(page, tags=WCAG_TAGS) -> list[dict]:
    """Run axe-core in the page and return its violations as plain dicts."""
    if not AXE_SCRIPT.is_file():
        raise FileNotFoundError(f"{AXE_SCRIPT} is missing: run `npm ci` (or `make setup`) first")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Through DevTools, not a <script> tag: the pages' Content-Security-Policy refuses
        # inline script, and the test must not loosen it.
        page.evaluate(AXE_SCRIPT.read_text())
    return page.evaluate(_RUN_AXE, [list(tags), [list(f) for f in UPSTREAM_FINDINGS]])


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        lines.extend(f"    at {target}" for target in violation["targets"])
    return "\n".join(lines)


def assert_no_axe_violations(page, tags=WCAG_TAGS) -> None:
    """Fail with a readable list if axe-core finds WCAG A/AA problems on the current page."""
    violations = axe_violations(page, tags)
    if violations:
        raise AssertionError(
            f"axe-core found {len(violations)} accessibility violation(s) on {page.url}:\n"
            + format_violations(violations)
        )
