"""Question-set pages on a 390 px phone and a 1366 px desk: tools one tap from the top, rows
that fit, touch-sized targets, refused points kept as typed, a builder that warns while drafting,
and a reader's page that uses the width; screenshots of every set page in both languages."""

from pathlib import Path

import pytest

from interviews.models import QuestionSet
from questions.importer import bank_import_path
from questions.models import Category, Question
from tests.e2e.helpers import log_in
from tests.factories import UserFactory, drawn_set

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}
# Every control a finger or pointer must hit, as shown (not hidden) inside the page's main part.
# (A checkbox inside its label is hit through the label, so the label is what is measured.)
TARGETS = (
    "main a, main button, main input:not([type=hidden]):not(label.inline-check > input), "
    "main select, main summary, main label.inline-check"
)
SMALL_TARGETS = (
    "([selector, min]) => [...document.querySelectorAll(selector)]"
    ".filter(e => e.getClientRects().length && !e.closest('[hidden]'))"
    ".map(e => [e, e.getBoundingClientRect()])"
    ".filter(([e, r]) => r.width < min || r.height < min)"
    ".map(([e, r]) => `${e.tagName}.${e.className} '${(e.textContent || e.name || '').trim()"
    ".slice(0, 20)}' ${Math.round(r.width)}x${Math.round(r.height)}`)"
)


def small_targets(page, size: int) -> list[str]:
    return page.evaluate(SMALL_TARGETS, [TARGETS, size])


@pytest.fixture
def bank(db):
    return bank_import_path(path=BUILTIN).bank


def open_page(browser, live_server, viewport, username, path, locale="en-US"):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale=locale)
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, username)
    page.goto(path)
    return page


@pytest.fixture
def phone_editor(browser, live_server, bank):
    user = UserFactory(username="thumb", role="interviewer")
    question_set = drawn_set(owner=user, title="Phone set", bank=bank.pk, count=12, seed=7)
    page = open_page(browser, live_server, PHONE, "thumb", f"/sets/{question_set.pk}/")
    yield page, question_set
    page.context.close()


def test_the_editor_tools_are_one_tap_from_the_top(phone_editor):
    page, question_set = phone_editor
    tabs = page.get_by_role("tab")
    assert tabs.all_inner_texts() == ["Questions 12", "Add from the bank", "Settings"]
    bar = page.locator("[data-editor-tabs]").bounding_box()
    assert bar["y"] + bar["height"] <= PHONE["height"]  # within the first screen
    assert page.locator("#add-panel").is_hidden() and page.locator(".set-item").count() == 12

    page.get_by_role("tab", name="Add from the bank").click()
    assert page.locator("#add-panel").is_visible() and page.locator("#set-editor").is_hidden()
    assert page.locator("#add-panel").bounding_box()["y"] < PHONE["height"]
    with page.expect_response(lambda r: "/items/search/" in r.url and "ZeRO" in r.url):
        page.fill("#add-search", "ZeRO")
    first = page.locator("#add-results [data-add]:not([disabled])").first
    with page.expect_response(lambda r: "/items/add/" in r.url):
        first.click()
    page.wait_for_function("() => document.querySelector('[data-tab-count]').textContent === '13'")
    assert question_set.items.count() == 13

    # Arrow keys move along the tabs; the chosen one shows its panel.
    page.get_by_role("tab", name="Add from the bank").focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-settings"
    assert page.locator("#settings-panel").is_visible() and page.locator("#add-panel").is_hidden()
    assert page.locator("#settings-panel").bounding_box()["y"] < PHONE["height"]
    page.keyboard.press("Home")
    assert page.locator(".set-item").count() == 13 and page.locator("#settings-panel").is_hidden()


