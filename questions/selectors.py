"""Reads of the bank that the pages and the API share."""

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.db.models.functions import Coalesce

from .models import Category, Choice, Question, QuestionBank, Skill


def bank_list() -> QuerySet[QuestionBank]:
    """Banks with what they hold now (kept counts: questions.counts)."""
    return QuestionBank.objects.all()


def category_list(*, bank: QuestionBank | None = None) -> QuerySet[Category]:
    """Categories holding an active question, with the skills that do and their active
    questions (kept counts): a category whose questions all left the bank file is not listed."""
    categories = Category.objects.filter(question_count__gt=0)
    if bank is not None:
        categories = categories.filter(bank=bank)
    return categories.order_by("bank", "position", "id")


def skill_list(
    *, bank: QuestionBank | None = None, category: Category | int | None = None
) -> QuerySet[Skill]:
    """Skills holding an active question, with how many (kept counts)."""
    skills = Skill.objects.filter(question_count__gt=0)
    if bank is not None:
        skills = skills.filter(category__bank=bank)
    if category is not None:
        skills = skills.filter(category=category)
    return skills.order_by("category__bank", "category__position", "position", "id")


def skill_in_bank(*, bank_id, pk) -> Skill | None:
    """The skill `pk`, with its category, if it is one of the bank's and holds an active
    question, else None (also for a pk that is no number)."""
    try:
        return skill_list().select_related("category").get(category__bank_id=bank_id, pk=int(pk))
    except (TypeError, ValueError, Skill.DoesNotExist):
        return None


def category_in_bank(*, bank: QuestionBank, pk) -> Category | None:
    """The category `pk` if the bank holds it (it has an active question), else None."""
    if not pk:
        return None
    try:
        return category_list(bank=bank).get(pk=int(pk))
    except (TypeError, ValueError, Category.DoesNotExist):
        return None


# Filters no count is kept for: a list filtered by one of them counts its rows.
UNKEPT_FILTERS = ("search", "kind", "difficulty_min", "difficulty_max")


def kept_question_count(
    *, filters: dict, bank: QuestionBank, category=None, skill=None
) -> int | None:
    """The number of active questions a list filtered by `filters` (QuestionFilter's cleaned
    data) holds, from the kept counts of the bank, category and skill it names (already read:
    no query). None for filters no count is kept for, or a category the bank does not hold."""
    if any(filters.get(name) for name in UNKEPT_FILTERS):
        return None
    if filters.get("category") not in (None, getattr(category, "pk", None)):
        return None
    if filters.get("long_form") is not None:
        # long_form=false is the skill questions: no count is kept for that
        if not filters["long_form"] or category is not None or skill is not None:
            return None
        return bank.long_form_count
    if skill is not None:
        return skill.question_count
    if category is not None:
        return category.question_count
    return bank.question_count


def kept_list_count(filters: dict) -> int | None:
    """The number of active questions a list filtered by `filters` (QuestionFilter's cleaned
    data) holds, from the kept counts (1 query); None when other filters apply, or the bank,
    category and skill given do not nest (the list counts its rows then)."""
    if any(filters.get(name) for name in UNKEPT_FILTERS):
        return None
    bank, category, skill = (filters.get(name) for name in ("bank", "category", "skill"))
    if filters.get("long_form") is not None:
        if not filters["long_form"] or category or skill:
            return None  # long_form=false is the skill questions: no count is kept for that
        banks = QuestionBank.objects.filter(pk=bank) if bank else QuestionBank.objects.all()
        return banks.aggregate(n=Coalesce(Sum("long_form_count"), 0))["n"]
    if skill is not None:
        found = Skill.objects.filter(pk=skill).values(
            "question_count", "category", "category__bank"
        )
        row = found.first()
        if (
            row is None
            or category not in (None, row["category"])
            or bank
            not in (
                None,
                row["category__bank"],
            )
        ):
            return None
        return row["question_count"]
    if category is not None:
        row = Category.objects.filter(pk=category).values("question_count", "bank").first()
        if row is None or bank not in (None, row["bank"]):
            return None
        return row["question_count"]
    banks = QuestionBank.objects.filter(pk=bank) if bank is not None else QuestionBank.objects.all()
    return banks.aggregate(n=Coalesce(Sum("question_count"), 0))["n"]


# What a list of questions shows (the bank page's rows): the long texts stay in the database.
LISTED_FIELDS = (
    "kind",
    "difficulty",
    "version",
    "edited_in_app",
    "prompt_html",
    "position",
    "bank_id",
    "skill__name",
    "skill__difficulty",
    "category__name",
)


def question_rows(*, bank: QuestionBank) -> QuerySet[Question]:
    """The bank's active questions as a list shows them (LISTED_FIELDS), in the bank's order."""
    return (
        Question.objects.filter(bank=bank, is_active=True)
        .select_related("skill", "category")
        .only(*LISTED_FIELDS)
        .order_by("position", "id")
    )


def question_list(
    *,
    bank: QuestionBank | None = None,
    include_inactive: bool = False,
    with_choices: bool = True,
):
    queryset = Question.objects.select_related("bank", "skill", "category")
    if with_choices:
        queryset = queryset.prefetch_related(
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


def bank_tree(*, bank: QuestionBank) -> list[Category]:
    """The categories the bank holds with their skills, each with its count of active
    questions (2 queries): what left the bank file is not offered any more."""
    return list(
        category_list(bank=bank).prefetch_related(
            Prefetch("skills", queryset=skill_list().order_by("position", "id"))
        )
    )
