"""The county's scoring page with an item's evidence block opened, in Chromium: the block opens
without script, its photo thumbnails load through the evidence preview, and nothing breaks the CSP.
With SCREENSHOTS=1 the opened block is kept as docs/screenshots/21b-county-scoring-evidence.png."""

import pytest

from operations.demo_data import DEMO_PASSWORD, seed_demo_city
from tests.browser.conftest import login, shoot
from tests.browser.tour import COUNTY, TOWN

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_scoring_page_opens_an_items_evidence_in_place(portal, reference_data):
    seed_demo_city()
    login(portal, f"county_{COUNTY}", DEMO_PASSWORD)
    portal.goto(f"{portal.base}/assessment/2012/offices/{TOWN}/score/")
    for code in ("A1", "C1", "D1", "F1"):
        portal.click(f"#item-{code} [data-testid=item-evidence] summary")
    block = portal.locator("#item-C1 [data-testid=item-evidence]")
    assert block.get_attribute("open") is not None
    thumbs = portal.locator("[data-testid=item-evidence][open] img.evidence-thumb")
    assert thumbs.count() > 0
    portal.wait_for_load_state("networkidle")
    assert all(w > 0 for w in thumbs.evaluate_all("imgs => imgs.map(i => i.naturalWidth)"))
    portal.locator("#item-A1").scroll_into_view_if_needed()
    shoot(portal, "21b-county-scoring-evidence")
