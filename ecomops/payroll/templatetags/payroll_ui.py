"""Template filters of the pay pages: completions as percentages, money in yuan."""

from decimal import Decimal

from django import template

from ecomops.payroll.compute import pct, yuan

register = template.Library()


@register.filter
def percent(value):
    """A completion fraction as 112.40%."""
    if value is None or value == "":
        return "—"
    return pct(Decimal(value))


@register.filter
def money(value):
    if value is None or value == "":
        return "—"
    return yuan(Decimal(value))


@register.filter
def rate(value):
    """A rate fraction as 1.5%."""
    from ecomops.policy.kinds import fmt_percent

    if value is None or value == "":
        return "—"
    return fmt_percent(Decimal(value))
