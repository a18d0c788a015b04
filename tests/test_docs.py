"""The documents that describe the code say what the code does."""

from pathlib import Path

from organisations.permissions import RULES, GlobalRole, Post, Role

DOCS = Path(__file__).resolve().parents[1] / "docs"


def rules_table() -> set[tuple]:
    rows = set()
    text = (DOCS / "access.md").read_text()
    table = text.split("## The rules", 1)[1].split("\n\n", 2)[1]
    for line in table.splitlines()[2:]:
        grant, held_in, reach, only, perms = (c.strip() for c in line.strip("|").split("|"))
        rows.add((grant, held_in, reach, only, frozenset(p.strip() for p in perms.split(","))))
    return rows


def describe(rule) -> tuple:
    source = {Role: "role", Post: "post", GlobalRole: "global"}[type(rule.grant)]
    if rule.held_in is None:
        held_in = "—" if source == "global" else "any"
    else:
        held_in = ", ".join(sorted(rule.held_in))
    reach = str(rule.reach)
    if rule.over is not None:  # the kinds an area rule reaches in its area
        reach += f" ({', '.join(sorted(rule.over))})"
    return (
        f"{source}: {rule.grant.value}",
        held_in,
        reach,
        rule.rows,
        frozenset(str(perm) for perm in rule.perms),
    )


def merged(rules) -> set[tuple]:
    """The rules as the page lists them: one line for each grant, where it is held, how far it
    reaches and which rows, with the permissions every app's rules give there."""
    lines: dict[tuple, set] = {}
    for rule in rules:
        *where, perms = describe(rule)
        lines.setdefault(tuple(where), set()).update(perms)
    return {(*where, frozenset(perms)) for where, perms in lines.items()}


def test_the_access_page_lists_exactly_the_rules():
    assert rules_table() == merged(RULES)


def test_every_test_the_hazard_log_names_exists():
    import re

    text = (DOCS / "clinical-safety" / "hazard-log.md").read_text()
    root = DOCS.parent
    for reference in re.findall(r"`(tests/[^`\s]+)`", text):
        path, *names = reference.split("::")
        assert (root / path).exists(), reference
        if (root / path).is_dir():
            continue
        source = (root / path).read_text()
        for name in names:
            assert re.search(rf"(def|class) {re.escape(name)}\b", source), reference
