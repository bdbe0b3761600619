"""Markdown to safe HTML: a CommonMark parser with tables, then an allow-list sanitiser."""

import re

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "img",
    "sup",
    "sub",
    "span",
    "div",
    "details",
    "summary",
    "kbd",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align", "style"},
    "td": {"align", "style"},
    "code": {"class"},
    "ol": {"start"},
}


# Raw HTML in a question is kept only for the allowed tags. Anything else written in angle
# brackets is text the author meant to show, such as `<service-name>.<namespace>` or `<PubKey1>`:
# it is escaped here, so the sanitiser does not take it for an unknown tag and drop it.
_ALLOWED_NAMES = "|".join(sorted(ALLOWED_TAGS, key=len, reverse=True))
_NOT_ALLOWED_TAG = re.compile(rf"<(?!!--|/?(?:{_ALLOWED_NAMES})(?=[\s/>]))", re.IGNORECASE)


def _raw_html(renderer, tokens, idx, options, env) -> str:
    return _NOT_ALLOWED_TAG.sub("&lt;", tokens[idx].content)


_md.add_render_rule("html_inline", _raw_html)
_md.add_render_rule("html_block", _raw_html)


def _safe_image_source(element: str, attribute: str, value: str) -> str | None:
    """Images come from this site or are inline data: a question never makes the browser
    fetch from elsewhere (tracking, or a page that breaks offline)."""
    if element == "img" and attribute == "src":
        same_site = value.startswith("/") and not value.startswith("//")
        return value if same_site or value.startswith("data:image/") else None
    if value.strip().lower().startswith("data:"):
        return None  # data: URLs only as image sources
    return value


def render_markdown(text: str) -> str:
    """HTML for user-written markdown: scripts, event handlers and javascript: URLs removed."""
    if not text:
        return ""
    html = _md.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "data"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
        attribute_filter=_safe_image_source,
    )
