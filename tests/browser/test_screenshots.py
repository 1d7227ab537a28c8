"""A tour of the main pages of the demo city, as each role sees them, in Chromium: every page answers
200 and loads nothing from outside the portal. With SCREENSHOTS=1 (`make screenshots`) it also
saves the pictures in docs/screenshots/ for the README, the phone-sized ones as phone-*.png. The
pages are listed in tests/browser/tour.py."""

import pytest

from operations.demo_data import seed_demo_city
from tests.browser.conftest import shoot
from tests.browser.tour import walk

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_city(reference_data):
    seed_demo_city()


def test_tour_of_the_demo_city(portal, demo_city):
    for stop in walk(portal):
        shoot(portal, stop.name)
