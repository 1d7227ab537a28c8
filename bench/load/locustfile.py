"""A working day at the portal, for locust: town staff, county inspectors and the city bureau.

    .venv/bin/locust -f bench/load/locustfile.py --headless -u 50 -r 1 -t 6m --host http://127.0.0.1:8077

Run it through bench/load/run.py, which seeds the database (bench/load/seed.py), starts gunicorn and
a db_worker in production mode, and summarises the figures. LOAD_ACCOUNTS names the accounts file
seed.py wrote (default: bench/load/out/accounts.json).

Each simulated user logs in once, as an account of its own, and then works like a person: a page,
a pause of 1 to 5 seconds (`wait_time`), the next page. Forms are opened first and sent back with
what the page gave (the CSRF token, the record's edit version, every field as the browser would send
it), with a change; a save counts as a success only when the portal answers with its redirect, so a
form shown again with errors, a refused stale edit or a login page is a failure. Static files and
images of the layout are left out: a browser has them cached after the first page (and nginx serves
them in production).

The mix, by users: 80 % town staff (office home, duty records, staff, duty sheet, yearly pages,
editing and adding records, uploading a photo, the self-assessment, now and then an export), 15 %
county inspectors (dashboard, towns and their gaps, the assessment overview, a town's assessment,
scoring it), 5 % the city (dashboard, the year's overview, counties, the award report and the city
summary as PDF or XLSX, the all-counties zip)."""

import csv
import datetime as dt
import itertools
import json
import os
import random
import re
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

from locust import HttpUser, between, events, task
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.evidence_samples import jpeg_bytes  # noqa: E402

ACCOUNTS = json.loads(
    Path(os.environ.get("LOAD_ACCOUNTS", ROOT / "bench" / "load" / "out" / "accounts.json")).read_text(
        encoding="utf-8"
    )
)
YEAR = ACCOUNTS["year"]
LAST_YEAR = ACCOUNTS["last_year"]
# A photo as a phone would send it after the browser's resize: 800×600, a few KB of JPEG.
PHOTO = jpeg_bytes(size=(800, 600), color=(120, 90, 60))
PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"
# The portal's time zone: a date "today" is Shanghai's, or the form refuses it as in the future.
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Each kind of user takes the next account of its list, so no two simulated users share one.
_next = {"towns": itertools.count(), "counties": itertools.count(), "city": itertools.count()}


def claim(kind: str) -> dict:
    entries = ACCOUNTS[kind]
    return entries[next(_next[kind]) % len(entries)]


# The logins and first pages of the ramp, kept apart: locust's statistics are reset once every user
# is in (--reset-stats), so the figures describe the working day, and these the morning's logins.
RAMP: dict[str, list[float]] = {}
ramping = True


# Every measured request with the moment it ended, so run.py can set each beside the CPU the rest
# of the machine was using at the time.
MEASURED: list[tuple[float, str, float, bool]] = []


@events.request.add_listener
def keep_ramp(name: str, response_time: float, exception=None, **kwargs) -> None:
    if not ramping:
        MEASURED.append((time.time(), name, response_time, exception is None))
    elif name.startswith("login") or name.endswith("start page"):
        RAMP.setdefault(name, []).append(response_time)


@events.spawning_complete.add_listener
def ramp_done(user_count: int, **kwargs) -> None:
    global ramping
    ramping = False
    if os.environ.get("LOAD_RAMP_FILE"):
        Path(os.environ["LOAD_RAMP_FILE"]).write_text(json.dumps(RAMP), encoding="utf-8")


def now() -> dt.datetime:
    return dt.datetime.now(SHANGHAI)


RETRIES = {"GET retried on a connection the server had closed": 0}


class CountingRetry(Retry):
    def increment(self, *args, **kwargs):
        RETRIES["GET retried on a connection the server had closed"] += 1
        return super().increment(*args, **kwargs)


