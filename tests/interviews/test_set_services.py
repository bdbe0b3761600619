"""The guard rails of interviews.services, called directly: bad numbers, who may change a set,
which questions it may hold, how many, and what an archived set still allows."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from interviews import services
from interviews.models import QuestionSet
from interviews.services import question_set_create, question_set_update
from questions.models import Category, Question, QuestionBank, Skill
from tests.factories import UserFactory

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


# --- who may change a set ------------------------------------------------------------------------

OWNER_ONLY = "Only the set's owner or an administrator may change it."
BUILDERS_ONLY = "Only interviewers and administrators build question sets."
ARCHIVED = "This set is archived; restore it before changing it."


@pytest.fixture
def question_set(interviewer, bank):
    questions = list(Question.objects.filter(bank=bank).order_by("pk")[:3])
    return question_set_create(
        owner=interviewer, bank=bank, title="Three", items=[(q, None) for q in questions]
    )


def first_item(question_set):
    return question_set.items.order_by("position").first()


def spare_question(question_set) -> Question:
    """A question of the set's bank that is not in the set (and fits any item's slot here)."""
    return (
        Question.objects.filter(bank=question_set.bank_id)
        .exclude(set_items__question_set=question_set)
        .order_by("pk")
        .first()
    )


# Every service that changes an existing set, called as a page or the API would call it.
EDITS = {
    "update": lambda qs, actor: services.question_set_update(
        question_set=qs, actor=actor, title="Changed"
    ),
    "archive": lambda qs, actor: services.question_set_archive(question_set=qs, actor=actor),
    "replace_items": lambda qs, actor: services.question_set_replace_items(
        question_set=qs, actor=actor, items=[(spare_question(qs), None)]
    ),
    "item_add": lambda qs, actor: services.question_set_item_add(
        question_set=qs, actor=actor, question=spare_question(qs)
    ),
    "item_remove": lambda qs, actor: services.question_set_item_remove(
        question_set=qs, item_id=first_item(qs).pk, actor=actor
    ),
    "item_move": lambda qs, actor: services.question_set_item_move(
        question_set=qs, item_id=first_item(qs).pk, actor=actor, offset=1
    ),
    "reorder": lambda qs, actor: services.question_set_reorder(
        question_set=qs,
        actor=actor,
        item_ids=list(qs.items.order_by("-position").values_list("pk", flat=True)),
    ),
    "item_set_points": lambda qs, actor: services.question_set_item_set_points(
        question_set=qs, item_id=first_item(qs).pk, actor=actor, points=9
    ),
    "item_swap": lambda qs, actor: services.question_set_item_swap(
        question_set=qs, item_id=first_item(qs).pk, actor=actor, seed=1
    ),
}
# The set's questions change with these; its settings (update) and archiving do not.
CONTENT_EDITS = [name for name in EDITS if name not in ("update", "archive")]


def snapshot(question_set) -> tuple:
    stored = QuestionSet.objects.get(pk=question_set.pk)
    items = list(stored.items.order_by("position").values_list("pk", "question_id", "points"))
    return (stored.title, stored.archived_at, items)


@pytest.mark.parametrize("edit", EDITS)
@pytest.mark.parametrize("role", ["interviewer", "hiring_manager", "none"])
def test_only_the_owner_or_an_administrator_may_change_a_set(question_set, edit, role):
    stranger = UserFactory(username=f"stranger-{role}", role=role)
    before = snapshot(question_set)
    with pytest.raises(PermissionDenied) as caught:
        EDITS[edit](question_set, stranger)
    assert str(caught.value) == OWNER_ONLY
    assert snapshot(question_set) == before


@pytest.mark.parametrize("edit", EDITS)
def test_an_administrator_may_change_anyones_set(question_set, admin_user, edit):
    before = snapshot(question_set)
    EDITS[edit](question_set, admin_user)
    assert snapshot(question_set) != before


@pytest.mark.parametrize("edit", CONTENT_EDITS)
def test_an_archived_set_refuses_changes_to_its_questions(question_set, interviewer, edit):
    services.question_set_archive(question_set=question_set, actor=interviewer)
    before = snapshot(question_set)
    with pytest.raises(ValidationError) as caught:
        EDITS[edit](question_set, interviewer)
    assert caught.value.messages == [ARCHIVED]
    assert snapshot(question_set) == before


def test_an_archived_set_may_be_renamed_and_restored(question_set, interviewer):
    services.question_set_archive(question_set=question_set, actor=interviewer)
    services.question_set_update(question_set=question_set, actor=interviewer, title="Old")
    assert (snapshot(question_set)[0], QuestionSet.objects.get().is_archived) == ("Old", True)
    services.question_set_archive(question_set=question_set, actor=interviewer, archived=False)
    assert not QuestionSet.objects.get().is_archived


@pytest.mark.parametrize("role", ["hiring_manager", "none"])
def test_only_interviewers_and_administrators_create_or_clone_sets(question_set, bank, role):
    user = UserFactory(username=f"user-{role}", role=role)
    with pytest.raises(PermissionDenied) as caught:
        question_set_create(owner=user, bank=bank, title="Mine")
    assert str(caught.value) == BUILDERS_ONLY
    with pytest.raises(PermissionDenied) as caught:
        services.question_set_clone(question_set=question_set, actor=user)
    assert str(caught.value) == BUILDERS_ONLY
    assert list(QuestionSet.objects.values_list("pk", flat=True)) == [question_set.pk]


def test_another_interviewer_may_clone_a_set_as_their_own(question_set):
    other = UserFactory(username="otto", role="interviewer")
    clone = services.question_set_clone(question_set=question_set, actor=other)
    assert (clone.owner, clone.title, clone.cloned_from) == (other, "Copy of Three", question_set)
    assert snapshot(clone)[2] != [] and [q for _pk, q, _p in snapshot(clone)[2]] == [
        q for _pk, q, _p in snapshot(question_set)[2]
    ]


# --- which questions a set may hold ------------------------------------------------------------

# The services that put a given question into a set.
PUT_QUESTION = {
    "create": lambda qs, actor, question: question_set_create(
        owner=actor, bank=qs.bank, title="New", items=[(question, None)]
    ),
    "replace_items": lambda qs, actor, question: services.question_set_replace_items(
        question_set=qs, actor=actor, items=[(question, None)]
    ),
    "item_add": lambda qs, actor, question: services.question_set_item_add(
        question_set=qs, actor=actor, question=question
    ),
}


@pytest.mark.parametrize("put", PUT_QUESTION)
def test_a_question_of_another_bank_is_refused(question_set, interviewer, put):
    foreign = first_question(make_bank("Other bank"))
    before = snapshot(question_set)
    with pytest.raises(ValidationError) as caught:
        PUT_QUESTION[put](question_set, interviewer, foreign)
    assert caught.value.messages == [f"Question {foreign.pk} is from another bank."]
    assert snapshot(question_set) == before
    assert QuestionSet.objects.count() == 1


@pytest.mark.parametrize("put", PUT_QUESTION)
def test_an_inactive_question_is_refused(question_set, interviewer, put):
    retired = spare_question(question_set)
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    before = snapshot(question_set)
    with pytest.raises(ValidationError) as caught:
        PUT_QUESTION[put](question_set, interviewer, retired)
    assert caught.value.messages == [f"Question {retired.pk} is no longer active."]
    assert snapshot(question_set) == before


def test_a_swap_never_brings_in_a_question_of_another_bank(question_set, interviewer):
    foreign = first_question(make_bank("Other bank"))
    item = first_item(question_set)
    with pytest.raises(ValidationError) as caught:
        services.question_set_item_swap(
            question_set=question_set, item_id=item.pk, actor=interviewer, replacement=foreign
        )
    assert caught.value.messages == [f"Question {foreign.pk} does not fit this slot."]


# --- at most 200 questions ---------------------------------------------------------------------


@pytest.fixture
def big_bank():
    return make_bank("Big bank", questions=services.MAX_ITEMS + 1)


def test_a_set_of_200_questions_takes_no_more(interviewer, big_bank):
    questions = list(Question.objects.filter(bank=big_bank).order_by("pk"))
    full = question_set_create(
        owner=interviewer, bank=big_bank, title="Full", items=[(q, None) for q in questions[:200]]
    )
    with pytest.raises(ValidationError) as caught:
        services.question_set_item_add(
            question_set=full, actor=interviewer, question=questions[200]
        )
    assert caught.value.messages == ["A set holds at most 200 questions."]
    assert full.items.count() == 200


@pytest.mark.parametrize("how", ["create", "replace_items"])
def test_201_questions_are_refused_whole(interviewer, big_bank, how):
    questions = list(Question.objects.filter(bank=big_bank).order_by("pk"))
    items = [(q, None) for q in questions]
    assert len(items) == 201
    question_set = question_set_create(
        owner=interviewer, bank=big_bank, title="Some", items=items[:2]
    )
    with pytest.raises(ValidationError) as caught:
        if how == "create":
            question_set_create(owner=interviewer, bank=big_bank, title="Too many", items=items)
        else:
            services.question_set_replace_items(
                question_set=question_set, actor=interviewer, items=items
            )
    assert caught.value.message_dict == {"items": ["A set holds at most 200 questions."]}
    assert list(QuestionSet.objects.values_list("title", flat=True)) == ["Some"]
    assert question_set.items.count() == 2


def test_a_non_owner_is_told_it_is_not_their_set_before_anything_about_their_input(
    question_set,
):
    stranger = UserFactory(username="stranger", role="interviewer")
    with pytest.raises(PermissionDenied) as caught:
        question_set_update(
            question_set=question_set, actor=stranger, title="", time_limit_minutes="abc"
        )
    assert str(caught.value) == OWNER_ONLY
