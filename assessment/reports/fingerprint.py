"""The fingerprint of a year's report data: `data_fingerprint` hashes exactly what the award reports
and the city summary read (divisions, the programme, its assessments and years, payments, standard,
tiers and matchings), so any change, even one written in bulk without an audit row, gives another
fingerprint. The zip export and the kept PDFs (cache.py) are reused only while it stays the same."""

import hashlib

from offices.models import County, Office, Town

from ..models import (
    Assessment,
    AssessmentYear,
    CountyMatching,
    Payment,
    Programme,
    SubsidyStandard,
    SubsidyTier,
)


def data_fingerprint(year: int) -> str:
    """A hash of everything the year's reports are made from. Twelve queries, whatever the size."""
    digest = hashlib.sha256(f"reports-{year}".encode())

    def feed(rows) -> None:
        for row in rows:
            digest.update(repr(tuple(row)).encode())
        digest.update(b"\x1e")

    opened = AssessmentYear.objects.filter(year=year).first()
    if opened is None:
        return digest.hexdigest()
    programme_id = opened.programme_id
    feed(Programme.objects.filter(pk=programme_id).values_list("name", "start_year", "years"))
    feed(
        AssessmentYear.objects.filter(programme_id=programme_id)
        .order_by("year")
        .values_list("year", "state", "catalog_id")
    )
    feed(County.objects.order_by("pk").values_list("pk", "code", "name"))
    feed(Town.objects.order_by("pk").values_list("pk", "county_id", "code", "name", "kind"))
    feed(Office.objects.order_by("pk").values_list("pk", "town_id", "name"))
    feed(
        Assessment.objects.filter(assessment_year__programme_id=programme_id, assessment_year__year__lte=year)
        .order_by("pk")
        .values_list("pk", "assessment_year_id", "office_id", "state", "total", "result")
    )
    feed(
        Payment.objects.filter(programme_id=programme_id)
        .order_by("pk")
        .values_list(
            "pk",
            "office_id",
            "year",
            "score",
            "city_amount",
            "county_amount",
            "county_basis",
            "paid",
            "paid_on",
            "county_paid",
            "county_paid_on",
        )
    )
    feed(
        Payment.objects.filter(programme_id=programme_id)
        .order_by("pk")
        .values_list("document_no", "county_document_no")
    )
    feed(SubsidyStandard.objects.filter(programme_id=programme_id).values_list("city_award"))
    feed(
        SubsidyTier.objects.filter(standard__programme_id=programme_id)
        .order_by("min_score")
        .values_list("min_score", "amount")
    )
    feed(
        CountyMatching.objects.filter(programme_id=programme_id)
        .order_by("county_id")
        .values_list("county_id", "kind", "amount", "share")
    )
    return digest.hexdigest()
