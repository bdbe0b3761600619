"""Chinese text uses Chinese punctuation: the compiled zh-hans catalogue, and what the bank
pages join around translated text (题库：AI-大模型训练, not 题库: AI-大模型训练)."""

import gettext
import re
from pathlib import Path

import pytest

from questions.importer import bank_import_path
from questions.models import Question

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
BUILTIN = ROOT / "data" / "banks" / "ai-llm-training.md"

CJK = "[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]"
ASCII_MARK = "[:,;?()]"
# An ASCII mark touching Chinese text on either side (a space between does not make it right).
MIXED = re.compile(f"{CJK} ?{ASCII_MARK}|{ASCII_MARK} ?{CJK}")
# Placeholders are filled in later: %(name)s, %s, {0}, {label}. They are neither side.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sd]|\{\w*\}")


def ascii_punctuation_in_chinese(text: str) -> list[str]:
    return MIXED.findall(PLACEHOLDER.sub("\x00", text))


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("题库: %(title)s", True),
        ("题库：%(title)s", False),
        ("%(n)s 道题 (已停用)", True),
        ("难度（1-10）", False),
        ("题目,答案", True),
        ("是否继续?", True),
        ("一;二", True),
        ("必须是类似 {open_ended: 3} 的对象", False),
        ("调用 API v1 时以 <code>Authorization: Token</code> 发送。", False),
        ("Search: %(value)s", False),
    ],
)
def test_the_checker_itself(text, bad):
    assert bool(ascii_punctuation_in_chinese(text)) is bad


def test_compiled_catalogue_uses_chinese_punctuation_in_chinese_text():
    with CATALOGUE.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog
    offenders = {
        msgid: translated
        for msgid, translated in catalogue.items()
        if msgid and ascii_punctuation_in_chinese(translated)
    }
    assert offenders == {}


@pytest.fixture
def bank(db):
    return bank_import_path(path=BUILTIN).bank


def _zh(client, url: str) -> str:
    return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_bank_heading_and_skill_choices_in_chinese(client, interviewer, bank):
    client.force_login(interviewer)
    html = _zh(client, "/bank/")
    assert "<h1>题库：AI-大模型训练</h1>" in html
    category = Question.objects.get(skill__name="数据采集与清洗", kind="single_choice").category
    html = _zh(client, f"/bank/?category={category.pk}")  # the skill choice lists its skills
    assert ">数据采集与清洗（难度 2）</option>" in html


def test_question_history_and_edit_form_in_chinese(client, interviewer, bank):
    client.force_login(interviewer)
    question = Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")
    detail = _zh(client, f"/bank/questions/{question.pk}/")
    assert '1 <span class="muted">（当前）</span>' in detail
    edit = _zh(client, f"/bank/questions/{question.pk}/edit/")
    assert '<span class="visually-hidden"> （选项 1）</span>' in edit
    assert '预览<span class="visually-hidden"> （题干（Markdown））</span>' in edit
