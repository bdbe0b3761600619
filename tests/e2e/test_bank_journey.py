"""An interviewer narrows the bank to hard distributed-training questions and reads one."""

from pathlib import Path

import pytest

from questions.importer import bank_import_path
from tests.e2e.helpers import control_time_and_record_requests, log_in, requests_sent
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"


def test_interviewer_filters_and_reads_a_reference_answer(page, screenshot_dir):
    bank_import_path(path=BUILTIN)
    UserFactory(username="iris", role="interviewer")
    log_in(page, "iris")
    page.get_by_role("link", name="Question bank").first.click()
    page.wait_for_selector("#results")
    assert page.locator(".result-count").get_attribute("data-count") == "129"

    with page.expect_response(lambda r: "category=" in r.url):
        page.select_option("#id_category", label="分布式训练与系统架构")
    with page.expect_response(lambda r: "difficulty_min=8" in r.url):
        page.select_option("#id_difficulty_min", "8")
    page.wait_for_selector('.result-count[data-count="4"]')
    assert "difficulty_min=8" in page.url  # the filtered view is linkable
    badges = page.locator(".question-row .badge.d-high").all_inner_texts()
    assert badges and all(int(b.split()[-1].split("/")[0]) >= 8 for b in badges)
    page.screenshot(path=str(screenshot_dir / "bank-filtered.png"), full_page=True)

    open_question = page.locator(".question-row", has_text="Open-ended").first
    open_question.locator("a.question-link").click()
    page.wait_for_selector(".reference-answer")
    answer = page.locator(".reference-answer")
    assert answer.locator("p, li, h3, h4, strong").count() > 0  # rendered markdown, not raw
    assert "**" not in answer.inner_text()
    page.screenshot(path=str(screenshot_dir / "question-reference-answer.png"), full_page=True)

    # Reload keeps the filters (pushed into the URL).
    page.go_back()
    page.wait_for_selector('.result-count[data-count="4"]')


def test_bank_page_on_a_phone(browser, live_server, screenshot_dir):
    bank_import_path(path=BUILTIN)
    UserFactory(username="phone-iris", role="interviewer")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, "phone-iris")
    page.goto("/bank/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshot_dir / "bank-phone.png"))
    context.close()


def test_search_runs_once_per_text_not_again_on_leaving_the_box(page):
    bank_import_path(path=BUILTIN)
    UserFactory(username="searcher", role="interviewer")
    log_in(page, "searcher")
    control_time_and_record_requests(page)
    page.goto("/bank/")
    with page.expect_response(lambda r: "search=ZeRO" in r.url):
        page.fill("#id_search", "ZeRO")
    page.wait_for_selector('.result-count:not([data-count="129"])')
    page.keyboard.press("Tab")  # leaving the box fires "change": no second search
    page.clock.run_for(2_000)  # past every debounce (the search waits 400 ms, selects 300 ms)
    searches = requests_sent(page, "search=")
    assert len(searches) == 1 and "search=ZeRO" in searches[0], searches
    # The selects still filter on change.
    with page.expect_response(lambda r: "kind=open_ended" in r.url):
        page.select_option("#id_kind", "open_ended")
