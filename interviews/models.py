"""Question sets (assessments, responses, grading and reports come with later issues)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

MAX_TIME_LIMIT_MINUTES = 1440  # a day


class QuestionSet(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    bank = models.ForeignKey(
        "questions.QuestionBank", on_delete=models.PROTECT, related_name="question_sets"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="question_sets"
    )
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), null=True, blank=True
    )
    # The blueprint it was assembled from (JSON as the API takes it); swaps draw from its slots.
    blueprint = models.JSONField(_("blueprint"), default=dict, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    cloned_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="clones"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("question set")
        verbose_name_plural = _("question sets")
        constraints = [
            models.CheckConstraint(
                condition=Q(time_limit_minutes__isnull=True)
                | Q(time_limit_minutes__gte=1, time_limit_minutes__lte=MAX_TIME_LIMIT_MINUTES),
                name="question_set_time_limit_range",
            )
        ]
        indexes = [models.Index(fields=["owner", "archived_at"], name="question_set_owner_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("interviews:set_detail", args=[self.pk])

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class QuestionSetItem(models.Model):
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="items")
    question = models.ForeignKey(
        "questions.Question", on_delete=models.PROTECT, related_name="set_items"
    )
    position = models.PositiveIntegerField(_("position"))
    points = models.PositiveSmallIntegerField(_("points"))

    class Meta:
        ordering = ["question_set", "position", "id"]
        verbose_name = _("question set item")
        verbose_name_plural = _("question set items")
        constraints = [
            models.UniqueConstraint(
                fields=["question_set", "question"], name="question_set_item_unique_question"
            ),
            models.CheckConstraint(
                condition=Q(points__gte=1, points__lte=100), name="question_set_item_points_range"
            ),
        ]

    def __str__(self):
        return f"{self.question_set_id}#{self.position}: {self.question_id}"
