"""Set assembly on the built-in bank: the issue's examples, invalid blueprints, long-form
questions, a constant number of queries, and swap candidates."""

from collections import Counter
from pathlib import Path

import pytest

from interviews.assembly import Blueprint, BlueprintError
from interviews.selectors import question_set_assemble, swap_candidates
from interviews.services import question_set_create_from_assembly, question_set_item_add
from questions.importer import bank_import_path
from questions.models import Category, Choice, Question, QuestionBank, Skill

ROOT = Path(__file__).resolve().parents[2]
BUILTIN = ROOT / "data" / "banks" / "ai-llm-training.md"
ISSUE_BANDS = [
    {"min": 2, "max": 4, "count": 3},
    {"min": 5, "max": 7, "count": 4},
    {"min": 8, "max": 10, "count": 3},
]
SHORTFALL_MESSAGE = (
    "asked for 3 open-ended questions at difficulty 9-10 in 安全与合规, the bank has 1"
)
# question_set_assemble on a blueprint scoped to categories: the bank, the categories, one
# grouped count, the ids of the chosen groups, the chosen questions, their choices.
ASSEMBLE_QUERIES = 6

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(db) -> QuestionBank:
    return bank_import_path(path=BUILTIN).bank


def category(bank, name: str) -> Category:
    return Category.objects.get(bank=bank, name=name)


def assemble(bank, **data):
    return question_set_assemble(blueprint=Blueprint.from_data({"bank": bank.pk, **data}))


def in_band(question, low, high) -> bool:
    return question.difficulty is not None and low <= question.difficulty <= high


# --- the issue's examples --------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 7, 2024, None])
def test_issue_example_comes_out_exactly(bank, seed):
    distributed = category(bank, "分布式训练与系统架构")
    assembly = assemble(
        bank,
        categories=[distributed.pk],
        count=10,
        bands=ISSUE_BANDS,
        kinds={"open_ended": 7, "single_choice": 3},
        seed=seed,
    )
    questions = [item.question for item in assembly.items]
    assert assembly.shortfalls == []
    assert len(questions) == 10
    assert len({q.pk for q in questions}) == 10
    assert all(q.is_active and q.category_id == distributed.pk for q in questions)
    per_band = [sum(in_band(q, b["min"], b["max"]) for q in questions) for b in ISSUE_BANDS]
    assert per_band == [3, 4, 3]
    assert Counter(q.kind for q in questions) == {"open_ended": 7, "single_choice": 3}
    # spread: every skill of the category is there (7 skills, 10 questions)
    skills = Counter(q.skill_id for q in questions)
    assert set(skills) == set(
        Skill.objects.filter(category=distributed).values_list("pk", flat=True)
    )
    assert max(skills.values()) == 2
    # items are numbered in order and worth their difficulty by default
    assert [i.position for i in assembly.items] == list(range(1, 11))
    assert all(i.points == i.question.difficulty for i in assembly.items)
    assert assembly.summary["count"] == 10 and assembly.summary["open"] == 7


def test_same_seed_same_set_other_seed_other_set(bank):
    def ids(seed):
        return [i.question.pk for i in assemble(bank, count=12, bands=ISSUE_BANDS, seed=seed).items]

    assert ids(5) == ids(5)
    assert len({tuple(ids(seed)) for seed in range(6)}) > 1


def test_spread_over_categories_then_skills(bank):
    seven = [i.question for i in assemble(bank, count=7, seed=3).items]
    assert len({q.category_id for q in seven}) == 7  # one per category
    every_skill = [i.question for i in assemble(bank, count=46, seed=3).items]
    assert len({q.skill_id for q in every_skill}) == 46  # one per skill, no long-form


SAFETY_SHORT = {
    "count": 5,
    "bands": [{"min": 9, "max": 10, "count": 3}],
    "kinds": {"open_ended": 3},
}


