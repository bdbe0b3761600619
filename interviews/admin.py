"""Admin for question sets and their items."""

from django.contrib import admin

from .models import QuestionSet, QuestionSetItem


class QuestionSetItemInline(admin.TabularInline):
    model = QuestionSetItem
    extra = 0
    raw_id_fields = ("question",)
    ordering = ("position",)


@admin.register(QuestionSet)
class QuestionSetAdmin(admin.ModelAdmin):
    list_display = ("title", "bank", "owner", "time_limit_minutes", "archived_at", "updated_at")
    list_filter = ("bank", "archived_at")
    search_fields = ("title", "description", "owner__username")
    list_select_related = ("bank", "owner")
    raw_id_fields = ("owner", "cloned_from")
    readonly_fields = ("blueprint", "created_at", "updated_at")
    inlines = [QuestionSetItemInline]


@admin.register(QuestionSetItem)
class QuestionSetItemAdmin(admin.ModelAdmin):
    list_display = ("question_set", "position", "question", "points")
    list_filter = ("question_set__bank",)
    search_fields = ("question_set__title", "question__prompt_md")
    list_select_related = ("question_set", "question")
    raw_id_fields = ("question_set", "question")
