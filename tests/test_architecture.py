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
