"""Template filters for the bank: safe markdown and difficulty badges."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from questions.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> str:
    """Renders per request: for text that has no stored HTML (questions and choices have)."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised by nh3 in render_markdown


@register.filter(name="stored_html")
def stored_html(html: str) -> str:
    """A question's or choice's *_html field, shown as HTML.

    Marked safe only because it was rendered and sanitised by render_markdown when the row was
    written (Question.render_html, the importer, migration 0004); never use it on other text."""
    return mark_safe(html)  # noqa: S308 - sanitised on write by render_markdown


@register.simple_tag
def difficulty_badge(value):
    """A difficulty as a badge coloured by band. Built here rather than from a template: lists
    show one per row (25 template renders a bank page)."""
    if value is None:
        band, label = "none", _("unrated")
    else:
        band = "low" if value <= 4 else "mid" if value <= 7 else "high"
        label = f"{value}/10"
    word = _("Difficulty")
    return format_html(
        '<span class="badge d-{}" title="{}"><span class="visually-hidden">{} </span>{}</span>',
        band,
        word,
        word,
        label,
    )
