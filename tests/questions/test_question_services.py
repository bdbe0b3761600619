"""Question services: every rule of a question through create and edit; the edit lock in a race."""

import threading
import time
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from questions import services
from questions.models import Category, Choice, Question, QuestionBank, QuestionRevision, Skill
from questions.services import (
    ChoiceInput,
    StaleQuestionVersion,
    question_create,
    question_update,
)

A_RIGHT, B_WRONG = ChoiceInput("A", "甲", True), ChoiceInput("B", "乙", False)
VALID = {
    "kind": "single_choice",
    "prompt_md": "哪一个对？",
    "difficulty": 3,
    "choices": [A_RIGHT, B_WRONG],
}


@pytest.fixture
def skill(db):
    bank = QuestionBank.objects.create(title="Services", slug="services")
    category = Category.objects.create(bank=bank, name="Category")
    return Skill.objects.create(category=category, name="Skill", anchor="skill", difficulty=2)


@pytest.fixture
def question(skill, interviewer):
    return question_create(
        bank=skill.category.bank, actor=interviewer, skill=skill, explanation_md="", **VALID
    )


# Each rule of a question, broken alone: what is changed from a valid question, and what the
# author reads. Both create and edit check every rule.
RULES = [
    ("unknown kind", {"kind": "essay"}, {"kind": ["Unknown question kind essay."]}),
    ("empty prompt", {"prompt_md": " \n "}, {"prompt_md": ["The question needs a prompt."]}),
    (
        "difficulty below 1",
        {"difficulty": 0},
        {"difficulty": ["Difficulty is a whole number from 1 to 10."]},
    ),
    (
        "difficulty above 10",
        {"difficulty": 11},
        {"difficulty": ["Difficulty is a whole number from 1 to 10."]},
    ),
    (
        "open-ended with choices",
        {"kind": "open_ended"},
        {"choices": ["Open-ended questions have no choices."]},
    ),
    (
        "one choice",
        {"choices": [A_RIGHT]},
        {"choices": ["A choice question needs at least 2 choices."]},
    ),
    (
        "a choice without a label",
        {"choices": [A_RIGHT, ChoiceInput(" ", "乙", False)]},
        {"choices": ["Each choice needs its own label."]},
    ),
    (
        "two choices with one label",
        {"choices": [A_RIGHT, ChoiceInput("A ", "乙", False)]},
        {"choices": ["Each choice needs its own label."]},
    ),
    (
        "a choice without text",
        {"choices": [A_RIGHT, ChoiceInput("B", "  ", False)]},
        {"choices": ["Every choice needs text."]},
    ),
    (
        "single choice with two correct",
        {"choices": [A_RIGHT, ChoiceInput("B", "乙", True)]},
        {"choices": ["A single-choice question needs exactly one correct choice (it has 2)."]},
    ),
    (
        "single choice with none correct",
        {"choices": [ChoiceInput("A", "甲", False), B_WRONG]},
        {"choices": ["A single-choice question needs exactly one correct choice (it has 0)."]},
    ),
    (
        "multiple choice with none correct",
        {"kind": "multiple_choice", "choices": [ChoiceInput("A", "甲", False), B_WRONG]},
        {"choices": ["A multiple-choice question needs at least one correct choice."]},
    ),
    (
        "several rules at once",
        {"prompt_md": "", "difficulty": 12, "choices": [ChoiceInput("A", "", False)]},
        {
            "prompt_md": ["The question needs a prompt."],
            "difficulty": ["Difficulty is a whole number from 1 to 10."],
            "choices": [
                "A choice question needs at least 2 choices.",
                "Every choice needs text.",
                "A single-choice question needs exactly one correct choice (it has 0).",
            ],
        },
    ),
]


def _rows() -> tuple[int, int, int]:
    return Question.objects.count(), Choice.objects.count(), QuestionRevision.objects.count()


