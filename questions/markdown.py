"""Markdown to safe HTML: a CommonMark parser with tables, then an allow-list sanitiser."""

import re
from urllib.parse import SplitResult, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from .limits import HTML_MAX_NESTING

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
    token = tokens[idx]
    if env.get("raw_html_as_text"):
        # `&` and `<` are all text needs; escaping `>` too makes sanitising slower for nothing.
        text = token.content.replace("&", "&amp;").replace("<", "&lt;")
        return f"<p>{text.rstrip()}</p>\n" if token.type == "html_block" else text
    return _NOT_ALLOWED_TAG.sub("&lt;", token.content)


_md.add_render_rule("html_inline", _raw_html)
_md.add_render_rule("html_block", _raw_html)


# What a browser does to an attribute's URL before parsing it (WHATWG URL standard): strip
# leading and trailing C0 controls and spaces, drop tabs and newlines anywhere, and read `\`
# as `/` (for http(s) pages). `/\evil.example/x.png` and `/<tab>/evil.example` are `//evil...`.
_C0_OR_SPACE = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
_RASTER_IMAGES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp"}


def _as_browser_reads(url: str) -> str:
    return _TAB_OR_NEWLINE.sub("", url.strip(_C0_OR_SPACE)).replace("\\", "/")


def _split(url: str) -> SplitResult | None:
    try:
        return urlsplit(url)
    except ValueError:  # e.g. an unclosed `[` of an IPv6 host: no URL a browser would load
        return None


def _image_source(url: str) -> str | None:
    """The source a browser would load if it is this site or an inline raster image, else None."""
    url = _as_browser_reads(url)
    parts = _split(url)
    if parts is None:
        return None
    if parts.scheme.lower() == "data":
        media_type = parts.path.split(",", 1)[0].split(";", 1)[0].strip().lower()
        return url if media_type in _RASTER_IMAGES else None
    # Any number of slashes names a host to a browser (`///evil.example`), so a path that
    # starts with two is refused even where urlsplit sees no host.
    if parts.scheme or parts.netloc or url.startswith("//"):
        return None
    return url


def _safe_image_source(element: str, attribute: str, value: str) -> str | None:
    """Images come from this site or are inline data: a question never makes the browser
    fetch from elsewhere (tracking, or a page that breaks offline)."""
    if element == "img" and attribute == "src":
        return _image_source(value)
    parts = _split(_as_browser_reads(value))
    if parts is None or parts.scheme.lower() == "data":
        return None  # data: URLs only as image sources
    return value


# Elements with no content, and those a parser closes when a sibling of the same name opens
# (`<li>a<li>b` is two items, not one inside the other).
_VOID = {"br", "hr", "img"}
_CLOSED_BY_SIBLING = {"p", "li", "tr", "td", "th"}
_TAG = re.compile(r"<(/?)([a-z][a-z0-9]*)", re.IGNORECASE)


def _raw_html_tokens(tokens: list[Token]):
    for token in tokens:
        if token.type in ("html_block", "html_inline"):
            yield token.content
        if token.children:
            yield from _raw_html_tokens(token.children)


def _too_deep(raw_html_pieces, limit: int) -> bool:
    """Whether the allowed tags written as raw HTML nest deeper than `limit`.

    One pass over the text, stopping at the limit: it may count a little more than a browser
    would (a `<div` inside an attribute), never less, so nothing deep gets past it."""
    open_tags: list[str] = []
    for piece in raw_html_pieces:
        for match in _TAG.finditer(piece):
            closing, name = match[1], match[2].lower()
            if name not in ALLOWED_TAGS or name in _VOID:
                continue
            if closing:
                if name in open_tags:
                    del open_tags[len(open_tags) - 1 - open_tags[::-1].index(name) :]
                continue
            if name in _CLOSED_BY_SIBLING and open_tags and open_tags[-1] == name:
                open_tags.pop()
            open_tags.append(name)
            if len(open_tags) > limit:
                return True
    return False


def raw_html_too_deep(text: str) -> bool:
    """Whether raw HTML in this markdown nests deeper than HTML_MAX_NESTING elements."""
    return _too_deep(_raw_html_tokens(_md.parse(text)), HTML_MAX_NESTING)


def render_markdown(text: str) -> str:
    """HTML for user-written markdown: scripts, event handlers and javascript: URLs removed.

    Raw HTML nested deeper than HTML_MAX_NESTING is shown as text: sanitising time grows with
    the square of the depth (20,000 levels took seconds), and markdown itself nests at most
    20 levels (the parser's maxNesting), so raw HTML is the only way to get that deep."""
    if not text:
        return ""
    env = {}
    tokens = _md.parse(text, env)
    if _too_deep(_raw_html_tokens(tokens), HTML_MAX_NESTING):
        env["raw_html_as_text"] = True
    rendered = _md.renderer.render(tokens, _md.options, env)
    return nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "data"},
        link_rel="noopener noreferrer nofollow",
        filter_style_properties={"text-align"},
        attribute_filter=_safe_image_source,
    )
