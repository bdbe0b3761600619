"""Property tests of set assembly: the pure planner, then the database front.

Both are checked against `best_total`, a brute-force oracle that knows nothing of the planner's
max-flow: it tries every way of taking 0..n questions from each (difficulty, kind) cell and keeps
the largest selection the blueprint accepts. Instances are kept small so the search stays quick.

What a blueprint accepts (the semantics the planner implements):
- kinds listed in `kinds` are exact counts; the remainder (count - sum(kinds)) is filled only by
  kinds that are not listed;
- bands are exact counts; the remainder (count - sum(bands)) takes any difficulty 1-10 (and
  unrated questions when include_unrated);
- without bands, difficulty_min/max (default 1-10) bound every pick; unrated questions (bucket 0)
  only when include_unrated.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from interviews.assembly import (
    UNRATED,
    Blueprint,
    Group,
    explain_shortfalls,
    plan_assembly,
)
from interviews.selectors import question_set_assemble
from questions.models import Category, Question, QuestionBank, QuestionKind, Skill
from tests.properties import examples

KINDS = tuple(QuestionKind.values)

# --- the oracle ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """The blueprint's constraints, restated from its data (not from the planner's code)."""

    count: int
    low: int
    high: int
    bands: tuple[tuple[int, int, int], ...]  # (min, max, count)
    quotas: dict  # kind -> exact count
    include_unrated: bool

    @classmethod
    def of(cls, data: dict) -> Rules:
        return cls(
            count=data["count"],
            low=data.get("difficulty_min") or 1,
            high=data.get("difficulty_max") or 10,
            bands=tuple((b["min"], b["max"], b["count"]) for b in data.get("bands", [])),
            quotas=dict(data.get("kinds", {})),
            include_unrated=bool(data.get("include_unrated")),
        )

    @property
    def rest(self) -> int:
        """Picks not owed to a band (the remainder, or the whole count without bands)."""
        return self.count - sum(b[2] for b in self.bands)

    @property
    def free(self) -> int:
        """Picks of unlisted kinds allowed."""
        return self.count - sum(self.quotas.values())

    def band_index(self, difficulty: int) -> int | None:
        if difficulty == UNRATED:
            return None
        for i, (low, high, _n) in enumerate(self.bands):
            if low <= difficulty <= high:
                return i
        return None

    def can_take(self, difficulty: int) -> bool:
        """Whether any slot of the blueprint could hold a question of this difficulty."""
        if difficulty == UNRATED:
            return self.include_unrated and (not self.bands or self.rest > 0)
        if self.bands:
            return self.rest > 0 or self.band_index(difficulty) is not None
        return self.low <= difficulty <= self.high

    def violations(self, picks: Counter) -> list[str]:
        """What is wrong with taking picks[(difficulty, kind)] questions; [] when it fits."""
        problems = []
        for (difficulty, kind), n in picks.items():
            if n and not self.can_take(difficulty):
                problems.append(f"{n} at difficulty {difficulty} ({kind}) not accepted")
        if self.bands:
            in_band = Counter()
            outside = 0
            for (difficulty, _kind), n in picks.items():
                i = self.band_index(difficulty)
                if i is None:
                    outside += n
                else:
                    in_band[i] += n
            # Band picks go to their band first; what does not fit there needs the remainder.
            overflow = outside + sum(max(0, in_band[i] - b[2]) for i, b in enumerate(self.bands))
            if overflow > self.rest:
                problems.append(f"{overflow} picks need the remainder of {self.rest}")
        per_kind = Counter()
        for (_difficulty, kind), n in picks.items():
            per_kind[kind] += n
        for kind, quota in self.quotas.items():
            if per_kind[kind] > quota:
                problems.append(f"{per_kind[kind]} {kind}, quota {quota}")
        unlisted = sum(n for kind, n in per_kind.items() if kind not in self.quotas)
        if unlisted > self.free:
            problems.append(f"{unlisted} of unlisted kinds, room for {self.free}")
        if sum(picks.values()) > self.count:
            problems.append(f"{sum(picks.values())} picks for a count of {self.count}")
        return problems


def best_total(rules: Rules, cells: Counter) -> int:
    """Exhaustive search: the most questions any selection from `cells` can fit in the blueprint.

    Depth-first over the cells, trying every count 0..size in each; every constraint only gets
    harder as picks are added, so a partial selection that breaks one is abandoned."""
    items = sorted(
        (cell, size) for cell, size in cells.items() if size > 0 and rules.can_take(cell[0])
    )
    best = 0
    picks: Counter = Counter()

    def search(i: int, taken: int, left: int) -> None:
        nonlocal best
        if taken + left <= best:
            return
        if i == len(items):
            best = taken
            return
        cell, size = items[i]
        for n in range(min(size, rules.count - taken), -1, -1):
            picks[cell] = n
            if not rules.violations(picks):
                search(i + 1, taken + n, left - size)
        picks[cell] = 0

    search(0, 0, sum(size for _cell, size in items))
    return best


def check_selection(rules: Rules, picks: Counter, available: int) -> None:
    """Everything a selection of (difficulty, kind) picks must satisfy."""
    total = sum(picks.values())
    assert not rules.violations(picks), (rules.violations(picks), picks)
    assert total == min(rules.count, available) == available, (total, available, rules)
    if total == rules.count:  # a full set honours every band and kind exactly
        for low, high, n in rules.bands:
            if rules.rest == 0:
                got = sum(v for (d, _k), v in picks.items() if d != UNRATED and low <= d <= high)
                assert got == n, (low, high, got, n)
        for kind, quota in rules.quotas.items():
            assert sum(v for (_d, k), v in picks.items() if k == kind) == quota


# --- the pure planner -----------------------------------------------------------------------

SKILLS = (1, 2, 3, 4, None)  # None: long-form
CATEGORY_OF = {1: 10, 2: 10, 3: 20, 4: 30, None: None}


@st.composite
def groups_strategy(draw):
    keys = draw(
        st.lists(
            st.tuples(
                st.sampled_from(SKILLS),
                st.sampled_from(KINDS),
                st.integers(0, 10),  # 0 = unrated
            ),
            min_size=0,
            max_size=9,
            unique=True,
        )
    )
    groups = []
    for skill, kind, difficulty in keys:
        if skill is not None and difficulty == UNRATED:
            difficulty = 1 + (skill * 3) % 10  # skill questions are always rated
        groups.append(
            Group(
                skill=skill,
                category=CATEGORY_OF[skill],
                kind=kind,
                difficulty=difficulty,
                size=draw(st.integers(1, 4)),
            )
        )
    return list({(g.skill, g.kind, g.difficulty): g for g in groups}.values())


@st.composite
def blueprint_data(draw, bank=1, max_count=10):
    count = draw(st.integers(1, max_count))
    data: dict = {"bank": bank, "count": count, "seed": draw(st.integers(0, 2**32))}
    mode = draw(st.sampled_from(["none", "range", "bands"]))
    if mode == "range":
        low = draw(st.integers(1, 10))
        high = draw(st.integers(low, 10))
        if draw(st.booleans()):
            data["difficulty_min"] = low
        if draw(st.booleans()):
            data["difficulty_max"] = high
    elif mode == "bands":
        cuts = sorted(draw(st.lists(st.integers(1, 10), min_size=2, max_size=6, unique=True)))
        bands, budget = [], count
        for low, high in zip(cuts[::2], cuts[1::2], strict=False):
            high = draw(st.sampled_from([high, low]))  # sometimes a single difficulty
            n = draw(st.integers(0, budget))
            budget -= n
            bands.append({"min": low, "max": high, "count": n})
        if draw(st.booleans()) and budget:  # often make the bands the whole count
            bands[-1]["count"] += budget
        data["bands"] = bands
    if draw(st.booleans()):
        listed = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=3, unique=True))
        kinds, budget = {}, count
        for kind in listed:
            kinds[kind] = draw(st.integers(0, budget))
            budget -= kinds[kind]
        data["kinds"] = kinds
    if draw(st.booleans()):
        data["include_unrated"] = True
    return data


def cells_of(groups) -> Counter:
    cells: Counter = Counter()
    for g in groups:
        cells[(g.difficulty, g.kind)] += g.size
    return cells


def spread_key(skill):
    return "long-form" if skill is None else skill


def check_suggestions(rules: Rules, cells: Counter, total: int, suggestions: list[str]) -> None:
    """After the facts come suggestions: each widening is offered exactly when the oracle finds
    that it fits more, with the number it finds; there is always something to do."""
    assert suggestions
    widenings = (
        (replace(rules, low=1, high=10, bands=()), "to get more, widen the difficulty range"),
        (replace(rules, include_unrated=True), "to get more, allow unrated long-form questions"),
        (replace(rules, quotas={}), "to get more, lower or clear the counts per kind"),
    )
    for wider, words in widenings:
        more = best_total(wider, cells)
        said = [s for s in suggestions if s.startswith(words)]
        if more > total:
            assert len(said) == 1 and f" {more} of the {rules.count} questions" in said[0], said
        else:
            assert said == [], (said, more, total)


@settings(max_examples=examples(300), deadline=None)
@given(groups=groups_strategy(), data=blueprint_data(), shuffle_seed=st.integers(0, 1000))
def test_planner_takes_as_many_as_the_bank_allows_and_nothing_else(groups, data, shuffle_seed):
    blueprint = Blueprint.from_data(data)
    rules = Rules.of(data)
    plan = plan_assembly(blueprint, groups)

    # never more than a group holds, never a group that was not offered
    assert set(plan.picks) <= set(groups)
    for group, n in plan.picks.items():
        assert 0 < n <= group.size, (group, n)
    picks: Counter = Counter()
    for group, n in plan.picks.items():
        picks[(group.difficulty, group.kind)] += n
    for difficulty, _kind in picks:
        if difficulty == UNRATED:
            assert blueprint.include_unrated
        elif not blueprint.bands:
            assert rules.low <= difficulty <= rules.high

    available = best_total(rules, cells_of(groups))
    check_selection(rules, picks, available)
    event("short" if plan.total < blueprint.count else "full")
    event(f"bands: {bool(blueprint.bands)}, kinds: {bool(blueprint.kinds)}")
    assert plan.requested == blueprint.count

    # bands get all the bank can give them when kinds do not compete for the same questions
    if blueprint.bands and not blueprint.kinds:
        for low, high, n in rules.bands:
            in_band = sum(v for (d, _k), v in picks.items() if d != UNRATED and low <= d <= high)
            has = sum(
                g.size for g in groups if g.difficulty != UNRATED and low <= g.difficulty <= high
            )
            assert min(in_band, n) == min(has, n), ((low, high, n), in_band, has)

    # shortfalls are explained exactly when the set is short
    shortfalls = explain_shortfalls(blueprint, groups, plan, "安全与合规")
    if plan.total < blueprint.count:
        assert shortfalls and all(isinstance(s, str) and "安全与合规" in s for s in shortfalls)
        summary = f"in all, {plan.total} of the {blueprint.count} "
        last_fact = next(i for i, s in enumerate(shortfalls) if s.startswith(summary))
        check_suggestions(rules, cells_of(groups), plan.total, shortfalls[last_fact + 1 :])
    else:
        assert shortfalls == []

    # the words are facts about the bank: another draw of the same blueprint says the same
    other = plan_assembly(Blueprint.from_data({**data, "seed": data["seed"] + 1}), groups)
    assert other.total == plan.total
    assert explain_shortfalls(blueprint, groups, other, "安全与合规") == shortfalls

    # same seed, same picks, whatever order the groups come in (the database gives no order)
    shuffled = list(groups)
    random.Random(shuffle_seed).shuffle(shuffled)
    assert plan_assembly(blueprint, shuffled).picks == plan.picks
    assert plan_assembly(blueprint, list(reversed(groups))).picks == plan.picks


@settings(max_examples=examples(150), deadline=None)
@given(groups=groups_strategy(), data=blueprint_data(max_count=14))
def test_planner_spreads_over_skills(groups, data):
    """Without bands and kinds every pick is as good as another, so the draw is balanced: no
    skill has two more picks than another unless that other one has nothing left to give."""
    data.pop("bands", None)
    data.pop("kinds", None)
    blueprint = Blueprint.from_data(data)
    plan = plan_assembly(blueprint, groups)
    eligible = [g for g in groups if Rules.of(data).can_take(g.difficulty)]
    use: Counter = Counter()
    left: Counter = Counter()
    for g in eligible:
        use[spread_key(g.skill)] += plan.picks.get(g, 0)
        left[spread_key(g.skill)] += g.size - plan.picks.get(g, 0)
    if use and max(use.values()) >= 2:
        assert all(use[key] >= 1 for key in use), use
    for a in use:
        for b in use:
            if use[a] >= use[b] + 2:
                assert left[b] == 0, (a, b, use, left)


def test_oracle_sanity():
    """The oracle itself, on cases small enough to count by hand."""
    rules = Rules.of(
        {
            "count": 5,
            "bands": [{"min": 9, "max": 10, "count": 3}],
            "kinds": {"open_ended": 3},
        }
    )
    # 安全与合规 in the built-in bank: one open and one single question per difficulty
    cells = Counter(
        {(d, k): 1 for d in (2, 3, 5, 6, 7, 8, 10) for k in KINDS if k != "multiple_choice"}
    )
    assert best_total(rules, cells) == 4  # the 9-10 band can only have 2
    rules = Rules.of({"count": 4, "kinds": {"open_ended": 1}})
    assert best_total(rules, Counter({(5, "open_ended"): 9})) == 1
    assert best_total(rules, Counter({(5, "open_ended"): 9, (5, "single_choice"): 9})) == 4
    rules = Rules.of({"count": 3, "difficulty_min": 4, "difficulty_max": 6})
    assert best_total(rules, Counter({(3, "open_ended"): 5, (UNRATED, "open_ended"): 5})) == 0
    rules = Rules.of({"count": 3, "include_unrated": True})
    assert best_total(rules, Counter({(UNRATED, "open_ended"): 5})) == 3


# --- the database front ---------------------------------------------------------------------


@st.composite
def bank_spec(draw):
    """Categories with skills with questions, plus long-form questions: small and varied."""
    categories = []
    for _c in range(draw(st.integers(1, 3))):
        skills = []
        for _s in range(draw(st.integers(0, 3))):
            difficulty = draw(st.integers(1, 10))
            questions = draw(
                st.lists(
                    st.tuples(
                        st.sampled_from(KINDS),
                        st.one_of(st.just(difficulty), st.integers(1, 10)),  # edited in the app
                        st.booleans() | st.just(True),  # active (mostly)
                    ),
                    max_size=4,
                )
            )
            skills.append((difficulty, questions))
        categories.append(skills)
    long_form = draw(
        st.lists(
            st.tuples(st.none() | st.integers(1, 10), st.booleans() | st.just(True)), max_size=4
        )
    )
    return categories, long_form


def build_bank(spec, title: str) -> QuestionBank:
    categories, long_form = spec
    bank = QuestionBank.objects.create(title=title, slug=title.lower().replace(" ", "-"))
    n = 0
    for c, skills in enumerate(categories):
        category = Category.objects.create(bank=bank, name=f"{title} 技能领域 {c}", position=c)
        for s, (difficulty, questions) in enumerate(skills):
            skill = Skill.objects.create(
                category=category,
                name=f"能力点 {c}.{s}",
                anchor=f"a{c}-{s}",
                difficulty=difficulty,
                position=s,
            )
            for kind, q_difficulty, active in questions:
                n += 1
                Question.objects.create(
                    bank=bank,
                    category=category,
                    skill=skill,
                    kind=kind,
                    difficulty=q_difficulty,
                    is_active=active,
                    prompt_md=f"问题 {n}",
                    source_key=f"q{n}",
                    position=n,
                )
    for difficulty, active in long_form:
        n += 1
        Question.objects.create(
            bank=bank,
            kind="open_ended",
            difficulty=difficulty,
            is_active=active,
            prompt_md=f"旧的问题 {n}",
            source_key=f"q{n}",
            position=n,
        )
    return bank


@st.composite
def db_case(draw):
    spec = draw(bank_spec())
    data = draw(blueprint_data(max_count=12))
    n_categories = len(spec[0])
    n_skills = [len(skills) for skills in spec[0]]
    # scope by index; turned into ids once the rows exist
    data["categories"] = draw(st.lists(st.integers(0, n_categories - 1), unique=True, max_size=2))
    skill_refs = [(c, s) for c, n in enumerate(n_skills) for s in range(n)]
    data["skills"] = (
        draw(st.lists(st.sampled_from(skill_refs), unique=True, max_size=2)) if skill_refs else []
    )
    return spec, data


class _Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(case=db_case(), other=bank_spec())
def test_assembled_sets_fit_the_blueprint_and_the_bank(case, other):
    spec, data = case
    try:
        with transaction.atomic():  # every example builds its own banks and rolls them back
            _check_db_case(spec, data, other)
            raise _Rollback
    except _Rollback:
        pass
    assert not QuestionBank.objects.exists()


def _check_db_case(spec, data, other) -> None:
    bank = build_bank(spec, "Bank A")
    build_bank(other, "Bank B")  # another bank: never drawn from
    categories = list(Category.objects.filter(bank=bank).order_by("position"))
    skills = {
        (c, s.position): s
        for c, category in enumerate(categories)
        for s in Skill.objects.filter(category=category)
    }
    data = {
        **data,
        "bank": bank.pk,
        "categories": [categories[i].pk for i in data["categories"]],
        "skills": [skills[ref].pk for ref in data["skills"]],
    }
    blueprint = Blueprint.from_data(data)
    rules = Rules.of(data)

    # the oracle's view of the bank, straight from the rows
    in_scope = [
        q
        for q in Question.objects.filter(bank=bank)
        if q.is_active
        and (
            not (data["categories"] or data["skills"])
            or q.category_id in data["categories"]
            or q.skill_id in data["skills"]
        )
    ]
    cells: Counter = Counter((q.difficulty or UNRATED, q.kind) for q in in_scope)
    available = best_total(rules, cells)
    event("short" if available < blueprint.count else "full")

    assembly = question_set_assemble(blueprint=blueprint)
    questions = [item.question for item in assembly.items]
    ids = [q.pk for q in questions]
    assert len(ids) == len(set(ids)), "a question appears twice"
    allowed = {q.pk for q in in_scope}
    assert set(ids) <= allowed, "a question out of scope, inactive or of another bank"
    assert all(q.is_active and q.bank_id == bank.pk for q in questions)
    picks = Counter((q.difficulty or UNRATED, q.kind) for q in questions)
    check_selection(rules, picks, available)
    assert len(ids) == min(blueprint.count, available)
    assert [item.position for item in assembly.items] == list(range(1, len(ids) + 1))
    assert all(item.points == (item.question.difficulty or 5) for item in assembly.items)
    if len(ids) < blueprint.count:
        assert assembly.shortfalls
    else:
        assert assembly.shortfalls == []
    assert assembly.summary["count"] == len(ids)

    again = question_set_assemble(blueprint=Blueprint.from_data(data))
    assert [item.question.pk for item in again.items] == ids, "same seed, another set"
