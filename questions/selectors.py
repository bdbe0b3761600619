"""Reads of the bank that the pages and the API share."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import Category, Choice, Question, QuestionBank, Skill


def _count_per_bank(queryset: QuerySet, bank_path: str):
    """COUNT(*) of `queryset` rows of the outer bank, as a correlated subquery (no join fan-out)."""
    counts = (
        queryset.filter(**{bank_path: OuterRef("pk")})
        .order_by()
        .values(bank_path)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts), 0)


def bank_list() -> QuerySet[QuestionBank]:
    """Banks with what they hold now: categories and skills with an active question count,
    so a skill that left the bank file (its questions deactivated) no longer does."""
    active = Question.objects.filter(is_active=True)
    return QuestionBank.objects.annotate(
        category_count=_count_per_bank(
            Category.objects.filter(Exists(active.filter(category=OuterRef("pk")))), "bank"
        ),
        skill_count=_count_per_bank(
            Skill.objects.filter(Exists(active.filter(skill=OuterRef("pk")))), "category__bank"
        ),
        question_count=_count_per_bank(Question.objects.filter(is_active=True), "bank"),
    )


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

    Only those with an active question: what left the bank file is not offered any more."""
    skills = (
        Skill.objects.annotate(
            question_count=Count("questions", filter=Q(questions__is_active=True))
        )
        .filter(question_count__gt=0)
        .order_by("position", "id")
    )
    categories = list(
        Category.objects.filter(bank=bank)
        .annotate(question_count=Count("questions", filter=Q(questions__is_active=True)))
        .filter(question_count__gt=0)
        .prefetch_related(Prefetch("skills", queryset=skills))
        .order_by("position", "id")
    )
    long_form = Question.objects.filter(bank=bank, is_active=True, skill__isnull=True).count()
    return categories, long_form
