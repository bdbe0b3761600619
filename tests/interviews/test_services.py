"""The guard rails of interviews.services, called directly: bad numbers, who may change a set,
which questions it may hold, how many, and what an archived set still allows."""

import pytest
from django.core.exceptions import ValidationError

from interviews.models import QuestionSet
from interviews.services import question_set_create, question_set_update
from questions.models import Category, Question, QuestionBank, Skill

pytestmark = pytest.mark.django_db


def make_bank(title: str, questions: int = 4) -> QuestionBank:
    """A bank of one category and one skill holding `questions` open-ended questions."""
    bank = QuestionBank.objects.create(title=title, slug=title.lower().replace(" ", "-"))
    category = Category.objects.create(bank=bank, name=f"{title} 领域")
    skill = Skill.objects.create(category=category, name=f"{title} 能力", anchor="a", difficulty=4)
    Question.objects.bulk_create(
        Question(
            bank=bank,
            category=category,
            skill=skill,
            kind="open_ended",
            difficulty=4,
            prompt_md=f"{title} question {n}",
            source_key=f"q{n}",
        )
        for n in range(questions)
    )
    return bank


@pytest.fixture
def bank():
    return make_bank("Small bank")


def first_question(bank) -> Question:
    return Question.objects.filter(bank=bank).order_by("pk").first()


# --- numbers -----------------------------------------------------------------------------------

TIME_LIMIT_WORDS = "The time limit is a whole number of minutes, 1 to 1440."
POINTS_WORDS = "Points are a whole number from 1 to 100."
# What a form, a JSON body or a hand-made request may send that int() refuses or misreads:
# words, fractions, a superscript digit (str.isdigit() says yes, int() says no), booleans,
# numbers out of range and digit strings too long for int().
NOT_WHOLE_NUMBERS = ["abc", "1.5", 1.5, 2.0, "²", "1e3", True, False, [5], "9" * 5000]


@pytest.mark.parametrize("minutes", [*NOT_WHOLE_NUMBERS, 0, "0", 1441, "-5", 10**30])
def test_a_time_limit_that_is_not_1_to_1440_minutes_is_refused_in_words(interviewer, bank, minutes):
    with pytest.raises(ValidationError) as caught:
        question_set_create(owner=interviewer, bank=bank, title="T", time_limit_minutes=minutes)
    assert caught.value.message_dict == {"time_limit_minutes": [TIME_LIMIT_WORDS]}
    assert not QuestionSet.objects.exists()


@pytest.mark.parametrize(
    ("minutes", "stored"),
    # full-width digits are what a Chinese input method types; int() and Django's forms read them
    [(None, None), ("", None), ("  ", None), (1, 1), ("45", 45), (" 7 ", 7), ("１２", 12)],
)
def test_a_time_limit_of_whole_minutes_or_none_is_kept(interviewer, bank, minutes, stored):
    question_set = question_set_create(
        owner=interviewer, bank=bank, title="T", time_limit_minutes=minutes
    )
    assert QuestionSet.objects.get(pk=question_set.pk).time_limit_minutes == stored


@pytest.mark.parametrize("points", [*NOT_WHOLE_NUMBERS, 0, 101, "-1", 10**30])
def test_points_that_are_not_1_to_100_are_refused_in_words(interviewer, bank, points):
    with pytest.raises(ValidationError) as caught:
        question_set_create(
            owner=interviewer, bank=bank, title="T", items=[(first_question(bank), points)]
        )
    assert caught.value.message_dict == {"points": [POINTS_WORDS]}
    assert not QuestionSet.objects.exists()


def test_a_refused_time_limit_leaves_the_set_as_it_was(interviewer, bank):
    question_set = question_set_create(
        owner=interviewer, bank=bank, title="Kept", time_limit_minutes=30
    )
    with pytest.raises(ValidationError) as caught:
        question_set_update(
            question_set=question_set, actor=interviewer, title="Changed", time_limit_minutes="²"
        )
    assert caught.value.messages == [TIME_LIMIT_WORDS]
    stored = QuestionSet.objects.get(pk=question_set.pk)
    assert (stored.title, stored.time_limit_minutes) == ("Kept", 30)
