"""Benchmark: every page each person can reach, found by following the links, not listed.

The chosen pages of tests/bench/pages.py are those someone thought of; the slow pages were
those nobody listed. So each person of the benchmark's cast starts at the home page and
follows the links of every page it is shown (``<a href>``), breadth first, through the same
gunicorn and with the same session as the timed pages: GET only, nothing is written.

A page is its URL pattern and the names of its query parameters (``/organisations/<ods>/``,
``/incidents/?harm``): 20,000 organisations' pages are one page, timed at the first address
found. Left out: other sites, fragments, sign-out, the admin, static files, addresses that
carry a token or a key, and downloads that are not a page (an export, a PDF, a calendar: by
their address before asking, or by the answer's type after), which are listed apart. At most
``PATTERNS`` pages a person and ``DEPTH`` links from the home page.

A page must answer 200, or redirect once to one that does (a page asking to sign in again
first, the alerts of an organisation to the national list): anything else is a broken page,
named in the report. A page that redirects is the page it answers at.

The crawl runs in a child process with Django loaded, to name the pattern each address
resolves to (tests.bench.settings: the service's addresses and the floor's):

    python -m tests.bench.crawl PORT     (its input and output JSON, on stdin and stdout)

pages.py times what it found and adds ``report``'s subsection to its section.
"""

import http.client
import json
import os
import re
import subprocess
import sys
from collections import deque
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qsl, urljoin, urlsplit

PATTERNS = 400  # pages (patterns) a person at most
DEPTH = 6  # links from the home page at most
SITE = {"", "127.0.0.1", "mso-portal.bench.example"}  # the benchmark's SITE_URL and loopback
LEFT_OUT = ("/static/", "/admin/")
SIGN_OUT = {"account_logout"}
SECRETS = {"token", "key", "uidb36"}  # an invitation's, a calendar's, a password reset's
# The last part of an address that is a download, not a page: a file's extension, an export,
# a document or a download.
DOWNLOAD = re.compile(r"(\.[\w<>:]+|export[^/]*|download|document|schema)/?$")
REDIRECTS = {301, 302, 303, 307, 308}


