"""The demo programme's award subsidies (以奖代补): the city's standard with a tier for high scores,
each county's matching subsidy set by the county itself (some a fixed amount, some a share of the
city's award), 秀洲区's locked by the city, the payments worked out from the confirmed years, 2010's
city award marked paid under the city's allocation document, and 南湖区's and 海宁市's 2010 matching
marked paid under their own documents: the demo shows payments with the city's part paid only and
with both parts paid.

Safe to run again: the standard and matchings are set only where missing, the lock only when not
locked, and only unpaid parts are marked."""

import datetime as dt
from decimal import Decimal

from assessment.choices import MatchingKind
from assessment.models import CountyMatching, Payment, Programme, SubsidyStandard
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
LOCKED = "330411"  # the city has locked 秀洲区's matching
PAID_2010 = (dt.date(2011, 3, 15), "嘉民〔2011〕18号")
# The counties that have paid their 2010 matching, each under its own document.
COUNTY_PAID_2010 = {
    "330402": (dt.date(2011, 4, 8), "南民〔2011〕6号"),
    "330481": (dt.date(2011, 4, 20), "海民〔2011〕12号"),
}


def _county_user(code: str) -> User | None:
    return User.objects.filter(username=f"county_{code}").first()


def seed_subsidies() -> int:
    """Set the demo programme's standard (the city) and matchings (each county its own) where
    missing, lock 秀洲区's, compute the payments, mark 2010's city award paid and two counties' 2010
    matching paid; returns how many parts were marked paid now."""
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
    for county in County.objects.filter(code__in=MATCHING).exclude(code__in=set_already).order_by("code"):
        kind, value = MATCHING[county.code]
        subsidies.matching_save(
            actor=_county_user(county.code) or city,
            programme=programme,
            county=county,
            kind=kind,
            value=value,
        )
    locked = CountyMatching.objects.filter(programme=programme, county__code=LOCKED, locked=False).first()
    if locked is not None:
        subsidies.matching_lock(actor=city, programme=programme, county=locked.county, locked=True)
    subsidies.payments_refresh(programme=programme, actor=city)
    marked = 0
    due_2010 = list(Payment.objects.filter(programme=programme, year=2010, paid=False))
    if due_2010:
        paid_on, document_no = PAID_2010
        marked += len(
            subsidies.payments_mark_paid(
                actor=city, payments=due_2010, paid_on=paid_on, document_no=document_no
            )
        )
    for code, (paid_on, document_no) in COUNTY_PAID_2010.items():
        inspector = _county_user(code)
        unpaid = list(
            Payment.objects.filter(
                programme=programme, year=2010, office__town__county__code=code, county_paid=False
            ).filter(county_amount__gt=0)
        )
        if inspector is None or not unpaid:
            continue
        marked += len(
            subsidies.payments_mark_county_paid(
                actor=inspector, payments=unpaid, paid_on=paid_on, document_no=document_no
            )
        )
    return marked
