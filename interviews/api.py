"""API v1: question sets and their assembly from a blueprint."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from . import services
from .assembly import Blueprint, BlueprintError
from .models import QuestionSet, QuestionSetItem
from .selectors import question_set_assemble, question_set_can_edit
from .serializers import (
    AssembleRequestSerializer,
    AssembleSerializer,
    AssemblyResponseSerializer,
    DraftItemSerializer,
    QuestionSetSerializer,
)


def _django_errors(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(getattr(exc, "message_dict", None) or {"detail": exc.messages})


class QuestionSetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = QuestionSetSerializer
    capability = "question_set.view"
    write_capability = "question_set.edit"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        items = QuestionSetItem.objects.select_related("question").order_by("position", "id")
        sets = (
            QuestionSet.objects.select_related("owner")
            .prefetch_related(Prefetch("items", queryset=items))
            .annotate(item_count=Count("items"))
            .order_by("-updated_at", "-id")
        )
        if self.action == "list" and self.request.query_params.get("archived") != "1":
            sets = sets.filter(archived_at__isnull=True)
        return sets

    def _items(self, data):
        rows = sorted(
            enumerate(data),
            key=lambda pair: (pair[1].get("position") or pair[0] + 1, pair[0]),
        )
        return [(row["question"], row.get("points")) for _i, row in rows]

    def perform_create(self, serializer):
        data = serializer.validated_data
        items = self._items(data.get("items", []))
        bank = data.get("bank") or (items[0][0].bank if items else None)
        if bank is None:
            raise ValidationError({"bank": [_("Give the bank, or at least one item.")]})
        try:
            serializer.instance = services.question_set_create(
                owner=self.request.user,
                bank=bank,
                title=data.get("title", ""),
                description=data.get("description", ""),
                time_limit_minutes=data.get("time_limit_minutes"),
                items=items,
            )
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None

    def update(self, request, *args, **kwargs):
        question_set = self.get_object()
        if not question_set_can_edit(request.user, question_set):
            raise PermissionDenied(_("Only the set's owner or an administrator may change it."))
        serializer = self.get_serializer(question_set, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "bank" in data and data["bank"] != question_set.bank:
            raise ValidationError(
                {"bank": [_("A set's bank cannot be changed; clone it instead.")]}
            )
        archived = data.get("archived")
        try:
            with transaction.atomic():
                # Restore before, archive after the other changes: an archived set's questions
                # cannot change, and one PATCH may restore or archive a set and edit it.
                if archived is False:
                    services.question_set_archive(
                        question_set=question_set, actor=request.user, archived=False
                    )
                fields = {k: data[k] for k in ("title", "description") if k in data}
                if "time_limit_minutes" in data:
                    fields["time_limit_minutes"] = data["time_limit_minutes"]
                if fields:
                    services.question_set_update(
                        question_set=question_set, actor=request.user, **fields
                    )
                if "items" in data:
                    services.question_set_replace_items(
                        question_set=question_set,
                        actor=request.user,
                        items=self._items(data["items"]),
                    )
                if archived is True:
                    services.question_set_archive(
                        question_set=question_set, actor=request.user, archived=True
                    )
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=question_set.pk)).data)

    @extend_schema(
        request=AssembleRequestSerializer,
        responses={200: AssemblyResponseSerializer, 201: AssemblyResponseSerializer},
        description=(
            "Draw a set from a blueprint. Returns the draft (items, shortfalls in words, summary) "
            'and saves nothing, unless "save": true with a title: then it also creates the set '
            "and answers 201 with its id. An invalid blueprint is a 400 naming each field and "
            "what to change."
        ),
    )
    @action(detail=False, methods=["post"], url_path="assemble")
    def assemble(self, request):
        switches = AssembleSerializer(data=request.data)
        switches.is_valid(raise_exception=True)
        try:
            blueprint = Blueprint.from_data(request.data)
            assembly = question_set_assemble(blueprint=blueprint)
        except BlueprintError as exc:
            raise ValidationError(exc.errors) from None
        body = {
            "blueprint": assembly.blueprint.to_data(),
            "items": DraftItemSerializer(assembly.items, many=True).data,
            "shortfalls": assembly.shortfalls,
            "notes": assembly.notes,
            "summary": assembly.summary,
        }
        if not switches.validated_data["save"]:
            return Response(body)
        try:
            question_set = services.question_set_create_from_assembly(
                owner=request.user,
                title=switches.validated_data.get("title", ""),
                time_limit_minutes=switches.validated_data.get("time_limit_minutes"),
                assembly=assembly,
            )
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None
        body["id"] = question_set.pk
        return Response(body, status=status.HTTP_201_CREATED)
