"""The load test of tests/bench/pages.py: people reading their pages and staff reporting
incidents at once, against gunicorn on loopback. The benchmark passes the cast's sessions and
pages in BENCH_CAST (JSON); every response must be the page (200) or, for a report, the
redirect to its second step and then its confirmation."""

import json
import os
import re
from datetime import date
from urllib.parse import urlparse

from locust import HttpUser, between, task

CAST = json.loads(os.environ.get("BENCH_CAST", '{"pages": [], "sessions": {}}'))
STEP_1 = json.loads(os.environ.get("BENCH_STEP_1", "{}"))
HEADERS = {"X-Forwarded-Proto": "https"}  # as the TLS proxy in front of the service sends


class Reader(HttpUser):
    """Someone reading: each of the benchmark's pages in turn, as the person it is for."""

    weight = 4
    wait_time = between(0.05, 0.2)

    def on_start(self):
        self.turn = 0

    @task
    def read(self):
        label, who, path = CAST["pages"][self.turn % len(CAST["pages"])]
        self.turn += 1
        with self.client.get(
            path,
            name=label,
            headers=HEADERS,
            cookies={"sessionid": CAST["sessions"][who]},
            allow_redirects=False,
            catch_response=True,
        ) as page:
            if page.status_code == 200:
                page.success()
            else:
                page.failure(f"answered {page.status_code}")


class Reporter(HttpUser):
    """A member of staff reporting an incident in its two steps."""

    weight = 1
    wait_time = between(0.2, 0.5)

    @task
    def report(self):
        cookies = {"sessionid": CAST["sessions"]["reporter"]}
        form = self.client.get(
            "/incidents/report/", name="report form", headers=HEADERS, cookies=cookies
        )
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        if token is None:
            return
        cookies |= {"csrftoken": form.cookies.get("csrftoken", "")}
        # A form is posted from the service's own pages (Django checks the origin over https).
        posting = {**HEADERS, "Origin": "https://" + urlparse(self.host).netloc}
        today = date.today()
        data = {
            **STEP_1,
            "occurred_on_day": str(today.day),
            "occurred_on_month": str(today.month),
            "occurred_on_year": str(today.year),
            "csrfmiddlewaretoken": token.group(1),
        }
        with self.client.post(
            "/incidents/report/",
            data=data,
            name="report step 1",
            headers=posting,
            cookies=cookies,
            allow_redirects=False,
            catch_response=True,
        ) as first:
            send = first.headers.get("Location", "")
            if first.status_code != 302 or not send.endswith("/send/"):
                first.failure(f"step 1 answered {first.status_code}")
                return
            first.success()
        with self.client.post(
            send,
            data={"anonymous": "no", "action": "send", "csrfmiddlewaretoken": token.group(1)},
            name="report step 2",
            headers=posting,
            cookies=cookies,
            allow_redirects=False,
            catch_response=True,
        ) as second:
            if second.status_code != 200 or "Report sent" not in second.text:
                second.failure(f"step 2 answered {second.status_code}, not the confirmation")
            else:
                second.success()
