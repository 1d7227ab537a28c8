"""Number formats users expect (DOMAIN.md): 45,000 人, 1,234.50 元; the zh-hans locale groups no digits."""

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def thousands(value) -> str:
    """45000 → 45,000."""
    if value in (None, ""):
        return ""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


@register.filter
def yuan(value) -> str:
    """Money with two decimals and grouped digits: 1234.5 → 1,234.50."""
    if value in (None, ""):
        return ""
    try:
        return f"{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