@pytest.mark.parametrize(("broken", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_create_refuses_each_broken_rule_and_writes_nothing(skill, interviewer, broken, expected):
    before = _rows()
    with pytest.raises(ValidationError) as refused:
        question_create(
            bank=skill.category.bank, actor=interviewer, skill=skill, **(VALID | broken)
        )
    assert refused.value.message_dict == expected
    assert _rows() == before


@pytest.mark.parametrize(("broken", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_edit_refuses_each_broken_rule_and_changes_nothing(question, interviewer, broken, expected):
    before = _rows()
    fields = VALID | broken
    with pytest.raises(ValidationError) as refused:
        question_update(
            question=question,
            actor=interviewer,
            explanation_md="",
            reference_answer_md="",
            expected_version=1,
            **fields,
        )
    assert refused.value.message_dict == expected
    assert _rows() == before
    stored = Question.objects.get(pk=question.pk)
    assert (stored.version, stored.prompt_md, stored.kind) == (1, "哪一个对？", "single_choice")
    assert [(c.label, c.is_correct) for c in stored.choices.all()] == [("A", True), ("B", False)]


def test_edit_refuses_to_unrate_a_skill_question(question, interviewer):
    """A skill question always has a difficulty (create fills in the skill's when none is given)."""
    with pytest.raises(ValidationError) as refused:
        question_update(
            question=question,
            actor=interviewer,
            prompt_md="哪一个对？",
            explanation_md="",
            reference_answer_md="",
            difficulty=None,
        )
    assert refused.value.message_dict == {
        "difficulty": ["A question with a skill needs a difficulty (the skill's is 2)."]
    }
    assert Question.objects.get(pk=question.pk).difficulty == 3


def test_create_without_a_difficulty_takes_the_skills(skill, interviewer):
    created = question_create(
        bank=skill.category.bank, actor=interviewer, skill=skill, **(VALID | {"difficulty": None})
    )
    assert created.difficulty == 2


def test_create_refuses_a_skill_of_another_bank(skill, interviewer):
    other = QuestionBank.objects.create(title="Other", slug="other")
    before = _rows()
    with pytest.raises(ValidationError) as refused:
        question_create(bank=other, actor=interviewer, skill=skill, **VALID)
    assert refused.value.message_dict == {"skill": ["That skill belongs to another bank."]}
    assert _rows() == before


def test_a_valid_edit_passes_every_rule(question, interviewer):
    saved = question_update(
        question=question,
        actor=interviewer,
        kind="multiple_choice",
        prompt_md="哪些对？",
        explanation_md="",
        reference_answer_md="",
        difficulty=10,
        choices=[A_RIGHT, ChoiceInput("B", "乙", True)],
        expected_version=1,
    )
    assert (saved.version, saved.kind, saved.difficulty) == (2, "multiple_choice", 10)


# --- the edit lock, on PostgreSQL ----------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_edits_of_one_version_at_once_one_wins_the_other_is_stale(question, interviewer):
    """Both editors saw version 1. The row lock makes the second wait for the first and then
    see version 2: it is refused as stale, and the history holds version 1 once."""
    snapshot = services.question_snapshot

    def slow_snapshot(*args, **kwargs):
        # Holds the first editor inside its transaction long enough for the second to reach
        # the lock: without the lock both would pass the version check.
        time.sleep(0.3)
        return snapshot(*args, **kwargs)

    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def edit(prompt: str):
        try:
            start.wait(timeout=10)
            question_update(
                question=question,
                actor=interviewer,
                prompt_md=prompt,
                explanation_md="",
                reference_answer_md="",
                difficulty=3,
                expected_version=1,
            )
            outcomes[prompt] = "saved"
        except Exception as exc:  # the outcome is what the test checks
            outcomes[prompt] = exc
        finally:
            connection.close()

    with mock.patch.object(services, "question_snapshot", slow_snapshot):
        threads = [threading.Thread(target=edit, args=(p,)) for p in ("第一个人", "第二个人")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert sorted(type(o).__name__ if o != "saved" else o for o in outcomes.values()) == [
        "StaleQuestionVersion",
        "saved",
    ], outcomes
    [winner] = [p for p, o in outcomes.items() if o == "saved"]
    [loser] = [o for o in outcomes.values() if isinstance(o, StaleQuestionVersion)]
    assert loser.question.version == 2
    stored = Question.objects.get(pk=question.pk)
    assert (stored.version, stored.prompt_md) == (2, winner)
    assert list(stored.revisions.values_list("version", flat=True)) == [1]
