from django import template

from sinergi.registry.messages import problem_text, reason_text

register = template.Library()


@register.filter
def problem(code: str) -> str:
    """The person's words for an engine problem code."""
    return problem_text(code)


@register.filter
def duplicate_reason(code: str) -> str:
    """The person's words for why a pair may be one person."""
    return reason_text(code)
