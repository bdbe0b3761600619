"""Counts kept on banks, categories and skills, so that no page counts a bank's questions.

What a bank "holds" is what its active questions say: a category or skill whose questions all
left the bank file holds nothing, and is neither counted nor listed (the pages and the API read
these columns through questions.selectors). Every writer of questions calls
bank_counts_refresh in its own transaction, so a count is never seen stale."""

from collections.abc import Iterable

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import Category, Question, QuestionBank, Skill


def _count(queryset, path: str):
    counted = queryset.filter(**{path: OuterRef("pk")}).order_by().values(path)
    return Coalesce(
        Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
        Value(0),
    )


def bank_counts_refresh(*, bank: QuestionBank, skill_ids: Iterable[int] | None = None) -> None:
    """Recount what `bank` holds (5 queries). With `skill_ids`, only those skills (and the
    categories they belong to) are recounted: an edit that moves one question between skills
    costs the same in a bank of any size."""
    active = Question.objects.filter(is_active=True)
    skills = Skill.objects.filter(category__bank=bank)
    categories = Category.objects.filter(bank=bank)
    if skill_ids is not None:
        skill_ids = [pk for pk in skill_ids if pk is not None]
        skills = skills.filter(pk__in=skill_ids)
        categories = categories.filter(skills__in=skill_ids).distinct()
    skills.update(question_count=_count(active, "skill"))
    categories = Category.objects.filter(pk__in=categories.values("pk"))
    categories.update(
        question_count=_count(active, "category"),
        skill_count=_count(Skill.objects.filter(question_count__gt=0), "category"),
    )
    totals = Category.objects.filter(bank=bank).aggregate(
        questions=Coalesce(Sum("question_count"), 0),
        categories=Count("pk", filter=Q(question_count__gt=0)),
        skills=Coalesce(Sum("skill_count"), 0),
    )
    # Long-form questions have no skill (and, unless written so in the app, no category).
    outside = active.filter(bank=bank, skill__isnull=True).aggregate(
        long_form=Count("pk"), uncategorised=Count("pk", filter=Q(category__isnull=True))
    )
    QuestionBank.objects.filter(pk=bank.pk).update(
        question_count=totals["questions"] + outside["uncategorised"],
        category_count=totals["categories"],
        skill_count=totals["skills"],
        long_form_count=outside["long_form"],
        counts_version=F("counts_version") + 1,
    )
