"""Kept counts on banks, categories and skills; the bank order's indexes; the search text and,
on PostgreSQL, the character-bigram search indexes (questions.search says how they work).

The bigram function needs nothing beyond PostgreSQL itself (no extension). On other databases
the indexes are skipped: search there scans, which suits a development database."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

BATCH = 500

# question_search_grams is PL/pgSQL, not SQL, so that it is never inlined: its COST then tells
# the planner what it is, a function far dearer than a comparison (about 0.3 ms for 2,000
# characters), so that it reads the bigram indexes rather than compute it row by row.
FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION question_search_grams(document text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE COST 1000 AS $$
BEGIN
  RETURN regexp_split_to_array(
    regexp_replace(substr(regexp_replace(document, '(.)', '\1\1', 'g'), 2), '(..)', '\1' || chr(1), 'g'),
    chr(1));
END
$$;
CREATE OR REPLACE FUNCTION question_answers_text(reference text, explanation text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT lower(reference || chr(10) || explanation)
$$;
"""
INDEXES = """
CREATE INDEX question_search_grams_idx ON questions_question
  USING gin (question_search_grams(search_text)) WHERE is_active;
CREATE INDEX question_answers_grams_idx ON questions_question
  USING gin (question_search_grams(question_answers_text(reference_answer_md, explanation_md)))
  WHERE is_active;
"""
DROP = """
DROP INDEX IF EXISTS question_answers_grams_idx;
DROP INDEX IF EXISTS question_search_grams_idx;
DROP FUNCTION IF EXISTS question_answers_text(text, text);
DROP FUNCTION IF EXISTS question_search_grams(text);
"""


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS)
        schema_editor.execute(INDEXES)


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


def fill_search_text(apps, schema_editor):
    """Question.search_text as questions.search.search_document writes it."""
    question_model = apps.get_model("questions", "Question")
    choice_model = apps.get_model("questions", "Choice")
    rows = []
    for question in question_model.objects.order_by("pk").iterator(chunk_size=BATCH):
        rows.append(question)
        if len(rows) == BATCH:
            _fill_batch(question_model, choice_model, rows)
            rows = []
    _fill_batch(question_model, choice_model, rows)


def _fill_batch(question_model, choice_model, rows) -> None:
    texts: dict[int, list[str]] = {}
    choices = choice_model.objects.filter(question__in=rows).order_by("position", "id")
    for question_id, text in choices.values_list("question_id", "text_md"):
        texts.setdefault(question_id, []).append(text)
    for row in rows:
        row.search_text = "\n".join([row.prompt_md, *texts.get(row.pk, [])]).lower()
    question_model.objects.bulk_update(rows, ["search_text"])


def _count(queryset, path):
    counted = queryset.filter(**{path: OuterRef("pk")}).order_by().values(path)
    return Coalesce(
        Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
        Value(0),
    )


def fill_counts(apps, schema_editor):
    """The kept counts, as questions.counts.bank_counts_refresh computes them."""
    bank_model = apps.get_model("questions", "QuestionBank")
    category_model = apps.get_model("questions", "Category")
    skill_model = apps.get_model("questions", "Skill")
    active = apps.get_model("questions", "Question").objects.filter(is_active=True)
    skill_model.objects.update(question_count=_count(active, "skill"))
    category_model.objects.update(
        question_count=_count(active, "category"),
        skill_count=_count(skill_model.objects.filter(question_count__gt=0), "category"),
    )
    for bank in bank_model.objects.all():
        totals = category_model.objects.filter(bank=bank).aggregate(
            questions=Coalesce(Sum("question_count"), 0),
            categories=Count("pk", filter=Q(question_count__gt=0)),
            skills=Coalesce(Sum("skill_count"), 0),
        )
        outside = active.filter(bank=bank, skill__isnull=True).aggregate(
            long_form=Count("pk"), uncategorised=Count("pk", filter=Q(category__isnull=True))
        )
        bank_model.objects.filter(pk=bank.pk).update(
            question_count=totals["questions"] + outside["uncategorised"],
            category_count=totals["categories"],
            skill_count=totals["skills"],
            long_form_count=outside["long_form"],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("questions", "0006_rendered_html"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="question_count",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="active questions"
            ),
        ),
        migrations.AddField(
            model_name="category",
            name="skill_count",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="skills"),
        ),
        migrations.AddField(
            model_name="question",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="questionbank",
            name="category_count",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="categories"),
        ),
        migrations.AddField(
            model_name="questionbank",
            name="long_form_count",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="long-form questions"
            ),
        ),
        migrations.AddField(
            model_name="questionbank",
            name="question_count",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="active questions"
            ),
        ),
        migrations.AddField(
            model_name="questionbank",
            name="skill_count",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="skills"),
        ),
        migrations.AddField(
            model_name="skill",
            name="question_count",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="active questions"
            ),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                condition=models.Q(("is_active", True)),
                fields=["position", "id"],
                name="question_order_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                condition=models.Q(("is_active", True)),
                fields=["bank", "position", "id"],
                name="question_bank_order_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                condition=models.Q(("is_active", True)),
                fields=["category", "position", "id"],
                name="question_category_order_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="question",
            index=models.Index(
                condition=models.Q(("is_active", True)),
                fields=["skill", "position", "id"],
                name="question_skill_order_idx",
            ),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(fill_counts, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_search_indexes, drop_search_indexes),
    ]
