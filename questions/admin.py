"""Admin for the bank: every model, searchable and filterable."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    BankImportJob,
    Category,
    Choice,
    Question,
    QuestionBank,
    QuestionRevision,
    Skill,
)


@admin.register(QuestionBank)
class QuestionBankAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "source_name", "imported_at")
    search_fields = ("title", "slug", "source_name")
    readonly_fields = ("source_sha256", "imported_at", "created_at")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "bank", "position")
    list_filter = ("bank",)
    search_fields = ("name",)
    list_select_related = ("bank",)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "difficulty", "anchor", "position")
    list_filter = ("category__bank", "category", "difficulty")
    search_fields = ("name", "anchor")
    list_select_related = ("category",)


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("id", "short_prompt", "kind", "difficulty", "skill", "version", "is_active")
    list_filter = ("bank", "kind", "difficulty", "is_active", "edited_in_app", "category")
    search_fields = ("prompt_md", "reference_answer_md", "explanation_md", "source_key")
    list_select_related = ("skill",)
    raw_id_fields = ("skill", "category")
    readonly_fields = (
        "source_key",
        "source_fingerprint",
        "source_line",
        "version",
        "created_at",
        "updated_at",
    )
    inlines = [ChoiceInline]

    @admin.display(description=_("prompt"))
    def short_prompt(self, obj):
        return obj.prompt_md[:80]


@admin.register(Choice)
class ChoiceAdmin(admin.ModelAdmin):
    list_display = ("question", "label", "is_correct")
    list_filter = ("is_correct",)
    search_fields = ("text_md",)
    raw_id_fields = ("question",)


@admin.register(QuestionRevision)
class QuestionRevisionAdmin(admin.ModelAdmin):
    list_display = ("question", "version", "source", "author", "created_at")
    list_filter = ("source",)
    search_fields = ("question__prompt_md",)
    raw_id_fields = ("question", "author")


@admin.register(BankImportJob)
class BankImportJobAdmin(admin.ModelAdmin):
    """Background imports, to see what ran and why one failed; they are made by uploads only."""

    list_display = ("source_name", "status", "progress", "dry_run", "requested_by", "created_at")
    list_filter = ("status", "dry_run")
    search_fields = ("source_name",)
    exclude = ("content",)
    readonly_fields = [f.name for f in BankImportJob._meta.fields if f.name != "content"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
