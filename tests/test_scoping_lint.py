"""View modules read scoped models (those whose rows belong to an organisation) only through the
scoping helpers: ``Model.objects.visible_to(user)`` (or ``worked_in_by``), and
``get_object_for(user, ...)``. A bare ``Model.objects.get/filter/...`` or
``get_object_or_404(Model, ...)`` on a scoped model in a view fails this test."""

import ast
from pathlib import Path

import pytest
from django.apps import apps

from organisations.scoping import ScopedQuerySet
from tests.test_layers import floors

ROOT = Path(__file__).resolve().parents[1]
# visible_to scopes to the person; worked_in_by and covering start from organisations the
# person may already see (their own, or the one whose page they are on).
HELPERS = {"visible_to", "worked_in_by", "covering"}
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}


def scoped_models() -> set[str]:
    return {
        model.__name__
        for model in apps.get_models()
        if isinstance(model._default_manager.all(), ScopedQuerySet)
    }


def view_modules() -> list[Path]:
    """Every module that holds views: views.py, views/ packages, and the project's pages."""
    found = []
    for app in floors():  # every app of the project, from the installed apps
        found += sorted((ROOT / app).glob("views.py")) + sorted((ROOT / app).glob("views/*.py"))
    project = ("pages.py", "health.py", "home.py")
    return found + [ROOT / "mso_portal" / name for name in project]


def bare_lookups(source: str, models: set[str]) -> list[str]:
    problems = []
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        manager = (
            isinstance(node, ast.Attribute)
            and node.attr in ("objects", "_default_manager")
            and isinstance(node.value, ast.Name)
            and node.value.id in models
        )
        if manager:
            parent = parents.get(node)
            helped = isinstance(parent, ast.Attribute) and parent.attr in HELPERS
            if not (helped or _handed_to_get_object_for(node, parents)):
                problems.append(f"line {node.lineno}: {node.value.id}.{node.attr} without a helper")
        shortcut = (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in SHORTCUTS
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id in models
        )
        if shortcut:
            problems.append(f"line {node.lineno}: {node.func.id}({node.args[0].id}, ...)")
    return problems


def _handed_to_get_object_for(node, parents) -> bool:
    """``get_object_for(user, Model.objects.select_related(...), ...)``: the queryset is
    scoped by the helper it is handed to."""
    while isinstance(parents.get(node), ast.Attribute) or (
        isinstance(parents.get(node), ast.Call) and parents[node].func is node
    ):
        node = parents[node]
    call = parents.get(node)
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "get_object_for"
        and node in call.args
    )


def test_the_scoped_models_are_the_organisations_rows():
    assert {"Organisation", "Membership", "Appointment", "Invitation"} <= scoped_models()


@pytest.mark.parametrize("module", view_modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_views_read_scoped_models_through_the_helpers(module):
    assert not bare_lookups(module.read_text(), scoped_models())


@pytest.mark.parametrize(
    "source",
    [
        "Membership.objects.filter(organisation=o)",
        "Appointment.objects.get(pk=1)",
        "get_object_or_404(Organisation, ods_code=code)",
        "Invitation._default_manager.all()",
        "get_object_for(user, Membership, pk=Membership.objects.get(pk=1).pk)",
    ],
)
def test_it_finds_a_bare_lookup(source):
    assert bare_lookups(source, scoped_models())


def test_it_allows_the_helpers():
    source = (
        "Membership.objects.visible_to(user).filter(organisation=o)\n"
        "Organisation.objects.worked_in_by(user)\n"
        "get_object_for(user, Organisation, ods_code=code)\n"
        "get_object_for(user, Membership.objects.select_related('user'), pk=1)\n"
    )
    assert not bare_lookups(source, scoped_models())
