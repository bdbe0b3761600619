"""The question bank: banks, categories, skills, questions and their choices."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .markdown import render_markdown

DIFFICULTY_RANGE = Q(difficulty__gte=1, difficulty__lte=10)
ACTIVE = Q(is_active=True)


class QuestionBank(models.Model):
    title = models.CharField(_("title"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    source_name = models.CharField(_("source file"), max_length=255, blank=True)
    source_sha256 = models.CharField(_("source SHA-256"), max_length=64, blank=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept counts (questions.counts.bank_counts_refresh, in the transaction of every write):
    # active questions, the categories and skills holding one, and the long-form ones.
    question_count = models.PositiveIntegerField(_("active questions"), default=0, editable=False)
    category_count = models.PositiveIntegerField(_("categories"), default=0, editable=False)
    skill_count = models.PositiveIntegerField(_("skills"), default=0, editable=False)
    long_form_count = models.PositiveIntegerField(
        _("long-form questions"), default=0, editable=False
    )
    # Goes up with every recount: the key of the page fragments drawn from the counts and the
    # names of the categories and skills (the bank page's tree), so none is served stale.
    counts_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["title"]
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")

    def __str__(self):
        return self.title


class Category(models.Model):
    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)
    # Kept counts, like QuestionBank's: active questions, and the skills holding one.
    question_count = models.PositiveIntegerField(_("active questions"), default=0, editable=False)
    skill_count = models.PositiveIntegerField(_("skills"), default=0, editable=False)

    class Meta:
        ordering = ["bank", "position", "id"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["bank", "name"], name="category_unique_name_per_bank")
        ]

    def __str__(self):
        return self.name


class Skill(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(_("name"), max_length=200)
    anchor = models.CharField(_("anchor"), max_length=200)
    difficulty = models.PositiveSmallIntegerField(_("difficulty"))
    position = models.PositiveIntegerField(_("position"), default=0)
    # Kept count of active questions, like QuestionBank's.
    question_count = models.PositiveIntegerField(_("active questions"), default=0, editable=False)

    class Meta:
        ordering = ["category__position", "position", "id"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = [
            models.CheckConstraint(condition=DIFFICULTY_RANGE, name="skill_difficulty_1_10"),
            models.UniqueConstraint(
                fields=["category", "anchor"], name="skill_unique_anchor_per_category"
            ),
        ]
        indexes = [models.Index(fields=["difficulty"], name="skill_difficulty_idx")]

    def __str__(self):
        return self.name


class QuestionKind(models.TextChoices):
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    OPEN_ENDED = "open_ended", _("Open-ended")


class Question(models.Model):
    # source_key of a question written in the app, not imported: no bank file speaks for it.
    APP_SOURCE_PREFIX = "app:"

    bank = models.ForeignKey(QuestionBank, on_delete=models.CASCADE, related_name="questions")
    # Skill questions have both; long-form questions have neither.
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="questions"
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, null=True, blank=True, related_name="questions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=QuestionKind.choices)
    prompt_md = models.TextField(_("prompt"))
    explanation_md = models.TextField(_("explanation"), blank=True)
    reference_answer_md = models.TextField(_("reference answer"), blank=True)
    # The markdown above, rendered and sanitised when the question is written (render_html),
    # so pages never parse or sanitise per request.
    prompt_html = models.TextField(blank=True, editable=False)
    explanation_html = models.TextField(blank=True, editable=False)
    reference_answer_html = models.TextField(blank=True, editable=False)
    # What a search without the answers looks in: the prompt and the choices, lower-cased
    # (questions.search). Written with them; on PostgreSQL indexed by character bigrams.
    search_text = models.TextField(blank=True, editable=False)
    difficulty = models.PositiveSmallIntegerField(_("difficulty"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    edited_in_app = models.BooleanField(_("edited in the app"), default=False)
    last_edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last edited by"),
    )
    source_key = models.CharField(_("source key"), max_length=255)
    # Fingerprint of the content as last imported: tells "unchanged in the file" from "edited".
    source_fingerprint = models.CharField(max_length=64, blank=True)
    source_line = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["bank", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(difficulty__isnull=True) | DIFFICULTY_RANGE,
                name="question_difficulty_1_10",
            ),
            models.UniqueConstraint(
                fields=["bank", "source_key"], name="question_unique_source_key_per_bank"
            ),
            models.CheckConstraint(
                condition=Q(skill__isnull=True) | Q(category__isnull=False),
                name="question_skill_has_category",
            ),
        ]
        # The bank list's order within what it filters on, for active questions only: a page
        # of 25 reads 25 index entries, whatever the bank's size.
        indexes = [
            models.Index(fields=["position", "id"], condition=ACTIVE, name="question_order_idx"),
            models.Index(
                fields=["bank", "position", "id"], condition=ACTIVE, name="question_bank_order_idx"
            ),
            models.Index(
                fields=["category", "position", "id"],
                condition=ACTIVE,
                name="question_category_order_idx",
            ),
            models.Index(
                fields=["skill", "position", "id"],
                condition=ACTIVE,
                name="question_skill_order_idx",
            ),
            models.Index(fields=["bank", "is_active", "difficulty"], name="question_filter_idx"),
            models.Index(fields=["skill", "is_active"], name="question_skill_idx"),
            models.Index(fields=["category", "is_active"], name="question_category_idx"),
            models.Index(fields=["kind", "is_active"], name="question_kind_idx"),
        ]

    def __str__(self):
        return self.prompt_md[:80]

    @property
    def is_choice(self) -> bool:
        return self.kind != QuestionKind.OPEN_ENDED

    def render_html(self) -> None:
        """Fill the *_html fields from the markdown ones; every writer calls this before saving."""
        self.prompt_html = render_markdown(self.prompt_md)
        self.explanation_html = render_markdown(self.explanation_md)
        self.reference_answer_html = render_markdown(self.reference_answer_md)


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    label = models.CharField(_("label"), max_length=4)
    text_md = models.TextField(_("text"))
    # text_md rendered and sanitised when the choice is written (see Question.prompt_html).
    text_html = models.TextField(blank=True, editable=False)
    is_correct = models.BooleanField(_("correct"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["question", "position", "id"]
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        constraints = [
            models.UniqueConstraint(fields=["question", "label"], name="choice_unique_label")
        ]

    def __str__(self):
        return f"{self.label}. {self.text_md[:60]}"


class _UnicodeJSONEncoder(DjangoJSONEncoder):
    """Keeps non-ASCII text as is: \\uXXXX escapes made PostgreSQL bulk inserts ~5x slower."""

    def __init__(self, *args, **kwargs):
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


class QuestionRevision(models.Model):
    """A superseded version of a question: what it said, who wrote it, and how.

    The question row holds the current version; a row is added here each time an import or
    an edit in the app replaces a version, so a first import writes no history at all."""

    class Source(models.TextChoices):
        IMPORT = "import", _("Import")
        APP = "app", _("Edited in the app")

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("question")
    )
    version = models.PositiveIntegerField(_("version"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    snapshot = models.JSONField(_("snapshot"), encoder=_UnicodeJSONEncoder)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("replaced at"), auto_now_add=True)

    class Meta:
        ordering = ["question", "-version"]
        verbose_name = _("question revision")
        verbose_name_plural = _("question revisions")
        constraints = [
            models.UniqueConstraint(fields=["question", "version"], name="revision_unique_version")
        ]

    def __str__(self):
        return f"{self.question_id} v{self.version}"


class BankImportJob(models.Model):
    """A bank file uploaded for import in the background (large uploads), and its outcome.

    Seen only by the user who uploaded it and by staff."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    source_name = models.CharField(_("source file"), max_length=255)
    # The uploaded bytes until the import has run (emptied then): at most BANK_UPLOAD_MAX_BYTES.
    content = models.BinaryField(_("content"), blank=True)
    dry_run = models.BooleanField(_("check only"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    # ImportResult.as_dict() when done; the refused file's PATH:LINE lines when failed.
    result = models.JSONField(_("result"), null=True, blank=True, encoder=_UnicodeJSONEncoder)
    errors = models.JSONField(_("errors"), default=list, blank=True, encoder=_UnicodeJSONEncoder)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bank import job")
        verbose_name_plural = _("bank import jobs")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="import_job_progress_100")
        ]

    def __str__(self):
        return f"{self.source_name} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