@events.quitting.add_listener
def write_extra(environment, **kwargs) -> None:
    if os.environ.get("LOAD_RAMP_FILE"):
        folder = Path(os.environ["LOAD_RAMP_FILE"]).parent
        (folder / "retries.json").write_text(json.dumps(RETRIES), encoding="utf-8")
        with (folder / "requests.csv").open("w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["epoch", "name", "ms", "ok"])
            out.writerows((f"{at:.3f}", name, f"{ms:.1f}", int(ok)) for at, name, ms, ok in MEASURED)


# -- forms ------------------------------------------------------------------------------------------


class Form:
    """The fields a browser would send for a form, in order."""

    def __init__(self, attrs: dict) -> None:
        self.attrs = attrs
        self.fields: list[list[str]] = []
        self.inputs: list[dict] = []

    def names(self) -> set[str]:
        return {name for name, _ in self.fields} | {i.get("name") for i in self.inputs}

    def get(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)

    def set(self, name: str, value: str) -> None:
        for field in self.fields:
            if field[0] == name:
                field[1] = value
                return
        self.fields.append([name, value])

    def data(self) -> list[tuple[str, str]]:
        return [(name, value) for name, value in self.fields]


class FormParser(HTMLParser):
    """Reads every form of a page as a browser would submit it: checked boxes only, a select's
    selected option (or its first), a textarea without the newline that opens it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.textarea: list[str] | None = None
        self.select: dict | None = None
        self.option: list | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.form = Form(a)
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        if tag == "input":
            self.form.inputs.append(a)
            kind, name = a.get("type", "text").lower(), a.get("name")
            if not name or kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.form.fields.append([name, a.get("value", "on" if kind in ("checkbox", "radio") else "")])
        elif tag == "textarea" and a.get("name"):
            self.textarea = [a["name"], ""]
        elif tag == "select" and a.get("name"):
            self.select = {"name": a["name"], "first": None, "chosen": []}
        elif tag == "option" and self.select is not None:
            self.option = [a.get("value"), "", "selected" in a]

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1] += data
        if self.option is not None:
            self.option[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.textarea is not None and self.form is not None:
            name, text = self.textarea
            self.form.fields.append([name, text[1:] if text.startswith("\n") else text])
            self.textarea = None
        elif tag == "option" and self.option is not None and self.select is not None:
            value, text, selected = self.option
            value = value if value is not None else text.strip()
            if self.select["first"] is None:
                self.select["first"] = value
            if selected:
                self.select["chosen"].append(value)
            self.option = None
        elif tag == "select" and self.select is not None and self.form is not None:
            first = [] if self.select["first"] is None else [self.select["first"]]
            chosen = self.select["chosen"] or first
            self.form.fields.extend([self.select["name"], value] for value in chosen)
            self.select = None
        elif tag == "form":
            self.form = None


def form_with(html: str, field: str) -> Form | None:
    """The page's POST form that has `field` (the page's own form, never the navbar's logout)."""
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if form.attrs.get("action", "").endswith("/logout/"):
            continue
        if form.attrs.get("method", "").lower() == "post" and field in form.names():
            return form
    return None


ERROR_PATTERNS = (
    re.compile(r'class="invalid-feedback[^"]*"[^>]*>(.*?)</', re.S),
    re.compile(r'class="alert alert-danger[^"]*"[^>]*>(.*?)</div>', re.S),
)


def transport_error(response) -> str:
    """Why a request got no HTTP answer at all (status 0): the connection's own error."""
    error = getattr(response, "error", None)
    return f"no answer: {type(error).__name__}: {error}"[:200] if error else "no answer"


def page_errors(html: str) -> str:
    """The first error messages a re-rendered form shows, for the failure's description."""
    found = [m.strip() for p in ERROR_PATTERNS for m in p.findall(html)]
    text = " | ".join(re.sub(r"<[^>]+>|\s+", " ", f).strip() for f in found)
    return text[:200] or "form shown again"


# -- the simulated people -------------------------------------------------------------------------


class PortalUser(HttpUser):
    """Logs in once as its own account; helpers for pages, forms and downloads."""

    abstract = True
    # People read a page and think before the next click.
    wait_time = between(1, 5)
    kind = ""
    role = ""

    def on_start(self) -> None:
        # A GET sent on a kept-alive connection just as gunicorn closes it (keepalive = 5 s, the
        # longest pause here) gets no answer; browsers send it again on a new connection, and so
        # does this client, once. Every such retry is counted (see RETRIES) and reported.
        retry = CountingRetry(total=1, connect=1, read=1, status=0, other=0, allowed_methods={"GET", "HEAD"})
        self.client.mount("http://", HTTPAdapter(max_retries=retry))
        self.account = claim(self.kind)
        with self.client.get("/accounts/login/", name="login (form)", catch_response=True) as response:
            form = form_with(response.text, "username")
            if form is None:
                response.failure("no login form")
                raise RuntimeError("no login form")
        form.set("username", self.account["username"])
        form.set("password", ACCOUNTS["password"])
        with self.client.post(
            "/accounts/login/", data=form.data(), name="login", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(f"login refused ({response.status_code})")
                raise RuntimeError("login refused")
        # The start page of the role, as the browser follows the redirect.
        self.page("/", f"{self.role}: start page")

    def page(self, path: str, name: str, params: dict | None = None) -> str:
        """GET a page; anything but a 200 of the page itself (a login page, an error) fails."""
        with self.client.get(path, params=params, name=name, catch_response=True) as response:
            if response.status_code == 0:
                response.failure(transport_error(response))
            elif response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "/accounts/login/" in response.url:
                response.failure("sent to the login page")
            return response.text or ""

    def download(self, path: str, name: str, content_type: str) -> None:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code == 0:
                response.failure(transport_error(response))
            elif response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif not response.headers.get("Content-Type", "").startswith(content_type):
                response.failure(f"not {content_type}: {response.headers.get('Content-Type')}")
            elif not response.content:
                response.failure("empty file")

    def submit(
        self,
        path: str,
        name: str,
        field: str,
        change,
        expect: str,
        *,
        landing: str,
        files: dict | None = None,
    ) -> str | None:
        """Open a form, change it, send it back; the save must answer with a redirect matching
        `expect`, which is then followed (as `landing`). Returns the redirect's path."""
        html = self.page(path, f"{name} (form)")
        form = form_with(html, field)
        if form is None:
            return None
        change(form)
        with self.client.post(
            path,
            data=form.data(),
            files=files,
            name=f"{name} (save)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code == 0:
                response.failure(transport_error(response))
                return None
            if response.status_code != 302:
                response.failure(f"not saved (HTTP {response.status_code}): {page_errors(response.text)}")
                return None
            if not re.search(expect, location) or "/accounts/login/" in location:
                response.failure(f"unexpected redirect to {location}")
                return None
        self.page(location, landing)
        return location


def remark() -> str:
    return f"{now():%H:%M:%S} 补充说明:已电话回访,情况属实。"


class TownStaff(PortalUser):
    """镇(街道)民政办工作人员: files the office's records day to day."""

    weight = 16
    kind = "towns"
    role = "town"

    def on_start(self) -> None:
        super().on_start()
        self.town = self.account["town"]
        self.base = f"/offices/{self.town}"
        self.records: list[int] = []
        self.mine: list[int] = []  # records this user created, for the photos
        self.staff: list[int] = []
        self.record_list()

    def record_list(self) -> None:
        params = {}
        roll = random.random()
        if roll < 0.2:
            params["duty"] = random.randint(1, 14)
        elif roll < 0.3:
            params["year"] = YEAR
        html = self.page(f"{self.base}/duties/records/", "town: duty records", params=params or None)
        found = [int(pk) for pk in re.findall(rf'href="{self.base}/duties/records/(\d+)/edit/"', html)]
        if found:
            self.records = found

    @task(10)
    def office_home(self) -> None:
        self.page(f"{self.base}/", "town: office home")

    @task(8)
    def duty_records(self) -> None:
        self.record_list()

    @task(5)
    def record_detail(self) -> None:
        if self.records:
            self.page(f"{self.base}/duties/records/{random.choice(self.records)}/", "town: duty record")

    @task(4)
    def record_edit(self) -> None:
        if not self.records:
            return
        pk = random.choice(self.records)

        def change(form: Form) -> None:
            form.set("content", ((form.get("content") or "") + "\n" + remark())[-1500:])

        self.submit(
            f"{self.base}/duties/records/{pk}/edit/",
            "town: edit duty record",
            "content",
            change,
            rf"/duties/records/{pk}/$",
            landing="town: duty record",
        )

    @task(2)
    def record_create(self) -> None:
        def change(form: Form) -> None:
            form.set("duty", str(random.randint(1, 14)))
            form.set("date", now().date().isoformat())
            form.set("title", f"走访困难群众({now():%m月%d日})")
            form.set("content", "走访低保、特困对象 6 户,了解生活情况,发放慰问金。")

        location = self.submit(
            f"{self.base}/duties/records/new/",
            "town: new duty record",
            "title",
            change,
            r"/duties/records/\d+/$",
            landing="town: duty record",
        )
        if location:
            pk = int(re.search(r"/records/(\d+)/$", location).group(1))
            self.mine.append(pk)
            self.records.append(pk)

    @task(2)
    def attachment_upload(self) -> None:
        pool = self.mine or self.records
        if not pool:
            return
        pk = random.choice(pool)
        self.submit(
            f"{self.base}/duties/records/{pk}/attachments/new/",
            "town: upload photo",
            "files",
            lambda form: None,
            rf"/duties/records/{pk}/$",
            landing="town: duty record",
            files={"files": (f"现场照片{random.randint(1, 99)}.jpg", PHOTO, "image/jpeg")},
        )

    @task(4)
    def staff_list(self) -> None:
        html = self.page(f"{self.base}/staff/", "town: staff")
        found = [int(pk) for pk in re.findall(rf'href="{self.base}/staff/(\d+)/edit/"', html)]
        if found:
            self.staff = found

    @task(2)
    def staff_edit(self) -> None:
        if not self.staff:
            self.staff_list()
            return
        pk = random.choice(self.staff)
        self.submit(
            f"{self.base}/staff/{pk}/edit/",
            "town: edit staff member",
            "phone",
            lambda form: form.set("phone", f"13{random.randint(100_000_000, 999_999_999)}"),
            rf"{self.base}/staff/",
            landing="town: staff",
        )

    @task(2)
    def duty_sheet(self) -> None:
        self.page(f"{self.base}/duties/", "town: duty sheet")

    @task(1)
    def sheet_edit(self) -> None:
        number = random.randint(1, 14)

        def change(form: Form) -> None:
            form.set("standard", f"按时完成,台账齐全。({now():%H:%M})")
            form.set("requirements", form.get("requirements") or "每月整理一次台账。")

        self.submit(
            f"{self.base}/duties/sheet/{number}/edit/",
            "town: edit duty standard",
            "standard",
            change,
            rf"{self.base}/duties/",
            landing="town: duty sheet",
        )

    @task(3)
    def yearly_page(self) -> None:
        page = random.choice(("facts", "premises", "rules", "plans", "budgets", "checks"))
        self.page(f"{self.base}/{page}/", "town: yearly records page", params={"year": YEAR})

    @task(1)
    def premises_edit(self) -> None:
        self.submit(
            f"{self.base}/premises/{YEAR}/edit/",
            "town: edit premises",
            "area_m2",
            lambda form: form.set("area_m2", str(random.randint(60, 150))),
            rf"{self.base}/premises/",
            landing="town: yearly records page",
        )

    @task(2)
    def self_assessment(self) -> None:
        path = f"/assessment/{YEAR}/offices/{self.town}/self/"
        if random.random() < 0.5:
            self.page(path, "town: self-assessment (form)")
            return
        self.submit(
            path,
            "town: self-assessment",
            "note",
            lambda form: form.set("note", f"本年度规范化建设总体情况良好。{remark()}"),
            rf"{path}$",
            landing="town: self-assessment (form)",
        )

    @task(1)
    def export(self) -> None:
        fmt = random.choice(("xlsx", "csv"))
        what = random.choice(("duties/records", "staff"))
        self.download(
            f"{self.base}/{what}/export/{fmt}/",
            f"town: export {fmt}",
            XLSX_TYPE if fmt == "xlsx" else CSV_TYPE,
        )


class CountyInspector(PortalUser):
    """县(市、区)民政局考核人员: follows the county's towns and scores their assessments."""

    weight = 3
    kind = "counties"
    role = "county"

    def on_start(self) -> None:
        super().on_start()
        self.county = self.account["code"]
        self.towns = self.account["submitted"]

    @task(4)
    def dashboard(self) -> None:
        self.page(f"/reports/counties/{self.county}/", "county: dashboard")

    @task(4)
    def towns_with_gaps(self) -> None:
        self.page(f"/offices/counties/{self.county}/", "county: towns and gaps", params={"year": YEAR})

    @task(4)
    def assessment_overview(self) -> None:
        self.page(f"/assessment/{YEAR}/counties/{self.county}/", "county: assessment overview")

    @task(3)
    def town_assessment(self) -> None:
        town = random.choice(self.towns)
        self.page(f"/assessment/{YEAR}/offices/{town}/", "county: town assessment")

    @task(2)
    def town_home(self) -> None:
        self.page(f"/offices/{random.choice(self.towns)}/", "county: town office home")

    @task(4)
    def score(self) -> None:
        town = random.choice(self.towns)
        path = f"/assessment/{YEAR}/offices/{town}/score/"

        def change(form: Form) -> None:
            form.set("visit_date", (now().date() - dt.timedelta(days=random.randint(0, 20))).isoformat())
            form.set("inspectors", "王建国、李红")
            for field in form.inputs:
                # On-site items: the points a number input with no "不调整" placeholder asks for.
                name = field.get("name", "")
                if name.endswith("-points") and "placeholder" not in field:
                    top = float(field.get("max") or 0)
                    form.set(name, f"{random.randint(int(top), int(top * 2)) / 2:g}")

        self.submit(
            path, "county: score a town", "visit_date", change, rf"{path}$", landing="county: score page"
        )

    @task(1)
    def scoring_sheet(self) -> None:
        town = random.choice(self.towns)
        self.download(
            f"/reports/{YEAR}/offices/{town}/scoring-sheet.pdf", "county: scoring sheet PDF", PDF_TYPE
        )

    @task(1)
    def award_report(self) -> None:
        fmt = random.choice(("pdf", "xlsx"))
        self.download(
            f"/reports/{LAST_YEAR}/counties/{self.county}/award.{fmt}",
            f"county: award report {fmt.upper()}",
            PDF_TYPE if fmt == "pdf" else XLSX_TYPE,
        )


class CityBureau(PortalUser):
    """市民政局: watches every county and downloads the reports."""

    weight = 1
    kind = "city"
    role = "city"

    @task(4)
    def dashboard(self) -> None:
        self.page("/reports/", "city: dashboard", params={"year": random.choice((YEAR, LAST_YEAR))})

    @task(3)
    def year_overview(self) -> None:
        self.page(f"/supervision/{YEAR}/", "city: year overview")

    @task(2)
    def counties(self) -> None:
        self.page("/offices/counties/", "city: counties")

    @task(2)
    def county_dashboard(self) -> None:
        county = random.choice(ACCOUNTS["all_counties"])
        self.page(f"/reports/counties/{county}/", "city: county dashboard")

    @task(2)
    def award_report(self) -> None:
        fmt = random.choice(("pdf", "xlsx"))
        county = random.choice(ACCOUNTS["all_counties"])
        self.download(
            f"/reports/{LAST_YEAR}/counties/{county}/award.{fmt}",
            f"city: award report {fmt.upper()}",
            PDF_TYPE if fmt == "pdf" else XLSX_TYPE,
        )

    @task(1)
    def city_summary(self) -> None:
        fmt = random.choice(("pdf", "xlsx"))
        self.download(
            f"/reports/{LAST_YEAR}/summary.{fmt}",
            f"city: city summary {fmt.upper()}",
            PDF_TYPE if fmt == "pdf" else XLSX_TYPE,
        )

    @task(1)
    def all_counties_zip(self) -> None:
        """The zip of every county's report: started once (a background job), then reused."""
        path = f"/reports/{LAST_YEAR}/all-counties/"
        self.submit(
            path,
            "city: all-counties zip",
            "csrfmiddlewaretoken",
            lambda form: None,
            rf"{path}$",
            landing="city: all-counties zip (form)",
        )
