"""Reads shared by the builder pages and the API: assembly drafts, sets, swaps, summaries."""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.roles import Role, user_role
from questions.models import Category, Choice, Question, QuestionBank, QuestionKind, Skill

from .assembly import (
    UNRATED,
    Band,
    Blueprint,
    BlueprintError,
    Group,
    explain_shortfalls,
    plan_assembly,
)
from .models import QuestionSet, QuestionSetItem

# Minutes a candidate needs per question, by kind; open answers take longer as they get harder.
MINUTES_PER_KIND = {"single_choice": 2, "multiple_choice": 3}
UNRATED_POINTS = 5
LEVEL_BANDS = (Band(1, 4, 0), Band(5, 7, 0), Band(8, 10, 0))


def default_points(question: Question) -> int:
    return question.difficulty or UNRATED_POINTS


def estimated_minutes(question: Question) -> int:
    if question.kind in MINUTES_PER_KIND:
        return MINUTES_PER_KIND[question.kind]
    return 4 + math.ceil((question.difficulty or UNRATED_POINTS) / 2)


@dataclass
class DraftItem:
    question: Question
    points: int
    position: int


@dataclass
class Assembly:
    blueprint: Blueprint
    items: list[DraftItem]
    shortfalls: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict:
        return set_summary([(i.question, i.points) for i in self.items])

    @property
    def notes(self) -> list[str]:
        """What the draw does that the blueprint may not make obvious. Not shortfalls (nothing
        is missing): said so the interviewer is not surprised by what came out."""
        blueprint, notes = self.blueprint, []
        banded = sum(band.count for band in blueprint.bands)
        if blueprint.bands and banded < blueprint.count:
            notes.append(
                _(
                    "The bands ask for %(banded)s of the %(count)s questions; the other "
                    "%(rest)s may have any difficulty."
                )
                % {"banded": banded, "count": blueprint.count, "rest": blueprint.count - banded}
            )
        unrated = sum(1 for item in self.items if item.question.difficulty is None)
        if unrated and (blueprint.bands or blueprint.difficulty_min or blueprint.difficulty_max):
            notes.append(
                ngettext(
                    "%(n)s question is an unrated long-form question: its difficulty is not "
                    "known, so it may not match the difficulty asked for.",
                    "%(n)s questions are unrated long-form questions: their difficulty is not "
                    "known, so they may not match the difficulty asked for.",
                    unrated,
                )
                % {"n": unrated}
            )
        return notes


def _questions() -> QuerySet[Question]:
    return Question.objects.select_related("skill", "category").prefetch_related(
        Prefetch("choices", queryset=Choice.objects.order_by("position", "id"))
    )


def _scope(blueprint: Blueprint) -> tuple[Q, str]:
    """The questions a blueprint draws from, and how to name them in a shortfall."""
    bank = QuestionBank.objects.filter(pk=blueprint.bank).first()
    if bank is None:
        raise BlueprintError(
            {"bank": [_("there is no bank with id %(id)s") % {"id": blueprint.bank}]}
        )
    errors: dict[str, list[str]] = {}
    names: list[str] = []
    categories = {
        c.pk: c.name
        for c in Category.objects.filter(bank=bank, pk__in=blueprint.categories).only("name")
    }
    skills = {
        s.pk: s.name
        for s in Skill.objects.filter(category__bank=bank, pk__in=blueprint.skills).only("name")
    }
    missing_c = [c for c in blueprint.categories if c not in categories]
    missing_s = [s for s in blueprint.skills if s not in skills]
    if missing_c:
        errors["categories"] = [
            _("unknown category id(s) %(ids)s in bank %(bank)s: pick categories of this bank")
            % {"ids": ", ".join(map(str, missing_c)), "bank": bank.title}
        ]
    if missing_s:
        errors["skills"] = [
            _("unknown skill id(s) %(ids)s in bank %(bank)s: pick skills of this bank")
            % {"ids": ", ".join(map(str, missing_s)), "bank": bank.title}
        ]
    if errors:
        raise BlueprintError(errors)
    condition = Q(bank=bank, is_active=True)
    if blueprint.categories or blueprint.skills:
        condition &= Q(category__in=categories) | Q(skill__in=skills)
        names = [*categories.values(), *skills.values()]
    if blueprint.exclude_questions:
        condition &= ~Q(pk__in=blueprint.exclude_questions)
    if not names:
        scope = bank.title
    elif len(names) <= 3:
        scope = "、".join(names)
    else:
        scope = _("%(names)s and %(n)s more") % {"names": "、".join(names[:3]), "n": len(names) - 3}
    return condition, scope


