"""Brand guidelines are Markdown written by brand admins. Raw HTML in them is escaped before
rendering, and the rendered HTML is sanitised again (nh3), so nothing a brand writes can run in
an expert's browser."""

import markdown
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "h1", "h2", "h3", "h4", "blockquote",
                "code", "pre", "a", "hr"}


@register.filter
def guidelines_markdown(text: str) -> SafeString:
    escaped = (text or "").replace("&", "&amp;").replace("<", "&lt;")
    rendered = markdown.markdown(escaped,
                                 extensions=["sane_lists"], output_format="html")
    cleaned = nh3.clean(rendered, tags=ALLOWED_TAGS, attributes={"a": {"href"}},
                        url_schemes={"http", "https", "mailto"}, link_rel="noopener nofollow")
    return mark_safe(cleaned)  # noqa: S308 - escaped, then sanitised by nh3 above
