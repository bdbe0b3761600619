"""An interviewer builds a banded set, swaps and reorders by keyboard, then opens the kit."""

from pathlib import Path

import pytest

from interviews.models import QuestionSet
from questions.importer import bank_import_path
from tests.e2e.test_roles_journey import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"


def item_questions(page) -> list[str]:
    return page.locator(".set-item").evaluate_all("els => els.map(e => e.dataset.question)")


def test_build_swap_reorder_and_open_the_kit(page, screenshot_dir):
    bank_import_path(path=BUILTIN)
    UserFactory(username="bea", role="interviewer")
    log_in(page, "bea")
    page.get_by_role("link", name="Question sets").first.click()
    page.get_by_role("link", name="New question set").click()

    # The default blueprint is 10 questions in bands 2-4: 3, 5-7: 4, 8-10: 3.
    assert page.locator("#bp-count").input_value() == "10"
    page.get_by_role("button", name="Assemble").click()
    page.wait_for_selector(".draft-items li")
    assert page.locator(".draft-items li").count() == 10
    assert page.locator(".shortfalls").count() == 0
    assert page.locator('[data-summary="count"]').inner_text() == "10"
    page.screenshot(path=str(screenshot_dir / "builder-draft.png"), full_page=True)
    drafted = page.locator(".draft-items li").evaluate_all(
        "els => els.map(e => e.dataset.question)"
    )

    page.fill("#id_title", "Banded screening")
    with page.expect_navigation():
        page.get_by_role("button", name="Save set").click()
    assert page.locator("h1").inner_text().startswith("Banded screening")
    assert item_questions(page) == drafted  # saved exactly what was shown

    # Swap the first question for another of the same slot.
    before = item_questions(page)
    with page.expect_response(lambda r: "/swap/" in r.url):
        page.locator(".set-item").first.get_by_role("button", name="Swap").click()
    page.wait_for_function(
        "q => document.querySelector('.set-item').dataset.question !== q", arg=before[0]
    )
    after_swap = item_questions(page)
    assert after_swap[1:] == before[1:] and after_swap[0] not in before

    # Reorder with the keyboard: focus the third handle, press ArrowUp.
    page.locator(".set-item").nth(2).locator(".item-handle").focus()
    with page.expect_response(lambda r: "/move/up/" in r.url):
        page.keyboard.press("ArrowUp")
    page.wait_for_function(
        "q => document.querySelectorAll('.set-item')[1].dataset.question === q",
        arg=after_swap[2],
    )
    reordered = item_questions(page)
    assert reordered[1:3] == [after_swap[2], after_swap[1]]
    # Focus stays on the moved item's handle, so ArrowUp again keeps moving it.
    page.wait_for_function(
        "q => document.activeElement.closest('.set-item')?.dataset.question === q",
        arg=after_swap[2],
    )
    page.screenshot(path=str(screenshot_dir / "set-editor.png"), full_page=True)

    saved = QuestionSet.objects.get(title="Banded screening")
    stored = [
        str(q) for q in saved.items.order_by("position").values_list("question_id", flat=True)
    ]
    assert stored == reordered

    page.get_by_role("link", name="Interviewer kit").click()
    page.wait_for_selector(".rubric")
    assert page.locator(".print-item").count() == 10
    kinds = list(saved.items.values_list("question__kind", flat=True))
    assert page.locator(".choice.correct").count() == sum(k != "open_ended" for k in kinds)
    references = page.locator(".kit-block h3", has_text="Reference answer").count()
    assert references == kinds.count("open_ended")
    page.screenshot(path=str(screenshot_dir / "interviewer-kit.png"), full_page=True)


def test_set_editor_on_a_phone(browser, live_server, screenshot_dir):
    from interviews.assembly import Blueprint
    from interviews.selectors import question_set_assemble
    from interviews.services import question_set_create_from_assembly

    bank = bank_import_path(path=BUILTIN).bank
    user = UserFactory(username="phone-bea", role="interviewer")
    assembly = question_set_assemble(blueprint=Blueprint.from_data({"bank": bank.pk, "count": 5}))
    question_set = question_set_create_from_assembly(owner=user, title="Phone", assembly=assembly)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, "phone-bea")
    page.goto(f"/sets/{question_set.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshot_dir / "set-editor-phone.png"))
    context.close()


def test_drag_and_drop_reorders(page):
    from interviews.assembly import Blueprint
    from interviews.selectors import question_set_assemble
    from interviews.services import question_set_create_from_assembly

    bank = bank_import_path(path=BUILTIN).bank
    user = UserFactory(username="dragger", role="interviewer")
    assembly = question_set_assemble(
        blueprint=Blueprint.from_data({"bank": bank.pk, "count": 4, "seed": 2})
    )
    question_set = question_set_create_from_assembly(owner=user, title="Drag", assembly=assembly)
    log_in(page, "dragger")
    page.goto(f"/sets/{question_set.pk}/")
    before = item_questions(page)
    with page.expect_response(lambda r: "/items/reorder/" in r.url):
        page.locator(".set-item").nth(3).drag_to(
            page.locator(".set-item").nth(0), target_position={"x": 20, "y": 5}
        )
    page.wait_for_function(
        "q => document.querySelector('.set-item').dataset.question === q", arg=before[3]
    )
    assert item_questions(page) == [before[3], *before[:3]]
    stored = [
        str(q)
        for q in question_set.items.order_by("position").values_list("question_id", flat=True)
    ]
    assert stored == item_questions(page)


def test_add_from_search_and_remove(page):
    from interviews.services import question_set_create

    bank = bank_import_path(path=BUILTIN).bank
    user = UserFactory(username="adder", role="interviewer")
    question_set = question_set_create(owner=user, bank=bank, title="Empty")
    log_in(page, "adder")
    page.goto(f"/sets/{question_set.pk}/")
    assert page.locator(".set-item").count() == 0
    with page.expect_response(lambda r: "/items/search/" in r.url and "ZeRO" in r.url):
        page.fill("#add-search", "ZeRO")
    first = page.locator("#add-results [data-add]").first
    added = first.get_attribute("data-add")
    with page.expect_response(lambda r: "/items/add/" in r.url):
        first.click()
    page.wait_for_selector(f'.set-item[data-question="{added}"]')
    assert page.locator('[data-summary="count"]').inner_text() == "1"
    with page.expect_response(lambda r: "/remove/" in r.url):
        page.locator(".set-item").first.get_by_role("button", name="Remove").click()
    page.wait_for_function("() => document.querySelectorAll('.set-item').length === 0")
    assert question_set.items.count() == 0
