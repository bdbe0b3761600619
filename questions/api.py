"""API v1: banks, categories, skills and questions."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from .filters import CategoryFilter, QuestionFilter, SkillFilter
from .selectors import bank_list, category_list, kept_list_count, question_list, skill_list
from .serializers import BankSerializer, CategorySerializer, QuestionSerializer, SkillSerializer
from .services import (
    UNCHANGED,
    ChoiceInput,
    StaleQuestionVersion,
    question_create,
    question_update,
)


class BankViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BankSerializer
    capability = "bank.view"
    queryset = bank_list().order_by("title", "id")


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CategorySerializer
    capability = "bank.view"
    filterset_class = CategoryFilter
    queryset = category_list()


class SkillViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SkillSerializer
    capability = "bank.view"
    filterset_class = SkillFilter
    queryset = skill_list().select_related("category")


def _choices(data) -> list[ChoiceInput] | None:
    if data is None:
        return None
    return [
        ChoiceInput(c.get("label", ""), c.get("text_md", ""), c.get("is_correct", False))
        for c in data
    ]


class QuestionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = QuestionSerializer
    capability = "bank.view"
    write_capability = "bank.edit"
    filterset_class = QuestionFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return question_list(include_inactive=self.action != "list")

    def known_count(self) -> int | None:
        """The list's count from the kept counts when only bank, category, skill or long-form
        filter it (1 query instead of counting the rows); None otherwise."""
        filterset = QuestionFilter(self.request.query_params, request=self.request)
        if self.action != "list" or not filterset.is_valid():
            return None
        return kept_list_count(filterset.form.cleaned_data)

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = question_create(
                bank=data["bank"],
                actor=self.request.user,
                kind=data["kind"],
                prompt_md=data["prompt_md"],
                skill=data.get("skill"),
                explanation_md=data.get("explanation_md", ""),
                reference_answer_md=data.get("reference_answer_md", ""),
                difficulty=data.get("difficulty"),
                choices=_choices(data.get("choices")),
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None

    def update(self, request, *args, **kwargs):
        question = self.get_object()
        serializer = self.get_serializer(question, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "bank" in data and data["bank"] != question.bank:
            raise ValidationError({"bank": [_("A question's bank cannot be changed.")]})
        try:
            question = question_update(
                question=question,
                actor=request.user,
                kind=data.get("kind"),
                prompt_md=data.get("prompt_md", question.prompt_md),
                explanation_md=data.get("explanation_md", question.explanation_md),
                reference_answer_md=data.get("reference_answer_md", question.reference_answer_md),
                difficulty=data.get("difficulty", question.difficulty),
                choices=_choices(data.get("choices")),
                expected_version=data.get("version"),
                skill=data.get("skill", UNCHANGED),
            )
        except StaleQuestionVersion as exc:
            current = self.get_serializer(
                question_list(include_inactive=True).get(pk=exc.question.pk)
            )
            return Response(
                {"detail": str(exc), "current": current.data}, status=status.HTTP_409_CONFLICT
            )
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        fresh = question_list(include_inactive=True).get(pk=question.pk)
        return Response(self.get_serializer(fresh).data)
