"""A believable demo city for 2010–2012, the policy's first three-year programme.

Every office gets a profile: most meet the standard from the start, others miss it in one or two
ways (no civil servant, premises under 60 m², rules posted without photos, few duty records,
untrained staff, a thin budget, too few internal checks, too few full-time staff) until a year in
which they put it right, and a handful still miss it in 2012. Values come from a random generator
seeded with the town's code, so every run builds the same city, and every write is keyed on the
record's natural key, so running it again adds nothing twice.
"""

import datetime as dt
import io
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw
from simple_history.utils import bulk_create_with_history

from assessment.standard import thresholds
from duties.models import Duty, DutyRecord, DutySheetEntry
from offices.choices import Equipment, ItFacility, PlanKind, PostedRuleKind
from offices.models import Budget, County, InternalCheck, Office, OfficeYearFacts, Plan, PostedRule, Premises
from portal.account_services import user_create
from portal.choices import Role
from portal.models import User
from staffing.choices import Education, EmploymentType, Post, Sex, TrainingKind, TrainingLevel
from staffing.models import DirectorProbation, StaffMember, TrainingAttendance, TrainingEvent

YEARS = (2010, 2011, 2012)
DEMO_PASSWORD = "demo12345"  # noqa: S105 - printed and documented: demo databases only
GAPS = (
    "no_civil_servant",
    "small_premises",
    "rule_photos",
    "sparse_records",
    "untrained",
    "low_budget",
    "few_checks",
    "understaffed",
)
MIGRANT_DUTY = 10  # 库区移民: applies to few towns

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许沈钱蒋褚朱施顾陆姚金"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧建平红霞国林玲斌浩宇晨阳雪婷佳琪嘉欣"

RECORD_TITLES = {
    1: ["制定{y}年民政工作计划", "传达上级民政工作会议精神", "民政事业发展规划中期检查"],
    2: ["{m}月低保对象动态管理", "五保供养对象走访慰问", "慈善一日捐活动", "救灾物资储备检查"],
    3: ["春节优抚对象走访慰问", "八一双拥座谈会", "重点优抚对象定期抚恤金发放"],
    4: ["敬老院安全检查", "社会福利机构年度检查", "福利企业年检初审"],
    5: ["村(居)委会换届指导", "社区服务中心建设推进会", "城乡一体新社区建设调研"],
    6: ["行政区划界线联检", "地名标志设置核查"],
    7: ["清明节殡葬管理宣传", "公墓清理整顿检查", "殡葬改革政策宣传"],
    8: ["社区社会组织备案", "民间组织年检初审"],
    9: ["婚姻登记政策宣传", "收养登记政策解答"],
    10: ["库区移民人口核查", "移民后期扶持资金发放"],
    11: ["重阳节敬老活动", "高龄津贴发放", "居家养老服务站检查"],
    12: ["社会工作人才培训", "社工站建设推进"],
    13: ["民政信访接待日", "信访件办理回复"],
    14: ["完成政府交办人口普查协助工作", "上级交办事项落实"],
}


@dataclass
class Profile:
    """How an office does: for each gap it shows, the last year it still shows it."""

    gaps: dict[str, int] = field(default_factory=dict)

    def has(self, gap: str, year: int) -> bool:
        return year <= self.gaps.get(gap, 0)


def profile_for(code: str) -> Profile:
    rng = random.Random(f"profile-{code}")
    if rng.random() < 0.45:
        return Profile()
    gaps = rng.sample(GAPS, k=rng.choice((1, 1, 2)))
    # Most offices mend their gaps within the programme; some still miss the standard in 2012.
    return Profile({gap: rng.choices(YEARS, weights=(5, 4, 1))[0] for gap in gaps})


def staffing_norm(population: int) -> int:
    """Full-time staff for a service population under the default catalog's bands, which the demo
    catalog uses: read from the standard, so the demo city never drifts from it."""
    return thresholds.DEFAULT.staffing_norm(population)


