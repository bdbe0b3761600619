"""Kept counts and the fragments drawn from them are never stale: after an edit that moves a
question, a question written in the app, an import that removes a skill and a category, and
the re-import that brings them back, every figure on the bank page and in the API equals a
count made from the rows right then."""

import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.db.models import Count
from rest_framework.test import APIClient

from questions.importer import bank_import_path
from questions.models import Category, Question, QuestionBank, Skill
from questions.services import question_create, question_update

BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"


@pytest.fixture
def bank(db):
    return bank_import_path(path=BUILTIN).bank


@pytest.fixture
def api(interviewer):
    client = APIClient()
    client.force_authenticate(interviewer)
    return client


def _truth(bank: QuestionBank) -> dict:
    """Counts made from the rows, the way nothing in the product makes them any more."""
    active = Question.objects.filter(bank=bank, is_active=True)
    skills = dict(active.exclude(skill=None).values_list("skill").annotate(n=Count("pk")))
    categories = dict(active.exclude(category=None).values_list("category").annotate(n=Count("pk")))
    return {
        "questions": active.count(),
        "long_form": active.filter(skill=None).count(),
        "skills": skills,
        "categories": categories,
        "skills_per_category": dict(
            Skill.objects.filter(pk__in=skills).values_list("category").annotate(n=Count("pk"))
        ),
    }


def _tree_counts(html: str) -> list[int]:
    tree = html.split('id="bank-tree"')[1].split("</aside>")[0]
    return [int(n.replace(",", "")) for n in re.findall(r'class="count">([\d,]+) question', tree)]


def _check_every_figure(client, api, bank: QuestionBank) -> None:
    truth = _truth(bank)
    bank.refresh_from_db()
    assert bank.question_count == truth["questions"]
    assert bank.long_form_count == truth["long_form"]
    assert bank.skill_count == len(truth["skills"])
    assert bank.category_count == len(truth["categories"])
    for category in Category.objects.filter(bank=bank):
        assert category.question_count == truth["categories"].get(category.pk, 0), category
        assert category.skill_count == truth["skills_per_category"].get(category.pk, 0)
    for skill in Skill.objects.filter(category__bank=bank):
        assert skill.question_count == truth["skills"].get(skill.pk, 0), skill

    # The API: banks, categories, skills, and the question list's count (kept) for each filter.
    body = api.get(f"/api/v1/banks/{bank.pk}/").json()
    assert body["counts"] == {
        "categories": len(truth["categories"]),
        "skills": len(truth["skills"]),
        "questions": truth["questions"],
    }
    listed = api.get("/api/v1/categories/", {"bank": bank.pk, "page_size": 200}).json()
    assert {c["id"]: c["question_count"] for c in listed["results"]} == truth["categories"]
    listed = api.get("/api/v1/skills/", {"bank": bank.pk, "page_size": 200}).json()
    assert {s["id"]: s["question_count"] for s in listed["results"]} == truth["skills"]
    assert api.get("/api/v1/questions/", {"bank": bank.pk}).json()["count"] == truth["questions"]
    some_skill, some_count = next(iter(truth["skills"].items()))
    listed = api.get("/api/v1/questions/", {"skill": some_skill}).json()
    assert listed["count"] == some_count == len(listed["results"])
    listed = api.get("/api/v1/questions/", {"bank": bank.pk, "long_form": "true"}).json()
    assert listed["count"] == truth["long_form"]

    # The bank page: its figures line, and the tree (drawn from the cache when it can be).
    html = client.get(f"/bank/?bank={bank.pk}").content.decode()
    assert f'data-count="{truth["questions"]}"' in html
    figures = re.search(r'class="muted bank-figures">([^<]+)<', html).group(1)
    assert figures.startswith(f"{truth['questions']} active question")
    assert f"in {len(truth['categories'])} categories and {len(truth['skills'])} skills" in figures
    ordered = Category.objects.filter(pk__in=truth["categories"]).order_by("position", "id")
    expected = [truth["questions"], *(truth["categories"][c.pk] for c in ordered)]
    if truth["long_form"]:
        expected.append(truth["long_form"])
    assert _tree_counts(html) == expected
    category = ordered[0]
    html = client.get(f"/bank/?bank={bank.pk}&category={category.pk}").content.decode()
    assert f'data-count="{truth["categories"][category.pk]}"' in html
    skills = Skill.objects.filter(category=category, pk__in=truth["skills"])
    skills = skills.order_by("position", "id")
    assert _tree_counts(html)[2 : 2 + skills.count()] == [truth["skills"][s.pk] for s in skills]


