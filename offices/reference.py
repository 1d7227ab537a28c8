"""The city's counties and towns, from fixtures/jiaxing_towns.csv (Ministry table of 2025-12-31 and the
statistics bureau's 2023 codes). Used by a data migration and by `load_reference_data`."""

import csv
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

TOWNS_CSV = Path(settings.BASE_DIR) / "fixtures" / "jiaxing_towns.csv"


@dataclass(frozen=True)
class TownRow:
    county_code: str
    county_name: str
    town_code: str
    town_name: str
    kind: str
    stat_code: str


def read_towns(path: Path = TOWNS_CSV) -> list[TownRow]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            TownRow(
                county_code=row["county_code"].strip(),
                county_name=row["county_name"].strip(),
                town_code=row["town_code"].strip(),
                town_name=row["town_name"].strip(),
                kind=row["kind"].strip(),
                stat_code=row["nbs_stat_code_2023"].strip(),
            )
            for row in csv.DictReader(handle)
        ]


def load_divisions(county_model, town_model, office_model, rows: list[TownRow] | None = None) -> int:
    """Create or update every county, town and its office; return how many towns were read.

    Takes the model classes so the migration can pass its historical models. Matches towns by the
    Ministry code only: the statistics code is stored, never used to find a town."""
    rows = read_towns() if rows is None else rows
    counties = {}
    for row in rows:
        if row.county_code not in counties:
            county, _ = county_model.objects.update_or_create(
                code=row.county_code, defaults={"name": row.county_name}
            )
            counties[row.county_code] = county
        town, _ = town_model.objects.update_or_create(
            code=row.town_code,
            defaults={
                "county": counties[row.county_code],
                "name": row.town_name,
                "kind": row.kind,
                "stat_code": row.stat_code or None,
            },
        )
        office_model.objects.get_or_create(town=town, defaults={"name": f"{row.town_name}民政办公室"})
    return len(rows)