def test_every_target_is_big_enough_for_a_finger(phone_editor, browser, live_server):
    page, question_set = phone_editor
    assert small_targets(page, 44) == []
    page.get_by_role("tab", name="Add from the bank").click()
    assert small_targets(page, 44) == []
    page.get_by_role("tab", name="Settings").click()
    assert small_targets(page, 44) == []
    page.get_by_role("tab", name="Questions").click()
    page.locator(".set-item").first.locator("[data-more-toggle]").click()
    assert small_targets(page, 44) == []
    for path in ("/sets/new/", f"/sets/{question_set.pk}/print/kit/"):
        page.goto(path)
        assert small_targets(page, 44) == [], path
    # On a desk, at least 24 px.
    desk = open_page(browser, live_server, DESK, "thumb", f"/sets/{question_set.pk}/")
    assert small_targets(desk, 24) == []
    desk.goto("/sets/new/")
    assert small_targets(desk, 24) == []
    desk.context.close()


def test_item_actions_fit_one_row_and_their_menu_works_by_keyboard(phone_editor):
    page, question_set = phone_editor
    tops = page.locator(".item-tools").evaluate_all(
        "rows => rows.map(row => [...row.children].filter(e => e.getClientRects().length)"
        ".map(e => Math.round(e.getBoundingClientRect().top)))"
    )
    assert len(tops) == 12
    assert all(max(row) - min(row) <= 4 for row in tops), tops  # one line per row
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    row = page.locator(".set-item").nth(1)
    toggle = row.locator("[data-more-toggle]")
    assert row.get_by_role("button", name="Swap").is_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert row.get_by_role("button", name="Swap").is_visible()
    page.wait_for_function("() => document.activeElement.dataset.focusKey === 'swap'")
    page.keyboard.press("Escape")  # closes, and focus goes back to the menu's button
    assert toggle.get_attribute("aria-expanded") == "false"
    assert row.get_by_role("button", name="Swap").is_hidden()
    assert page.evaluate("document.activeElement.dataset.focusKey") == "more"

    # Remove from the menu: the row goes, focus moves to the row that took its place.
    before = page.locator(".set-item").evaluate_all("els => els.map(e => e.dataset.item)")
    page.keyboard.press("Enter")
    with page.expect_response(lambda r: "/remove/" in r.url):
        row.get_by_role("button", name="Remove").click()
    page.wait_for_function("() => document.querySelectorAll('.set-item').length === 11")
    page.wait_for_function(
        "id => document.activeElement.closest('.set-item')?.dataset.item === id", arg=before[2]
    )
    assert question_set.items.count() == 11


def test_refused_points_keep_what_was_typed(phone_editor):
    page, _question_set = phone_editor
    field = page.locator(".set-item").first.locator('input[name="points"]')
    field.fill("250")
    with page.expect_response(lambda r: "/points/" in r.url) as response:
        page.keyboard.press("Tab")
    assert response.value.status == 422
    page.locator(".set-item").first.locator(".item-error").wait_for()
    field = page.locator(".set-item").first.locator('input[name="points"]')
    assert field.input_value() == "250" and field.get_attribute("aria-invalid") == "true"
    error = page.locator("#" + field.get_attribute("aria-describedby"))
    assert "Points are a whole number from 1 to 100." in error.inner_text()


