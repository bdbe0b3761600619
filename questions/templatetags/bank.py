"""Template filters for the bank: safe markdown and difficulty badges."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from questions.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> str:
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3 in render_markdown


@register.inclusion_tag("questions/_difficulty.html")
def difficulty_badge(value):
    if value is None:
        band, label = "none", _("unrated")
    else:
        band = "low" if value <= 4 else "mid" if value <= 7 else "high"
        label = f"{value}/10"
    return {"value": value, "band": band, "label": label}
