"""Editing a question: moving it to another skill (service, page and API), a number field for
difficulty, fields that belong to the kind, options added and removed, a markdown preview."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from questions.importer import bank_import_path
from questions.limits import MARKDOWN_MAX_CHARS
from questions.models import Category, Question, QuestionBank, Skill
from questions.services import question_update

BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"


@pytest.fixture
def bank(db):
    return bank_import_path(path=BUILTIN).bank


@pytest.fixture
def other_skill(db):
    other = QuestionBank.objects.create(title="Other bank", slug="other-bank")
    category = Category.objects.create(bank=other, name="Elsewhere")
    return Skill.objects.create(category=category, name="Far away", anchor="far", difficulty=3)


def _choice_question() -> Question:
    return Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")


def _edit_form(question: Question, **changes) -> dict:
    """What the edit page posts for `question` as it is, with `changes` applied."""
    form = {
        "kind": question.kind,
        "skill": str(question.skill_id or "none"),
        "difficulty": str(question.difficulty or ""),
        "prompt_md": question.prompt_md,
        "explanation_md": question.explanation_md,
        "reference_answer_md": question.reference_answer_md,
        "version": str(question.version),
        "choices-TOTAL_FORMS": str(question.choices.count()),
        "choices-INITIAL_FORMS": str(question.choices.count()),
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "10",
    }
    for i, choice in enumerate(question.choices.all()):
        form[f"choices-{i}-label"] = choice.label
        form[f"choices-{i}-text_md"] = choice.text_md
        if choice.is_correct:
            form[f"choices-{i}-is_correct"] = "on"
    form.update(changes)
    return form


# --- the service ---------------------------------------------------------------------------------


def test_update_moves_a_question_to_another_skill_and_its_category(bank, interviewer):
    question = _choice_question()
    old_skill = question.skill
    target = Skill.objects.get(category__bank=bank, name="跨集群训练架构设计")
    assert target.category_id != question.category_id
    saved = question_update(
        question=question,
        actor=interviewer,
        prompt_md=question.prompt_md,
        explanation_md=question.explanation_md,
        reference_answer_md=question.reference_answer_md,
        difficulty=question.difficulty,
        skill=target,
    )
    saved.refresh_from_db()
    assert (saved.skill_id, saved.category_id, saved.version) == (target.pk, target.category_id, 2)
    revision = saved.revisions.get()
    assert revision.version == 1 and revision.snapshot["skill"] == old_skill.pk


def test_update_without_skill_keeps_it(bank, interviewer):
    question = _choice_question()
    skill_id, category_id = question.skill_id, question.category_id
    saved = question_update(
        question=question,
        actor=interviewer,
        prompt_md="新的题干",
        explanation_md=question.explanation_md,
        reference_answer_md=question.reference_answer_md,
        difficulty=question.difficulty,
    )
    saved.refresh_from_db()
    assert (saved.skill_id, saved.category_id, saved.version) == (skill_id, category_id, 2)


def test_update_refuses_a_skill_of_another_bank(bank, interviewer, other_skill):
    question = _choice_question()
    with pytest.raises(ValidationError) as caught:
        question_update(
            question=question,
            actor=interviewer,
            prompt_md=question.prompt_md,
            explanation_md=question.explanation_md,
            reference_answer_md=question.reference_answer_md,
            difficulty=question.difficulty,
            skill=other_skill,
        )
    assert caught.value.message_dict == {"skill": ["That skill belongs to another bank."]}
    question.refresh_from_db()
    assert question.version == 1 and question.skill.name == "数据采集与清洗"


def test_long_form_question_may_stay_without_a_skill(bank, interviewer):
    question = Question.objects.filter(skill__isnull=True).first()
    saved = question_update(
        question=question,
        actor=interviewer,
        prompt_md=question.prompt_md + "\n\n补充",
        explanation_md=question.explanation_md,
        reference_answer_md=question.reference_answer_md,
        difficulty=None,
        skill=None,
    )
    saved.refresh_from_db()
    assert (saved.skill_id, saved.category_id, saved.version) == (None, None, 2)


# --- the page ------------------------------------------------------------------------------------


def test_edit_page_offers_skills_of_the_bank_and_a_small_number_field(
    client, interviewer, bank, other_skill
):
    client.force_login(interviewer)
    question = _choice_question()
    html = client.get(f"/bank/questions/{question.pk}/edit/").content.decode()
    select = html.split('name="skill"')[1].split("</select>")[0]
    assert f'<option value="{question.skill_id}" selected>数据采集与清洗 (difficulty ' in select
    assert '<optgroup label="分布式训练与系统架构">' in select
    assert select.count("<option") == Skill.objects.filter(category__bank=bank).count() + 1
    assert "Far away" not in select  # another bank's skill is not offered
    difficulty = re.search(r"<input[^>]*name=\"difficulty\"[^>]*>", html).group(0)
    assert 'type="number"' in difficulty and 'class="number-narrow"' in difficulty
    assert 'min="1"' in difficulty and 'max="10"' in difficulty


def test_fields_say_which_kind_they_belong_to(client, interviewer, bank):
    client.force_login(interviewer)
    html = client.get(f"/bank/questions/{_choice_question().pk}/edit/").content.decode()
    reference = html.split('id="id_reference_answer_md"')[0].rsplit("<div", 1)[1]
    assert 'data-show-for-kinds="open_ended"' in reference
    choices = re.search(r'<fieldset class="choices-edit"[^>]*>', html).group(0)
    assert 'data-show-for-kinds="single_choice multiple_choice"' in choices
    # Without JavaScript everything shows: nothing is hidden by the server.
    assert "hidden" not in reference and " hidden" not in choices


def test_changing_the_skill_on_the_page_moves_the_question(client, interviewer, bank):
    client.force_login(interviewer)
    question = _choice_question()
    target = Skill.objects.get(category__bank=bank, name="跨集群训练架构设计")
    response = client.post(
        f"/bank/questions/{question.pk}/edit/", _edit_form(question, skill=str(target.pk))
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.skill_id, question.category_id, question.version) == (
        target.pk,
        target.category_id,
        2,
    )


def test_a_skill_that_is_not_offered_is_refused(client, interviewer, bank, other_skill):
    client.force_login(interviewer)
    question = _choice_question()
    response = client.post(
        f"/bank/questions/{question.pk}/edit/", _edit_form(question, skill=str(other_skill.pk))
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    question.refresh_from_db()
    assert question.version == 1


def test_a_removed_option_is_dropped(client, interviewer, bank):
    client.force_login(interviewer)
    question = _choice_question()
    labels = [c.label for c in question.choices.all()]
    wrong = next(i for i, c in enumerate(question.choices.all()) if not c.is_correct)
    response = client.post(
        f"/bank/questions/{question.pk}/edit/",
        _edit_form(question, **{f"choices-{wrong}-DELETE": "on"}),
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert [c.label for c in question.choices.all()] == labels[:wrong] + labels[wrong + 1 :]
    assert question.version == 2


def test_an_added_option_is_kept(client, interviewer, bank):
    client.force_login(interviewer)
    question = _choice_question()
    n = question.choices.count()
    form = _edit_form(
        question,
        **{
            "choices-TOTAL_FORMS": str(n + 1),
            f"choices-{n}-label": "Z",
            f"choices-{n}-text_md": "新选项",
        },
    )
    assert client.post(f"/bank/questions/{question.pk}/edit/", form).status_code == 302
    assert question.choices.order_by("position").last().text_md == "新选项"


def test_edit_page_has_add_and_remove_controls_and_a_row_template(client, interviewer, bank):
    client.force_login(interviewer)
    html = client.get(f"/bank/questions/{_choice_question().pk}/edit/").content.decode()
    assert ">Add an option</button>" in html
    assert '<template id="choice-row-template">' in html and "choices-__prefix__-text_md" in html
    assert html.count("data-remove-choice") == html.count("data-choice-row")
    assert 'data-added="Option {label} added."' in html
    assert 'src="/static/js/bank.js"' in html


# --- the preview ---------------------------------------------------------------------------------


def test_preview_renders_sanitised_markdown(client, interviewer, bank):
    client.force_login(interviewer)
    response = client.post(
        "/bank/preview/",
        {"field": "prompt_md", "prompt_md": "**粗体** <script>alert(1)</script>"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<strong>粗体</strong>" in body
    assert "<script" not in body
    assert "Preview, as the question page shows it:" in body


def test_preview_refuses_text_over_the_limit_with_the_number(client, interviewer, bank):
    client.force_login(interviewer)
    text = "字" * (MARKDOWN_MAX_CHARS + 1)
    response = client.post(
        "/bank/preview/", {"field": "reference_answer_md", "reference_answer_md": text}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        f"at most {MARKDOWN_MAX_CHARS} characters (this text has {MARKDOWN_MAX_CHARS + 1})" in body
    )


def test_preview_is_post_only_with_csrf_and_for_editors(client, hiring_manager, interviewer, bank):
    client.force_login(interviewer)
    assert client.get("/bank/preview/").status_code == 405
    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    strict.force_login(interviewer)
    assert (
        strict.post("/bank/preview/", {"field": "prompt_md", "prompt_md": "x"}).status_code == 403
    )
    client.force_login(hiring_manager)
    assert (
        client.post("/bank/preview/", {"field": "prompt_md", "prompt_md": "x"}).status_code == 403
    )


# --- the API -------------------------------------------------------------------------------------


def _api(user) -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


def test_api_patch_moves_a_question_within_its_bank(bank, interviewer):
    question = _choice_question()
    target = Skill.objects.get(category__bank=bank, name="跨集群训练架构设计")
    response = _api(interviewer).patch(
        f"/api/v1/questions/{question.pk}/", {"skill": target.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["skill"], body["category"], body["version"]) == (
        target.pk,
        target.category_id,
        2,
    )


def test_api_patch_refuses_another_banks_skill_and_a_new_bank(bank, interviewer, other_skill):
    question = _choice_question()
    api = _api(interviewer)
    response = api.patch(
        f"/api/v1/questions/{question.pk}/", {"skill": other_skill.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["skill"] == ["That skill belongs to another bank."]
    response = api.patch(
        f"/api/v1/questions/{question.pk}/",
        {"bank": other_skill.category.bank_id},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["bank"] == ["A question's bank cannot be changed."]
    question.refresh_from_db()
    assert question.version == 1 and question.bank_id == bank.pk
