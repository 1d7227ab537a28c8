"""How long free text may be: the named limits, the check constraints that make the database keep
them, and the one way the portal shortens text it composes itself.

A TextField has no limit of its own (100,000 characters were once stored in one), and SQLite does
not enforce a CharField's max_length, which PostgreSQL's varchar does. A check constraint on the
text's length keeps the same limit on both databases, whichever way a row is written: a form, a
service, a bulk import or the admin. The field's own max_length keeps it in forms (the browser's
maxlength, a Chinese error beside the field) before the database has to refuse anything."""

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

# A note, comment, opinion or reason: 2,000 characters of Chinese fill a printed A4 page, more than
# an inspector's opinion or a reason ever needs; the workflow's comment forms allowed 2,000 before
# the database did.
NOTE = 2000
# Longer content an office writes about its work: a duty record, a plan's summary, a training's
# content, an internal check's findings and measures, the standards of a duty, the self-assessment's
# overall note. 5,000 characters are about three A4 pages; anything longer is a document, and
# belongs in the attached file, not in a text box.
CONTENT = 5000

# PostgreSQL cuts identifiers at 63 bytes: two long names cut to the same prefix would collide.
MAX_NAME = 63


def length_limits(prefix: str, **limits: int) -> list[models.CheckConstraint]:
    """One check constraint per field, that its text is at most `limit` characters long:
    `length_limits("duties_dutyrecord", content=CONTENT, title=200)`. The prefix is the model's
    `<app>_<model>`, so each name, `<app>_<model>_<field>_len`, is unique in the project; the
    architecture test finds a field's constraint by that name.

    The condition is a lookup expression rather than a registered `__length` lookup, so the
    migrations that hold it need nothing registered to be read. A NULL (an empty optional code)
    passes, as a check constraint lets NULL through."""
    constraints = []
    for field, limit in limits.items():
        name = f"{prefix}_{field}_len"
        if len(name.encode()) > MAX_NAME:
            raise ImproperlyConfigured(f"Constraint name {name!r} is longer than {MAX_NAME} bytes.")
        constraints.append(
            models.CheckConstraint(
                name=name,
                condition=LessThanOrEqual(Length(field), limit),
                # The model's field names are out of reach here (Meta is built before them), so the
                # message names the limit; a form shows the field's own error first in any case.
                violation_error_message=f"填写的文字过长:此项最多 {limit} 个字,请删减后再保存。",
            )
        )
    return constraints


def clip(text: str, limit: int, *, keep_end: bool = False) -> str:
    """`text` cut to at most `limit` characters, marked with "…" where it was cut: for text the
    portal composes itself (a log comment, an error, a note it appends to) and writes into a limited
    field, so such a write is never refused for its length. `keep_end` keeps the newest part of a
    text that grows at its end."""
    if len(text) <= limit:
        return text
    if keep_end:
        return "…" + text[len(text) - limit + 1 :]
    return text[: limit - 1] + "…"


def limit_of(model: type[models.Model], field: str) -> int:
    """The length limit of a model's text field, for a path that is not its form (an import)."""
    return model._meta.get_field(field).max_length
