"""Question, skill and category filters shared by the bank page and the API."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .models import Category, Choice, Question, QuestionKind, Skill


def _difficulty_bounds(queryset, field: str, low, high):
    if low is not None:
        queryset = queryset.filter(**{f"{field}__gte": low})
    if high is not None:
        queryset = queryset.filter(**{f"{field}__lte": high})
    return queryset


class DifficultyRangeMixin(django_filters.FilterSet):
    difficulty_min = django_filters.NumberFilter(
        field_name="difficulty",
        lookup_expr="gte",
        label=_("Difficulty from"),
        min_value=1,
        max_value=10,
    )
    difficulty_max = django_filters.NumberFilter(
        field_name="difficulty",
        lookup_expr="lte",
        label=_("to"),
        min_value=1,
        max_value=10,
    )

    def is_valid(self):
        valid = super().is_valid()
        if valid:
            low = self.form.cleaned_data.get("difficulty_min")
            high = self.form.cleaned_data.get("difficulty_max")
            if low is not None and high is not None and low > high:
                self.form.add_error(
                    "difficulty_max",
                    _("The upper difficulty (%(high)s) is below the lower one (%(low)s).")
                    % {"high": high, "low": low},
                )
                return False
        return valid


class QuestionFilter(DifficultyRangeMixin):
    bank = django_filters.NumberFilter(field_name="bank_id", label=_("Bank"))
    category = django_filters.NumberFilter(field_name="category_id", label=_("Category"))
    skill = django_filters.NumberFilter(field_name="skill_id", label=_("Skill"))
    kind = django_filters.ChoiceFilter(choices=QuestionKind.choices, label=_("Kind"))
    search = django_filters.CharFilter(method="filter_search", label=_("Search"))
    long_form = django_filters.BooleanFilter(
        field_name="skill", lookup_expr="isnull", label=_("Long-form only")
    )

    class Meta:
        model = Question
        fields = ["bank", "category", "skill", "kind", "difficulty_min", "difficulty_max"]

    def filter_search(self, queryset, name, value):
        words = value.split()
        for word in words[:8]:
            in_choices = Choice.objects.filter(question=OuterRef("pk"), text_md__icontains=word)
            queryset = queryset.filter(
                Q(prompt_md__icontains=word)
                | Q(reference_answer_md__icontains=word)
                | Q(explanation_md__icontains=word)
                | Q(skill__name__icontains=word)
                | Exists(in_choices)
            )
        return queryset


class SkillFilter(DifficultyRangeMixin):
    bank = django_filters.NumberFilter(field_name="category__bank_id")
    category = django_filters.NumberFilter(field_name="category_id")

    class Meta:
        model = Skill
        fields = ["bank", "category", "difficulty_min", "difficulty_max"]


class CategoryFilter(django_filters.FilterSet):
    bank = django_filters.NumberFilter(field_name="bank_id")
    category = django_filters.NumberFilter(field_name="id")
    difficulty_min = django_filters.NumberFilter(method="filter_has_skill_from")
    difficulty_max = django_filters.NumberFilter(method="filter_has_skill_to")

    class Meta:
        model = Category
        fields = ["bank", "category", "difficulty_min", "difficulty_max"]

    # A category matches a difficulty bound when it has a skill within it.
    def filter_has_skill_from(self, queryset, name, value):
        return queryset.filter(
            Exists(Skill.objects.filter(category=OuterRef("pk"), difficulty__gte=value))
        )

    def filter_has_skill_to(self, queryset, name, value):
        return queryset.filter(
            Exists(Skill.objects.filter(category=OuterRef("pk"), difficulty__lte=value))
        )
