"""Permission-matrix rows of the correction pages (see tests/matrix.py).

Each side's 2010 assessment is put back to 县级已审定 (approved, the year open) before a request, so a
correction of its 2010 budget is filed at the county's level by the side's own town; rows whose POST
decides or withdraws get a fresh pending request each time. The year is the workflow rows' (opened on
first use, see tests/assessment/workflow/matrix_rows.py)."""

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessment.choices import AssessmentState
from assessment.corrections import services
from assessment.corrections.kinds import changes_between
from assessment.models import Correction
from offices.models import Budget
from tests.assessment.workflow.matrix_rows import _reset
from tests.evidence_samples import pdf_bytes
from tests.matrix import SAFE_ONLY, Row, always, city_only, county_scope, office, office_scope

FUNDS = Decimal("50000")


def _budget(world, side: str) -> Budget:
    """The side's 2010 budget as the matrix built it, its year approved, no request on it."""
    _reset(world, side, AssessmentState.APPROVED)
    budget = world.budgets[side]
    Budget.objects.filter(pk=budget.pk).update(guaranteed_funds=FUNDS)
    Correction.objects.filter(office=office(world, side)).delete()
    return Budget.objects.get(pk=budget.pk)


def _pending(world, side: str) -> Correction:
    budget = _budget(world, side)
    after = Budget.objects.get(pk=budget.pk)
    after.guaranteed_funds = Decimal("60000")
    return services.correction_file(
        actor=world.town_a if side == "a" else world.town_c,
        office=office(world, side),
        record_label="offices.budget",
        record_id=budget.pk,
        changes=changes_between(budget, after, ["guaranteed_funds"]),
        problem="经费少填",
        reason="以拨款文件为准",
    )


def _create_url(world, side: str) -> str:
    budget = _budget(world, side)
    url = reverse("assessment:correction_create", args=[office(world, side).town.code])
    return f"{url}?record=offices.budget&pk={budget.pk}"


def _create_payload(world, side: str) -> dict:
    return {
        "record-guaranteed_funds": "60000",
        "record-spending": "0",
        "record-note": "",
        "problem": "经费少填",
        "reason": "以拨款文件为准",
        "evidence": SimpleUploadedFile("依据.pdf", pdf_bytes(), content_type="application/pdf"),
    }


def _correction_url(name: str):
    def url(world, side: str) -> str:
        return reverse(f"assessment:{name}", args=[_pending(world, side).pk])

    return url


def _office_list_url(world, side: str) -> str:
    _pending(world, side)
    return reverse("assessment:correction_list", args=[office(world, side).town.code])


def _county_list_url(world, side: str) -> str:
    _pending(world, side)
    return reverse("assessment:county_corrections", args=[office(world, side).town.county.code])


def _city_list_url(world, side: str) -> str:
    _pending(world, side)
    return reverse("assessment:city_corrections")


# -- expectations ---------------------------------------------------------------------------------


def _in_scope_then(ok: int, roles: tuple[str, ...]):
    """For those who can see the office: `ok` for `roles`, 403 for the others."""

    def expect(role: str, side: str) -> int:
        seen = office_scope(role, side)
        if seen != 200:
            return seen
        return ok if role in roles else 403

    return expect


def _writes_for(roles: tuple[str, ...]):
    return lambda role, side, status: role in roles and role[-1] == side and status == 302


TOWNS = ("town_a", "town_c")
COUNTIES = ("county_a", "county_c")

ROWS: dict[str, Row] = {
    "assessment:correction_list": Row(_office_list_url, get=office_scope, post=always(SAFE_ONLY)),
    "assessment:correction_create": Row(
        _create_url,
        get=_in_scope_then(200, TOWNS + COUNTIES),
        post=_in_scope_then(302, TOWNS + COUNTIES),
        payload=_create_payload,
        writes=_writes_for(TOWNS + COUNTIES),
    ),
    "assessment:correction_detail": Row(
        _correction_url("correction_detail"), get=office_scope, post=always(SAFE_ONLY)
    ),
    # Filed while the year is open: its county decides; the city only once the year is confirmed.
    "assessment:correction_decide": Row(
        _correction_url("correction_decide"),
        get=always(SAFE_ONLY),
        post=_in_scope_then(302, COUNTIES),
        payload=lambda w, s: {"decision": "approve", "note": "核实无误"},
        writes=_writes_for(COUNTIES),
    ),
    # Filed by the town: its staff withdraw it; the county rejects rather than withdraws.
    "assessment:correction_withdraw": Row(
        _correction_url("correction_withdraw"),
        get=always(SAFE_ONLY),
        post=_in_scope_then(302, TOWNS),
        writes=_writes_for(TOWNS),
    ),
    "assessment:county_corrections": Row(_county_list_url, get=county_scope, post=always(SAFE_ONLY)),
    "assessment:city_corrections": Row(_city_list_url, get=city_only, post=always(SAFE_ONLY)),
}
