"""The access proof checked at the end of the run (a plugin, registered in tests/conftest.py).

The suite runs in parallel (pytest-xdist): each worker proves what its own tests reach
(tests/access.py) and hands its record to the controller when it finishes (``workeroutput``); the
controller merges the records and, at the end of a run of the whole suite, fails the run for each
view and method no worker proved. A serial run checks its own record the same way. A partial run
(some files, -k or -m) is not checked: it has not exercised every view."""

from pathlib import Path

import pytest

from tests.access import PROVEN, missing_proofs, routes

TESTS = Path(__file__).resolve().parent


def _whole_run(config, items) -> bool:
    collected = {Path(str(item.path)) for item in items}
    required = {path for path in TESTS.rglob("test_*.py") if "e2e" not in path.parts}
    return (
        required <= collected
        and not config.getoption("keyword")
        and not config.getoption("markexpr")
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    config.stash[_WHOLE_RUN] = _whole_run(config, items)


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, which a run may leave out
def pytest_testnodedown(node, error):
    """A worker finished: keep what it proved (the controller of a parallel run)."""
    record = getattr(node, "workeroutput", {}).get("access")
    node.config.stash.setdefault(_RECORDS, []).append(record)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session, exitstatus):
    config = session.config
    whole_run = config.stash.get(_WHOLE_RUN, False)
    if hasattr(config, "workeroutput"):  # a worker: hand the record over
        proven = [[name, method, sorted(outcomes)] for (name, method), outcomes in PROVEN.items()]
        config.workeroutput["access"] = {"whole_run": whole_run, "proven": proven}
        return
    records = config.stash.get(_RECORDS, None)
    if records is not None:  # the controller: merge the workers' records
        whole_run = bool(records) and all(record and record["whole_run"] for record in records)
        merged: dict[tuple[str, str], set[str]] = {}
        for record in filter(None, records):
            for name, method, outcomes in record["proven"]:
                merged.setdefault((name, method), set()).update(outcomes)
    else:
        merged = PROVEN
    if not whole_run or session.shouldstop or session.shouldfail:
        return
    missing = missing_proofs(merged, routes())
    config.stash[_MISSING] = missing
    if missing:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    missing = config.stash.get(_MISSING, None)
    if missing is None:
        return
    if not missing:
        terminalreporter.write_line("Access proof: every view and method has an access test.")
        return
    terminalreporter.write_sep("=", "views without an access test", red=True)
    for line in missing:
        terminalreporter.write_line(f"{line} (use the assert_access or assert_public fixture)")


_WHOLE_RUN = pytest.StashKey[bool]()
_RECORDS = pytest.StashKey[list]()
_MISSING = pytest.StashKey[list]()
