"""The importer writes exactly the same rows as before its refactoring: a dump of every row, hashed.

Each bank (the built-in one and the three siblings) goes through three imports: the file as it
is, an edited copy (a third of its quoted lines changed, its last long-form question gone, one
question edited in the app first), then the original again. After each, every row of the bank
(ids and timestamps left out, references by natural key, sorted) and the import's summary,
conflicts and warnings are dumped to canonical JSON. The expected SHA-256 of each dump was
computed on the importer before `_write_bank` and `_parse_details` were split into steps; if
a change here is intended, say why in the commit and update the digests. The parser's messages
about irregular detail sections are pinned the same way.
"""

import hashlib
import json
from pathlib import Path

import pytest

from questions.bankformat import BankFormatError, parse_bank
from questions.importer import ImportResult, bank_import
from questions.models import Category, Choice, Question, QuestionBank, QuestionRevision, Skill
from questions.services import question_update
from tests.questions.samples import sample_path

pytestmark = pytest.mark.django_db
BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"

EXPECTED = {
    "ai-llm-training.md": (
        "80939213b4333eb93d876ddcede5ba5095ca5cfc45199df82de79b919ab569e4",
        "805b68a6add5024bb6cd0d87f075e49bf54ae597a099285ca52ab9af198e625a",
        "2bb3b4e68c6976fac979520d581a6cf1df444fe1fd7a96bef7f166a3728458c1",
    ),
    "k8s.md": (
        "1027aa63790330b8345c9a7f1242459c157fdf8a82f1c8ee04b5507323742980",
        "29aa847da3aecab2bd7ff6e19d913c4b980b87a2a149d7897cf6ba17249db55e",
        "5779976cd9705e542dd54d378d6cbaf323cc84cce73da8243b6c0726caa4e89b",
    ),
    "vite.md": (
        "1b7a019da20d36f74494bf730eeb2333f32284ff4c6aa8d5840ef69cb78aad75",
        "ef3ed4f3e29bf3bf2897c13b753c2af201879b66788ff83c34fec08cd95b99d1",
        "2e3502f113ac8e3c686ee7edd797ac1299df18fa033d95390ba74098486645f3",
    ),
    "bitcoin.md": (
        "09ea4a6bce187febc66ed8c9340afe4d431d9828aa4dc2cd728f573604d9db4e",
        "40294fc334afd475c2315aa321e72ed4d2f3eeb32f9e56b2e0f1ad2c03bd4b7f",
        "e39583e948d2aa94c137ffa56890f2d79b44dd6e2bfffc36e4f29153516042cc",
    ),
}


def edited_copy(text: str) -> str:
    """Every third quoted line (prompts and options) gets a suffix; the last `### ` section
    (a long-form question in every bank of the family) is cut off."""
    lines = text.split("\n")
    quoted = 0
    for index, line in enumerate(lines):
        if line.startswith("> ") and line[2:].strip():
            quoted += 1
            if quoted % 3 == 0:
                lines[index] = line + "（修订）"
    edited = "\n".join(lines)
    return edited[: edited.rindex("\n### ")] + "\n"


def rows_of(bank: QuestionBank) -> dict:
    """Every row of the bank, ids, timestamps and authors left out, sorted."""
    skills = Skill.objects.filter(category__bank=bank).select_related("category")
    anchor_of = {s.pk: s.anchor for s in skills}
    questions = Question.objects.filter(bank=bank).select_related("category", "skill")
    return {
        "bank": [bank.title, bank.slug, bank.source_name, bank.source_sha256],
        "categories": sorted([c.name, c.position] for c in Category.objects.filter(bank=bank)),
        "skills": sorted(
            [s.category.name, s.name, s.anchor, s.difficulty, s.position] for s in skills
        ),
        "questions": sorted(
            [
                q.source_key,
                q.category.name if q.category else None,
                q.skill.anchor if q.skill else None,
                q.kind,
                q.prompt_md,
                q.explanation_md,
                q.reference_answer_md,
                q.difficulty,
                q.version,
                q.edited_in_app,
                q.source_fingerprint,
                q.source_line,
                q.position,
                q.is_active,
            ]
            for q in questions
        ),
        "choices": sorted(
            [c.question.source_key, c.label, c.text_md, c.is_correct, c.position]
            for c in Choice.objects.filter(question__bank=bank).select_related("question")
        ),
        "revisions": sorted(
            [
                r.question.source_key,
                r.version,
                r.source,
                {**r.snapshot, "skill": anchor_of.get(r.snapshot.get("skill"))},
            ]
            for r in QuestionRevision.objects.filter(question__bank=bank).select_related("question")
        ),
    }


