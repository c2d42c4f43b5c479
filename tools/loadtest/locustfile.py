"""The load of `make loadtest`: board members reading, a lead saving drafts, the office editing risks.

Run by tools/loadtest/run.py against gunicorn on 127.0.0.1 (never another address),
headless and for a fixed time. Every user behaves as its role does:

- board members (most users) read the dashboard pages in turn, each "as at"
  the default quarter, with a short pause between pages;
- one locality lead (lead-medway, whose 2018/19 Q4 update is a draft) opens a
  section of the update form and saves it as a draft, taking the form's
  current `version` each time, as the browser does;
- the programme office edits risks in Django admin (change the description,
  save), each office user its own risks.

Accounts log in through the real login form once, before the run (see
`_LoggedIn.on_start`).

A 409 from the update form, or the risk form's "changed since you opened it"
message, is an edit conflict: the app refusing a stale save, which it should.
They are counted apart (conflicts.json) and are not errors; anything else that
is not the expected status is a failure.
"""

import itertools
import json
import os
import random
import re
from collections import Counter

from locust import HttpUser, between, events, task

from tools.loadtest.forms import post_form_fields, replace

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "localcare-demo")
CONFLICTS_FILE = os.environ.get("LOADTEST_CONFLICTS_FILE", "")
BOARD_PAGES = [
    ("/", "GET overview"),
    ("/objectives/", "GET objectives"),
    ("/milestones/", "GET milestones"),
    ("/mdts/", "GET MDT roll-out"),
    ("/money/", "GET money"),
    ("/outcomes/", "GET outcomes"),
    ("/critical-areas/", "GET critical areas"),
    ("/risks/", "GET risks"),
    ("/localities/thanet/", "GET locality"),
    ("/risks/LC-R01/", "GET risk detail"),
    ("/board-pack/", "GET board pack"),
]
UPDATE = "/updates/medway/2018-19-q4/"
DRAFT_SECTIONS = ["summary", "objectives"]
REASON = "Agreed at the locality board."
STALE_RISK = "Someone else saved this risk"  # risks.services.STALE_EDIT_MESSAGE
conflicts: Counter[str] = Counter()
_office_numbers = itertools.count()


@events.test_stop.add_listener
def _write_conflicts(**_kwargs):
    if CONFLICTS_FILE:
        with open(CONFLICTS_FILE, "w") as out:
            json.dump(dict(conflicts), out)


class _LoggedIn(HttpUser):
    abstract = True
    username = ""

    def on_start(self):
        # tools/loadtest/run.py logs each account in once, through the login form, before
        # the run: 20 logins at once would measure PBKDF2 (about a second of CPU
        # each, by design), not the pages. Run directly, each user logs in itself.
        cookies = json.loads(os.environ.get("LOADTEST_COOKIES") or "{}").get(self.username)
        if cookies:
            for name, value in cookies.items():
                self.client.cookies.set(name, value)
            return
        page = self.client.get("/accounts/login/", name="GET login page")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        with self.client.post(
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": token[1] if token else "",
                "username": self.username,
                "password": PASSWORD,
            },
            headers={"Referer": self.host + "/accounts/login/"},
            allow_redirects=False,
            name="POST login",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login as {self.username} answered {response.status_code}")

    def post_form(self, url: str, fields, *, name: str):
        return self.client.post(
            url,
            data=fields,
            headers={"Referer": self.host + url},
            allow_redirects=False,
            name=name,
            catch_response=True,
        )


class BoardMember(_LoggedIn):
    username = "board"
    wait_time = between(1, 3)

    def on_start(self):
        super().on_start()
        self.pages = itertools.cycle(random.sample(BOARD_PAGES, len(BOARD_PAGES)))

    @task
    def read_a_page(self):
        url, name = next(self.pages)
        self.client.get(url, name=name)


class LocalityLead(_LoggedIn):
    username = "lead-medway"
    fixed_count = 1
    wait_time = between(2, 4)

    @task
    def save_a_draft(self):
        section = random.choice(DRAFT_SECTIONS)
        url = f"{UPDATE}edit/{section}/"
        page = self.client.get(url, name=f"GET update form ({section})")
        try:
            fields = post_form_fields(page.text, containing="version")
        except LookupError:
            return  # the GET failed and is already counted as a failure
        stamp = f"Load test draft {random.randrange(10**6)}."
        if section == "summary":
            fields = replace(fields, **{"summary-summary": stamp})
        else:
            # A RAG that differs from the suggested one needs a reason, as a lead gives.
            fields = [
                (name, REASON if name.endswith("-rag_reason") and not value else value)
                for name, value in replace(fields, **{"objective-1-narrative": stamp})
            ]
        with self.post_form(url, fields, name=f"POST update draft ({section})") as response:
            if response.status_code == 302:
                response.success()
            elif response.status_code == 409:
                conflicts["update draft (409)"] += 1
                response.success()
            else:
                response.failure(f"draft save answered {response.status_code}")


class ProgrammeOffice(_LoggedIn):
    username = "office"
    fixed_count = 1
    wait_time = between(2, 4)

    def on_start(self):
        super().on_start()
        with self.client.get(
            "/admin/risks/risk/", name="GET admin risk list", catch_response=True
        ) as listing:
            ids = sorted(set(re.findall(r"/admin/risks/risk/(\d+)/change/", listing.text)))
            if not ids:  # e.g. sent to the two-factor page: the office would edit nothing
                listing.failure(f"no risks to edit in the admin list (at {listing.url})")
        # Each office user edits its own share of the risks: no conflicts among them.
        number, users = next(_office_numbers), self.environment.runner.user_count or 1
        self.risk_ids = ids[number % max(users, 1) :: max(users, 1)] or ids

    @task(3)
    def read_the_register(self):
        self.client.get("/risks/", name="GET risks")

    @task(2)
    def edit_a_risk(self):
        if not self.risk_ids:
            return
        url = f"/admin/risks/risk/{random.choice(self.risk_ids)}/change/"
        page = self.client.get(url, name="GET admin risk form")
        try:
            fields = post_form_fields(page.text, containing="loaded_version")
        except LookupError:
            return
        description = dict(fields).get("description", "").split(" [load test")[0]
        fields = replace(
            fields,
            description=f"{description} [load test {random.randrange(10**6)}]",
            _save="Save",
        )
        with self.post_form(url, fields, name="POST admin risk save") as response:
            if response.status_code == 302:
                response.success()
            elif response.status_code in (200, 409) and STALE_RISK in response.text:
                conflicts["risk save (stale)"] += 1
                response.success()
            else:
                errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.text, re.S)
                response.failure(
                    f"risk save answered {response.status_code}: "
                    + " ".join(
                        " ".join(re.sub(r"<[^>]+>", " ", e).split()[:20]) for e in errors[:2]
                    )
                )
