"""The demo programme's award subsidies (以奖代补): the city's standard with a tier for high scores,
each county's matching subsidy (some a fixed amount, some a share of the city's award), the payments
worked out from the confirmed years, and 2010's marked paid under the city's allocation document.

Safe to run again: the standard and matchings are set only where missing, and only unpaid 2010
payments are marked."""

import datetime as dt
from decimal import Decimal

from assessment.choices import MatchingKind
from assessment.models import Payment, Programme, SubsidyStandard
from assessment.subsidies import services as subsidies
from offices.models import County
from portal.models import User

CITY_AWARD = Decimal("50000.00")
TIERS = [(Decimal("95"), Decimal("60000.00"))]
# 南湖区, 嘉善县 and 平湖市 add a fixed amount per town; the others a share of the city's award.
MATCHING = {
    "330402": (MatchingKind.AMOUNT, Decimal("30000.00")),
    "330411": (MatchingKind.SHARE, Decimal("0.500")),
    "330421": (MatchingKind.AMOUNT, Decimal("25000.00")),
    "330424": (MatchingKind.SHARE, Decimal("0.600")),
    "330481": (MatchingKind.SHARE, Decimal("1.000")),
    "330482": (MatchingKind.AMOUNT, Decimal("40000.00")),
    "330483": (MatchingKind.SHARE, Decimal("0.800")),
}
PAID_2010 = (dt.date(2011, 3, 15), "嘉民〔2011〕18号")


def seed_subsidies() -> int:
    """Set the demo programme's standard and matchings where missing, compute the payments and mark
    2010's paid; returns how many payments were marked paid now."""
    programme = Programme.objects.filter(start_year=2010).first()
    city = User.objects.filter(username="city").first()
    if programme is None or city is None:
        return 0
    if not SubsidyStandard.objects.filter(programme=programme).exists():
        subsidies.standard_save(
            actor=city,
            programme=programme,
            city_award=CITY_AWARD,
            tiers=TIERS,
            note="对考核合格的镇(街道)给予一次性以奖代补;得分95分及以上的提高奖补标准。",
        )
    set_already = set(programme.county_matchings.values_list("county__code", flat=True))
    entries = [
        subsidies.MatchingEntry(county=county, kind=kind, value=value)
        for county in County.objects.filter(code__in=MATCHING).exclude(code__in=set_already)
        for kind, value in [MATCHING[county.code]]
    ]
    if entries:
        subsidies.matchings_save(actor=city, programme=programme, entries=entries)
    subsidies.payments_refresh(programme=programme, actor=city)
    due_2010 = list(Payment.objects.filter(programme=programme, year=2010, paid=False))
    if due_2010:
        paid_on, document_no = PAID_2010
        subsidies.payments_mark_paid(actor=city, payments=due_2010, paid_on=paid_on, document_no=document_no)
    return len(due_2010)
