"""Writes of the city's configuration: programmes, and the catalog of each year until a year is opened
on it (then it is locked: the year's results are always scored by it)."""

from decimal import Decimal

from django.db import transaction

from assessment.choices import Method
from assessment.errors import ensure
from assessment.models import (
    CatalogItem,
    CatalogVersion,
    Programme,
)
from core.records import record_save
from portal.choices import Role
from portal.models import User
from portal.permissions import require_role

# -- the city's configuration ---------------------------------------------------------------------


@transaction.atomic
def programme_create(*, actor: User, name: str, start_year: int, years: int = 3, note: str = "") -> Programme:
    """A three-year programme (or another length) of standardization."""
    require_role(actor, Role.CITY)
    return record_save(
        actor=actor, instance=Programme(name=name, start_year=start_year, years=years, note=note)
    )


@transaction.atomic
def catalog_copy(*, actor: User, source: CatalogVersion, year: int) -> CatalogVersion:
    """Start a year's catalog as a copy of another year's, to be edited before the year opens."""
    require_role(actor, Role.CITY)
    ensure(not CatalogVersion.objects.filter(year=year).exists(), f"{year}年的考核细则已存在。")
    copy = record_save(
        actor=actor,
        instance=CatalogVersion(
            year=year, pass_mark=source.pass_mark, staffing_bands=source.staffing_bands, copied_from=source
        ),
    )
    for item in source.items.all():
        record_save(
            actor=actor,
            instance=CatalogItem(
                catalog=copy,
                section=item.section,
                code=item.code,
                text=item.text,
                points=item.points,
                method=item.method,
                rule=item.rule,
                params=dict(item.params),
                is_veto=item.is_veto,
                order=item.order,
            ),
        )
    return copy


def catalog_check_editable(version: CatalogVersion) -> None:
    ensure(not version.locked, f"{version.year}年考核细则已用于年度考核,已锁定,不能修改。")


@transaction.atomic
def catalog_item_save(*, actor: User, item: CatalogItem, expected_version: int | None) -> CatalogItem:
    """Create or change an item of a catalog that no year has been opened on yet."""
    require_role(actor, Role.CITY)
    catalog_check_editable(CatalogVersion.objects.get(pk=item.catalog_id))
    if item.method == Method.INSPECTOR:
        item.rule = ""
    return record_save(actor=actor, instance=item, expected_version=expected_version)


@transaction.atomic
def catalog_save(*, actor: User, version: CatalogVersion, expected_version: int | None) -> CatalogVersion:
    """Change a catalog's pass mark or staffing bands before its year is opened."""
    require_role(actor, Role.CITY)
    catalog_check_editable(CatalogVersion.objects.get(pk=version.pk))
    return record_save(actor=actor, instance=version, expected_version=expected_version)


def catalog_points(version: CatalogVersion) -> Decimal:
    return sum((i.points for i in version.items.all()), Decimal(0))