def digest(result: ImportResult) -> str:
    dump = {
        "result": [result.summary(), result.conflicts, result.warnings],
        "rows": rows_of(QuestionBank.objects.get(pk=result.bank.pk)),
    }
    text = json.dumps(dump, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def edit_in_app(bank: QuestionBank, actor) -> None:
    """The first choice question of the bank, reworded in the app before the edited import."""
    question = bank.questions.filter(kind="single_choice").order_by("position").first()
    question_update(
        question=question,
        actor=actor,
        prompt_md="（面试官改写）" + question.prompt_md,
        explanation_md=question.explanation_md,
        reference_answer_md=question.reference_answer_md,
        difficulty=question.difficulty,
    )


@pytest.mark.parametrize("name", list(EXPECTED))
def test_import_writes_the_same_rows_as_before_the_refactoring(name, interviewer):
    path = BUILTIN if name == BUILTIN.name else sample_path(name)
    text = path.read_text(encoding="utf-8")
    first = bank_import(data=text.encode(), source_name=name)
    digests = [digest(first)]
    edit_in_app(first.bank, interviewer)
    edited = bank_import(data=edited_copy(text).encode(), source_name=name)
    assert edited.updated and edited.deactivated == 1 and len(edited.conflicts) <= 1
    digests.append(digest(edited))
    digests.append(digest(bank_import(data=text.encode(), source_name=name)))
    assert tuple(digests) == EXPECTED[name]


DETAILS_START = "## 详细题目列表\n\n### 数据准备与处理\n"
FIRST_SKILL = "#### 数据采集与清洗\n\n**技能难度评分:** 2/10\n"
FIRST_ANSWER_END = "选项D虽然关注数据量，但忽视了数据质量同样重要。</strong></p>\n</details>\n"

# One irregularity of the details section each: what the parser says must not change.
IRREGULAR = {
    "code outside a question": (DETAILS_START, DETAILS_START + "\n```\ncode\n```\n"),
    "stray text": (DETAILS_START, DETAILS_START + "\n这一行不属于任何题目\n"),
    "answer without question": (FIRST_SKILL, FIRST_SKILL + "\n<details>答案</details>\n"),
    "second answer": (FIRST_ANSWER_END, FIRST_ANSWER_END + "\n<details>又一个答案</details>\n"),
    "question before skill": (DETAILS_START, DETAILS_START + "\n**问题 9:** 孤立的问题\n"),
    "skill before category": ("## 详细题目列表\n", "## 详细题目列表\n\n#### 孤立的能力点\n"),
    "skill without name": (DETAILS_START, DETAILS_START + "\n#### <a id='x'></a>\n"),
    "category without name": ("## 详细题目列表\n", "## 详细题目列表\n\n### <a id='y'></a>\n"),
    "difficulty outside skill": (DETAILS_START, DETAILS_START + "\n**技能难度评分:** 3/10\n"),
    "difficulty twice": (FIRST_SKILL, FIRST_SKILL + "\n**技能难度评分:** 4/10\n"),
    "rule inside a question": (
        "> D. 增加数据量而不关注数据质量\n",
        "> D. 增加数据量而不关注数据质量\n\n---\n",
    ),
}
IRREGULAR_DIGEST = "c09b2b6304dc744fd1fbf02af12905423d1fd988682e76aa2d6143035f33f8ab"


def test_irregular_details_are_reported_as_before_the_refactoring():
    base = BUILTIN.read_text(encoding="utf-8")
    said = {}
    for case, (old, new) in IRREGULAR.items():
        assert base.count(old) >= 1, case
        try:
            said[case] = ["ok", list(parse_bank(base.replace(old, new, 1).encode()).warnings)]
        except BankFormatError as exc:
            said[case] = ["refused", exc.issues]
    text = json.dumps(said, ensure_ascii=False, sort_keys=True)
    assert hashlib.sha256(text.encode()).hexdigest() == IRREGULAR_DIGEST