def every_page(port: int, sessions: dict, chosen: list, environment: dict) -> dict:
    """Each person's crawl, of the server on ``port``, in a child process (``environment``:
    its settings' environment). Returns what ``crawl`` does."""
    output = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tests.bench.crawl", str(port)],
        input=json.dumps({"sessions": sessions, "chosen": chosen}),
        cwd=Path(__file__).resolve().parents[2],
        env={**environment, "DJANGO_SETTINGS_MODULE": "tests.bench.settings"},
        capture_output=True,
        text=True,
    )
    if output.returncode:
        sys.exit(f"the crawl failed:\n{output.stderr[-4000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def crawl(port: int, sessions: dict, chosen: list) -> dict:
    """In the child: each person's crawl (their ``sessions``), and the pattern of each chosen
    page ``(label, who, path)``."""
    people = {who: _crawl(port, session) for who, session in sessions.items()}
    return {
        "people": people,
        "chosen": {label: _pattern(urlsplit(path))[0] for label, _who, path in chosen},
    }


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def _pattern(parts):
    """The URL pattern an address resolves to, its query's names, and the view's name (a
    pattern of its own for an address that resolves to nothing: it answers 404)."""
    from django.urls import Resolver404, resolve

    names = tuple(sorted({name for name, _value in parse_qsl(parts.query, True)}))
    try:
        match = resolve(parts.path)
    except Resolver404:
        return f"(no such page) {parts.path}", names, None
    return match.route, names, match


def _target(here: str, href: str, site: set = SITE) -> str | None:
    """The same-site address a link leads to (its path and query), or None for a link to
    another site or to a place on the same page."""
    if href.startswith("#"):
        return None
    parts = urlsplit(urljoin(here, href))
    if parts.scheme not in ("", "http", "https") or parts.hostname not in site | {None}:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _kind(address: str):
    """What an address is: ("page", key, route), ("download", route) or ("left out",)."""
    parts = urlsplit(address)
    if parts.path.startswith(LEFT_OUT):
        return ("left out",)
    route, names, match = _pattern(parts)
    if match is not None and (
        match.url_name in SIGN_OUT or SECRETS & (set(match.kwargs) | set(names))
    ):
        return ("left out",)
    if DOWNLOAD.search(route):
        return ("download", route)
    return ("page", (route, names), route)


def _get(connection, address: str, session: str):
    from tests.bench.pages import _headers

    connection.request("GET", address, headers=_headers(session))
    response = connection.getresponse()
    body = response.read()
    return response, body


def _crawl(port: int, session: str) -> dict:
    """One person's crawl of the server on ``port``, through http.client with their session."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def get(address):
        response, body = _get(connection, address, session)
        return Answer(
            response.status,
            response.getheader("Location") or "",
            response.getheader("Content-Type") or "",
            body.decode(errors="replace"),
        )

    found = walk(get)
    connection.close()
    return found


class Answer(NamedTuple):
    """What ``walk``'s ``get`` answers for an address: the status, where it redirects to (for
    a redirect), its content type and its text."""

    status: int
    location: str
    content_type: str
    body: str


def walk(get: Callable[[str], Answer], site: set = SITE) -> dict:
    """One person's crawl from the home page, each address asked of ``get`` (GET only, as one
    person: ``get`` holds their session): the pages found (route, the address found, the
    address answered after a redirect), those that did not answer, the downloads left out,
    whether a cap was reached. ``site``: the host names of the site's own links.

    The benchmark asks through http.client (``_crawl``); the browser tests through a browser,
    which looks at each page as it is shown (tests/e2e/test_small_screens.py)."""
    queue = deque([("/", "", 0, None)])  # address, route, links from home, the page linking
    seen = {_kind("/")[1]}
    pages, broken, downloads, capped, deepest = [], [], set(), False, 0
    while queue:
        address, route, depth, linked_from = queue.popleft()
        deepest = max(deepest, depth)
        answer = get(address)
        answered = address
        if answer.status in REDIRECTS:
            answered = _target(address, answer.location, site)
            if answered is None:
                broken.append(_broken(route, address, answer.status, linked_from))
                continue
            answer = get(answered)
            kind = _kind(answered)
            if kind[0] == "page":  # the page is the one it answered at
                if kind[1] in seen:
                    continue
                seen.add(kind[1])
                route = kind[2]
        if answer.status != 200:
            broken.append(_broken(route, address, answer.status, linked_from))
            continue
        if not answer.content_type.startswith("text/html"):
            downloads.add(route)
            continue
        query = sorted({name for name, _value in parse_qsl(urlsplit(answered).query, True)})
        pattern = "/" + route + (f"?{'&'.join(query)}" if query else "")
        pages.append({"route": route, "pattern": pattern, "path": address, "answered": answered})
        if depth >= DEPTH:
            continue
        for href in _links(answer.body):
            target = _target(answered, href, site)
            kind = _kind(target) if target else ("left out",)
            if kind[0] == "download":
                downloads.add(kind[1])
            if kind[0] != "page" or kind[1] in seen:
                continue
            if len(seen) >= PATTERNS:
                capped = True
                continue
            seen.add(kind[1])
            queue.append((target, kind[2], depth + 1, answered))
    return {
        "pages": pages,
        "broken": broken,
        "downloads": sorted(downloads),
        "capped": capped,
        "deepest": deepest,
    }


def _broken(route, address, status, linked_from) -> dict:
    return {"route": route, "path": address, "status": status, "from": linked_from}


def report(crawled: dict, timed: list, chosen: list, runs: int, budget: float):
    """The subsection of the pages' section: every page found, slowest first; the budgets
    missed and the pages broken. ``chosen``: the chosen pages ``(label, who, path)``, to say
    which of them the crawl did not reach."""
    missed, broken = [], []
    people = crawled["people"]
    for who, found in people.items():
        broken += [
            f"{who}'s crawl: {page['path']} ({page['route']}), linked from {page['from']}, "
            f"answered {page['status']}"
            for page in found["broken"]
        ]
    for page in timed:
        if page["status"] != 200:
            broken.append(f"{page['who']}'s {page['answered']} answered {page['status']} timed")
        if page["p95"] > budget:
            missed.append(
                f"{page['who']}'s {page['pattern']} ({page['answered']}): p95 "
                f"{page['p95']:.0f} ms at national scale > {budget:.0f}"
            )
    reached = {
        who: {page["route"] for page in found["pages"]} | set(found["downloads"])
        for who, found in people.items()
    }
    unreached = [
        f"{label} ({who})"
        for label, who, _path in chosen
        if who in reached and crawled["chosen"][label] not in reached[who]
    ]
    downloads = sorted({route for found in people.values() for route in found["downloads"]})
    lines = [
        "",
        "### Every page each person reaches",
        "",
        "Found by crawling (tests/bench/crawl.py): each person of the cast starts at the home "
        "page and follows the links of every page (`<a href>`), breadth first, GET only, with "
        "their session. A page is "
        "its URL pattern and the names of its query parameters, timed at the first address "
        f"found; at most {PATTERNS} pages a person and {DEPTH} links deep. Sign-out, the admin, "
        "static files, addresses with a token or key and other sites are left out; downloads "
        "that are not a page (exports, PDFs, calendars) are listed, not timed. Each page timed "
        f"at national scale over {runs} requests after two, the floor beside it.",
        "",
        "Pages found: "
        + ", ".join(
            f"{who} {len(found['pages'])}"
            + (" (capped)" if found["capped"] else "")
            + f" ({found['deepest']} deep)"
            for who, found in people.items()
        )
        + f"; {len(timed)} in all.",
        "",
        "Downloads found, not timed: "
        + (", ".join(f"`/{route}`" for route in downloads) if downloads else "none")
        + ".",
        "",
        "Chosen pages the crawl did not reach, as their person: "
        + (", ".join(unreached) if unreached else "none")
        + ".",
        "",
        "| person | page (pattern) | address | p50 / p95 | p50 ÷ floor |",
        "|---|---|---|---:|---:|",
    ]
    for page in sorted(timed, key=lambda page: -page["p95"]):
        lines.append(
            f"| {page['who']} | {_cell(page['pattern'])} | {_address(page)} | "
            f"{page['p50']:.1f} / {page['p95']:.1f} | {page['floor_multiple']:.1f}× |"
        )
    return lines, missed, broken, unreached


def _address(page) -> str:
    """Where the page answered, and the link that led there when it redirected."""
    if page["answered"] == page["path"]:
        return _cell(page["path"])
    return f"{_cell(page['answered'])} (from {_cell(page['path'])})"


def _cell(text: str) -> str:
    return "`" + text.replace("|", "\\|").replace("`", "'") + "`"


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.settings")
    import django

    django.setup()
    asked = json.load(sys.stdin)
    print(json.dumps(crawl(int(sys.argv[1]), asked["sessions"], asked["chosen"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
