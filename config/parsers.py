"""DRF parsers for every API endpoint (settings REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]).

Not in config.api: DRF reads the parser setting while rest_framework.views loads, which config.api
imports, so a parser there would import itself half-loaded.
"""

import io
import re
from itertools import accumulate

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

# Arrays and objects inside each other that a JSON body may open. Our deepest request is three
# levels; Python's parser recurses per level and fails near a thousand (a RecursionError).
JSON_MAX_DEPTH = 64
# JSON strings (brackets inside them are text) and the bytes that are not brackets: both are
# dropped before counting. Bytes are enough: in UTF-8 no byte of a multi-byte character is a
# quote, a backslash or a bracket.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_DEPTH_STEP = [0] * 256
for _opening, _closing in (b"[]", b"{}"):
    _DEPTH_STEP[_opening], _DEPTH_STEP[_closing] = 1, -1


def json_nesting_depth(raw: bytes) -> int:
    """How many arrays and objects JSON text opens inside each other at most, counted without
    parsing (by C loops: about as fast as json.loads), so that hostile nesting is refused before
    a parser recurses."""
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing (400) a body nested deeper than JSON_MAX_DEPTH."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        if json_nesting_depth(raw) > JSON_MAX_DEPTH:
            raise exceptions.ParseError(
                _("The JSON body is nested more than %(limit)d levels deep, the most accepted.")
                % {"limit": JSON_MAX_DEPTH}
            )
        return super().parse(io.BytesIO(raw), media_type, parser_context)