def test_every_figure_follows_edits_imports_and_reimports(client, interviewer, api, bank, tmp_path):
    client.force_login(interviewer)
    _check_every_figure(client, api, bank)  # fills the page cache as well

    # An edit moves a question to another skill of another category.
    question = Question.objects.filter(bank=bank, kind="single_choice").order_by("position")[0]
    target = Skill.objects.filter(category__bank=bank).exclude(category=question.category).last()
    question_update(
        question=question,
        actor=interviewer,
        prompt_md=question.prompt_md,
        explanation_md=question.explanation_md,
        reference_answer_md=question.reference_answer_md,
        difficulty=question.difficulty,
        skill=target,
    )
    _check_every_figure(client, api, bank)

    # An edit makes a skill question long-form (no skill).
    question = Question.objects.filter(bank=bank, kind="open_ended").exclude(skill=None)[0]
    question_update(
        question=question,
        actor=interviewer,
        prompt_md=question.prompt_md,
        explanation_md=question.explanation_md,
        reference_answer_md=question.reference_answer_md,
        difficulty=question.difficulty,
        skill=None,
    )
    _check_every_figure(client, api, bank)

    # A question written in the app.
    question_create(
        bank=bank,
        actor=interviewer,
        kind="open_ended",
        prompt_md="在应用里写的新题",
        skill=target,
        reference_answer_md="答案",
    )
    _check_every_figure(client, api, bank)

    # A re-import without skill 数据采集与清洗 and without the whole last category: their
    # questions are deactivated (the edited ones stay, as edits in the app).
    text = BUILTIN.read_text()
    start = text.index("<a id='数据采集与清洗'></a>")
    end = text.index("<a id=", start + 1)
    row = next(line for line in text.split("\n") if line.startswith("| 数据采集与清洗 |"))
    fewer = (text[:start] + text[end:]).replace(row + "\n", "")
    path = tmp_path / "fewer.md"
    path.write_text(fewer)
    assert bank_import_path(path=path).deactivated >= 2
    _check_every_figure(client, api, bank)

    # And back again.
    bank_import_path(path=BUILTIN)
    _check_every_figure(client, api, bank)


def test_a_recount_changes_the_key_of_the_cached_tree(client, interviewer, bank):
    client.force_login(interviewer)
    version = QuestionBank.objects.get(pk=bank.pk).counts_version
    bank_import_path(path=BUILTIN)  # unchanged file: counts are recomputed all the same
    assert QuestionBank.objects.get(pk=bank.pk).counts_version == version + 1


def test_the_migration_fills_the_counts_the_service_keeps(db, bank):
    """Migration 0007 counts the rows that exist before it the way bank_counts_refresh does."""
    migration = importlib.import_module("questions.migrations.0007_kept_counts_search")
    kept = {
        "bank": QuestionBank.objects.filter(pk=bank.pk).values().get(),
        "categories": list(Category.objects.filter(bank=bank).order_by("pk").values()),
        "skills": list(Skill.objects.filter(category__bank=bank).order_by("pk").values()),
    }
    QuestionBank.objects.update(question_count=0, category_count=0, skill_count=0)
    Category.objects.update(question_count=0, skill_count=0)
    Skill.objects.update(question_count=0)
    migration.fill_counts(django_apps, None)
    bank_row = QuestionBank.objects.filter(pk=bank.pk).values().get()
    assert {k: v for k, v in bank_row.items() if k != "counts_version"} == {
        k: v for k, v in kept["bank"].items() if k != "counts_version"
    }
    assert list(Category.objects.filter(bank=bank).order_by("pk").values()) == kept["categories"]
    assert list(Skill.objects.filter(category__bank=bank).order_by("pk").values()) == kept["skills"]


def test_the_page_counts_skill_questions_it_keeps_no_count_for(client, interviewer, bank):
    """long_form=false (the skill questions) has no kept count: the page counts the rows."""
    client.force_login(interviewer)
    html = client.get(f"/bank/?bank={bank.pk}&long_form=false").content.decode()
    skill_questions = Question.objects.filter(bank=bank, is_active=True).exclude(skill=None)
    assert f'data-count="{skill_questions.count()}"' in html
