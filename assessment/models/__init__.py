"""The annual assessment's models, one module per subdomain: the catalog (programmes, catalogs and
their items), the workflow (years, county results, assessments, item scores, the log, rectification
tasks), subsidies (standard, tiers, matching, payments) and background jobs."""

from .catalog import CatalogItem, CatalogVersion, Programme, staffing_norm
from .corrections import Correction
from .jobs import ExportJob
from .subsidies import CountyMatching, Payment, SubsidyStandard, SubsidyTier
from .workflow import Assessment, AssessmentYear, CountyResult, ItemScore, RectificationTask, WorkflowEvent

__all__ = [
    "Assessment",
    "AssessmentYear",
    "CatalogItem",
    "CatalogVersion",
    "Correction",
    "CountyMatching",
    "CountyResult",
    "ExportJob",
    "ItemScore",
    "Payment",
    "Programme",
    "RectificationTask",
    "SubsidyStandard",
    "SubsidyTier",
    "WorkflowEvent",
    "staffing_norm",
]