def question_set_assemble(*, blueprint: Blueprint) -> Assembly:
    """Draw a set for the blueprint: as many questions as the bank allows, shortfalls in words.

    A blueprint without a seed gets one here, kept in the assembly's blueprint: every draw,
    from the page or the API, saved or not, can be drawn again. A constant number of queries
    whatever the bank's size: scope checks, one grouped count, the ids of the chosen groups,
    the chosen questions (and their choices).
    """
    blueprint = blueprint.with_seed()
    condition, scope = _scope(blueprint)
    pool = Question.objects.filter(condition)
    rows = (
        pool.values("skill_id", "category_id", "kind", "difficulty")
        .annotate(size=Count("id"))
        .order_by()
        .values_list("skill_id", "category_id", "kind", "difficulty", "size")
    )
    groups = [
        Group(skill, category, kind, difficulty or UNRATED, size)
        for skill, category, kind, difficulty, size in rows
    ]
    plan = plan_assembly(blueprint, groups)
    shortfalls = explain_shortfalls(blueprint, groups, plan, scope)
    chosen: list[int] = []
    if plan.picks:
        match = Q()
        for g in plan.picks:
            match |= Q(
                skill_id=g.skill,
                kind=g.kind,
                difficulty=None if g.difficulty == UNRATED else g.difficulty,
            )
        ids_by_group: dict[tuple, list[int]] = {}
        for pk, skill, kind, difficulty in pool.filter(match).values_list(
            "pk", "skill_id", "kind", "difficulty"
        ):
            ids_by_group.setdefault((skill, kind, difficulty or UNRATED), []).append(pk)
        rng = random.Random(blueprint.seed)  # noqa: S311 - a reproducible draw, not a secret
        for g, n in sorted(
            plan.picks.items(), key=lambda kv: (kv[0].skill or 0, kv[0].kind, kv[0].difficulty)
        ):
            ids = sorted(ids_by_group.get((g.skill, g.kind, g.difficulty), []))
            chosen += rng.sample(ids, n)
    questions = list(_questions().filter(pk__in=chosen)) if chosen else []
    questions.sort(
        key=lambda q: (
            q.difficulty or 11,
            q.category.position if q.category else 99_999,
            q.skill.position if q.skill else 0,
            q.kind,
            q.pk,
        )
    )
    items = [DraftItem(q, default_points(q), i) for i, q in enumerate(questions, 1)]
    return Assembly(blueprint=blueprint, items=items, shortfalls=shortfalls)


def set_summary(entries: list[tuple[Question, int]]) -> dict:
    """Count per category, difficulty histogram, choice/open split, points, duration."""
    per_category: Counter = Counter()
    histogram = dict.fromkeys(range(1, 11), 0)
    unrated = 0
    kinds: Counter = Counter()
    for question, _points in entries:
        per_category[question.category.name if question.category else None] += 1
        if question.difficulty:
            histogram[question.difficulty] += 1
        else:
            unrated += 1
        kinds["choice" if question.kind != QuestionKind.OPEN_ENDED else "open"] += 1
    peak = max([*histogram.values(), unrated, 1])
    return {
        "count": len(entries),
        "per_category": sorted(per_category.items(), key=lambda kv: (-kv[1], kv[0] or "")),
        "histogram": [
            {"difficulty": d, "count": n, "height": round(100 * n / peak)}
            for d, n in histogram.items()
        ],
        "unrated": unrated,
        "unrated_height": round(100 * unrated / peak),
        "choice": kinds["choice"],
        "open": kinds["open"],
        "points": sum(points for _q, points in entries),
        "minutes": sum(estimated_minutes(q) for q, _p in entries),
    }


# --- sets ----------------------------------------------------------------------------------


def question_set_list(*, user, include_archived: bool = False) -> QuerySet[QuestionSet]:
    sets = QuestionSet.objects.select_related("owner", "bank").annotate(item_count=Count("items"))
    if not include_archived:
        sets = sets.filter(archived_at__isnull=True)
    return sets.order_by("-updated_at", "-id")


def question_set_items(question_set: QuestionSet) -> list[QuestionSetItem]:
    return list(
        QuestionSetItem.objects.filter(question_set=question_set)
        .select_related("question__skill", "question__category")
        .prefetch_related(
            Prefetch("question__choices", queryset=Choice.objects.order_by("position", "id"))
        )
        .order_by("position", "id")
    )


def question_set_can_edit(user, question_set: QuestionSet) -> bool:
    role = user_role(user)
    if role is Role.ADMIN:
        return True
    return role is Role.INTERVIEWER and question_set.owner_id == user.pk


def slot_band(question_set: QuestionSet, difficulty: int | None) -> Band | None:
    """The band a question fills: the blueprint's band, else its level band (1-4/5-7/8-10)
    kept inside the blueprint's difficulty range, so a swap never leaves what was asked for."""
    if difficulty is None:
        return None
    blueprint = question_set.blueprint or {}
    for raw in blueprint.get("bands") or []:
        if raw["min"] <= difficulty <= raw["max"]:
            return Band(raw["min"], raw["max"], 0)
    level = next(b for b in LEVEL_BANDS if b.contains(difficulty))
    low = max(level.low, blueprint.get("difficulty_min") or 1)
    high = min(level.high, blueprint.get("difficulty_max") or 10)
    if low <= difficulty <= high:
        return Band(low, high, 0)
    return level  # a question added by hand outside the blueprint's range


def swap_candidates(*, item: QuestionSetItem) -> QuerySet[Question]:
    """Questions that fit the item's slot: same band and kind, same skill when the bank has one
    (else the same category), active, and not already in the set."""
    question = item.question
    question_set = item.question_set
    base = Question.objects.filter(
        bank=question.bank_id, kind=question.kind, is_active=True
    ).exclude(set_items__question_set=question_set)
    band = slot_band(question_set, question.difficulty)
    if band is None:
        base = base.filter(difficulty__isnull=True)
    else:
        base = base.filter(difficulty__gte=band.low, difficulty__lte=band.high)
    if question.skill_id is not None:
        same_skill = base.filter(skill_id=question.skill_id)
        if same_skill.exists():
            return same_skill
        return base.filter(category_id=question.category_id)
    return base.filter(skill__isnull=True)
