"""The user guide (docs/user-guide.md and a page per role) links only to pages and pictures
that are there, and every picture is one a role journey takes (so `make guide` renews it)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "user-guide"
JOURNEYS = ROOT / "tests" / "e2e" / "roles"


def taken_by_journeys() -> set[str]:
    return {
        name
        for journey in JOURNEYS.glob("test_*.py")
        for name in re.findall(r"picture\(\s*\w+,\s*\"([a-z0-9-]+)\"", journey.read_text())
    }


def test_the_index_links_to_a_page_for_each_role_that_is_there():
    pages = re.findall(r"\]\((user-guide/[a-z-]+\.md)\)", (ROOT / "docs/user-guide.md").read_text())
    assert len(pages) >= 7
    assert [page for page in pages if not (ROOT / "docs" / page).exists()] == []
    assert {f"user-guide/{page.name}" for page in GUIDE.glob("*.md")} == set(pages)


def test_every_picture_is_there_has_words_and_is_taken_by_a_journey():
    taken = taken_by_journeys()
    for page in GUIDE.glob("*.md"):
        for alt, picture in re.findall(r"!\[([^\]]*)\]\(([^)]+)\)", page.read_text()):
            assert len(alt) > 20, f"{page.name}: {picture} needs words saying what it shows"
            assert (GUIDE / picture).exists(), f"{page.name}: {picture} is missing"
            assert picture.removesuffix(".png") in taken, f"no journey takes {picture}"


def test_no_picture_is_left_over():
    shown = {
        picture
        for page in GUIDE.glob("*.md")
        for picture in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page.read_text())
    }
    assert {picture.name for picture in GUIDE.glob("*.png")} <= shown
