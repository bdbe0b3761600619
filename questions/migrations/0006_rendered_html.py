"""Rendered HTML stored beside the markdown, filled for the rows that exist already.

It renders with the sanitiser of its day: a later change to questions/markdown.py that changes
the HTML needs a migration like this one to render the stored rows again."""

from django.db import migrations, models

from questions.markdown import render_markdown

BATCH = 500


def _fill(model, fields: dict[str, str]) -> None:
    """Render each markdown field into its html field, BATCH rows in memory at a time."""
    rows = []
    for row in model.objects.order_by("pk").iterator(chunk_size=BATCH):
        for markdown_name, html_name in fields.items():
            setattr(row, html_name, render_markdown(getattr(row, markdown_name)))
        rows.append(row)
        if len(rows) == BATCH:
            model.objects.bulk_update(rows, list(fields.values()))
            rows = []
    model.objects.bulk_update(rows, list(fields.values()))


def fill_rendered_html(apps, schema_editor):
    _fill(
        apps.get_model("questions", "Question"),
        {
            "prompt_md": "prompt_html",
            "explanation_md": "explanation_html",
            "reference_answer_md": "reference_answer_html",
        },
    )
    _fill(apps.get_model("questions", "Choice"), {"text_md": "text_html"})


class Migration(migrations.Migration):
    dependencies = [
        ("questions", "0005_bankimportjob"),
    ]

    operations = [
        migrations.AddField(
            model_name="choice",
            name="text_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="question",
            name="explanation_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="question",
            name="prompt_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="question",
            name="reference_answer_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_rendered_html, migrations.RunPython.noop, elidable=True),
    ]
