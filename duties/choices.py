from django.db import models


class SheetState(models.TextChoices):
    """Where a duty stands on an office's duty sheet."""

    FILLED = "filled", "已明确"
    NOT_APPLICABLE = "not_applicable", "不适用"
    MISSING = "missing", "未填写"
