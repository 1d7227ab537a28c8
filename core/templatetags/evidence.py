"""`{% load evidence %}`: what kind a stored evidence file is, from its stored name alone (no file is
read, so a list of many files costs nothing more)."""

from django import template

from core.evidence import EvidenceKind, stored_kind

register = template.Library()


@register.filter
def evidence_kind(file) -> EvidenceKind | None:
    """`{{ record.file|evidence_kind }}`: the kind (`.is_image`, `.office`, `.label`), or None."""
    name = getattr(file, "name", file) or ""
    return stored_kind(str(name))
