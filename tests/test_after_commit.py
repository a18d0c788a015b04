"""Work after a commit goes through core.tasks.after_commit, the one place that decides it
never turns a saved request into an error page (ADR 35)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = [p for p in ROOT.iterdir() if (p / "apps.py").exists() or p.name == "mso_portal"]


def test_work_after_a_commit_goes_through_after_commit():
    direct = [
        f"{path.relative_to(ROOT)}:{number}"
        for app in APPS
        for path in app.rglob("*.py")
        if path != ROOT / "core" / "tasks.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\bon_commit\(", line)
    ]
    assert direct == [], "use core.tasks.after_commit: " + ", ".join(direct)
