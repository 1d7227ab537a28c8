"""The layout holds: the floors of docs/architecture.md are kept, selectors only read, templates ask
the permission door instead of comparing roles, and no file of the assessment outgrows a screen of
reading. These fail the suite when a change breaks the house, not only the lint step."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ["core", "portal", "offices", "duties", "staffing", "assessment", "overview", "operations"]
WRITES = {
    "save",
    "delete",
    "update",
    "create",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
    "full_clean",
}


def _sources(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def test_import_layers_are_kept():
    """lint-imports checks the layers contract of pyproject.toml: no package imports one above it."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("package", PACKAGES)
def test_selectors_only_read(package):
    """A selector that writes makes a page view change data: writes belong to services."""
    offenders = []
    for path in _sources(package):
        if not (path.stem.endswith("selectors") or path.parent.name == "selectors"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in WRITES
                and not (isinstance(node.func.value, ast.Name) and node.func.value.id in {"dict", "set"})
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.func.attr}()")
            # Nor through a service or the record guard: those are the writes.
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and (node.module.endswith("services") or node.module == "core.records")
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}")
    assert offenders == []


def test_no_template_compares_roles():
    """Templates ask `can.<predicate>` (portal.permissions.Can), never `user.role == "…"`."""
    pattern = re.compile(r"\.role\s*(==|!=)|role\s*(==|!=)\s*['\"]|with role=")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_no_template_spells_a_state():
    """States, results and levels are compared with their TextChoices (`a.state == a.State.OPEN`), so
    renaming a value cannot silently break a page."""
    pattern = re.compile(r"\.(state|result|level|method|kind)\s*(==|!=)\s*['\"]")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_assessment_files_stay_small():
    too_long = {
        str(path.relative_to(ROOT)): count
        for path in _sources("assessment")
        if (count := len(path.read_text().splitlines())) > 600
    }
    assert too_long == {}


def test_every_free_text_field_has_a_length_limit_in_the_database():
    """Each TextField and each CharField without choices of our apps has a max_length (forms refuse
    more, with a Chinese error beside the field) and its `<app>_<model>_<field>_len` check constraint
    (core/text.py) at the same limit, so the database refuses more too, SQLite included. History
    tables (simple_history's Historical* models) copy the rows that were allowed in."""
    from django.apps import apps
    from django.db import models
    from django.db.models import F
    from django.db.models.functions import Length
    from django.db.models.lookups import LessThanOrEqual

    def limit_of(constraint, field_name: str):
        condition = getattr(constraint, "condition", None)
        if not (isinstance(condition, LessThanOrEqual) and isinstance(condition.lhs, Length)):
            return None
        (source,) = condition.lhs.get_source_expressions()
        return condition.rhs if isinstance(source, F) and source.name == field_name else None

    offenders = []
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in PACKAGES or model.__name__.startswith("Historical"):
            continue
        checks = {c.name: c for c in meta.constraints if isinstance(c, models.CheckConstraint)}
        for field in meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField) or field.choices:
                continue
            name = f"{meta.app_label}_{meta.model_name}_{field.name}_len"
            limit = limit_of(checks.get(name), field.name)
            if field.max_length is None or limit != field.max_length:
                offenders.append(f"{meta.label}.{field.name}: max_length {field.max_length}, {name} {limit}")
    assert offenders == []
