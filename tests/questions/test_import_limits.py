"""Names and markdown fields over the bank's limits are refused by the importer, line by line,
before anything is written: no DataError, no server error, also when only checking."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from questions.importer import BankImportError, bank_import
from questions.limits import MARKDOWN_MAX_CHARS, NAME_MAX_CHARS
from questions.models import Question, QuestionBank

BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"
BASE = BUILTIN.read_text(encoding="utf-8")
pytestmark = pytest.mark.django_db

CATEGORY = "数据准备与处理"
SKILL = "数据采集与清洗"
PROMPT = "在进行大模型训练的数据准备过程中，以下哪一项是数据清洗的常见步骤？"
OPTION_B = "B. 删除或修正缺失值和异常值"
EXPLANATION = "数据清洗的关键步骤之一是处理缺失值和异常值"
REFERENCE = "7. 过滤过短或过长文本：保证数据样本质量和训练效果。"
LONG_FORM_ANSWER = "训练大型语言模型（LLM）的数据预处理是一个至关重要的阶段"

NAME_LIMIT = f"over the {NAME_MAX_CHARS}-character limit"
MARKDOWN_LIMIT = f"over the {MARKDOWN_MAX_CHARS:,}-character limit"


def line_of(text: str, needle: str, start: str = "") -> int:
    """1-based line of the first `needle` after the first `start`."""
    offset = text.index(needle, text.index(start) if start else 0)
    return text.count("\n", 0, offset) + 1


def refused(text: str, name: str = "bank.md", **kwargs) -> list[str]:
    with pytest.raises(BankImportError) as error:
        bank_import(data=text.encode("utf-8"), source_name=name, **kwargs)
    assert QuestionBank.objects.count() == 0
    return error.value.lines()


def test_texts_the_tests_change_are_in_the_builtin_bank():
    for text in (CATEGORY, SKILL, PROMPT, OPTION_B, EXPLANATION, REFERENCE, LONG_FORM_ANSWER):
        assert text in BASE, text


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_bank_title_over_the_limit_is_refused(dry_run):
    title = "题" * (NAME_MAX_CHARS + 1)
    lines = refused(BASE.replace("AI-大模型训练", title, 1), dry_run=dry_run)
    assert lines == [
        f"bank.md:1: the bank title is {NAME_MAX_CHARS + 1} characters long, {NAME_LIMIT}"
    ]


def test_a_category_name_over_the_limit_is_refused_at_its_heading():
    name = "类" * (NAME_MAX_CHARS + 1)
    text = BASE.replace(CATEGORY, name)
    lines = refused(text)
    line = line_of(text, f"### {name}", "## 详细题目列表")
    assert lines == [
        f'bank.md:{line}: category name "{"类" * 40}…" is {NAME_MAX_CHARS + 1} characters '
        f"long, {NAME_LIMIT}"
    ]


def test_a_skill_name_over_the_limit_is_refused_at_its_heading():
    name = "技" * (NAME_MAX_CHARS + 1)
    text = BASE.replace(SKILL, name)
    lines = refused(text)
    line = line_of(text, f"#### {name}")
    assert lines == [
        f'bank.md:{line}: skill name "{"技" * 40}…" is {NAME_MAX_CHARS + 1} characters '
        f"long, {NAME_LIMIT}"
    ]


def test_a_skill_anchor_over_the_limit_is_refused():
    anchor = "a" * (NAME_MAX_CHARS + 1)
    text = BASE.replace(f"id='{SKILL}'", f"id='{anchor}'").replace(f"(#{SKILL})", f"(#{anchor})")
    lines = refused(text)
    line = line_of(text, f"#### {SKILL}")
    assert lines == [
        f'bank.md:{line}: skill "{SKILL}": anchor "{"a" * 40}…" is {NAME_MAX_CHARS + 1} '
        f"characters long, {NAME_LIMIT}"
    ]


def test_names_at_the_limit_are_accepted():
    text = (
        BASE.replace("AI-大模型训练", "题" * NAME_MAX_CHARS, 1)
        .replace(CATEGORY, "类" * NAME_MAX_CHARS)
        .replace(SKILL, "技" * NAME_MAX_CHARS)
    )
    result = bank_import(data=text.encode(), source_name="bank.md")
    assert result.created == 129
    assert result.bank.categories.filter(name="类" * NAME_MAX_CHARS).exists()


WHERE = f'question 1 of skill "{SKILL}"'
OVER = MARKDOWN_MAX_CHARS + 1


@pytest.mark.parametrize(
    ("old", "what", "at"),
    [
        (PROMPT, "the question text", "**问题 1:**"),
        (OPTION_B, "option B", "**问题 1:**"),
        (EXPLANATION, "the explanation", "<details>"),
    ],
    ids=["prompt", "option", "explanation"],
)
def test_a_choice_question_field_over_the_limit_is_refused(old, what, at):
    padding = "长" * (OVER - len(old) + (3 if old == OPTION_B else 0))
    text = BASE.replace(old, old + padding, 1)
    lines = refused(text)
    line = line_of(text, at, f"#### {SKILL}")
    assert len(lines) == 1
    assert lines[0].startswith(f"bank.md:{line}: {WHERE}: {what} is ")
    assert lines[0].endswith(f" characters long, {MARKDOWN_LIMIT}")


def test_a_reference_answer_over_the_limit_is_refused():
    text = BASE.replace(REFERENCE, REFERENCE + "长" * OVER, 1)
    lines = refused(text)
    line = line_of(text, "<details>", "**问题 2:**")
    assert len(lines) == 1
    assert lines[0].startswith(
        f'bank.md:{line}: question 2 of skill "{SKILL}": the reference answer is '
    )
    assert lines[0].endswith(f" characters long, {MARKDOWN_LIMIT}")


def test_a_long_form_answer_over_the_limit_is_refused():
    text = BASE.replace(LONG_FORM_ANSWER, LONG_FORM_ANSWER + "长" * OVER, 1)
    lines = refused(text)
    heading = text[: text.index(LONG_FORM_ANSWER)].rindex("\n### ")
    line = text.count("\n", 0, heading) + 2
    assert len(lines) == 1
    assert lines[0].startswith(f"bank.md:{line}: long-form question ")
    assert ": the reference answer is " in lines[0]
    assert lines[0].endswith(MARKDOWN_LIMIT)


def test_a_field_at_the_limit_is_accepted():
    text = BASE.replace(PROMPT, PROMPT + "长" * (MARKDOWN_MAX_CHARS - len(PROMPT)), 1)
    bank_import(data=text.encode(), source_name="bank.md")
    assert len(Question.objects.get(prompt_md__startswith=PROMPT).prompt_md) == MARKDOWN_MAX_CHARS


@pytest.mark.parametrize("dry_run", ["", "on"])
def test_the_upload_page_lists_the_limit_instead_of_failing(client, admin_user, dry_run):
    client.force_login(admin_user)
    name = "类" * (NAME_MAX_CHARS + 1)
    text = BASE.replace(CATEGORY, name)
    upload = SimpleUploadedFile("long.md", text.encode(), content_type="text/markdown")
    response = client.post("/bank/import/", {"file": upload, "dry_run": dry_run})
    assert response.status_code == 400
    html = response.content.decode()
    line = line_of(text, f"### {name}", "## 详细题目列表")
    assert f"long.md:{line}: category name" in html
    assert f"{NAME_MAX_CHARS + 1} characters long, {NAME_LIMIT}" in html
    assert QuestionBank.objects.count() == 0