def _image(color: tuple[int, int, int], stripes: int) -> bytes:
    """A small JPEG standing in for a photograph of a sign, seal, wall or room."""
    img = Image.new("RGB", (320, 240), color)
    draw = ImageDraw.Draw(img)
    draw.rectangle((16, 16, 304, 224), outline=(255, 255, 255), width=6)
    for i in range(stripes):
        y = 48 + i * 28
        draw.rectangle((40, y, 280, y + 12), fill=(255, 255, 255))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=70)
    return out.getvalue()


@dataclass
class DemoResult:
    accounts: list[tuple[str, str, str]]  # (username, role label, scope)
    offices: int
    staff: int
    records: int


class DemoCity:
    def __init__(self) -> None:
        self.images = {
            "sign": _image((179, 22, 31), 1),
            "seal": _image((200, 40, 40), 2),
            "rule": _image((30, 80, 150), 5),
            "room": _image((90, 120, 90), 3),
            "emblem": _image((220, 170, 40), 1),
        }
        self.duties = {d.number: d for d in Duty.objects.all()}
        self.record_count = 0
        self.staff_count = 0

    def _photo(self, instance, field_name: str, kind: str) -> None:
        getattr(instance, field_name).save(f"{kind}.jpg", ContentFile(self.images[kind]), save=False)

    # -- accounts --------------------------------------------------------------------------------

    def accounts(self) -> list[tuple[str, str, str]]:
        made = []
        # One hash serves every demo account: hashing is deliberately slow, 80 times would take 20 s.
        password_hash = make_password(DEMO_PASSWORD)

        def ensure(username: str, role: Role, full_name: str, scope: str, **binding) -> None:
            if not User.objects.filter(username=username).exists():
                user_create(
                    actor=None,
                    username=username,
                    password=None,
                    password_hash=password_hash,
                    role=role,
                    full_name=full_name,
                    **binding,
                )
            made.append((username, role.label, scope))

        ensure("city", Role.CITY, "市民政局基层政权处", "嘉兴市民政局")
        for county in County.objects.order_by("code"):
            ensure(
                f"county_{county.code}",
                Role.COUNTY,
                f"{county.name}民政局考核组",
                f"{county.name}",
                county=county,
            )
        for office in Office.objects.select_related("town").order_by("town__code"):
            ensure(
                f"town_{office.town.code}", Role.TOWN, f"{office.town.name}民政办", office.name, office=office
            )
        return made

    # -- one office -------------------------------------------------------------------------------

    def office(self, office: Office, training: dict) -> None:
        code = office.town.code
        rng = random.Random(f"office-{code}")
        profile = profile_for(code)
        population = rng.randrange(18_000, 95_000, 500)

        if not office.address:
            office.address = f"嘉兴市{office.town.county.name}{office.town.name}人民路{rng.randint(1, 300)}号"
            office.postcode = "314000"
            office.phone = f"0573-8{rng.randint(1000000, 9999999)}"
            office.contact_name = self._name(rng)
            office.contact_phone = f"13{rng.randint(100000000, 999999999)}"
            office.sign_hung_on = dt.date(2010, rng.randint(1, 5), rng.randint(1, 28))
            office.seal_in_use_on = dt.date(2010, rng.randint(1, 6), rng.randint(1, 28))
            self._photo(office, "sign_photo", "sign")
            self._photo(office, "seal_photo", "seal")
            office.save()

        self._duty_sheet(office, rng)
        staff = self._staff(office, rng, profile, population)
        for year in YEARS:
            growth = 1 + 0.01 * (year - 2010)
            OfficeYearFacts.objects.get_or_create(
                office=office,
                year=year,
                defaults={
                    "service_population": int(population * growth),
                    "dibao_count": rng.randint(80, 600),
                    "tekun_count": rng.randint(20, 120),
                    "youfu_count": rng.randint(60, 400),
                    "other_count": rng.randint(0, 200),
                },
            )
            self._premises(office, rng, profile, year)
            self._posted_rules(office, profile, year)
            self._plans(office, year)
            Budget.objects.get_or_create(
                office=office,
                year=year,
                defaults={
                    "guaranteed_funds": Decimal(
                        rng.randrange(8_000, 15_000, 500)
                        if profile.has("low_budget", year)
                        else rng.randrange(30_000, 90_000, 1000)
                    ),
                    "spending": Decimal(rng.randrange(6_000, 30_000, 100)),
                },
            )
            self._checks(office, rng, profile, year)
            self._records(office, rng, profile, year)
            self._attendance(staff, rng, profile, year, training)

    def _name(self, rng: random.Random) -> str:
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))

    def _duty_sheet(self, office: Office, rng: random.Random) -> None:
        migrants = rng.random() < 0.12
        for number, duty in self.duties.items():
            not_applicable = number == MIGRANT_DUTY and not migrants
            DutySheetEntry.objects.get_or_create(
                office=office,
                duty=duty,
                defaults={
                    "responsibilities": duty.text,
                    "standard": ""
                    if not_applicable
                    else f"按照上级要求,{duty.name}工作做到制度健全、台账完整、按时办结。",
                    "requirements": "" if not_applicable else "专人负责,每季度自查一次,资料当月归档。",
                    "not_applicable": not_applicable,
                    "not_applicable_reason": "本镇(街道)无库区入迁移民。" if not_applicable else "",
                },
            )

    def _staff(
        self, office: Office, rng: random.Random, profile: Profile, population: int
    ) -> list[StaffMember]:
        existing = list(office.staffmember_set.all())
        if existing:
            return existing
        norm = staffing_norm(int(population * 1.02))
        full_time = norm - 1 if profile.gaps.get("understaffed") else norm
        people: list[StaffMember] = []
        names: set[str] = set()
        for i in range(full_time + rng.choice((0, 1))):
            name = self._name(rng)
            while name in names:
                name = self._name(rng)
            names.add(name)
            director = i == 0
            birth = dt.date(
                rng.randint(1962 if director else 1970, 1986), rng.randint(1, 12), rng.randint(1, 28)
            )
            civil_servant = director and not profile.gaps.get("no_civil_servant")
            people.append(
                StaffMember(
                    office=office,
                    name=name,
                    sex=rng.choice(Sex.values),
                    birth_date=birth,
                    education=rng.choices(Education.values, weights=(1, 5, 4, 2, 1))[0],
                    employment_type=EmploymentType.CIVIL_SERVANT
                    if civil_servant
                    else rng.choice(
                        (EmploymentType.INSTITUTION, EmploymentType.CONTRACT, EmploymentType.INSTITUTION)
                    ),
                    is_full_time=i < full_time,
                    post=Post.DIRECTOR if director else (Post.DEPUTY if i == 1 else Post.STAFF),
                    social_work_qualified=rng.random() < 0.3,
                    started_on=dt.date(rng.randint(2003, 2009), rng.randint(1, 12), rng.randint(1, 28)),
                )
            )
        # An office that lacked a civil servant gets one transferred in the year after its gap.
        mended = profile.gaps.get("no_civil_servant")
        if mended and mended < YEARS[-1]:
            people.append(
                StaffMember(
                    office=office,
                    name=self._name(rng),
                    sex=rng.choice(Sex.values),
                    birth_date=dt.date(rng.randint(1978, 1987), 5, 12),
                    education=Education.BACHELOR,
                    employment_type=EmploymentType.CIVIL_SERVANT,
                    post=Post.STAFF,
                    started_on=dt.date(mended + 1, 2, 20),
                )
            )
        # Someone who left during the programme, as in any real roster.
        if rng.random() < 0.3:
            people.append(
                StaffMember(
                    office=office,
                    name=self._name(rng),
                    sex=rng.choice(Sex.values),
                    birth_date=dt.date(1958, 3, 3),
                    education=Education.SECONDARY,
                    employment_type=EmploymentType.CONTRACT,
                    is_full_time=False,
                    post=Post.STAFF,
                    started_on=dt.date(2001, 9, 1),
                    ended_on=dt.date(2011, 6, 30),
                )
            )
        created = bulk_create_with_history(people, StaffMember)
        self.staff_count += len(created)
        created = list(office.staffmember_set.all())
        director = next((s for s in created if s.post == Post.DIRECTOR), None)
        if director and rng.random() < 0.8:
            DirectorProbation.objects.get_or_create(
                staff=director,
                defaults={
                    "starts_on": dt.date(2010, 3, 1),
                    "ends_on": dt.date(2010, 5, 31),
                    "place": f"{office.town.county.name}民政局",
                    "assessment": "见习期满,考核合格。",
                },
            )
        return created

    def _premises(self, office: Office, rng: random.Random, profile: Profile, year: int) -> None:
        small = profile.has("small_premises", year)
        premises, created = Premises.objects.get_or_create(
            office=office,
            year=year,
            defaults={
                "area_m2": Decimal(rng.randrange(35, 58) if small else rng.randrange(60, 160)),
                "is_fixed": True,
                "address": office.address,
                "equipment": Equipment.values if not small else Equipment.values[:5],
                "it_facilities": ItFacility.values if year > 2010 or not small else ItFacility.values[:2],
                "emblem_displayed": not small,
            },
        )
        if created:
            self._photo(premises, "photo", "room")
            if premises.emblem_displayed:
                self._photo(premises, "emblem_photo", "emblem")
            premises.save()

    def _posted_rules(self, office: Office, profile: Profile, year: int) -> None:
        missing = profile.has("rule_photos", year)
        present = set(PostedRule.objects.filter(office=office, year=year).values_list("kind", flat=True))
        for i, kind in enumerate(PostedRuleKind.values):
            if kind in present:
                continue
            rule = PostedRule(office=office, year=year, kind=kind, posted_on=dt.date(year, 1, 10 + i))
            # An office with this gap has posted two rules without a photo to show it.
            if not (missing and i >= 4):
                self._photo(rule, "photo", "rule")
            rule.save()

    def _plans(self, office: Office, year: int) -> None:
        Plan.objects.get_or_create(
            office=office,
            year=year,
            kind=PlanKind.ANNUAL,
            defaults={
                "title": f"{office.town.name}{year}年民政工作计划",
                "adopted_on": dt.date(year, 1, 15),
                "summary": "围绕低保动态管理、优抚双拥、养老服务和社区建设,明确全年目标任务和责任分工。",
            },
        )
        Plan.objects.get_or_create(
            office=office,
            year=year,
            kind=PlanKind.DEVELOPMENT,
            defaults={
                "title": f"{office.town.name}民政事业发展规划(2010—2012年)",
                "adopted_on": dt.date(2010, 3, 1),
                "summary": "三年内实现民政工作规范化,队伍年轻化、专业化,服务场所标准化。",
            },
        )

    def _checks(self, office: Office, rng: random.Random, profile: Profile, year: int) -> None:
        if office.internalcheck_set.filter(checked_on__year=year).exists():
            return
        count = 1 if profile.has("few_checks", year) else rng.choice((2, 3, 4))
        for i in range(count):
            InternalCheck.objects.create(
                office=office,
                checked_on=dt.date(year, 3 + i * 3, rng.randint(1, 28)),
                checked_by=f"{office.town.name}社会事务办公室",
                scope="民政办公室各项制度执行情况、台账资料",
                findings="台账归档及时,个别资料签字不全。" if rng.random() < 0.5 else "未发现明显问题。",
                follow_up="已当场补齐签字。",
            )

    def _records(self, office: Office, rng: random.Random, profile: Profile, year: int) -> None:
        if DutyRecord.objects.filter(office=office, date__year=year).exists():
            return
        sparse = profile.has("sparse_records", year)
        records = []
        for number, duty in self.duties.items():
            if (
                number == MIGRANT_DUTY
                and office.dutysheetentry_set.filter(duty=duty, not_applicable=True).exists()
            ):
                continue
            if sparse and number % 3 == 0:
                continue  # an office with this gap left several duties without a record this year
            filed = set()  # a record is filed once per duty, day and title (a database constraint)
            for _ in range(rng.randint(1, 4)):
                month = rng.randint(1, 12)
                title = rng.choice(RECORD_TITLES[number]).format(y=year, m=month)
                date = dt.date(year, month, rng.randint(1, 28))
                if (date, title) in filed:
                    continue
                filed.add((date, title))
                records.append(
                    DutyRecord(
                        office=office,
                        duty=duty,
                        date=date,
                        title=title,
                        content=f"{title}。参加人员:民政办全体工作人员。工作情况已记录存档。",
                    )
                )
        bulk_create_with_history(records, DutyRecord)
        self.record_count += len(records)

    def _attendance(self, staff: list[StaffMember], rng, profile: Profile, year: int, training: dict) -> None:
        event = training[(staff[0].office.town.county_id, year)] if staff else None
        if event is None or TrainingAttendance.objects.filter(event=event, staff__in=staff).exists():
            return
        untrained = profile.has("untrained", year)
        attendees = [
            s
            for s in staff
            if s.started_on <= event.starts_on and (s.ended_on is None or s.ended_on >= event.starts_on)
        ]
        if untrained:
            attendees = attendees[:1]
        bulk_create_with_history(
            [TrainingAttendance(event=event, staff=s) for s in attendees], TrainingAttendance
        )
        city_event = training.get(("city", year))
        if city_event is not None:
            bulk_create_with_history(
                [TrainingAttendance(event=city_event, staff=s) for s in attendees if s.post == Post.DIRECTOR],
                TrainingAttendance,
            )

    # -- training ---------------------------------------------------------------------------------

    def training(self) -> dict:
        events = {}
        city, _ = TrainingEvent.objects.get_or_create(
            level=TrainingLevel.CITY,
            title="全市镇(街道)民政办公室主任业务培训班",
            defaults={
                "kind": TrainingKind.PERIODIC,
                "starts_on": dt.date(2010, 4, 20),
                "ends_on": dt.date(2010, 4, 22),
                "location": "嘉兴市民政局培训中心",
                "content": "规范化建设意见解读、低保政策、优抚政策、信息化应用。",
            },
        )
        events[("city", 2010)] = city
        for county in County.objects.order_by("code"):
            rng = random.Random(f"training-{county.code}")
            for year in YEARS:
                start = dt.date(year, rng.randint(3, 6), rng.randint(1, 20))
                event, _ = TrainingEvent.objects.get_or_create(
                    level=TrainingLevel.COUNTY,
                    county=county,
                    title=f"{county.name}{year}年镇(街道)民政业务培训",
                    defaults={
                        "kind": TrainingKind.PERIODIC,
                        "starts_on": start,
                        "ends_on": start + dt.timedelta(days=1),
                        "location": f"{county.name}民政局会议室",
                        "content": "年度民政业务政策与工作台账规范。",
                    },
                )
                events[(county.pk, year)] = event
        return events


@transaction.atomic
def seed_demo_city() -> DemoResult:
    """Build (or complete) the demo city and its accounts; returns what a user needs to sign in."""
    city = DemoCity()
    training = city.training()
    offices = list(Office.objects.select_related("town__county").order_by("town__code"))
    for office in offices:
        city.office(office, training)
    accounts = city.accounts()
    from operations.demo_assessment import seed_assessments  # the assessment needs the accounts made above

    seed_assessments()
    from operations.demo_subsidies import seed_subsidies  # the award follows the confirmed years

    seed_subsidies()
    from operations.demo_followup import seed_followup  # verified tasks and corrections, after payments

    seed_followup()
    return DemoResult(
        accounts=accounts, offices=len(offices), staff=city.staff_count, records=city.record_count
    )
