"""What a record's edit page says about corrections (registered with portal.record_views in the
assessment's ready()): why the record is read-only, a button to ask for a correction when one is the
way to change it, and the corrections it had (已更正, 待审核) with who, when and why."""

from urllib.parse import urlencode

from django.db.models import Model
from django.http import HttpRequest
from django.urls import reverse

from assessment.choices import CorrectionState
from core.locks import problems, years_of
from core.registry import office_record_of
from portal.record_views import RecordNote, RecordNotice

from . import selectors
from .kinds import KINDS
from .services import may_file, touched_by


def correction_url(office: Model, label: str, obj: Model) -> str:
    """The new-correction page for a record (or, unsaved, for adding it with its year and kind)."""
    kind = KINDS[label]
    params: dict[str, object] = {"record": label}
    if obj.pk is not None:
        params["pk"] = obj.pk
    else:
        params["new"] = 1
        for name in kind.keys:
            params[name] = getattr(obj, kind.model._meta.get_field(name).attname)
    return reverse("assessment:correction_create", args=[office.town.code]) + "?" + urlencode(params)


def record_notice(request: HttpRequest, office: Model, obj: Model) -> RecordNotice | None:
    label = obj._meta.label_lower
    entry = office_record_of(type(obj))
    if entry is None or entry.counts_in is None:
        return None
    notice = RecordNotice(locked=problems([(None, obj)])[0] or "")
    kind = KINDS.get(label)
    correctable = notice.locked and kind is not None and (obj.pk is not None or kind.addable)
    if (
        correctable
        and may_file(request.user, office)
        and touched_by(office.pk, years_of(obj, entry.counts_in)).decided
    ):
        notice.correct_url = correction_url(office, label, obj)
    if obj.pk is not None:
        for correction in selectors.record_corrections(label=label, record_id=obj.pk).filter(
            state__in=selectors.SHOWN_STATES
        ):
            notice.notes.append(
                RecordNote(
                    state=correction.get_state_display(),
                    done=correction.state == CorrectionState.APPROVED,
                    who=_who(correction),
                    when=correction.decided_at or correction.created_at,
                    why=correction.reason,
                    url=reverse("assessment:correction_detail", args=[correction.pk]),
                )
            )
    return notice if notice.locked or notice.notes else None


def _who(correction) -> str:
    filed = correction.filed_by.display_name if correction.filed_by else "系统"
    if correction.state == CorrectionState.APPROVED and correction.decided_by:
        return f"{filed}申请,{correction.decided_by.display_name}批准"
    return f"{filed}申请"
