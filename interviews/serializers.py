"""API v1 representations of question sets and assembly drafts."""

from rest_framework import serializers

from questions.models import Question
from questions.serializers import QUESTION_SUMMARY_FIELDS, QuestionSerializer

from .models import QuestionSet, QuestionSetItem


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
        from .selectors import question_set_can_edit

        request = self.context.get("request")
        return bool(request and question_set_can_edit(request.user, obj))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["archived"] = instance.archived_at is not None
        return data


class AssembleSerializer(serializers.Serializer):
    """Only the save switches are parsed here; the blueprint is validated by Blueprint."""

    save = serializers.BooleanField(required=False, default=False)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    time_limit_minutes = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=1440
    )
