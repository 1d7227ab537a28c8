"""The offices of a county with their key facts for a year, as a spreadsheet: what the county page
lists, plus staff counts, service population, premises area, budget and the number of duty records,
so an inspector can sort and total them in Excel. One query for the facts and a fixed few for the gap
list, whatever the number of towns."""

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from import_export import fields, resources, widgets

from assessment.standard.gaps import gaps_for
from core.spreadsheets.writing import Table, rows_from_dataset
from duties.models import DutyRecord
from offices.models import Budget, Office, OfficeYearFacts, Premises
from staffing.choices import EmploymentType


def _yearly(model, field: str, year: int) -> Subquery:
    return Subquery(model.objects.filter(office=OuterRef("pk"), year=year).values(field)[:1])


def _count(queryset: QuerySet) -> Subquery:
    counted = queryset.order_by().values("office_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_key_facts(offices: QuerySet[Office], *, year: int) -> QuerySet[Office]:
    """`offices` (offices.selectors.office_list) with the year's key facts, each a subquery, so
    the staff counts are not multiplied by joins."""
    from staffing.models import StaffMember

    in_post = StaffMember.objects.filter(office=OuterRef("pk"), ended_on__isnull=True)
    return offices.annotate(
        full_time_staff=_count(in_post.filter(is_full_time=True)),
        civil_servants=_count(in_post.filter(employment_type=EmploymentType.CIVIL_SERVANT)),
        service_population=_yearly(OfficeYearFacts, "service_population", year),
        premises_area=_yearly(Premises, "area_m2", year),
        guaranteed_funds=_yearly(Budget, "guaranteed_funds", year),
        spending=_yearly(Budget, "spending", year),
        record_count=_count(DutyRecord.objects.filter(Q(office=OuterRef("pk")) & Q(date__year=year))),
    )


class OfficeFactsResource(resources.Resource):
    """One office of a county and its key facts for a year."""

    code = fields.Field(attribute="town__code", column_name="民政部代码")
    stat_code = fields.Field(attribute="town__stat_code", column_name="统计用代码")
    town = fields.Field(attribute="town__name", column_name="镇(街道)")
    kind = fields.Field(attribute="town__get_kind_display", column_name="类型")
    name = fields.Field(attribute="name", column_name="民政办")
    active_staff = fields.Field(
        attribute="active_staff", column_name="在岗人员", widget=widgets.IntegerWidget()
    )
    full_time_staff = fields.Field(
        attribute="full_time_staff", column_name="其中专职", widget=widgets.IntegerWidget()
    )
    civil_servants = fields.Field(
        attribute="civil_servants", column_name="其中公务员", widget=widgets.IntegerWidget()
    )
    service_population = fields.Field(
        attribute="service_population", column_name="服务人口", widget=widgets.IntegerWidget()
    )
    premises_area = fields.Field(
        attribute="premises_area", column_name="办公服务场所面积(平方米)", widget=widgets.DecimalWidget()
    )
    guaranteed_funds = fields.Field(
        attribute="guaranteed_funds", column_name="保障办公经费(元)", widget=widgets.DecimalWidget()
    )
    spending = fields.Field(attribute="spending", column_name="实际支出(元)", widget=widgets.DecimalWidget())
    record_count = fields.Field(
        attribute="record_count", column_name="工作台账(条)", widget=widgets.IntegerWidget()
    )
    gaps = fields.Field(column_name="对照标准")

    class Meta:
        export_order = (
            "code",
            "stat_code",
            "town",
            "kind",
            "name",
            "active_staff",
            "full_time_staff",
            "civil_servants",
            "service_population",
            "premises_area",
            "guaranteed_funds",
            "spending",
            "record_count",
            "gaps",
        )

    def __init__(self, *, year: int) -> None:
        super().__init__()
        for name in ("service_population", "premises_area", "guaranteed_funds", "spending", "record_count"):
            self.fields[name].column_name = f"{year}年{self.fields[name].column_name}"
        self.fields["gaps"].column_name = f"{year}年对照标准"

    def dehydrate_gaps(self, office: Office) -> str:
        gaps = getattr(office, "gaps", [])
        if not gaps:
            return "已达到标准"
        return f"{len(gaps)} 项待完善:" + ";".join(g.message for g in gaps)


def county_table(offices: QuerySet[Office], *, year: int, title: str) -> Table:
    """The offices (with the county page's filters applied) and their facts for `year` as a table."""
    rows = list(with_key_facts(offices, year=year))
    gaps = gaps_for(rows, year)
    for office in rows:
        office.gaps = gaps[office.pk]
    dataset = OfficeFactsResource(year=year).export(rows, force_native_type=True)
    return Table(
        title=title,
        headers=list(dataset.headers),
        rows=rows_from_dataset(dataset),
        text_headers=frozenset({"民政部代码", "统计用代码"}),
    )
