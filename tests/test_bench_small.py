"""The pages benchmark (tests/bench/pages.py) at a small scale, as CI runs it: the national
seed at 0.01, gunicorn with production settings over PostgreSQL and Redis, every measured page
answering, a short load test without failures, publishing and a full reminder sweep (each
reminder once), a large export streamed, and the summaries the pages read equal to a live
count; and every page each person of the cast reaches by following links (tests/bench/crawl.py)
answering, the crawl within its caps and reaching the chosen pages. Its timings are this
machine's and are not judged here; `make bench` judges them at national scale."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.bench.crawl import DEPTH, PATTERNS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def server():
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail("CI runs the small benchmark on PostgreSQL and Redis")
        pytest.skip("the benchmark needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL")
    settings = connection.settings_dict
    who = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return f"postgres://{who}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"


def test_the_benchmark_at_a_small_scale(server):
    environment = {
        key: value
        for key, value in os.environ.items()
        # As `make bench` runs it: not the test settings pytest's own variables would choose,
        # nor CI's stand-in replica (an empty database), which the national pages would read.
        if key not in ("DATABASE_URL", "DATABASE_REPLICA_URL", "DJANGO_SETTINGS_MODULE")
        and not key.startswith("PYTEST_")
    }
    environment["BENCH_DATABASE_URL"] = server
    run = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-m",
            "tests.bench.pages",
            "--scale",
            "0.01",
            # One timed request of each page, after three that are not: every page answers,
            # and the timings, which nothing here judges, cost no more than that.
            "--runs",
            "1",
            # Every page found by crawling: two timed requests each, after two.
            "--crawl-runs",
            "2",
            "--load",
            "5",
            "--no-report",
            "--correctness-only",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, _missed(run.stdout) + "\n" + _errors(run.stderr)
    assert "The summaries these pages read equal a live count of the data" in run.stdout
    assert ", 0 failed." in run.stdout
    assert "the same sweep again the same day wrote 0" in run.stdout
    # Every page found answered (else the run fails, naming it), as each of the cast.
    found = _crawled(run.stdout)
    assert set(found) == {
        "cdao",
        "region_cdao",
        "mso",
        "pcn_mso",
        "lead",
        "chair",
        "reporter",
        "group_mso",
        "director",
        "safety_team",
    }
    for who, (pages, capped, deepest) in found.items():
        assert MINIMUM_PAGES.get(who, 5) <= pages <= PATTERNS, (who, pages)
        assert deepest <= DEPTH and not capped, who
    unreached = re.search(r"did not reach, as their person: (.*)\.", run.stdout)
    assert set(unreached.group(1).split(", ")) - {"none"} <= NOT_LINKED


# Pages each person reaches at the least (their menus' and their pages' links).
MINIMUM_PAGES = {"mso": 20, "lead": 20}
# Chosen pages the crawl does not reach: the suggestions the report form's script asks for as
# one types (no link); and two linked only from some pages of a pattern, of which the crawl
# reads one: a medicine to code (from an incident with a medicine not coded) and an assurance
# report's PDF (from an approved report).
NOT_LINKED = {
    "medicine suggestions (reporter)",
    "a medicine to code (mso)",
    "assurance report PDF (the download) (chair)",
}


def _crawled(stdout: str) -> dict:
    """Each person's pages found by crawling: (how many, whether capped, how deep)."""
    line = re.search(r"Pages found: (.*); \d+ in all\.", stdout).group(1)
    return {
        who: (int(pages), bool(capped), int(deep))
        for who, pages, capped, deep in re.findall(
            r"(\w+) (\d+)( \(capped\))? \((\d+) deep\)", line
        )
    }


def _missed(stdout: str) -> str:
    found = re.search(r"Missed: .*", stdout)
    return found.group(0) if found else stdout[-4000:]


def _errors(stderr: str) -> str:
    """What the benchmark's processes logged, but for the emails the demo's unreachable mail
    server would not take (each is tried again later, as in production)."""
    records = re.split(r"\n(?=\d{4}-\d\d-\d\d |\[\d{4}-)", stderr)
    kept = [record for record in records if "could not be emailed" not in record]
    return "\n".join(kept)[-6000:]
