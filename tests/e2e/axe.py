"""Accessibility checks with axe-core in a Playwright page.

axe-core comes from npm (package.json devDependencies, `npm ci`); the helper injects the
minified script into the page under test and fails the test on any WCAG 2.x A or AA violation.
"""

from pathlib import Path

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# WCAG 2.0, 2.1 and 2.2 at levels A and AA: the NHS service standard's accessibility bar.
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")

_RUN_AXE = """
async (tags) => {
  const results = await axe.run(document, { runOnly: { type: "tag", values: tags } });
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    helpUrl: violation.helpUrl,
    targets: violation.nodes.map((node) => node.target.join(" ")),
  }));
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
    return page.evaluate(_RUN_AXE, list(tags))


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
