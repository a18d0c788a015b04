"""The apps are layered. The notifications engine knows no domain; organisations is the ground
floor of the domain (it may use the engine); the other apps stand on it. Neither imports an app
above it (docs/adr/0009-layers-and-reminders.md)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOMAIN_APPS = {"networks", "notifications", "incidents", "alerts", "committees", "improvement"}
FORBIDDEN = {
    "organisations": DOMAIN_APPS - {"notifications"},
    "notifications": DOMAIN_APPS - {"notifications"} | {"organisations"},
    # The MSO community stands on organisations; the clinical and governance apps on it.
    "networks": {"incidents", "alerts", "committees", "improvement"},
    # Committees read incidents and alerts for their agendas and reports; not the other way.
    "incidents": {"committees", "improvement"},
    "alerts": {"committees", "improvement"},
    # Improvement projects respond to incidents and alerts and are shared with networks; the
    # committees report on them.
    "improvement": {"committees"},
}


def imported_apps(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_imports_nothing_above_it(app):
    offending = {
        str(path.relative_to(ROOT)): sorted(imported_apps(path) & FORBIDDEN[app])
        for path in (ROOT / app).rglob("*.py")
        if (ROOT / app).exists() and imported_apps(path) & FORBIDDEN[app]
    }
    assert not offending


def test_the_check_finds_imports_of_both_kinds(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import networks.models\nfrom alerts.services import x\nfrom . import y\n")
    assert imported_apps(sample) == {"networks", "alerts"}
