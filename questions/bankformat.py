"""Parser for "面试题集" markdown question banks: bytes in, a validated ParsedBank out."""

from __future__ import annotations

import hashlib
import html
import re
import textwrap
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import unquote

from .limits import MARKDOWN_MAX_CHARS, NAME_MAX_CHARS
from .models import QuestionKind

__all__ = [
    "BankFormatError",
    "ParsedBank",
    "ParsedCategory",
    "ParsedChoice",
    "ParsedQuestion",
    "ParsedSkill",
    "normalise_heading",
    "parse_bank",
    "slugify_heading",
]

DIFFICULTY_HINT = '"**技能难度评分:** N/10"'


class BankFormatError(Exception):
    """The input is not a well-formed bank; ``issues`` lists every problem as (line, message)."""

    def __init__(self, issues: list[tuple[int, str]]):
        self.issues: list[tuple[int, str]] = sorted(issues, key=lambda issue: issue[0])
        super().__init__("\n".join(f"{line}: {message}" for line, message in self.issues))


@dataclass(frozen=True)
class ParsedChoice:
    label: str
    text_md: str
    is_correct: bool


@dataclass(frozen=True)
class ParsedQuestion:
    source_key: str
    line: int
    kind: QuestionKind
    prompt_md: str
    choices: tuple[ParsedChoice, ...]
    explanation_md: str
    reference_answer_md: str
    number: int | None


@dataclass(frozen=True)
class ParsedSkill:
    name: str
    anchor: str
    difficulty: int
    line: int
    questions: tuple[ParsedQuestion, ...]


@dataclass(frozen=True)
class ParsedCategory:
    name: str
    line: int
    skills: tuple[ParsedSkill, ...]


@dataclass(frozen=True)
class ParsedBank:
    title: str
    categories: tuple[ParsedCategory, ...]
    long_form: tuple[ParsedQuestion, ...]
    warnings: tuple[tuple[int, str], ...]
    long_form_without_answer: int


# --- line patterns (anchored, and written so that none can backtrack exponentially) -------------

