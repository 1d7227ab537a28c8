"""The tour of the demo city: the main pages as each role sees them, on a desktop and on a phone.

One list, walked by the screenshot tour (test_screenshots.py), the accessibility check
(test_accessibility.py) and whoever else wants every main page, so a page added here is pictured
and checked at once."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import reverse

from assessment.choices import CorrectionState
from assessment.models import Correction, Programme
from duties.models import DutyRecord
from operations.demo_data import DEMO_PASSWORD
from staffing.models import TrainingEvent
from tests.browser.conftest import login

TOWN = "330402008"  # 南湖区 解放街道
COUNTY = "330402"  # 南湖区
DESKTOP = (1366, 768)
PHONE = (390, 844)  # a common phone held upright, in CSS pixels

# Who looks: None is nobody signed in.
USERNAMES = {None: None, "town": f"town_{TOWN}", "county": f"county_{COUNTY}", "city": "city"}


@dataclass(frozen=True)
class Demo:
    """The demo rows a tour path names by key (their keys change with every seeding)."""

    record: int
    event: int
    programme: int
    approved: int

    @classmethod
    def load(cls) -> "Demo":
        return cls(
            record=DutyRecord.objects.filter(office__town__code=TOWN, date__year=2012)
            .order_by("-date")
            .first()
            .pk,
            event=TrainingEvent.objects.filter(county__code=COUNTY, starts_on__year=2012).get().pk,
            programme=Programme.objects.get().pk,
            approved=Correction.objects.get(state=CorrectionState.APPROVED).pk,
        )


@dataclass(frozen=True)
class Stop:
    """One page of the tour: who looks, where (a path with {record}-style keys of `Demo`, or a
    function of it), the picture's name in docs/screenshots, and the screen it is seen on."""

    role: str | None
    path: str | Callable[[Demo], str]
    name: str
    viewport: tuple[int, int] = DESKTOP

    def url(self, demo: Demo) -> str:
        return self.path(demo) if callable(self.path) else self.path.format_map(vars(demo))


TOUR: list[Stop] = [
    Stop(None, "/accounts/login/", "01-login"),
    Stop("town", f"/offices/{TOWN}/?year=2012", "02-town-home"),
    Stop("town", f"/offices/{TOWN}/premises/?year=2012", "03-town-premises"),
    Stop("town", f"/offices/{TOWN}/premises/2012/edit/", "04-town-premises-form"),
    Stop("town", f"/offices/{TOWN}/rules/?year=2012", "05-town-posted-rules"),
    Stop("town", f"/offices/{TOWN}/duties/", "06-town-duty-sheet"),
    Stop("town", f"/offices/{TOWN}/duties/records/?year=2012", "07-town-duty-records"),
    Stop("town", f"/offices/{TOWN}/duties/records/{{record}}/", "08-town-duty-record"),
    Stop("town", f"/offices/{TOWN}/staff/?year=2012", "09-town-staff"),
    Stop("town", f"/offices/{TOWN}/history/", "10-town-history"),
    Stop("town", f"/assessment/2011/offices/{TOWN}/", "18-town-assessment-2011"),
    Stop("town", f"/assessment/offices/{TOWN}/tasks/", "19-town-rectification"),
    Stop("town", f"/assessment/offices/{TOWN}/corrections/", "25-town-corrections"),
    Stop("town", f"/offices/{TOWN}/?year=2012", "phone-town-home", PHONE),
    Stop("town", f"/offices/{TOWN}/duties/records/?year=2012", "phone-duty-records", PHONE),
    Stop("county", f"/offices/counties/{COUNTY}/?year=2011", "11-county-overview"),
    Stop("county", f"/offices/{TOWN}/?year=2011", "12-county-reads-a-town"),
    Stop("county", "/training/", "13-county-training"),
    Stop("county", "/training/{event}/attendance/", "14-county-attendance"),
    Stop("county", f"/assessment/2012/counties/{COUNTY}/", "20-county-assessment-2012"),
    Stop("county", f"/assessment/2012/offices/{TOWN}/score/", "21-county-scoring"),
    Stop("county", f"/assessment/counties/{COUNTY}/tasks/?state=closed", "26-county-tasks-to-verify"),
    Stop("county", f"/assessment/counties/{COUNTY}/corrections/", "27-county-corrections"),
    Stop(
        "county",
        lambda demo: reverse("reports:county_matching_edit", args=[demo.programme, COUNTY]),
        "28-county-matching",
    ),
    Stop(
        "county",
        lambda demo: reverse("reports:county_payments", args=[demo.programme, COUNTY]),
        "29-county-payments",
    ),
    Stop("county", f"/assessment/2012/offices/{TOWN}/score/", "phone-county-scoring", PHONE),
    Stop("city", "/offices/counties/", "15-city-counties"),
    Stop("city", "/training/overview/?year=2012", "16-city-training-overview"),
    Stop("city", "/accounts/users/", "17-city-accounts"),
    Stop("city", "/supervision/2011/", "22-city-year-2011"),
    Stop("city", "/supervision/2011/differences/", "23-city-differences"),
    Stop("city", "/supervision/catalogs/2012/", "24-city-catalog"),
    Stop("city", "/supervision/2012/", "30-city-year-2012-sampling"),
    Stop("city", "/supervision/2010/rectification/", "31-city-rectification"),
    Stop("city", "/assessment/corrections/", "32-city-corrections"),
    Stop("city", "/assessment/corrections/{approved}/", "33-city-correction-approved"),
    Stop("city", lambda demo: reverse("reports:county_matching", args=[demo.programme]), "34-city-matching"),
    Stop("city", lambda demo: reverse("reports:payment_list", args=[demo.programme]), "35-city-payments"),
]


def walk(page, stops: list[Stop] = TOUR) -> Iterator[Stop]:
    """Visit each stop in turn, signing in as its role and sizing the window to its screen, and
    hand it back once the page has answered 200 and settled."""
    demo = Demo.load()
    role: str | None = None
    for stop in stops:
        if stop.role != role:
            page.context.clear_cookies()
            if stop.role is not None:
                login(page, USERNAMES[stop.role], DEMO_PASSWORD)
            role = stop.role
        page.set_viewport_size(_size(stop.viewport))
        path = stop.url(demo)
        response = page.goto(f"{page.base}{path}")
        assert response.status == 200, (stop.name, path, response.status)
        page.wait_for_load_state("networkidle")
        yield stop
    page.set_viewport_size(_size(DESKTOP))


def _size(viewport: tuple[int, int]) -> dict:
    return {"width": viewport[0], "height": viewport[1]}