@pytest.mark.parametrize("seed", [*range(12), None])
def test_shortfall_example_returns_what_it_can_and_says_why(bank, seed):
    safety = category(bank, "安全与合规")
    assembly = assemble(bank, categories=[safety.pk], seed=seed, **SAFETY_SHORT)
    questions = [item.question for item in assembly.items]
    # the 9-10 band has only the two difficulty-10 questions; 4 of 5 fit together
    assert len(questions) == 4 == len({q.pk for q in questions})
    assert sum(in_band(q, 9, 10) for q in questions) == 2
    assert all(q.category_id == safety.pk for q in questions)
    # the same words whatever the draw (seeds differ in whether the 3 open-ended questions
    # were met outside the band; the bank's facts do not)
    assert assembly.shortfalls == [
        SHORTFALL_MESSAGE,
        "asked for 3 questions at difficulty 9-10 in 安全与合规, the bank has 2",
        "in all, 4 of the 5 questions asked for in 安全与合规 fit the blueprint together "
        "(the bank has 14 at those difficulties, unrated questions excluded)",
        # what to widen: the range gives the fifth; the kinds and unrated questions
        # (long-form ones have no category) would not, so they are not suggested
        "to get more, widen the difficulty range: at any difficulty, 5 of the 5 questions "
        "would fit in 安全与合规",
        "to get more, choose more categories or skills than 安全与合规",
    ]


def test_a_full_set_has_no_shortfalls_and_a_short_one_always_has(bank):
    assert assemble(bank, count=92, seed=1).shortfalls == []
    short = assemble(bank, count=93, seed=1)
    assert len(short.items) == 92
    assert short.shortfalls == [
        "in all, 92 of the 93 questions asked for in AI-大模型训练 fit the blueprint together "
        "(the bank has 92 at those difficulties, unrated questions excluded)",
        "to get more, allow unrated long-form questions: 93 of the 93 questions would then "
        "fit in AI-大模型训练",
    ]
    with_unrated = assemble(bank, count=130, seed=1, include_unrated=True)
    assert with_unrated.shortfalls[-1] == (
        "nothing else in the blueprint holds the set back: AI-大模型训练 has no more questions "
        "that fit, so ask for fewer or add questions to the bank"
    )


def test_never_an_inactive_question(bank):
    safety = category(bank, "安全与合规")
    Question.objects.filter(category=safety, difficulty=10).update(is_active=False)
    assembly = assemble(bank, categories=[safety.pk], count=14, seed=1)
    assert len(assembly.items) == 12
    assert all(i.question.is_active for i in assembly.items)
    assert assembly.shortfalls


# --- invalid blueprints ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"count": 0}, "count", "must be between 1 and 200 (got 0)"),
        ({}, "count", "is required: how many questions"),
        ({"count": "ten"}, "count", "must be a whole number"),
        ({"count": 5, "difficulty_min": 8, "difficulty_max": 3}, "difficulty_max", "swap them"),
        (
            {
                "count": 5,
                "bands": [{"min": 1, "max": 4, "count": 3}, {"min": 5, "max": 9, "count": 3}],
            },
            "bands",
            "the bands add up to 6 questions, more than the count of 5",
        ),
        (
            {
                "count": 5,
                "bands": [{"min": 1, "max": 5, "count": 1}, {"min": 5, "max": 9, "count": 1}],
            },
            "bands",
            "bands 1-5 and 5-9 overlap",
        ),
        (
            {"count": 5, "difficulty_min": 2, "bands": [{"min": 3, "max": 4, "count": 1}]},
            "bands",
            "give either a difficulty range or difficulty bands, not both",
        ),
        (
            {"count": 5, "bands": [{"min": 7, "max": 3, "count": 1}]},
            "bands",
            "min 7 is above max 3",
        ),
        ({"count": 5, "kinds": {"essay": 2}}, "kinds", "unknown kind 'essay'"),
        (
            {"count": 5, "kinds": {"open_ended": 4, "single_choice": 2}},
            "kinds",
            "the kinds add up to 6 questions, more than the count of 5",
        ),
        ({"count": 5, "include_unrated": "yes"}, "include_unrated", "true or false"),
    ],
)
def test_invalid_blueprints_say_what_to_change(bank, data, field, words):
    with pytest.raises(BlueprintError) as caught:
        Blueprint.from_data({"bank": bank.pk, **data})
    assert field in caught.value.errors
    assert any(words in message for message in caught.value.errors[field])
    assert str(caught.value).startswith(f"{field}: ") or f"; {field}: " in str(caught.value)


