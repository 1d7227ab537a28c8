"""The programme the subsidy and report tests share: the hand-worked figures of test_subsidies.py."""

from decimal import Decimal

import pytest

from assessment.choices import MatchingKind
from assessment.subsidies import services as subsidies
from tests import factories

from . import helpers as h

JIANSHE, JIEFANG, XINJIA = "330402007", "330402008", "330402009"
XINCHENG = "330411002"


def D(value: str) -> Decimal:
    return Decimal(value)


@pytest.fixture
def programme(world):
    y2010 = h.year(world, 2010)
    h.result(y2010, JIANSHE, "96.00", True)
    h.result(y2010, JIEFANG, "84.00", False)
    h.result(y2010, XINCHENG, "88.00", True)
    h.result(y2010, XINJIA, "96.50", False, veto_failed=True)
    y2011 = h.year(world, 2011)
    h.result(y2011, JIANSHE, "97.00", True)
    h.result(y2011, JIEFANG, "91.00", True)
    y2012 = h.year(world, 2012, confirmed=False)
    h.result(y2012, XINJIA, "99.00", True)
    programme = y2010.programme
    subsidies.standard_save(
        actor=world.city,
        programme=programme,
        city_award=D("50000"),
        tiers=[(D("90"), D("55000")), (D("95"), D("60000"))],
    )
    subsidies.matchings_save(
        actor=world.city,
        programme=programme,
        entries=[
            subsidies.MatchingEntry(
                county=factories.county("330402"), kind=MatchingKind.AMOUNT, value=D("30000")
            ),
            subsidies.MatchingEntry(
                county=factories.county("330411"), kind=MatchingKind.SHARE, value=D("0.333")
            ),
        ],
    )
    return programme
