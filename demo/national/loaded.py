"""What loading the national incidents or alerts again would take. Each is loaded again in
place of those loaded before (another number of incidents; alerts on another day) by emptying
its tables, and TRUNCATE … CASCADE empties with a table every table that may point to it. So
before emptying one, seed_national counts what else that would take (``taken_with``): the rows
that may point to what it loaded but do not. It refuses to take them: what it did not load is
kept."""

from django.apps import apps


def _points_to(field, model) -> bool:
    return field.is_relation and field.db_constraint and field.related_model is model


def _emptied_with(model) -> list:
    """``model`` and the models whose tables TRUNCATE … CASCADE empties with its table."""
    emptied, waiting = [model], [model]
    while waiting:
        target = waiting.pop()
        for other in apps.get_models(include_auto_created=True):
            if other not in emptied and any(
                _points_to(field, target) for field in other._meta.concrete_fields
            ):
                emptied.append(other)
                waiting.append(other)
    return emptied


def taken_with(model) -> dict[str, int]:
    """The rows, by the name of what they are, that emptying ``model``'s table would take
    besides its own and those that hang on them: rows of the tables that may point to them
    (by a foreign key that may be empty) and point to none of them."""
    emptied = _emptied_with(model)
    taken = {}
    for other in emptied[1:]:
        links = [
            field
            for field in other._meta.concrete_fields
            if any(_points_to(field, target) for target in emptied)
        ]
        if any(not field.null for field in links):
            continue  # each of its rows hangs on a row emptied too
        count = other._base_manager.filter(
            **{f"{field.name}__isnull": True for field in links}
        ).count()
        if count:
            taken[str(other._meta.verbose_name_plural)] = count
    return taken


def said(held: dict[str, int]) -> str:
    """What a load refuses to replace, said."""
    return ", ".join(f"{count:,} {name}" for name, count in held.items())
