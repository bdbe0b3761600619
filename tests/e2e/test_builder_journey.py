"""An interviewer builds a banded set, swaps and reorders by keyboard, then opens the kit."""

from pathlib import Path

import pytest

from interviews.models import QuestionSet
from interviews.selectors import swap_candidates
from questions.importer import bank_import_path
from tests.e2e.helpers import control_time_and_record_requests, log_in, requests_sent
from tests.factories import UserFactory, drawn_set

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"
SEED = 7


def item_questions(page) -> list[str]:
    return page.locator(".set-item").evaluate_all("els => els.map(e => e.dataset.question)")


def test_build_swap_reorder_and_open_the_kit(page, screenshot_dir):
    bank_import_path(path=BUILTIN)
    UserFactory(username="bea", role="interviewer")
    log_in(page, "bea")
    page.get_by_role("link", name="Question sets").first.click()
    page.get_by_role("link", name="New question set").click()

    # The default blueprint is 10 questions in bands 2-4: 3, 5-7: 4, 8-10: 3; the seed is pinned
    # so every run draws (and swaps) the same questions.
    assert page.locator("#bp-count").input_value() == "10"
    page.fill("#bp-seed", str(SEED))
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

    # Swap a question for another of the same slot. In the built-in bank some slots have no
    # other question, so swap the first item whose slot has one.
    before = item_questions(page)
    saved = QuestionSet.objects.get(title="Banded screening")
    assert saved.blueprint["seed"] == SEED
    items = list(saved.items.order_by("position").select_related("question", "question_set"))
    swappable = [i for i, item in enumerate(items) if swap_candidates(item=item).exists()]
    assert swappable, f"seed {SEED} drew no question with another of its slot; pin another seed"
    n = swappable[0]
    with page.expect_response(lambda r: "/swap/" in r.url):
        page.locator(".set-item").nth(n).get_by_role("button", name="Swap").click()
    page.wait_for_function(
        "([n, q]) => document.querySelectorAll('.set-item')[n].dataset.question !== q",
        arg=[n, before[n]],
    )
    after_swap = item_questions(page)
    assert after_swap[n] not in before
    assert after_swap[:n] + after_swap[n + 1 :] == before[:n] + before[n + 1 :]

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
    bank = bank_import_path(path=BUILTIN).bank
    user = UserFactory(username="phone-bea", role="interviewer")
    question_set = drawn_set(owner=user, title="Phone", bank=bank.pk, count=5, seed=SEED)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, "phone-bea")
    page.goto(f"/sets/{question_set.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshot_dir / "set-editor-phone.png"))
    # The list and the kit fit too: nothing cut off at the right edge.
    for path, shot in (
        ("/sets/", "set-list-phone"),
        (f"/sets/{question_set.pk}/print/kit/", "kit-phone"),
    ):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        overflowing = page.evaluate(
            "() => [...document.querySelectorAll('main *')].filter("
            "e => e.getBoundingClientRect().right > 391).map(e => e.className).slice(0, 5)"
        )
        assert overflowing == [], (path, overflowing)
        page.screenshot(path=str(screenshot_dir / f"{shot}.png"), full_page=True)
    context.close()


def test_drag_and_drop_reorders(page):
    bank = bank_import_path(path=BUILTIN).bank
    user = UserFactory(username="dragger", role="interviewer")
    question_set = drawn_set(owner=user, title="Drag", bank=bank.pk, count=4, seed=2)
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
    control_time_and_record_requests(page)
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
    # The result says it was added and cannot be added twice.
    button = page.locator(f'#add-results [data-add="{added}"]')
    page.wait_for_function(
        "q => document.querySelector(`#add-results [data-add='${q}']`).disabled", arg=added
    )
    assert button.inner_text() == "Added ✓"
    # Leaving the search box to press Add did not search again (which redrew the results),
    # even once the search's 400 ms debounce has run out.
    page.clock.run_for(2_000)
    searches = requests_sent(page, "/items/search/")
    assert len(searches) == 1 and "ZeRO" in searches[0], searches
    with page.expect_response(lambda r: "/remove/" in r.url):
        page.locator(".set-item").first.get_by_role("button", name="Remove").click()
    page.wait_for_function("() => document.querySelectorAll('.set-item').length === 0")
    assert question_set.items.count() == 0
    # The filters still search as soon as they change.
    with page.expect_response(lambda r: "/items/search/" in r.url and "kind=open_ended" in r.url):
        page.select_option("#add-kind", "open_ended")


def test_refused_actions_say_why_where_they_happened(page, screenshot_dir):
    """A swap the bank cannot serve answers 422; the reason appears in that item's row."""
    from interviews.services import question_set_create, question_set_item_add
    from questions.models import Question

    bank = bank_import_path(path=BUILTIN).bank
    user = UserFactory(username="refused", role="interviewer")
    question_set = question_set_create(owner=user, bank=bank, title="Lonely slots")
    # A question whose slot (same band and kind, same skill, else category) has no other one.
    for question in Question.objects.filter(bank=bank, skill__isnull=False).order_by("pk"):
        item = question_set_item_add(question_set=question_set, actor=user, question=question)
        if not swap_candidates(item=item).exists():
            break
        item.delete()
    else:
        pytest.fail("the built-in bank has no slot without alternatives")
    log_in(page, "refused")
    page.goto(f"/sets/{question_set.pk}/")
    with page.expect_response(lambda r: "/swap/" in r.url) as response:
        page.locator(".set-item").first.get_by_role("button", name="Swap").click()
    assert response.value.status == 422
    alert = page.locator(".set-item .item-error")
    alert.wait_for()
    assert "no other question for this slot" in alert.inner_text()
    page.screenshot(path=str(screenshot_dir / "set-editor-refused-swap.png"))
    assert item_questions(page) == [str(question.pk)]


def test_an_invalid_blueprint_is_explained_in_the_page(page):
    bank_import_path(path=BUILTIN)
    UserFactory(username="blue", role="interviewer")
    log_in(page, "blue")
    page.goto("/sets/new/")
    page.get_by_label("One range").check()
    page.fill("#bp-dmin", "8")
    page.fill("#bp-dmax", "3")
    with page.expect_response(lambda r: r.url.endswith("/sets/new/")) as response:
        page.get_by_role("button", name="Assemble").click()
    assert response.value.status == 400
    page.wait_for_selector("#draft .errorlist, #draft .message.error")
    assert "is above difficulty_max (3): swap them" in page.locator("#draft").inner_text()
    assert page.locator(".draft-items li").count() == 0


def test_a_server_failure_is_reported(page, screenshot_dir):
    """When an htmx request fails on the server, a notice says so instead of nothing happening."""
    from interviews.services import question_set_create

    bank = bank_import_path(path=BUILTIN).bank
    user = UserFactory(username="unlucky", role="interviewer")
    question_set = question_set_create(owner=user, bank=bank, title="Doomed")
    log_in(page, "unlucky")
    page.goto(f"/sets/{question_set.pk}/")
    page.route("**/items/search/**", lambda route: route.fulfill(status=500, body="boom"))
    notice = page.locator("#request-failed")
    assert notice.is_hidden()
    page.fill("#add-search", "ZeRO")
    notice.wait_for(state="visible")
    assert "could not complete" in notice.inner_text()
    page.screenshot(path=str(screenshot_dir / "request-failed.png"))


def test_draw_again_needs_no_title_and_keeps_a_typed_one(page):
    """The title matters only to Save: Assemble and Draw again work without one, and keep it."""
    bank_import_path(path=BUILTIN)
    UserFactory(username="redraw", role="interviewer")
    log_in(page, "redraw")
    page.goto("/sets/new/")
    page.get_by_role("button", name="Assemble").click()
    page.wait_for_selector(".draft-items li")
    page.fill("#bp-count", "6")
    page.fill('input[name="band_1_count"]', "0")
    with page.expect_response(lambda r: r.url.endswith("/sets/new/")):
        page.get_by_role("button", name="Assemble").click()
    page.wait_for_function("() => document.querySelectorAll('.draft-items li').length === 6")
    seed = page.locator('input[name="draft_seed"]').input_value()
    page.fill("#id_title", "Kept title")
    with page.expect_response(lambda r: r.url.endswith("/sets/new/")):
        page.get_by_role("button", name="Draw again").click()
    page.wait_for_function(
        "s => document.querySelector('input[name=draft_seed]').value !== s", arg=seed
    )
    assert page.locator("#id_title").input_value() == "Kept title"

    # Saving without a title is stopped by the browser (the title is required; the server's
    # refusal is tested in tests/interviews/test_pages_layout.py); nothing is sent or saved.
    page.fill("#id_title", "")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.get_by_role("button", name="Save set").click()
    # Focus lands on the field to fix, not on a heading far above it.
    page.wait_for_function("() => document.activeElement.id === 'id_title'")
    assert page.evaluate("document.getElementById('id_title').validity.valueMissing")
    assert posts == [] and QuestionSet.objects.count() == 0

    # Enter in the title saves the draft shown (it must not draw a new one instead).
    shown = page.locator(".draft-items li").evaluate_all("els => els.map(e => e.dataset.question)")
    page.fill("#id_title", "Saved with Enter")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    saved = QuestionSet.objects.get(title="Saved with Enter")
    stored = [
        str(q) for q in saved.items.order_by("position").values_list("question_id", flat=True)
    ]
    assert stored == shown