def test_unknown_skill_and_skill_of_another_bank_are_refused(bank):
    other = QuestionBank.objects.create(title="Other bank", slug="other-bank")
    other_category = Category.objects.create(bank=other, name="别的领域")
    foreign = Skill.objects.create(
        category=other_category, name="别的能力", anchor="x", difficulty=5
    )
    for skills, named in [([999_999], "999999"), ([foreign.pk], str(foreign.pk))]:
        with pytest.raises(BlueprintError) as caught:
            assemble(bank, count=3, skills=skills)
        assert list(caught.value.errors) == ["skills"]
        message = caught.value.errors["skills"][0]
        assert named in message and "pick skills of this bank" in message
    with pytest.raises(BlueprintError) as caught:
        assemble(bank, count=3, categories=[other_category.pk])
    assert "categories" in caught.value.errors
    with pytest.raises(BlueprintError) as caught:
        question_set_assemble(blueprint=Blueprint.from_data({"bank": 999_999, "count": 3}))
    assert caught.value.errors == {"bank": ["there is no bank with id 999999"]}


# --- long-form questions ---------------------------------------------------------------------


def test_include_unrated_picks_long_form_questions(bank):
    long_form = Question.objects.filter(bank=bank, skill__isnull=True)
    assert long_form.count() == 37 and not long_form.filter(difficulty__isnull=False).exists()

    without = assemble(bank, count=50, seed=2)
    assert all(i.question.difficulty is not None for i in without.items)

    spread = assemble(bank, count=50, seed=2, include_unrated=True)
    picked = [i.question for i in spread.items if i.question.skill_id is None]
    assert 1 <= len(picked) <= 2  # long-form counts as one more "skill" in the spread
    assert all(i.points == 5 for i in spread.items if i.question.difficulty is None)

    everything = assemble(bank, count=129, seed=2, include_unrated=True)
    assert len(everything.items) == 129 and everything.shortfalls == []
    assert everything.summary["unrated"] == 37

    rated_only = assemble(bank, count=129, seed=2)
    assert len(rated_only.items) == 92
    assert "unrated questions excluded" in rated_only.shortfalls[-2]


# --- a constant number of queries ------------------------------------------------------------


def grow_bank(bank, times: int) -> None:
    """Make the bank `times` times bigger with copies of its questions (and their choices)."""
    originals = list(Question.objects.filter(bank=bank).prefetch_related("choices"))
    copies = [
        Question(
            bank=bank,
            category_id=q.category_id,
            skill_id=q.skill_id,
            kind=q.kind,
            prompt_md=f"{q.prompt_md} (copy {n})",
            difficulty=q.difficulty,
            source_key=f"{q.source_key}#copy{n}",
            position=q.position,
        )
        for n in range(1, times)
        for q in originals
    ]
    Question.objects.bulk_create(copies)
    sources = {f"{q.source_key}#copy{n}": q for n in range(1, times) for q in originals}
    Choice.objects.bulk_create(
        Choice(
            question=copy,
            label=c.label,
            text_md=c.text_md,
            is_correct=c.is_correct,
            position=c.position,
        )
        for copy in Question.objects.filter(bank=bank, source_key__contains="#copy")
        for c in sources[copy.source_key].choices.all()
    )


