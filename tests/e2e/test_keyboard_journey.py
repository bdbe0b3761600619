"""Keyboard users keep their place after htmx updates, and screen readers hear what changed."""

from pathlib import Path

import pytest

from questions.importer import bank_import_path
from tests.e2e.helpers import control_time_and_record_requests, log_in, requests_sent
from tests.factories import UserFactory, drawn_set

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"

FOCUSED_ROW = "() => document.activeElement.closest('.set-item')?.dataset.item"
FOCUS_KEY = "() => document.activeElement.closest('[data-focus-key]')?.dataset.focusKey"


def _keys_set():
    bank = bank_import_path(path=BUILTIN).bank
    user = UserFactory(username="keys", role="interviewer")
    return drawn_set(owner=user, title="Keys", bank=bank.pk, count=5, seed=4)


@pytest.fixture
def editor_page(page):
    question_set = _keys_set()
    log_in(page, "keys")
    page.goto(f"/sets/{question_set.pk}/")
    return page


def rows(page) -> list[str]:
    return page.locator(".set-item").evaluate_all("els => els.map(e => e.dataset.item)")


def announced(page, words: str) -> bool:
    """Wait until the page's live region says `words` (it is emptied, then set, per update)."""
    page.wait_for_function(
        "w => document.getElementById('live-status').textContent.includes(w)", arg=words
    )
    return True


def test_buttons_keep_focus_on_their_row_and_say_what_happened(editor_page):
    page = editor_page
    before = rows(page)
    third = page.locator(".set-item").nth(2)
    third.locator('[data-focus-key="up"]').focus()
    with page.expect_response(lambda r: "/move/up/" in r.url):
        page.keyboard.press("Enter")
    page.wait_for_function(
        f"() => document.querySelectorAll('.set-item')[1].dataset.item === '{before[2]}'"
    )
    # Focus is back on the same button of the same (moved) row, and the move was announced.
    page.wait_for_function(f"() => ({FOCUSED_ROW})() === '{before[2]}'")
    assert page.evaluate(FOCUS_KEY) == "up"
    assert announced(page, "Moved to position 2.")

    # Removing a row hands focus to the row that took its place.
    moved = rows(page)
    page.locator(".set-item").nth(1).locator('[data-focus-key="remove"]').focus()
    with page.expect_response(lambda r: "/remove/" in r.url):
        page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('.set-item').length === 4")
    page.wait_for_function(f"() => ({FOCUSED_ROW})() === '{moved[2]}'")
    assert announced(page, "Question removed; 4 questions left.")


def test_choose_opens_and_closes_from_the_keyboard(editor_page):
    page = editor_page
    toggle = page.locator(".set-item").first.locator("[data-swap-toggle]")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.focus()
    with page.expect_response(lambda r: "/swap/options/" in r.url):
        page.keyboard.press("Enter")
    panel = page.locator(".set-item").first.locator(".swap-options")
    panel.locator("li, p").first.wait_for()
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Tab")  # on along the row
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('.swap-options').childElementCount")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate(FOCUS_KEY) == "choose"


def test_enter_in_points_saves_once_without_reloading(page):
    question_set = _keys_set()
    log_in(page, "keys")
    control_time_and_record_requests(page)
    page.goto(f"/sets/{question_set.pk}/")
    page.evaluate("window.notReloaded = true")
    field = page.locator(".set-item").first.locator('input[name="points"]')
    field.fill("7")
    with page.expect_response(lambda r: "/points/" in r.url):
        page.keyboard.press("Enter")
    page.wait_for_function(f"() => ({FOCUS_KEY})() === 'points'")
    assert page.evaluate("window.notReloaded") is True
    page.clock.run_for(2_000)  # past the field's 500 ms change debounce: no second save
    assert len(requests_sent(page, "/points/")) == 1
    assert announced(page, "Question 1: 7 points saved.")


def test_bank_pagination_moves_focus_to_the_new_results(page):
    bank_import_path(path=BUILTIN)
    UserFactory(username="pager", role="interviewer")
    log_in(page, "pager")
    page.goto("/bank/")
    next_link = page.locator(".pagination a").last
    next_link.focus()
    with page.expect_response(lambda r: "page=2" in r.url):
        page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.classList.contains('result-count')")
    assert announced(page, "129 questions")


def test_typing_in_one_row_survives_saving_another(editor_page):
    """Points save their own row only: what is being typed in the next row is kept."""
    page = editor_page
    first = page.locator(".set-item").nth(0).locator('input[name="points"]')
    second = page.locator(".set-item").nth(1).locator('input[name="points"]')
    first.fill("10")
    with page.expect_response(lambda r: "/points/" in r.url):
        second.click()  # the first field's change fires; its save lands while we type here
        page.keyboard.press("Control+A")
        page.keyboard.type("12")
    assert second.input_value() == "12"
    with page.expect_response(lambda r: "/points/" in r.url):
        page.keyboard.press("Tab")
    assert announced(page, "Question 2: 12 points saved.")
    stored = page.evaluate(
        "() => [...document.querySelectorAll('.set-item input[name=points]')].map(i => i.value)"
    )
    assert stored[:2] == ["10", "12"]


def test_points_out_of_range_are_refused_in_words(editor_page):
    page = editor_page
    field = page.locator(".set-item").first.locator('input[name="points"]')
    before = field.input_value()
    field.fill("0")
    with page.expect_response(lambda r: "/points/" in r.url) as response:
        page.keyboard.press("Tab")
    assert response.value.status == 422
    error = page.locator(".set-item").first.locator(".item-error")
    error.wait_for()
    assert "1 to 100" in error.inner_text()
    # What was typed stays, marked invalid and tied to the reason, for the user to correct.
    refused = page.locator(".set-item").first.locator('input[name="points"]')
    assert refused.input_value() == "0" and refused.get_attribute("aria-invalid") == "true"
    assert refused.get_attribute("aria-describedby") == error.get_attribute("id")
    # A refusal in another row replaces this one's: only the current error is shown.
    page.locator(".set-item").nth(1).locator('input[name="points"]').fill("500")
    with page.expect_response(lambda r: "/points/" in r.url):
        page.keyboard.press("Tab")
    page.locator(".set-item").nth(1).locator(".item-error").wait_for()
    assert page.locator(".item-error").count() == 1
    # The abandoned refusal shows the saved value again, no longer marked.
    assert refused.input_value() == before and refused.get_attribute("aria-invalid") is None
