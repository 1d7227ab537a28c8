"""A form sent by static/js/upload.js gets its redirect as a 204 naming where to go
(portal.middleware.UploadRedirectMiddleware), so the next page's one-time message is still there when
the browser goes to it; any other request gets the ordinary redirect."""

import pytest
from django.urls import reverse

from duties.models import Duty
from tests import factories

pytestmark = pytest.mark.django_db


def _form(world):
    url = reverse("duties:record_create", args=[world.office_a.town.code])
    data = {"duty": Duty.objects.get(number=3).pk, "date": "2010-08-01", "title": "八一走访", "version": ""}
    return url, data


def test_the_script_is_told_where_to_go_and_the_message_waits_there(world):
    client = factories.client_for(world.town_a)
    url, data = _form(world)
    response = client.post(url, data, HTTP_X_PORTAL_UPLOAD="1")
    assert response.status_code == 204 and response.content == b""
    next_page = response["X-Portal-Location"]
    assert next_page.startswith("/offices/")
    # The message was not read on the way: the page the browser goes to shows it, once.
    assert "工作台账已新建。" in client.get(next_page).content.decode()
    assert "工作台账已新建。" not in client.get(next_page).content.decode()


def test_an_ordinary_submit_is_redirected_as_before(world):
    client = factories.client_for(world.town_a)
    url, data = _form(world)
    response = client.post(url, data)
    assert response.status_code == 302 and "X-Portal-Location" not in response


def test_a_form_with_errors_is_answered_in_place(world):
    client = factories.client_for(world.town_a)
    url, data = _form(world)
    response = client.post(url, {**data, "title": ""}, HTTP_X_PORTAL_UPLOAD="1")
    assert response.status_code == 200 and "X-Portal-Location" not in response