_TITLE_RE = re.compile(r"^#\s+面试题集\s*[:：]\s*(.*?)(?:\s+#+)?\s*$")
_H1_RE = re.compile(r"^#\s+\S")
# Every message about a file that ends too early contains this, e.g. "... is the file cut off?"
_CUT_OFF = "is the file cut off"
_H2_RE = re.compile(r"^##\s+(.*?)(?:\s+#+)?\s*$")
_H3_RE = re.compile(r"^###\s+(.*?)(?:\s+#+)?\s*$")
_H4_RE = re.compile(r"^####\s+(.*?)(?:\s+#+)?\s*$")
_ANCHOR_RE = re.compile(
    r"""^\s*<a\s+(?:id|name)\s*=\s*(?:'([^']*)'|"([^"]*)"|([^\s>'"]+))\s*/?>\s*(?:</a>)?\s*$""",
    re.IGNORECASE,
)
_INLINE_ANCHOR_RE = re.compile(
    r"""<a\s+(?:id|name)\s*=\s*(?:'([^']*)'|"([^"]*)"|([^\s>'"]+))\s*/?>\s*(?:</a>)?""",
    re.IGNORECASE,
)
# "**技能难度评分:** 7/10" once the asterisks are removed
_DIFFICULTY_RE = re.compile(r"^技能难度(?:评分)?\s*[:：]\s*(.*?)\s*$")
_DIFFICULTY_VALUE_RE = re.compile(r"^(\d{1,3})\s*(?:/\s*10)?$")
# "**问题 1:**" once the asterisks are removed; text may follow on the same line
_QUESTION_RE = re.compile(r"^问题\s*(\d{1,6})\s*[:：]\s*(.*)$")
_QUESTION_LINE_RE = re.compile(r"^\*\*\s*问题\s*\d{1,6}\s*(?:[:：]\s*\*\*|\*\*\s*[:：])")
_DETAILS_OPEN_RE = re.compile(r"^\s*<details\b", re.IGNORECASE)
_DETAILS_CLOSE = "</details>"
_SUMMARY_RE = re.compile(r"<summary\b[^>]*>.*?</summary>", re.IGNORECASE | re.DOTALL)
_LEADING_TAG_RE = re.compile(r"^\s*<(?:p|strong|b)\b[^>]*>", re.IGNORECASE)
_TRAILING_TAG_RE = re.compile(r"</(?:p|strong|b)>\s*$", re.IGNORECASE)
_ANSWER_PREFIX_RE = re.compile(
    r"^(\*\*)?\s*(?:正确答案|参考答案|答案)\s*(?(1)(?:[:：]\s*\*\*|\*\*\s*[:：])|[:：])[ \t]*"
)
# The correct letters at the start of an answer: "B", "AB", "A和C", "A、C", "A,C", "**B**".
_KEY_RE = re.compile(
    r"^(\*\*)?\s*(?:选项\s*)?"
    r"([A-Z](?:[ \t]*(?:(?:[,，、/&＆]|和|与|及|以及|and)[ \t]*)?[A-Z])*)"
    r"(?(1)\*\*)(?![A-Za-z0-9_])"
)
_KEY_REST_STRIP = " \t.．。:：,，、;；)）-—"
_OPTION_RE = re.compile(
    r"^ {0,3}(?:[-*+][ \t]+)?(\*\*)?[(（]?([A-Z])(?:[.．、:：]|[)）])(?(1)\*\*)[ \t]*(.*)$"
)
_HR_RE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_TABLE_SEPARATOR_RE = re.compile(r"^\|?(?:\s*:?-+:?\s*\|)+\s*:?-*:?\s*\|?$")
_LINK_TARGET_RE = re.compile(r"\]\(\s*#([^)\s]+)\s*\)")
_TOC_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[.*\]\(#[^)]*\)\s*$")
_LF_NUMBER_RE = re.compile(
    r"^(?:\*\*|__)?\s*(?:[Qq]|问题|第)?\s*(\d{1,6})\s*(?:\\?[.．。:：、)）]|题)(?!\d)\s*(?:\*\*|__)?\s*"
)
# "**答：**" (seed) or "对应答案段落：" (a template leftover in some banks) before an answer
_LF_ANSWER_MARK_RE = re.compile(
    r"^\s*(\*\*|__)?\s*(?:答|回答|答案|参考答案|(对应答案段落))\s*"
    r"(?(1)(?:[:：]\s*(?:\*\*|__)|(?:\*\*|__)\s*[:：]?)|(?(2)[:：]?|[:：]))\s*(.*)$"
)
_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_BACKTICKS_RE = re.compile(r"`+")
_QUOTE_RE = re.compile(r"^[ \t]{0,3}> ?")
_FENCE_OPEN_RE = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
_CLOSING_TAGS_RE = re.compile(r"(?:</(?:strong|b|p|details)>\s*)+$", re.IGNORECASE)

_SECTION_OVERVIEW = "overview"
_SECTION_DETAILS = "details"
_SECTION_LONG_FORM = "long_form"
_SECTION_NAMES = {
    _SECTION_OVERVIEW: "技能概览",
    _SECTION_DETAILS: "详细题目列表",
    _SECTION_LONG_FORM: "旧的问题列表",
}


def _section_kind(heading: str) -> str | None:
    text = heading.replace("*", "").strip()
    for kind, name in _SECTION_NAMES.items():
        if name in text:
            return kind
    return None


# --- small helpers ------------------------------------------------------------------------------


class _Fence:
    """Tracks fenced code blocks line by line, so headings and markers inside code are ignored."""

    __slots__ = ("char", "length", "line")

    def __init__(self) -> None:
        self.char = ""
        self.length = 0
        self.line = 0

    @property
    def open(self) -> bool:
        return bool(self.char)

    def step(self, text: str, line: int = 0) -> bool:
        """Feed one line; True when the line is part of a fenced block (fence lines included)."""
        if not self.char and "`" not in text and "~" not in text:
            return False
        if self.char:
            # "```</strong></p>": a generated answer ending in a code block closes both at once
            stripped = _CLOSING_TAGS_RE.sub("", text.strip())
            if (
                len(stripped) >= self.length
                and stripped.startswith(self.char * self.length)
                and not stripped.strip(self.char)
            ):
                self.char = ""
            return True
        match = _FENCE_OPEN_RE.match(text)
        if match is None:
            return False
        marker, info = match.group(1), match.group(2)
        if (marker[0] == "`" and "`" in info) or info.lstrip().startswith("</"):
            return False  # an inline code span, or a stray closing fence before "</strong></p>"
        self.char, self.length, self.line = marker[0], len(marker), line
        return True


def _unescape_entities(text: str) -> str:
    return _ENTITY_RE.sub(lambda m: html.unescape(m.group(0)), text)


def _unescape_line(line: str) -> str:
    """Decode HTML entities outside inline code spans (code shows entities literally)."""
    if "&" not in line:
        return line
    if "`" not in line:
        return _unescape_entities(line)
    runs = list(_BACKTICKS_RE.finditer(line))
    out: list[str] = []
    pos = 0
    k = 0
    while k < len(runs):
        opener = runs[k]
        closer_index = next(
            (m for m in range(k + 1, len(runs)) if len(runs[m].group()) == len(opener.group())),
            None,
        )
        if closer_index is None:
            k += 1
            continue
        out.append(_unescape_entities(line[pos : opener.start()]))
        out.append(line[opener.start() : runs[closer_index].end()])
        pos = runs[closer_index].end()
        k = closer_index + 1
    out.append(_unescape_entities(line[pos:]))
    return "".join(out)


def _unescape_markdown(text: str) -> str:
    """Decode HTML entities (``&lt;`` ...) in markdown, leaving fenced and inline code untouched."""
    if "&" not in text:
        return text
    fence = _Fence()
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if not fence.step(line):
            lines[index] = _unescape_line(line)
    return "\n".join(lines)


def _trim_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return lines[start:end]


def _strip_wrapping_bold(text: str) -> str:
    text = text.strip()
    for marker in ("**", "__"):
        if len(text) > 2 * len(marker) and text.startswith(marker) and text.endswith(marker):
            inner = text[len(marker) : -len(marker)]
            if marker not in inner:
                return inner.strip()
    return text


def _anchor_value(match: re.Match[str]) -> str:
    raw = next((g for g in match.groups() if g is not None), "")
    return unquote(html.unescape(raw)).strip()


def _clean_heading(text: str) -> tuple[str, str]:
    """Heading text without inline anchors; returns (text, inline anchor or "")."""
    anchor = ""
    match = _INLINE_ANCHOR_RE.search(text)
    if match:
        anchor = _anchor_value(match)
        text = _INLINE_ANCHOR_RE.sub("", text)
    return _strip_wrapping_bold(text), anchor


def slugify_heading(text: str) -> str:
    """GitHub-style anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    out = []
    for char in text.strip().lower():
        if char in " \t":
            out.append("-")
        elif char in "-_" or unicodedata.category(char)[0] in "LNM":
            out.append(char)
    return "".join(out)


def normalise_heading(text: str) -> str:
    """Heading text reduced to what identifies a question: no emphasis, case or whitespace."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if not ch.isspace() and ch not in "*`")


def _long_form_key(normalised: str, occurrence: int) -> str:
    digest = hashlib.sha1(normalised.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]
    return f"lf:{digest}" if occurrence == 1 else f"lf:{digest}:{occurrence}"


def _split_table_row(line: str) -> list[str]:
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    cells, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            current.append(char)
            escaped = True
        elif char == "|":
            cells.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    cells.append("".join(current).strip())
    return [cell.replace("\\|", "|") for cell in cells]


def _excerpt(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[:length] + "…"


def _over_the_limit(text: str, limit: int) -> str:
    """Empty when `text` fits, else the end of a message: "is N characters long, over ..."."""
    if len(text) <= limit:
        return ""
    return f"is {len(text):,} characters long, over the {limit:,}-character limit"


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


# --- intermediate, mutable records --------------------------------------------------------------


@dataclass
class _Answer:
    line: int
    text: str


@dataclass
class _Question:
    number: int
    line: int
    body: list[tuple[int, str]] = field(default_factory=list)
    answer: _Answer | None = None


@dataclass
class _Skill:
    name: str
    line: int
    anchor: str
    explicit_anchor: bool
    category: str
    difficulty: int | None = None
    difficulty_line: int = 0
    difficulty_invalid: bool = False
    questions: list[_Question] = field(default_factory=list)


@dataclass
class _Category:
    name: str
    line: int
    skills: list[_Skill] = field(default_factory=list)


@dataclass
class _OverviewSkill:
    name: str
    anchor: str
    difficulty: int | None
    line: int
    category: str
    invalid: bool = False
    used: bool = False


@dataclass
class _DetailsState:
    """Where the details section reader is: the six things a line's meaning depends on."""

    fence: _Fence = field(default_factory=_Fence)
    category: _Category | None = None
    skill: _Skill | None = None
    question: _Question | None = None
    pending_anchor: str = ""  # an "<a id>" line waiting for the skill heading after it
    stray_reported: bool = False  # stray text is reported once per section

    @property
    def open_question(self) -> _Question | None:
        """The question whose text is being read: started, no answer block yet."""
        question = self.question
        return question if question is not None and question.answer is None else None


@dataclass
class _LongFormEntry:
    line: int
    heading: str
    body: list[tuple[int, str]] = field(default_factory=list)


# --- decoding -------------------------------------------------------------------------------------


def _decode(data: bytes, max_bytes: int | None) -> str:
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError("parse_bank() expects bytes")
    if max_bytes is not None and len(data) > max_bytes:
        raise BankFormatError(
            [(1, f"file is {len(data)} bytes, larger than the limit of {max_bytes} bytes")]
        )
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise BankFormatError([(1, "the file is UTF-16 text: save it as UTF-8")])
    nul = data.find(b"\x00")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        raise BankFormatError(
            [(line, "binary file: NUL byte found (expected UTF-8 markdown text)")]
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise BankFormatError(
            [
                (
                    line,
                    f"not valid UTF-8: byte 0x{data[exc.start]:02x} at column {column} "
                    "(save the file as UTF-8)",
                )
            ]
        ) from None
    if not text.strip():
        raise BankFormatError([(1, "file is empty")])
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- the parser -----------------------------------------------------------------------------------


class _Parser:
    def __init__(self, lines: list[str]):
        self.lines = lines
        self.errors: list[tuple[int, str]] = []
        self.warnings: list[tuple[int, str]] = []
        self.categories: list[_Category] = []
        self.overview: list[_OverviewSkill] = []
        self.long_form_entries: list[_LongFormEntry] = []
        self.seen_sections: dict[str, int] = {}

    def error(self, line: int, message: str) -> None:
        self.errors.append((line, message))

    def warn(self, line: int, message: str) -> None:
        self.warnings.append((line, message))

    # top level

    def parse(self) -> ParsedBank:
        title, index = self._find_title()
        if too_long := _over_the_limit(title, NAME_MAX_CHARS):
            self.error(index, f"the bank title {too_long}")
        n = len(self.lines)
        while index < n:
            match = _H2_RE.match(self.lines[index])
            if match is None:  # text between the title and the first section
                index = self._skip_to_h2(index)
                continue
            line = index + 1
            kind = _section_kind(match.group(1))
            duplicate = kind is not None and kind in self.seen_sections
            if duplicate:
                self.error(
                    line,
                    f'section "## {_SECTION_NAMES[kind]}" appears twice '
                    f"(first at line {self.seen_sections[kind]})",
                )
                kind = None
            elif kind is not None:
                self.seen_sections[kind] = line
            if kind == _SECTION_OVERVIEW:
                index = self._parse_overview(index + 1)
            elif kind == _SECTION_DETAILS:
                index = self._parse_details(index + 1)
            elif kind == _SECTION_LONG_FORM:
                self._collect_long_form(index + 1)
                index = n
            else:
                end = self._skip_to_h2(index + 1)
                if not duplicate:
                    self.warn(
                        line, f'unrecognised section "## {match.group(1)}" ignored (to line {end})'
                    )
                index = end

        if not self.seen_sections:
            expected = ", ".join(f'"## {name}"' for name in _SECTION_NAMES.values())
            raise BankFormatError(
                [*self.errors, (1, f"not a question bank: none of the sections {expected} found")]
            )
        if _SECTION_DETAILS not in self.seen_sections:
            if _SECTION_OVERVIEW in self.seen_sections:
                self.error(
                    self.seen_sections[_SECTION_OVERVIEW],
                    'section "## 详细题目列表" is missing: the skills of "## 技能概览" have no '
                    "questions",
                )
            else:
                self.warn(1, 'no "## 详细题目列表" section: the bank has only long-form questions')
        elif not self.categories:
            self.error(
                self.seen_sections[_SECTION_DETAILS],
                'section "## 详细题目列表" has no categories ("### category" headings)',
            )
        if _SECTION_OVERVIEW not in self.seen_sections and self.categories:
            self.warn(
                1,
                'no "## 技能概览" section: difficulties come from the skill sections only',
            )

        self._reconcile_overview()
        categories = self._build_categories()
        long_form, without_answer = self._build_long_form()
        if self.errors:
            raise BankFormatError(self.errors)
        return ParsedBank(
            title=title,
            categories=categories,
            long_form=long_form,
            warnings=tuple(sorted(self.warnings, key=lambda w: w[0])),
            long_form_without_answer=without_answer,
        )

    def _find_title(self) -> tuple[str, int]:
        fence = _Fence()
        for index, line in enumerate(self.lines):
            if fence.step(line, index + 1) or not line.strip():
                continue
            match = _TITLE_RE.match(line)
            if match:
                title = _unescape_entities(match.group(1).strip())
                if not title:
                    raise BankFormatError(
                        [(index + 1, 'the title "# 面试题集:" has no name after the colon')]
                    )
                return title, index + 1
            if _H1_RE.match(line) or _H2_RE.match(line):
                break
        raise BankFormatError(
            [
                (
                    1,
                    'not a question bank: the file does not start with a "# 面试题集: <title>" '
                    "heading",
                )
            ]
        )

    def _skip_to_h2(self, index: int) -> int:
        fence = _Fence()
        n = len(self.lines)
        while index < n:
            line = self.lines[index]
            if not fence.step(line, index + 1) and _H2_RE.match(line):
                return index
            index += 1
        return n

    # overview: "### category" + "| 能力点 | 技能难度 | 快速跳转 |" tables

    def _parse_overview(self, index: int) -> int:
        fence = _Fence()
        category = ""
        columns = (0, 1, 2)
        n = len(self.lines)
        while index < n:
            line = self.lines[index]
            lineno = index + 1
            if fence.step(line, lineno):
                index += 1
                continue
            if _H2_RE.match(line):
                return index
            h3 = _H3_RE.match(line)
            stripped = line.strip()
            if h3:
                category = _unescape_line(_clean_heading(h3.group(1))[0])
            elif stripped.startswith("|"):
                cells = _split_table_row(stripped)
                if _TABLE_SEPARATOR_RE.match(stripped):
                    pass
                elif any("能力点" in cell for cell in cells):
                    columns = self._overview_columns(cells)
                else:
                    self._overview_row(cells, columns, category, lineno)
            index += 1
        return n

    @staticmethod
    def _overview_columns(header: list[str]) -> tuple[int, int, int]:
        def find(word: str, default: int) -> int:
            return next((i for i, cell in enumerate(header) if word in cell), default)

        return find("能力点", 0), find("难度", 1), find("跳转", 2)

    def _overview_row(
        self, cells: list[str], columns: tuple[int, int, int], category: str, lineno: int
    ) -> None:
        name_col, difficulty_col, link_col = columns
        name = _unescape_line(_clean_heading(cells[name_col])[0]) if name_col < len(cells) else ""
        if not name:
            self.warn(lineno, "overview table row without a skill name ignored")
            return
        if not category:
            self.warn(lineno, f'skill "{name}" in "## 技能概览" is not under a "### category"')
        raw = cells[difficulty_col].replace("*", "").strip() if difficulty_col < len(cells) else ""
        difficulty: int | None = None
        invalid = False
        if raw and raw not in {"-", "—", "N/A", "n/a", "?"}:
            invalid = True
            match = _DIFFICULTY_VALUE_RE.match(raw)
            if match is None:
                self.error(
                    lineno,
                    f'skill "{name}": difficulty "{raw}" in the overview table is not a whole '
                    "number from 1 to 10",
                )
            else:
                difficulty = int(match.group(1))
                invalid = False
                if not 1 <= difficulty <= 10:
                    invalid = True
                    self.error(
                        lineno,
                        f'skill "{name}": difficulty {difficulty} in the overview table is out '
                        "of range (expected 1 to 10)",
                    )
                    difficulty = None
        link = cells[link_col] if link_col < len(cells) else ""
        target = _LINK_TARGET_RE.search(link) or _LINK_TARGET_RE.search("|".join(cells))
        anchor = unquote(html.unescape(target.group(1))) if target else slugify_heading(name)
        self.overview.append(_OverviewSkill(name, anchor, difficulty, lineno, category, invalid))

    # details: "### category", "<a id>", "#### skill", difficulty, "**问题 N:**", <details>

    def _parse_details(self, index: int) -> int:
        """Read "## 详细题目列表" from `index`; returns the index of the next section."""
        state = _DetailsState()
        n = len(self.lines)
        while index < n:
            line = self.lines[index]
            lineno = index + 1
            if state.fence.step(line, lineno):
                self._details_code_line(state, line, lineno)
            elif line[:1] == ">" and state.open_question is not None:
                state.open_question.body.append((lineno, line))  # fast path: the quoted text
            elif not line.strip():
                if state.open_question is not None:
                    state.open_question.body.append((lineno, line))
            elif line[:1] == "#" and _H2_RE.match(line):
                break
            elif line.lstrip()[:1] == "<" and _DETAILS_OPEN_RE.match(line):
                index = self._details_answer(state, index)
                continue
            else:
                self._details_text_line(state, line, lineno)
            index += 1
        return index

    def _details_code_line(self, state: _DetailsState, line: str, lineno: int) -> None:
        if state.open_question is not None:
            state.open_question.body.append((lineno, line))
        elif not state.stray_reported:
            self.warn(lineno, "code block outside any question ignored")
            state.stray_reported = True

    def _details_answer(self, state: _DetailsState, index: int) -> int:
        """A <details> block: the answer of the question before it. Returns the next index."""
        index, answer = self._read_details(index)
        question = state.question
        if question is None:
            self.error(
                answer.line,
                'answer block (<details>) does not follow a question ("**问题 N:**" line missing?)',
            )
        elif question.answer is not None:
            self.error(
                answer.line,
                f"question {question.number} (line {question.line}) has a second "
                "answer block (<details>)",
            )
        else:
            question.answer = answer
        state.pending_anchor = ""
        return index

    def _details_text_line(self, state: _DetailsState, line: str, lineno: int) -> None:
        """A non-blank line outside code and answers: anchor, heading, difficulty, question
        marker, or the text of the open question."""
        stripped = line.strip()
        first = line[:1]
        anchor_match = _ANCHOR_RE.match(line) if stripped[:1] == "<" else None
        if anchor_match:
            state.pending_anchor = _anchor_value(anchor_match)
            return
        h4 = _H4_RE.match(line) if first == "#" else None
        if h4:
            self._details_skill(state, h4.group(1), lineno)
            return
        h3 = _H3_RE.match(line) if first == "#" else None
        if h3:
            self._details_category(state, h3.group(1), lineno)
            return
        state.pending_anchor = ""
        plain = stripped.replace("*", "").strip()
        difficulty = _DIFFICULTY_RE.match(plain) if plain.startswith("技能难度") else None
        if difficulty and state.skill is not None and state.open_question is None:
            self._set_difficulty(state.skill, difficulty.group(1), lineno)
            return
        question_match = _QUESTION_RE.match(plain) if stripped.startswith("**") else None
        if question_match and _QUESTION_LINE_RE.match(stripped):
            self._details_question(state, int(question_match.group(1)), stripped, lineno)
            return
        if _HR_RE.match(line):
            return
        if state.open_question is not None:
            state.open_question.body.append((lineno, line))
        elif difficulty and state.skill is None:
            self.warn(lineno, "difficulty line outside any skill ignored")
        elif not state.stray_reported:
            self.warn(lineno, f"unexpected text ignored: {stripped[:60]!r}")
            state.stray_reported = True

    def _details_skill(self, state: _DetailsState, heading: str, lineno: int) -> None:
        """ "#### skill": a new skill of the current category, keyed by the anchor before it."""
        state.question = None
        name, inline_anchor = _clean_heading(heading)
        name = _unescape_line(name)
        anchor = inline_anchor or state.pending_anchor
        state.pending_anchor = ""
        if not name:
            self.error(lineno, "skill heading has no name")
            state.skill = None
            return
        if state.category is None:
            self.error(
                lineno,
                f'skill "{name}" appears before any "### category" heading in "## 详细题目列表"',
            )
            state.category = _Category("", lineno)
            self.categories.append(state.category)
        state.skill = _Skill(
            name=name,
            line=lineno,
            anchor=anchor or slugify_heading(name),
            explicit_anchor=bool(anchor),
            category=state.category.name,
        )
        state.category.skills.append(state.skill)

    def _details_category(self, state: _DetailsState, heading: str, lineno: int) -> None:
        state.question = state.skill = None
        state.pending_anchor = ""
        name = _unescape_line(_clean_heading(heading)[0])
        state.category = _Category(name, lineno)
        self.categories.append(state.category)
        if not name:
            self.error(lineno, "category heading has no name")

    def _details_question(
        self, state: _DetailsState, number: int, stripped: str, lineno: int
    ) -> None:
        """ "**问题 N:**": a new question of the current skill; text may follow on the line."""
        if state.skill is None:
            self.error(lineno, 'question appears before any "#### skill" heading')
            state.question = None
            return
        state.question = _Question(number, lineno)
        state.skill.questions.append(state.question)
        rest = re.sub(r"^\*\*\s*问题[^*]*\*\*\s*[:：]?\s*", "", stripped)
        if rest:
            state.question.body.append((lineno, rest))

    def _set_difficulty(self, skill: _Skill, raw: str, lineno: int) -> None:
        skill.difficulty_invalid = True  # until proven valid
        match = _DIFFICULTY_VALUE_RE.match(raw)
        if match is None:
            self.error(
                lineno,
                f'skill "{skill.name}": difficulty "{raw}" is not a whole number from 1 to 10 '
                f"(expected {DIFFICULTY_HINT})",
            )
            return
        value = int(match.group(1))
        if not 1 <= value <= 10:
            self.error(
                lineno,
                f'skill "{skill.name}": difficulty {value} is out of range (expected 1 to 10)',
            )
            return
        if skill.difficulty is not None and skill.difficulty != value:
            self.error(
                lineno,
                f'skill "{skill.name}" has two different difficulties: {skill.difficulty} '
                f"(line {skill.difficulty_line}) and {value}",
            )
            return
        skill.difficulty = value
        skill.difficulty_line = lineno
        skill.difficulty_invalid = False

    def _read_details(self, index: int) -> tuple[int, _Answer]:
        """Read a <details> block starting at ``index``; returns (next index, answer)."""
        start = index + 1
        first = self.lines[index]
        after_open = first[first.lower().index("<details") :]
        after_open = after_open[after_open.find(">") + 1 :] if ">" in after_open else ""
        content: list[str] = []
        fence = _Fence()
        n = len(self.lines)
        if _DETAILS_CLOSE in after_open.lower():
            cut = after_open.lower().index(_DETAILS_CLOSE)
            return index + 1, _Answer(start, after_open[:cut])
        content.append(after_open)
        index += 1
        while index < n:
            line = self.lines[index]
            if fence.step(line, index + 1) and fence.open:
                content.append(line)
                index += 1
                continue
            lower = line.lower()
            if _DETAILS_CLOSE in lower:
                content.append(line[: lower.index(_DETAILS_CLOSE)])
                return index + 1, _Answer(start, "\n".join(content))
            stripped = line.strip()
            h2 = _H2_RE.match(line)
            if (
                _DETAILS_OPEN_RE.match(line)
                or (
                    _QUESTION_LINE_RE.match(stripped)
                    and _QUESTION_RE.match(stripped.replace("*", "").strip())
                )
                or (h2 is not None and h2.group(1).strip() in _SECTION_NAMES.values())
            ):
                self.error(
                    start,
                    f"<details> is never closed: expected </details> before line {index + 1}",
                )
                return index, _Answer(start, "\n".join(content))
            content.append(line)
            index += 1
        where = (
            f" (a code block opened at line {fence.line} inside it is never closed either)"
            if fence.open
            else ""
        )
        self.error(
            start, f"<details> is never closed: the file ends before </details>{where}; {_CUT_OFF}?"
        )
        return n, _Answer(start, "\n".join(content))

    # long-form section: every "###" heading is a question, its markdown body the answer

    def _collect_long_form(self, index: int) -> None:
        fence = _Fence()
        entry: _LongFormEntry | None = None
        preamble: list[tuple[int, str]] = []
        for offset, line in enumerate(self.lines[index:]):
            lineno = index + offset + 1
            if not fence.step(line, lineno):
                match = _H3_RE.match(line)
                if match:
                    entry = _LongFormEntry(lineno, match.group(1))
                    self.long_form_entries.append(entry)
                    continue
            (entry.body if entry is not None else preamble).append((lineno, line))
        for lineno, line in preamble:
            stripped = line.strip()
            if (
                stripped
                and not _TOC_ITEM_RE.match(line)
                and not _ANCHOR_RE.match(line)
                and not _HR_RE.match(line)
            ):
                self.warn(
                    lineno, f"text before the first long-form question ignored: {stripped[:60]!r}"
                )
                break

    # building the result

    def _reconcile_overview(self) -> None:
        skills = [skill for category in self.categories for skill in category.skills]
        if _SECTION_OVERVIEW in self.seen_sections:
            by_anchor: dict[str, list[_OverviewSkill]] = defaultdict(list)
            by_name: dict[str, list[_OverviewSkill]] = defaultdict(list)
            for entry in self.overview:
                by_anchor[entry.anchor.casefold()].append(entry)
                by_name[_name_key(entry.name)].append(entry)
            for skill in skills:
                candidates = (
                    by_anchor.get(skill.anchor.casefold(), []) if skill.explicit_anchor else []
                )
                match = next((e for e in candidates if not e.used), None)
                if match is None:
                    match = next(
                        (e for e in by_name.get(_name_key(skill.name), []) if not e.used), None
                    )
                if match is None:
                    self.error(
                        skill.line,
                        f'skill "{skill.name}" is in "## 详细题目列表" but not in the '
                        '"## 技能概览" table',
                    )
                    continue
                match.used = True
                if (
                    match.category
                    and skill.category
                    and _name_key(match.category) != _name_key(skill.category)
                ):
                    self.warn(
                        skill.line,
                        f'skill "{skill.name}" is under category "{match.category}" in '
                        f'"## 技能概览" (line {match.line}) but under "{skill.category}" here',
                    )
                self._resolve_difficulty(skill, match)
            # A file cut off mid-way leaves every later skill "without a section": say only
            # the cause (reported where the file ends), not dozens of consequences.
            cut_off = any(_CUT_OFF in message for _line, message in self.errors)
            for entry in self.overview:
                if not entry.used and _SECTION_DETAILS in self.seen_sections and not cut_off:
                    self.error(
                        entry.line,
                        f'skill "{entry.name}" is listed in "## 技能概览" but has no section '
                        f"(<a id='{entry.anchor}'></a> + \"#### {entry.name}\") in "
                        '"## 详细题目列表"',
                    )
        else:
            for skill in skills:
                self._resolve_difficulty(skill, None)

        seen: dict[str, int] = {}
        for skill in skills:
            base = skill.anchor
            if base in seen:
                seen[base] += 1
                while f"{base}-{seen[base]}" in seen:
                    seen[base] += 1
                skill.anchor = f"{base}-{seen[base]}"
                seen[skill.anchor] = 0
                self.warn(
                    skill.line,
                    f'skill "{skill.name}" repeats the anchor "{base}"; using "{skill.anchor}"',
                )
            else:
                seen[base] = 0

    def _resolve_difficulty(self, skill: _Skill, entry: _OverviewSkill | None) -> None:
        overview = entry.difficulty if entry is not None else None
        if skill.difficulty is None and overview is None:
            if not skill.difficulty_invalid and not (entry is not None and entry.invalid):
                self.error(
                    skill.line,
                    f'skill "{skill.name}" has no difficulty (expected {DIFFICULTY_HINT})',
                )
        elif skill.difficulty is None and entry is not None:
            skill.difficulty = overview
            self.warn(
                skill.line,
                f'skill "{skill.name}" has no difficulty line ({DIFFICULTY_HINT}); using '
                f"{overview} from the overview table (line {entry.line})",
            )
        elif overview is not None and entry is not None and overview != skill.difficulty:
            self.error(
                skill.difficulty_line,
                f'skill "{skill.name}": difficulty {skill.difficulty} here disagrees with '
                f"{overview} in the overview table (line {entry.line})",
            )

    def _build_categories(self) -> tuple[ParsedCategory, ...]:
        result = []
        for category in self.categories:
            if not category.skills and category.name:
                self.error(
                    category.line,
                    f'category "{category.name}" has no skills ("#### skill" headings); '
                    f"{_CUT_OFF}?",
                )
            if too_long := _over_the_limit(category.name, NAME_MAX_CHARS):
                self.error(category.line, f'category name "{_excerpt(category.name)}" {too_long}')
            skills = []
            for skill in category.skills:
                self._check_skill_names(skill)
                if not skill.questions:
                    self.error(
                        skill.line,
                        f'skill "{skill.name}" has no questions ("**问题 1:**" ...); {_CUT_OFF}?',
                    )
                questions = []
                seen_numbers: dict[int, int] = {}
                for question in skill.questions:
                    occurrence = seen_numbers.get(question.number, 0) + 1
                    seen_numbers[question.number] = occurrence
                    key = f"{skill.anchor}#q{question.number}"
                    if occurrence > 1:
                        key = f"{key}:{occurrence}"
                        self.warn(
                            question.line,
                            f'skill "{skill.name}" has question number {question.number} '
                            f"more than once; this one is keyed {key!r}",
                        )
                    built = self._build_question(skill, question, key)
                    if built is not None:
                        where = f'question {question.number} of skill "{skill.name}"'
                        self._check_markdown_sizes(built, where, question.answer.line)
                        questions.append(built)
                skills.append(
                    ParsedSkill(
                        name=skill.name,
                        anchor=skill.anchor,
                        difficulty=skill.difficulty or 0,
                        line=skill.line,
                        questions=tuple(questions),
                    )
                )
            result.append(ParsedCategory(category.name, category.line, tuple(skills)))
        return tuple(result)

    def _check_skill_names(self, skill: _Skill) -> None:
        if too_long := _over_the_limit(skill.name, NAME_MAX_CHARS):
            self.error(skill.line, f'skill name "{_excerpt(skill.name)}" {too_long}')
        elif too_long := _over_the_limit(skill.anchor, NAME_MAX_CHARS):
            self.error(
                skill.line, f'skill "{skill.name}": anchor "{_excerpt(skill.anchor)}" {too_long}'
            )

    def _check_markdown_sizes(self, question: ParsedQuestion, where: str, answer_line: int) -> None:
        """Every markdown field within MARKDOWN_MAX_CHARS, as the forms and the API require."""
        fields = [
            ("the question text", question.prompt_md, question.line),
            ("the explanation", question.explanation_md, answer_line),
            ("the reference answer", question.reference_answer_md, answer_line),
            *((f"option {c.label}", c.text_md, question.line) for c in question.choices),
        ]
        for name, text, line in fields:
            if too_long := _over_the_limit(text, MARKDOWN_MAX_CHARS):
                self.error(line, f"{where}: {name} {too_long}")

    def _build_question(
        self, skill: _Skill, question: _Question, key: str
    ) -> ParsedQuestion | None:
        where = f'question {question.number} of skill "{skill.name}"'
        stem, options, after = _split_prompt(question.body)
        prompt = "\n\n".join(part for part in ("\n".join(stem), "\n".join(after)) if part)
        prompt = _unescape_markdown(prompt)
        if not prompt:
            self.error(question.line, f"{where} has no question text")
        if question.answer is None:
            kind = "choice question" if options else "question"
            self.error(
                question.line,
                f"{where}: {kind} without an answer (no <details> block with "
                '"正确答案: ..." follows it); is the file cut off?',
            )
            return None
        answer_text = _answer_body(question.answer.text)
        prefix = _ANSWER_PREFIX_RE.match(answer_text)
        if prefix:
            answer_text = answer_text[prefix.end() :].strip()
        answer_text = _unescape_markdown(answer_text)
        if not options:
            if not answer_text:
                self.warn(question.answer.line, f"{where} has an empty answer")
            return ParsedQuestion(
                source_key=key,
                line=question.line,
                kind=QuestionKind.OPEN_ENDED,
                prompt_md=prompt,
                choices=(),
                explanation_md="",
                reference_answer_md=answer_text,
                number=question.number,
            )
        labels = [label for label, _ in options]
        if not answer_text:
            self.error(
                question.answer.line,
                f"{where}: choice question without an answer (expected "
                '"正确答案: B. ..." in the <details> block)',
            )
            return None
        key_match = _KEY_RE.match(answer_text)
        if key_match is None:
            self.error(
                question.answer.line,
                f"{where}: the answer of a choice question must start with the correct "
                f'letter(s) (options: {", ".join(labels)}; found "{answer_text[:30]}")',
            )
            return None
        letters = list(dict.fromkeys(re.findall(r"[A-Z]", key_match.group(2))))
        unknown = [letter for letter in letters if letter not in labels]
        if unknown:
            self.error(
                question.answer.line,
                f"{where}: answer key names {', '.join(unknown)}, which "
                f"{'is not an option' if len(unknown) == 1 else 'are not options'} "
                f"(options: {', '.join(labels)})",
            )
            return None
        explanation = answer_text[key_match.end() :].lstrip(_KEY_REST_STRIP).strip()
        choices = []
        for label, text in options:
            text = _unescape_markdown(text)
            if not text:
                self.warn(question.line, f"{where}: option {label} is empty")
            choices.append(ParsedChoice(label=label, text_md=text, is_correct=label in letters))
        return ParsedQuestion(
            source_key=key,
            line=question.line,
            kind=(QuestionKind.MULTIPLE_CHOICE if len(letters) > 1 else QuestionKind.SINGLE_CHOICE),
            prompt_md=prompt,
            choices=tuple(choices),
            explanation_md=explanation,
            reference_answer_md="",
            number=question.number,
        )

    def _build_long_form(self) -> tuple[tuple[ParsedQuestion, ...], int]:
        questions = []
        occurrences: dict[str, list[int]] = defaultdict(list)
        without_answer = 0
        for entry in self.long_form_entries:
            body = _trim_long_form_body([text for _, text in entry.body])
            if body and all(_TOC_ITEM_RE.match(text) for text in body if text.strip()):
                continue  # a table of contents, not a question
            heading, _ = _clean_heading(entry.heading)
            number, prompt = _split_long_form_heading(_unescape_line(heading))
            if not prompt:
                self.error(
                    entry.line, f'long-form heading "### {entry.heading}" has no question text'
                )
                continue
            extra_prompt, answer = _split_long_form_answer(body)
            normalised = normalise_heading(prompt)
            if extra_prompt:
                prompt = f"{prompt}\n\n{_unescape_markdown(extra_prompt)}"
            answer = _unescape_markdown(answer)
            if not answer:
                without_answer += 1
            occurrences[normalised].append(entry.line)
            occurrence = len(occurrences[normalised])
            if occurrence > 1:
                self.warn(
                    entry.line,
                    f"long-form question repeats the heading at line {occurrences[normalised][0]}",
                )
            question = ParsedQuestion(
                source_key=_long_form_key(normalised, occurrence),
                line=entry.line,
                kind=QuestionKind.OPEN_ENDED,
                prompt_md=prompt,
                choices=(),
                explanation_md="",
                reference_answer_md=answer,
                number=number,
            )
            where = f'long-form question "{_excerpt(prompt)}"'
            self._check_markdown_sizes(question, where, entry.line)
            questions.append(question)
        return tuple(questions), without_answer


# --- question bodies ------------------------------------------------------------------------------


def _split_prompt(
    body: list[tuple[int, str]],
) -> tuple[list[str], list[tuple[str, str]], list[str]]:
    """Split a question body into (stem lines, [(label, option text)], lines after the options)."""
    lines = [
        _QUOTE_RE.sub("", text, count=1) if text.lstrip().startswith(">") else text
        for _, text in body
    ]
    lines = [line.rstrip() for line in lines]
    fence = _Fence()
    in_fence = [fence.step(line) for line in lines]

    starts: list[tuple[int, str, str]] = []
    for index, line in enumerate(lines):
        if in_fence[index]:
            continue
        match = _OPTION_RE.match(line)
        if match is None:
            continue
        label = match.group(2)
        if (not starts and label == "A") or (starts and label > starts[-1][1]):
            starts.append((index, label, match.group(3)))
    if len(starts) < 2:
        return _trim_blank(lines), [], []

    options: list[tuple[str, str]] = []
    for position, (index, label, first) in enumerate(starts):
        if position + 1 < len(starts):
            end = starts[position + 1][0]
        else:
            end = _last_option_end(lines, in_fence, index)
        rest = textwrap.dedent("\n".join(lines[index + 1 : end])).split("\n")
        text = "\n".join(_trim_blank([first.strip(), *rest]))
        options.append((label, text))
        last_end = end
    stem = _trim_blank(lines[: starts[0][0]])
    after = _trim_blank(lines[last_end:])
    return stem, options, after


def _last_option_end(lines: list[str], in_fence: list[bool], index: int) -> int:
    """Where the body of the last option stops: its continuation lines and any code block."""
    end = index + 1
    n = len(lines)
    while end < n:
        line = lines[end]
        if in_fence[end]:
            end += 1
        elif not line.strip():
            following = end
            while following < n and not lines[following].strip():
                following += 1
            if following < n and (in_fence[following] or lines[following][:1] in (" ", "\t")):
                end = following
            else:
                return end
        else:
            end += 1
    return end


def _answer_body(raw: str) -> str:
    """The markdown inside <details>: no <summary>, no <p><strong> ... </strong></p> wrapper."""
    text = _SUMMARY_RE.sub("", raw, count=1).strip()
    while True:
        match = _LEADING_TAG_RE.match(text)
        if match is None:
            break
        text = text[match.end() :].lstrip()
    while True:
        match = _TRAILING_TAG_RE.search(text)
        if match is None:
            break
        text = text[: match.start()].rstrip()
    return text.strip()


def _trim_long_form_body(body: list[str]) -> list[str]:
    """Drop anchors, rules and blank lines that only separate this question from the next."""
    start, end = 0, len(body)
    while start < end and (not body[start].strip() or _ANCHOR_RE.match(body[start])):
        start += 1
    while end > start and (
        not body[end - 1].strip() or _ANCHOR_RE.match(body[end - 1]) or _HR_RE.match(body[end - 1])
    ):
        end -= 1
    return body[start:end]


def _split_long_form_heading(heading: str) -> tuple[int | None, str]:
    text = _strip_wrapping_bold(heading)
    number = None
    match = _LF_NUMBER_RE.match(text)
    if match:
        number = int(match.group(1))
        text = text[match.end() :]
    text = _strip_wrapping_bold(text.strip())
    if text.endswith(("**", "__")) and text[-2:] not in text[:-2]:
        text = text[:-2].rstrip()
    return number, text


def _split_long_form_answer(body: list[str]) -> tuple[str, str]:
    """(text to add to the prompt, answer) for a trimmed long-form body.

    "**答：**" starts the answer when it is the first line, or the first line after one
    paragraph (which then elaborates the question); anywhere else it is part of the answer.
    """
    if not body:
        return "", ""
    candidates = [0]
    fence = _Fence()
    for index, line in enumerate(body):
        if fence.step(line):
            continue
        if not line.strip():
            following = next((i for i in range(index, len(body)) if body[i].strip()), None)
            if following is not None:
                candidates.append(following)
            break
    for index in candidates:
        match = _LF_ANSWER_MARK_RE.match(body[index])
        if match:
            before = "\n".join(_trim_blank(body[:index]))
            rest = match.group(3)
            after = [rest, *body[index + 1 :]] if rest else body[index + 1 :]
            return before, "\n".join(_trim_blank(after))
    return "", "\n".join(body)


def parse_bank(data: bytes, *, max_bytes: int | None = None) -> ParsedBank:
    """Parse a whole bank; raise BankFormatError listing every problem when it is malformed."""
    text = _decode(data, max_bytes)
    # Trailing whitespace carries no meaning here (and editors add or strip it at will), so a
    # file that differs only in it imports as the same content: "unchanged", no new versions.
    return _Parser([line.rstrip() for line in text.split("\n")]).parse()
