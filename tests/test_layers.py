"""The house is built in floors (docs/architecture.md). The project's apps stand in
INSTALLED_APPS from the bottom up: the kernel (core), the notifications engine, people
(accounts), the ground floor of the domain (organisations), then the features, and the demo at
the top. Each app imports only apps listed before it, and names no app above it in a string (a
model, a URL, a task); the project package (mso_portal: settings, URLs, the home page) stands
above them all and nothing imports it. No two files import each other, directly or round a
circle, counting imports inside functions."""

import ast
import re
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "mso_portal"


def floors() -> list[str]:
    """The project's apps, bottom up, as INSTALLED_APPS lists them."""
    return [
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == ROOT
    ]


def modules(package: str) -> dict[str, Path]:
    found = {}
    for path in (ROOT / package).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(module: str, path: Path) -> set[str]:
    """Every module name ``path`` imports, at the top or inside a function."""
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module
            found.add(stem)
            found |= {f"{stem}.{alias.name}" for alias in node.names}
    return found


def names_in_strings(path: Path) -> set[str]:
    """The first word of each string of the code (docstrings and comments aside) that reads
    like "app.Model", "app:url-name" or "app.tasks.name"."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return {
        found.group(1)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings
        if (found := re.match(r"^([a-z_]+)[.:][A-Za-z_]", node.value))
    }


def test_the_project_apps_are_found_from_the_installed_apps():
    assert floors()[0] == "core"
    assert floors()[-1] == "demo"
    assert {"organisations", "incidents", "alerts", "committees"} <= set(floors())


def test_no_app_imports_or_names_one_above_it():
    order = floors()
    offending = {}
    for height, app in enumerate(order):
        above = set(order[height + 1 :]) | {PROJECT}
        for module, path in modules(app).items():
            reached = {name.split(".")[0] for name in imports(module, path)} & above
            named = names_in_strings(path) & above
            if reached or named:
                offending[module] = sorted(reached | named)
    assert not offending


def test_nothing_imports_the_project_package_but_itself():
    offending = [
        module
        for app in floors()
        for module, path in modules(app).items()
        if any(name.split(".")[0] == PROJECT for name in imports(module, path))
    ]
    assert not offending


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                group.append(other)
                if other == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def module_graph() -> dict[str, set[str]]:
    known = {}
    for package in [*floors(), PROJECT]:
        known |= modules(package)
    graph = {}
    for module, path in known.items():
        targets = set()
        for name in imports(module, path):
            parts = name.split(".")
            for length in range(len(parts), 0, -1):  # the module a name is in
                candidate = ".".join(parts[:length])
                if candidate in known:
                    if candidate != module:
                        targets.add(candidate)
                    break
        graph[module] = targets
    return graph


def test_no_import_circle_between_files():
    assert circles(module_graph()) == []


def test_no_import_circle_between_apps():
    graph: dict[str, set[str]] = {}
    for module, targets in module_graph().items():
        graph.setdefault(module.split(".")[0], set()).update(
            target.split(".")[0]
            for target in targets
            if target.split(".")[0] != module.split(".")[0]
        )
    assert circles(graph) == []


def test_the_checks_find_what_they_look_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        '"""Names incidents.Incident in a docstring."""\n'
        "import networks.models\n"
        "from alerts.services import x\n"
        "def f():\n"
        "    from . import y\n"
        '    return apps.get_model("committees.Meeting"), reverse("incidents:list")\n'
    )
    assert imports("app.sample", sample) == {
        "networks.models",
        "alerts.services",
        "alerts.services.x",
        "app",
        "app.y",
    }
    assert names_in_strings(sample) == {"committees", "incidents"}
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []
