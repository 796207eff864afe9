from django import template

register = template.Library()


@register.filter
def negate(value: int) -> int:
    return -int(value)
