"""Reads of the bank that the pages and the API share."""

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import Category, Choice, Question, QuestionBank, Skill


def _count_of(queryset: QuerySet, path: str):
    """COUNT(*) of `queryset` rows whose `path` is the outer row, as a correlated subquery
    (no join fan-out, so several counts sit side by side in one query)."""
    counts = (
        queryset.filter(**{path: OuterRef("pk")})
        .order_by()
        .values(path)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


def _active_questions() -> QuerySet[Question]:
    return Question.objects.filter(is_active=True)


def _holding_an_active_question(queryset: QuerySet, path: str) -> QuerySet:
    """What holds an active question now: a category or skill that left the bank file (its
    questions deactivated) no longer counts or lists, in pages and API alike."""
    return queryset.filter(Exists(_active_questions().filter(**{path: OuterRef("pk")})))


def bank_list() -> QuerySet[QuestionBank]:
    """Banks with what they hold now: categories and skills with an active question."""
    return QuestionBank.objects.annotate(
        category_count=_count_of(_holding_an_active_question(Category.objects, "category"), "bank"),
        skill_count=_count_of(
            _holding_an_active_question(Skill.objects, "skill"), "category__bank"
        ),
        question_count=_count_of(_active_questions(), "bank"),
    )


def category_list(*, bank: QuestionBank | None = None) -> QuerySet[Category]:
    """Categories holding an active question, with their skills that do and their active
    questions (the bank tree's and the banks' counts)."""
    categories = _holding_an_active_question(Category.objects, "category").annotate(
        skill_count=_count_of(_holding_an_active_question(Skill.objects, "skill"), "category"),
        question_count=_count_of(_active_questions(), "category"),
    )
    if bank is not None:
        categories = categories.filter(bank=bank)
    return categories.order_by("bank", "position", "id")


def skill_list(*, bank: QuestionBank | None = None) -> QuerySet[Skill]:
    """Skills holding an active question, with how many (the bank tree's counts)."""
    skills = _holding_an_active_question(Skill.objects, "skill").annotate(
        question_count=_count_of(_active_questions(), "skill")
    )
    if bank is not None:
        skills = skills.filter(category__bank=bank)
    return skills.order_by("category__bank", "category__position", "position", "id")


def question_list(*, bank: QuestionBank | None = None, include_inactive: bool = False):
    queryset = Question.objects.select_related("bank", "skill", "category").prefetch_related(
        Prefetch("choices", queryset=Choice.objects.order_by("position", "id"))
    )
    if bank is not None:
        queryset = queryset.filter(bank=bank)
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    return queryset.order_by("position", "id")


def bank_skills(*, bank: QuestionBank) -> QuerySet[Skill]:
    """Every skill of the bank with its category, in the bank's order (1 query)."""
    return (
        Skill.objects.filter(category__bank=bank)
        .select_related("category")
        .order_by("category__position", "category_id", "position", "id")
    )


def kind_counts(*, bank: QuestionBank) -> dict[str, int]:
    """Active questions of the bank per kind; kinds it has none of are absent (1 query)."""
    return dict(
        Question.objects.filter(bank=bank, is_active=True)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )


def bank_tree(*, bank: QuestionBank) -> tuple[list[Category], int]:
    """Categories with their skills, each with its count of active questions (3 queries).

    The same selectors as the API's lists: what left the bank file is not offered any more."""
    categories = list(
        category_list(bank=bank).prefetch_related(
            Prefetch("skills", queryset=skill_list().order_by("position", "id"))
        )
    )
    long_form = _active_questions().filter(bank=bank, skill__isnull=True).count()
    return categories, long_form
