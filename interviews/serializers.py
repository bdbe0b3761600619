"""API v1 representations of question sets and assembly drafts."""

from rest_framework import serializers

from questions.models import Question
from questions.serializers import QUESTION_SUMMARY_FIELDS, QuestionSerializer

from .assembly import MAX_COUNT
from .models import MAX_TIME_LIMIT_MINUTES, QuestionSet, QuestionSetItem
from .selectors import question_set_can_edit


class DraftQuestionSerializer(QuestionSerializer):
    """The bank's question fields a draft needs; answers stay in the bank's own endpoint."""

    class Meta(QuestionSerializer.Meta):
        fields = QUESTION_SUMMARY_FIELDS


class DraftItemSerializer(serializers.Serializer):
    question = DraftQuestionSerializer()
    points = serializers.IntegerField()
    position = serializers.IntegerField()


class ItemSerializer(serializers.ModelSerializer):
    question = serializers.PrimaryKeyRelatedField(queryset=Question.objects.all())
    points = serializers.IntegerField(required=False, min_value=1, max_value=100)
    position = serializers.IntegerField(required=False, min_value=1)
    kind = serializers.CharField(source="question.kind", read_only=True)
    difficulty = serializers.IntegerField(source="question.difficulty", read_only=True)
    skill = serializers.IntegerField(source="question.skill_id", read_only=True)

    class Meta:
        model = QuestionSetItem
        fields = ["id", "question", "points", "position", "kind", "difficulty", "skill"]
        read_only_fields = ["id"]


class QuestionSetSerializer(serializers.ModelSerializer):
    items = ItemSerializer(many=True, required=False)
    owner = serializers.PrimaryKeyRelatedField(read_only=True)
    archived = serializers.BooleanField(required=False)
    can_edit = serializers.SerializerMethodField()

    class Meta:
        model = QuestionSet
        fields = [
            "id",
            "title",
            "description",
            "bank",
            "owner",
            "time_limit_minutes",
            "blueprint",
            "archived",
            "archived_at",
            "cloned_from",
            "created_at",
            "updated_at",
            "items",
            "can_edit",
        ]
        read_only_fields = ["blueprint", "archived_at", "cloned_from", "created_at", "updated_at"]
        extra_kwargs = {"bank": {"required": False}}

    def get_can_edit(self, obj) -> bool:
        request = self.context.get("request")
        return bool(request and question_set_can_edit(request.user, obj))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["archived"] = instance.archived_at is not None
        return data


class BandSerializer(serializers.Serializer):
    min = serializers.IntegerField(min_value=1, max_value=10)
    max = serializers.IntegerField(min_value=1, max_value=10)
    count = serializers.IntegerField(min_value=0, help_text="Questions to draw in this band.")


class BlueprintSerializer(serializers.Serializer):
    """What to draw. Give either a difficulty range or bands, not both.

    Documents the request body; `interviews.assembly.Blueprint.from_data` validates it, so the
    page and the API refuse the same blueprints with the same words."""

    bank = serializers.IntegerField(help_text="The bank to draw from.")
    count = serializers.IntegerField(
        min_value=1, max_value=MAX_COUNT, help_text="How many questions the set should have."
    )
    categories = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Category ids; with skills, the draw is spread over all of them.",
    )
    skills = serializers.ListField(child=serializers.IntegerField(), required=False)
    difficulty_min = serializers.IntegerField(required=False, min_value=1, max_value=10)
    difficulty_max = serializers.IntegerField(required=False, min_value=1, max_value=10)
    bands = BandSerializer(
        many=True,
        required=False,
        help_text="Difficulty bands with exact counts, e.g. 2-4: 3, 5-7: 4, 8-10: 3.",
    )
    kinds = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        required=False,
        help_text="Exact counts per kind: single_choice, multiple_choice, open_ended.",
    )
    include_unrated = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "May unrated long-form questions be drawn? They fill the range or what the bands "
            "leave over, never a band."
        ),
    )
    seed = serializers.IntegerField(
        required=False,
        help_text=(
            "The same blueprint and seed always give the same draw. Without one, the assembly "
            "chooses a seed and returns it in the blueprint (and keeps it with a saved set)."
        ),
    )


class AssembleSerializer(serializers.Serializer):
    # Parses only the save switches; the blueprint is validated by Blueprint.from_data.
    save = serializers.BooleanField(required=False, default=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    time_limit_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_TIME_LIMIT_MINUTES
    )


class AssembleRequestSerializer(BlueprintSerializer, AssembleSerializer):
    """A blueprint, and optionally `save: true` with a title to keep the draw as a set."""


class AssemblyResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, help_text="The saved set's id; only when saved (201)."
    )
    blueprint = BlueprintSerializer(help_text="The blueprint as drawn, with the seed used.")
    items = DraftItemSerializer(many=True)
    shortfalls = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why the draw has fewer questions than asked, in words; empty when it has all.",
    )
    notes = serializers.ListField(
        child=serializers.CharField(),
        help_text=(
            "What the draw does that the blueprint may not make obvious (bands covering only "
            "part of the count, unrated questions under a difficulty), in words."
        ),
    )
    summary = serializers.DictField(
        help_text="count, choice, open, points, minutes, histogram, per_category, unrated."
    )
