from django import template

from sinergi.registry.messages import problem_text

register = template.Library()


@register.filter
def problem(code: str) -> str:
    """The person's words for an engine problem code."""
    return problem_text(code)
