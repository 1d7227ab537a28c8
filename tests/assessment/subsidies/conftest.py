"""The subsidy tests share the hand-worked programme of the report tests."""

from tests.assessment.reports.conftest import programme  # noqa: F401  (a fixture)