def test_assembly_takes_a_constant_number_of_queries(bank, django_assert_num_queries):
    categories = list(Category.objects.filter(bank=bank).values_list("pk", flat=True)[:3])

    def run(count):
        blueprint = Blueprint.from_data(
            {"bank": bank.pk, "categories": categories, "count": count, "seed": 4}
        )
        with django_assert_num_queries(ASSEMBLE_QUERIES):
            assembly = question_set_assemble(blueprint=blueprint)
        # the choices come with the questions: reading them costs nothing more
        with django_assert_num_queries(0):
            for i in assembly.items:
                assert i.question.category is not None and i.question.skill is not None
                assert len(i.question.choices.all()) == (
                    0 if i.question.kind == "open_ended" else 4
                )
        return assembly

    small = run(1)
    large = run(50)
    assert (len(small.items), len(large.items)) == (1, 38)
    grow_bank(bank, 10)
    assert Question.objects.filter(bank=bank).count() == 1290
    assert len(run(1).items) == 1
    assert len(run(50).items) == 50
    assert len(run(200).items) == 200


# --- swap candidates -------------------------------------------------------------------------


# The level bands of the design's scoring rule: 1-4, 5-7 and 8-10.
def level_band(difficulty: int) -> tuple[int, int]:
    if difficulty <= 4:
        return (1, 4)
    if difficulty <= 7:
        return (5, 7)
    return (8, 10)


def slot_of(difficulty, blueprint: dict):
    """The band a question fills, restated from the rule: the blueprint's band that holds it;
    else its level band, narrowed to the blueprint's difficulty range when it lies in that range
    (a question added by hand outside the range keeps the whole level band); None if unrated."""
    if difficulty is None:
        return None
    holding = [(b["min"], b["max"]) for b in blueprint.get("bands", [])]
    holding = [(low, high) for low, high in holding if low <= difficulty <= high]
    if holding:
        return holding[0]
    low, high = level_band(difficulty)
    asked = range(blueprint.get("difficulty_min", 1), blueprint.get("difficulty_max", 10) + 1)
    if difficulty not in asked:
        return (low, high)
    narrowed = [d for d in range(low, high + 1) if d in asked]
    return (narrowed[0], narrowed[-1])


def expected_swaps(item, set_ids: set[int], blueprint: dict) -> set[int]:
    """The slot rule, restated: same kind, same band, active, not in the set; the same skill
    when the bank has one, else the same category (long-form: other long-form questions)."""
    q = item.question
    band = slot_of(q.difficulty, blueprint)
    pool = [
        c
        for c in Question.objects.filter(bank=q.bank_id, kind=q.kind, is_active=True)
        if c.pk not in set_ids and (c.difficulty is None if band is None else in_band(c, *band))
    ]
    if q.skill_id is None:
        return {c.pk for c in pool if c.skill_id is None}
    same_skill = {c.pk for c in pool if c.skill_id == q.skill_id}
    return same_skill or {c.pk for c in pool if c.category_id == q.category_id}


def test_swap_candidates_fit_the_slot(bank, interviewer):
    data = {"count": 12, "bands": ISSUE_BANDS, "seed": 11}
    assembly = assemble(bank, **data)
    question_set = question_set_create_from_assembly(
        owner=interviewer, title="分布式训练 面试", assembly=assembly
    )
    items = list(question_set.items.select_related("question").order_by("position"))
    first = items[0].question
    # a second question of the first item's skill and kind, and an inactive one
    sibling = Question.objects.create(
        bank=bank,
        category_id=first.category_id,
        skill_id=first.skill_id,
        kind=first.kind,
        difficulty=first.difficulty,
        prompt_md="同一能力点的另一道题",
        source_key="extra-1",
    )
    Question.objects.create(
        bank=bank,
        category_id=first.category_id,
        skill_id=first.skill_id,
        kind=first.kind,
        difficulty=first.difficulty,
        prompt_md="停用的题",
        source_key="extra-2",
        is_active=False,
    )
    set_ids = {i.question_id for i in items}
    stored = question_set.blueprint
    assert stored["bands"] == ISSUE_BANDS

    assert set(swap_candidates(item=items[0]).values_list("pk", flat=True)) == {sibling.pk}
    fallbacks = 0
    for item in items:
        candidates = list(swap_candidates(item=item))
        q = item.question
        assert {c.pk for c in candidates} == expected_swaps(item, set_ids, stored), q.pk
        for c in candidates:
            assert c.kind == q.kind and c.is_active and c.pk not in set_ids
            assert slot_of(c.difficulty, stored) == slot_of(q.difficulty, stored)
        if candidates and all(c.skill_id != q.skill_id for c in candidates):
            fallbacks += 1
            assert all(c.category_id == q.category_id for c in candidates)
    # the built-in bank has one question per skill and kind: the other items fall back
    assert fallbacks >= 5


