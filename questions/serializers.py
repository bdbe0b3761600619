"""API v1 representations of the bank. Keys and reference answers only for who may see them."""

from rest_framework import serializers

from accounts.roles import user_can

from .limits import MARKDOWN_MAX_CHARS
from .models import Category, Choice, Question, QuestionBank, Skill

KEY_FIELDS = ("explanation_md", "reference_answer_md")
MARKDOWN_FIELDS = ("prompt_md", *KEY_FIELDS)
# What identifies and places a question, without its answers (drafts show just these).
QUESTION_SUMMARY_FIELDS = [
    "id",
    "bank",
    "category",
    "category_name",
    "skill",
    "skill_name",
    "kind",
    "difficulty",
    "prompt_md",
]


class BankSerializer(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField()

    class Meta:
        model = QuestionBank
        fields = ["id", "slug", "title", "source_name", "imported_at", "counts"]

    def get_counts(self, bank) -> dict:
        return {
            "categories": bank.category_count,
            "skills": bank.skill_count,
            "questions": bank.question_count,
        }


class CategorySerializer(serializers.ModelSerializer):
    skill_count = serializers.IntegerField(
        read_only=True, help_text="Skills of the category holding an active question."
    )
    question_count = serializers.IntegerField(read_only=True, help_text="Active questions.")

    class Meta:
        model = Category
        fields = ["id", "bank", "name", "position", "skill_count", "question_count"]


class SkillSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True)
    bank = serializers.IntegerField(source="category.bank_id", read_only=True)
    question_count = serializers.IntegerField(read_only=True, help_text="Active questions.")

    class Meta:
        model = Skill
        fields = [
            "id",
            "bank",
            "category",
            "category_name",
            "name",
            "anchor",
            "difficulty",
            "position",
            "question_count",
        ]


class ChoiceSerializer(serializers.ModelSerializer):
    text = serializers.CharField(source="text_md", max_length=MARKDOWN_MAX_CHARS)

    class Meta:
        model = Choice
        fields = ["id", "label", "text", "is_correct"]
        read_only_fields = ["id"]


class QuestionSerializer(serializers.ModelSerializer):
    # Long-form questions have no skill and no category: null, and the schema says so.
    skill_name = serializers.CharField(
        source="skill.name", read_only=True, default=None, allow_null=True
    )
    category_name = serializers.CharField(
        source="category.name", read_only=True, default=None, allow_null=True
    )
    choices = ChoiceSerializer(many=True, required=False)
    version = serializers.IntegerField(
        required=False,
        help_text=(
            "On PATCH, the version you edited: if someone saved the question since, the edit "
            "is refused with 409 and the current question. Without it, the edit replaces "
            "whatever is there. An edit that changes nothing keeps the version."
        ),
    )

    class Meta:
        model = Question
        fields = [
            *QUESTION_SUMMARY_FIELDS,
            "explanation_md",
            "reference_answer_md",
            "choices",
            "version",
            "edited_in_app",
            "is_active",
            "source_key",
        ]
        read_only_fields = ["category", "edited_in_app", "is_active", "source_key"]
        # bank, kind and prompt_md are required when creating (PATCH is partial), so a POST
        # missing them hears so together with every other field error.
        extra_kwargs = {
            "bank": {"required": True},
            "kind": {"required": True},
            "difficulty": {"min_value": 1, "max_value": 10},
            **{name: {"max_length": MARKDOWN_MAX_CHARS} for name in MARKDOWN_FIELDS},
        }

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not user_can(request.user, "bank.view_keys"):
            for name in KEY_FIELDS:
                data.pop(name, None)
            for choice in data.get("choices") or []:
                choice.pop("is_correct", None)
        return data
