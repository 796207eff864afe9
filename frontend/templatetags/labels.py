"""`{{ code|label:"kind" }}`: the words for a stored code (frontend/labels.py). Loaded in every
template (TEMPLATES' builtins)."""

from django import template

from frontend import labels

register = template.Library()


@register.filter(name="label")
def label_filter(code: object, kind: str) -> str:
    return labels.label(code, kind)
