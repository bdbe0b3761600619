"""Question, skill and category filters shared by the bank page and the API."""

import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from accounts.roles import user_can

from .models import Category, Question, QuestionKind, Skill
from .search import QuestionSearch, search_words


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

    def __init__(self, *args, defer_search: bool = False, **kwargs):
        # The bank page reads a search's results in relevance order itself (search_tiers).
        self.defer_search = defer_search
        super().__init__(*args, **kwargs)

    def question_search(self) -> QuestionSearch | None:
        """The valid form's search, for this reader: answers are searched only for who may read
        them (otherwise a search would reveal them)."""
        words = search_words(self.form.cleaned_data.get("search") or "")
        if not words:
            return None
        user = getattr(self.request, "user", None)
        return QuestionSearch(words, user is not None and user_can(user, "bank.view_keys"))

    def _skills(self):
        bank = self.form.cleaned_data.get("bank")
        return Skill.objects.filter(category__bank_id=bank) if bank else Skill.objects.all()

    def filter_search(self, queryset, name, value):
        search = self.question_search()
        if search is None or self.defer_search:
            return queryset
        return search.filter(queryset, self._skills())

    def search_ranked(self, *, size: int | None = None) -> list:
        """The filtered questions matching the search, in relevance order (tiers to read one
        after the other: QuestionSearch.ranked; `size`, how many questions are searched)."""
        return self.question_search().ranked(self.qs, self._skills(), size=size)


class SkillFilter(DifficultyRangeMixin):
    bank = django_filters.NumberFilter(field_name="category__bank_id")
    category = django_filters.NumberFilter(field_name="category_id")

    class Meta:
        model = Skill
        fields = ["bank", "category", "difficulty_min", "difficulty_max"]


class CategoryFilter(DifficultyRangeMixin):
    """A category matches a difficulty range when one of its skills lies within it."""

    bank = django_filters.NumberFilter(field_name="bank_id")
    category = django_filters.NumberFilter(field_name="id")
    difficulty_min = django_filters.NumberFilter(method="bound_later", min_value=1, max_value=10)
    difficulty_max = django_filters.NumberFilter(method="bound_later", min_value=1, max_value=10)

    class Meta:
        model = Category
        fields = ["bank", "category", "difficulty_min", "difficulty_max"]

    def bound_later(self, queryset, name, value):
        return queryset  # both bounds apply together in filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        low = self.form.cleaned_data.get("difficulty_min")
        high = self.form.cleaned_data.get("difficulty_max")
        if low is None and high is None:
            return queryset
        skills = _difficulty_bounds(
            Skill.objects.filter(category=OuterRef("pk")), "difficulty", low, high
        )
        return queryset.filter(Exists(skills))
