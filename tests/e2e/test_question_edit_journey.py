"""An interviewer edits a choice question with the keyboard: the kind decides which fields show,
options are added and removed (and said so in the live region), the prompt is previewed."""

from pathlib import Path

import pytest

from questions.importer import bank_import_path
from questions.models import Question
from tests.e2e.helpers import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"


@pytest.fixture
def question(db):
    bank_import_path(path=BUILTIN)
    UserFactory(username="editor", role="interviewer")
    return Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")


def _live(page) -> str:
    page.wait_for_function("() => document.getElementById('live-status').textContent.trim() !== ''")
    return page.locator("#live-status").text_content().strip()


def test_kind_decides_which_fields_show(page, question):
    log_in(page, "editor")
    page.goto(f"/bank/questions/{question.pk}/edit/")
    assert page.locator("#choices-edit").is_visible()
    assert not page.locator("#id_reference_answer_md").is_visible()
    page.select_option("#id_kind", "open_ended")
    assert not page.locator("#choices-edit").is_visible()
    assert page.locator("#id_reference_answer_md").is_visible()
    page.select_option("#id_kind", "multiple_choice")
    assert page.locator("#choices-edit").is_visible()


def test_options_are_added_and_removed_with_the_keyboard(page, question):
    log_in(page, "editor")
    page.goto(f"/bank/questions/{question.pk}/edit/")
    rows = page.locator("[data-choice-row]:visible")
    assert rows.count() == 4  # the blank row for browsers without JavaScript is gone
    page.focus("#add-choice")
    page.keyboard.press("Enter")
    assert rows.count() == 5
    assert _live(page) == "Option E added."
    assert page.evaluate("document.activeElement.name") == "choices-4-text_md"
    page.keyboard.type("新的选项")

    page.evaluate("document.getElementById('live-status').textContent = ''")
    page.locator("[data-choice-row]").nth(2).locator("[data-remove-choice]").focus()
    page.keyboard.press("Enter")
    assert rows.count() == 4
    assert _live(page) == "Option C removed."
    assert page.evaluate("document.activeElement.matches('[data-remove-choice]')")

    with page.expect_navigation():
        page.get_by_role("button", name="Save new version").click()
    assert page.get_by_text("Saved as a new version.").is_visible()
    question.refresh_from_db()
    assert [(c.label, c.text_md) for c in question.choices.all()][-1] == ("E", "新的选项")
    assert [c.label for c in question.choices.all()] == ["A", "B", "D", "E"]


def test_prompt_preview_renders_sanitised_markdown(page, question):
    log_in(page, "editor")
    page.goto(f"/bank/questions/{question.pk}/edit/")
    page.fill("#id_prompt_md", "**粗体** and <img src=x onerror=alert(1)>")
    with page.expect_response(lambda r: r.url.endswith("/bank/preview/")):
        page.get_by_role("button", name="Preview (Prompt (markdown))").click()
    preview = page.locator("#id_prompt_md_preview")
    preview.locator("strong").wait_for()
    assert preview.locator("strong").inner_text() == "粗体"
    assert "onerror" not in preview.inner_html()
    assert _live(page) == "Preview, as the question page shows it:"
