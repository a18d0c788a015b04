"""The page that says something is saved, whatever became of the database connection after the
commit. A connection that ends just after a commit (PostgreSQL restarted, the connection cut)
leaves the rest of the request a dead one: the page is made again on a new connection rather
than showing an error for what was saved (ADR 35). The next request gets a new connection
anyway (CONN_HEALTH_CHECKS)."""

from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections


def answered_as_saved(answer):
    """``answer()``, which only reads (the page saying what was saved, an anonymous report's
    receipt code on it): made again, once, on a new connection if the connection died."""
    try:
        return answer()
    except (OperationalError, InterfaceError):
        connection = connections[DEFAULT_DB_ALIAS]
        alive = connection.connection is not None and connection.is_usable()
        if connection.in_atomic_block or alive:
            raise
        connection.close()
        return answer()


def reconnect_if_dead() -> None:
    """Before the rest of a request writes to the database (its session saved, once the page
    is made): a connection that died after the request's commit is closed, so that a new one
    is opened, rather than the saved work being answered with an error."""
    connection = connections[DEFAULT_DB_ALIAS]
    if (
        connection.connection is not None
        and not connection.in_atomic_block
        and not connection.is_usable()
    ):
        connection.close()