@pytest.mark.parametrize(("low", "high"), [(10, 10), (6, 9), (3, 5)])
def test_swap_candidates_stay_inside_the_blueprints_range(bank, interviewer, low, high):
    """A set drawn from a range: a swap never brings in a question outside that range."""
    assembly = assemble(bank, count=4, difficulty_min=low, difficulty_max=high, seed=1)
    question_set = question_set_create_from_assembly(
        owner=interviewer, title="range", assembly=assembly
    )
    set_ids = set(question_set.items.values_list("question_id", flat=True))
    for item in question_set.items.select_related("question"):
        candidates = list(swap_candidates(item=item))
        assert {c.pk for c in candidates} == expected_swaps(item, set_ids, question_set.blueprint)
        assert all(low <= c.difficulty <= high for c in candidates)
    # A question added by hand outside the range keeps its level band.
    outside = (
        Question.objects.filter(bank=bank, difficulty__lt=low).first()
        or Question.objects.filter(bank=bank, difficulty__gt=high).first()
    )
    if outside is not None:
        item = question_set_item_add(question_set=question_set, actor=interviewer, question=outside)
        low, high = level_band(outside.difficulty)
        assert all(low <= c.difficulty <= high for c in swap_candidates(item=item))


def test_swap_candidates_of_long_form_questions(bank, interviewer):
    assembly = assemble(bank, count=47, seed=5, include_unrated=True)
    question_set = question_set_create_from_assembly(
        owner=interviewer, title="含旧题的面试", assembly=assembly
    )
    item = question_set.items.select_related("question").get(question__skill__isnull=True)
    candidates = set(swap_candidates(item=item).values_list("pk", flat=True))
    set_ids = set(question_set.items.values_list("question_id", flat=True))
    assert candidates == expected_swaps(item, set_ids, question_set.blueprint)
    assert len(candidates) == 36


def test_kinds_left_without_a_count_are_explained_when_the_bank_has_none(bank):
    """10 asked, 5 single-choice and 2 open-ended counted: the other 3 must be multiple-choice,
    which this bank does not have. Say that, not just "the bank is short"."""
    assembly = assemble(bank, count=10, kinds={"single_choice": 5, "open_ended": 2}, seed=1)
    assert len(assembly.items) == 7
    assert (
        "the other 3 questions must be of the kinds given no count (multiple-choice) in "
        "AI-大模型训练, the bank has 0"
    ) in assembly.shortfalls


def test_shortfalls_name_the_difficulties_asked_for(bank):
    one = assemble(bank, count=15, difficulty_min=10, difficulty_max=10, seed=1)
    assert any("at difficulty 10 in" in line for line in one.shortfalls), one.shortfalls
    banded = assemble(
        bank, count=15, kinds={"open_ended": 15}, bands=[{"min": 9, "max": 10, "count": 15}]
    )
    assert any(
        line.startswith("asked for 15 open-ended questions at difficulty 9-10 in")
        for line in banded.shortfalls
    ), banded.shortfalls
