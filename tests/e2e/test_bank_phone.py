"""The bank on a 390 px phone: search, the filter drawer and the first questions on the first
screen, targets a finger can hit, a drawer the keyboard opens and closes, removable filter chips;
and screenshots of the bank pages at phone and desk widths in both languages."""

from pathlib import Path

import pytest

from questions.importer import bank_import_path
from questions.models import Question
from tests.e2e.helpers import log_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}

# Everything a person can click or tap in the page's content (the top bar is the layout's).
TARGETS = (
    "main a, main button, main select, main summary, main textarea, "
    "main input:not([type=hidden]):not([type=checkbox])"
)
TARGET_SIZES = """(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .map((el) => { const r = el.getBoundingClientRect();
    return {what: el.outerHTML.slice(0, 90), width: r.width, height: r.height}; })"""


@pytest.fixture
def bank(db):
    return bank_import_path(path=BUILTIN).bank


@pytest.fixture
def phone(browser, live_server, bank):
    UserFactory(username="thumb", role="interviewer")
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15_000)
    log_in(page, "thumb")
    yield page
    context.close()


def _small(page, minimum: int) -> list[dict]:
    sizes = page.evaluate(TARGET_SIZES, TARGETS)
    assert sizes, "no targets found"
    return [s for s in sizes if s["width"] < minimum or s["height"] < minimum]


def test_search_filter_control_and_first_question_fit_the_first_screen(phone):
    phone.goto("/bank/")
    for selector in ("#id_search", "#filter-drawer > summary", ".question-row >> nth=0"):
        box = phone.locator(selector).bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], (selector, box)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not phone.locator("#id_category").is_visible()  # behind the control
    assert not phone.locator("#bank-tree").is_visible()


def test_every_target_on_a_phone_is_at_least_44_px(phone, bank):
    category = bank.categories.get(name="分布式训练与系统架构")
    phone.goto(f"/bank/?bank={bank.pk}&category={category.pk}&kind=single_choice")
    phone.locator("#filter-drawer > summary").click()
    phone.wait_for_selector("#bank-tree a[aria-current]")
    assert _small(phone, 44) == []
    phone.goto(f"/bank/?bank={bank.pk}&page=2")
    assert _small(phone, 44) == []  # pagination and question links


def test_every_target_on_a_desk_is_at_least_24_px(browser, live_server, bank):
    UserFactory(username="desk", role="interviewer")
    context = browser.new_context(base_url=live_server.url, viewport=DESK, locale="en-US")
    page = context.new_page()
    log_in(page, "desk")
    category = bank.categories.get(name="分布式训练与系统架构")
    page.goto(f"/bank/?bank={bank.pk}&category={category.pk}&difficulty_min=8")
    assert page.locator("#id_category").is_visible()  # the drawer is open on a desk
    assert not page.locator("#filter-drawer > summary").is_visible()
    assert _small(page, 24) == []
    context.close()


def test_the_drawer_opens_and_closes_with_the_keyboard(phone):
    phone.goto("/bank/")
    phone.focus("#id_search")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.matches('#filter-drawer > summary')")
    phone.keyboard.press("Enter")
    phone.wait_for_selector("#id_category", state="visible")
    phone.keyboard.press("Tab")  # into the drawer: the first filter
    assert phone.evaluate("document.activeElement.id") == "id_category"
    phone.keyboard.press("Escape")
    phone.wait_for_selector("#id_category", state="hidden")
    assert phone.evaluate("document.activeElement.matches('#filter-drawer > summary')")
    phone.keyboard.press("Space")
    phone.wait_for_selector("#id_category", state="visible")
    phone.keyboard.press("Space")
    phone.wait_for_selector("#id_category", state="hidden")


def test_a_filter_chip_removes_its_filter(phone, bank):
    phone.goto(f"/bank/?bank={bank.pk}")
    phone.locator("#filter-drawer > summary").click()
    with phone.expect_response(lambda r: "kind=single_choice" in r.url):
        phone.select_option("#id_kind", "single_choice")
    with phone.expect_response(lambda r: "difficulty_min=8" in r.url):
        phone.select_option("#id_difficulty_min", "8")
    both = Question.objects.filter(is_active=True, kind="single_choice", difficulty__gte=8)
    phone.wait_for_selector(f'.result-count[data-count="{both.count()}"]')
    assert phone.locator("#active-filter-count").inner_text() == "2"
    chip = phone.get_by_role("link", name="Remove filter: Kind: Single choice")
    assert chip.is_visible()
    box = chip.bounding_box()
    assert box["height"] >= 44
    with phone.expect_navigation():
        chip.click()
    assert "kind=" not in phone.url and "difficulty_min=8" in phone.url
    hard = Question.objects.filter(is_active=True, difficulty__gte=8).count()
    assert phone.locator(".result-count").get_attribute("data-count") == str(hard)
    assert phone.locator(".chip").count() == 1
    assert phone.get_by_role("link", name="Remove filter: Difficulty from 8").is_visible()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["390", "1366"])
def test_screenshots_of_the_bank_pages(
    browser, live_server, bank, screenshot_dir, language, viewport
):
    """Bank, question and edit pages as a person sees them; none scrolls sideways."""
    UserFactory(username="shots", role="interviewer")
    context = browser.new_context(
        base_url=live_server.url,
        viewport=viewport,
        extra_http_headers={"Accept-Language": language},
    )
    page = context.new_page()
    log_in(page, "shots")
    question = Question.objects.get(skill__name="数据采集与清洗", kind="single_choice")
    category = question.category
    pages = {
        "bank": f"/bank/?bank={bank.pk}&category={category.pk}&kind=single_choice",
        "question": f"/bank/questions/{question.pk}/",
        "question-edit": f"/bank/questions/{question.pk}/edit/",
    }
    for name, url in pages.items():
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
        path = screenshot_dir / f"{name}-{viewport['width']}-{language}.png"
        page.screenshot(path=str(path), full_page=True)
    context.close()