def test_the_builder_warns_while_drafting_and_saves_no_empty_set(browser, live_server, bank):
    UserFactory(username="drafter", role="interviewer")
    page = open_page(browser, live_server, PHONE, "drafter", "/sets/new/")
    title = page.locator("#id_title").bounding_box()
    assert title["y"] + title["height"] <= PHONE["height"]  # the title opens the page
    page.fill("#id_time_limit_minutes", "5")
    page.fill("#bp-seed", "11")
    page.get_by_role("button", name="Assemble").click()
    page.wait_for_selector(".draft-items li")
    minutes = int(page.locator('[data-summary="minutes"]').inner_text().split()[0])
    warning = page.locator('[data-summary="over-time"]')
    assert warning.inner_text() == (
        f"The questions take about {minutes} min, more than the 5-minute time limit. "
        "Ask for fewer questions or raise the limit."
    )
    # Typing another limit updates the warning at once, before anything is saved.
    page.fill("#id_time_limit_minutes", str(minutes))
    assert warning.is_hidden()
    page.fill("#id_time_limit_minutes", "3")
    assert "more than the 3-minute time limit" in warning.inner_text()
    assert QuestionSet.objects.count() == 0

    # A blueprint nothing fits: Save is disabled, saying why; the shortfall says what to widen.
    category = Category.objects.get(bank=bank, name="安全与合规")
    held = set(Question.objects.filter(category=category).values_list("difficulty", flat=True))
    difficulty = str(min(set(range(1, 11)) - held))
    page.get_by_label("One range").check()
    page.locator(f'input[name="categories"][value="{category.pk}"]').check()
    page.fill("#bp-dmin", difficulty)
    page.fill("#bp-dmax", difficulty)
    page.fill("#bp-count", "3")
    with page.expect_response(lambda r: r.url.endswith("/sets/new/")):
        page.get_by_role("button", name="Assemble").click()
    page.wait_for_selector("#save-blocked")
    save = page.get_by_role("button", name="Save set")
    assert save.is_disabled()
    assert page.locator("#save-blocked").inner_text().startswith("Nothing to save")
    assert "To get more, widen the difficulty range" in page.locator(".shortfalls").inner_text()
    page.context.close()


def test_a_reader_gets_the_whole_width(browser, live_server, bank):
    owner = UserFactory(username="owner", role="interviewer")
    UserFactory(username="reader", role="hiring_manager")
    question_set = drawn_set(owner=owner, title="Read me", bank=bank.pk, count=5, seed=2)
    page = open_page(browser, live_server, DESK, "reader", f"/sets/{question_set.pk}/")
    main = page.evaluate(
        "() => { const m = getComputedStyle(document.querySelector('main'));"
        " return document.querySelector('main').clientWidth"
        " - parseFloat(m.paddingLeft) - parseFloat(m.paddingRight); }"
    )
    width = page.locator("#set-editor").bounding_box()["width"]
    assert width >= main - 1, (width, main)
    page.context.close()


@pytest.mark.parametrize("locale", ["en-US", "zh-CN"])
@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["390", "1366"])
def test_every_set_page_fits_and_is_pictured(
    browser, live_server, bank, screenshot_dir, locale, viewport
):
    """Builder with a draft, editor, kit, candidate preview, and the set as a hiring manager
    reads it: nothing wider than the screen; a screenshot of each to look at."""
    owner = UserFactory(username="pictures", role="interviewer")
    UserFactory(username="manager", role="hiring_manager")
    question_set = drawn_set(owner=owner, title="面试题 · Screening", bank=bank.pk, count=8, seed=5)
    question_set.time_limit_minutes = 20
    question_set.description = "Ask the open questions last."
    question_set.save()
    lang = "zh-hans" if locale == "zh-CN" else "en"
    tag = f"{viewport['width']}-{lang}"
    page = open_page(browser, live_server, viewport, "pictures", "/sets/new/", locale)
    assert page.locator("html").get_attribute("lang") == lang
    page.fill("#bp-seed", "3")
    page.fill("#id_time_limit_minutes", "15")
    page.locator("#builder button[value=preview]").click()
    page.wait_for_selector(".draft-items li")
    shots = [("builder-draft", None)]
    shots += [
        ("set-editor", f"/sets/{question_set.pk}/"),
        ("kit", f"/sets/{question_set.pk}/print/kit/"),
        ("candidate-preview", f"/sets/{question_set.pk}/print/preview/"),
    ]
    for name, path in shots:
        if path:
            page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
        page.screenshot(path=str(screenshot_dir / f"sets-{name}-{tag}.png"), full_page=True)
    page.context.close()
    reader = open_page(
        browser, live_server, viewport, "manager", f"/sets/{question_set.pk}/", locale
    )
    assert reader.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    reader.screenshot(path=str(screenshot_dir / f"sets-read-only-{tag}.png"), full_page=True)
    reader.context.close()
