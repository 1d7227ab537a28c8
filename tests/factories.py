"""Builders for test data, on top of the real reference data. Writes go through services where the
services exist, so tests see the same side effects (permissions, history) as users do."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from duties.models import Duty, DutyRecord
from offices.models import Budget, County, Office, Premises
from portal.account_services import user_create
from portal.choices import Role
from portal.models import User
from staffing.choices import Education, EmploymentType, Post, Sex
from staffing.models import StaffMember

PASSWORD = "Test-pass-2010!"

# 南湖区 (330402): 建设街道 and 解放街道; 秀洲区 (330411): 新城街道.
TOWN_A = "330402007"
TOWN_B = "330402008"
TOWN_C = "330411002"


def office(town_code: str) -> Office:
    return Office.objects.select_related("town__county").get(town__code=town_code)


def county(code: str) -> County:
    return County.objects.get(code=code)


def user(
    username: str, role: Role, *, office_obj: Office | None = None, county_obj: County | None = None
) -> User:
    return user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        role=role,
        full_name=username,
        office=office_obj,
        county=county_obj,
    )


def staff(office_obj: Office, **overrides) -> StaffMember:
    values = {
        "office": office_obj,
        "name": "张伟",
        "sex": Sex.MALE,
        "birth_date": dt.date(1980, 5, 1),
        "education": Education.BACHELOR,
        "employment_type": EmploymentType.CIVIL_SERVANT,
        "is_full_time": True,
        "post": Post.DIRECTOR,
        "started_on": dt.date(2008, 3, 1),
    }
    values.update(overrides)
    return StaffMember.objects.create(**values)


def duty_record(office_obj: Office, **overrides) -> DutyRecord:
    values = {
        "office": office_obj,
        "duty": Duty.objects.get(number=2),
        "date": dt.date(2010, 5, 10),
        "title": "低保对象动态管理",
        "content": "入户核查。",
    }
    values.update(overrides)
    if "title" not in overrides:
        # A record is filed once per office, duty, date and title: number further default ones.
        same = {k: values[k] for k in ("office", "duty", "date")}
        taken = DutyRecord.objects.filter(**same, title__startswith=values["title"]).count()
        if taken:
            values["title"] = f"{values['title']}({taken + 1})"
    return DutyRecord.objects.create(**values)


def premises(office_obj: Office, year: int = 2010, area: str = "80") -> Premises:
    return Premises.objects.create(office=office_obj, year=year, area_m2=Decimal(area))


def budget(office_obj: Office, year: int = 2010, funds: str = "50000") -> Budget:
    return Budget.objects.create(office=office_obj, year=year, guaranteed_funds=Decimal(funds))


def count_queries(client: Client, url: str, **params) -> int:
    """How many SQL queries one GET of a page costs (after a first request warms caches)."""
    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


def client_for(user_obj: User | None) -> Client:
    client = Client()
    if user_obj is not None:
        client.force_login(user_obj)
    return client


@dataclass
class World:
    office_a: Office
    office_b: Office
    office_c: Office
    town_a: User
    town_b: User
    town_c: User
    county_a: User
    county_c: User
    city: User
    admin: User

    @classmethod
    def build(cls) -> "World":
        a, b, c = office(TOWN_A), office(TOWN_B), office(TOWN_C)
        return cls(
            office_a=a,
            office_b=b,
            office_c=c,
            town_a=user("town_a", Role.TOWN, office_obj=a),
            town_b=user("town_b", Role.TOWN, office_obj=b),
            town_c=user("town_c", Role.TOWN, office_obj=c),
            county_a=user("county_a", Role.COUNTY, county_obj=a.town.county),
            county_c=user("county_c", Role.COUNTY, county_obj=c.town.county),
            city=user("city", Role.CITY),
            admin=user("admin", Role.ADMIN),
        )

    def roles(self) -> dict[str, User | None]:
        return {
            "anonymous": None,
            "town_a": self.town_a,
            "town_b": self.town_b,
            "town_c": self.town_c,
            "county_a": self.county_a,
            "county_c": self.county_c,
            "city": self.city,
            "admin": self.admin,
        }
