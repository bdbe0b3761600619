"""Two tabs on one set: an action on a question the other tab removed says so in the page and
shows the set as it is now, instead of a generic failure notice."""

from pathlib import Path

import pytest

from interviews.services import question_set_item_remove
from questions.importer import bank_import_path
from tests.e2e.helpers import log_in
from tests.factories import UserFactory, drawn_set

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"


def test_moving_a_question_removed_in_another_tab_says_it_is_gone(page):
    bank = bank_import_path(path=BUILTIN).bank
    owner = UserFactory(username="twotabs", role="interviewer")
    question_set = drawn_set(owner=owner, title="Two tabs", bank=bank.pk, count=4, seed=3)
    log_in(page, "twotabs")
    page.goto(f"/sets/{question_set.pk}/")
    assert page.locator("#set-editor [data-question]").count() == 4
    first = question_set.items.order_by("position").first()
    question_set_item_remove(question_set=question_set, item_id=first.pk, actor=owner)

    with page.expect_response(lambda r: "/move/down/" in r.url) as answer:
        page.get_by_role("button", name="Move question 1 down").click()
    assert answer.value.status == 409
    editor = page.locator("#set-editor")
    editor.get_by_text("That question is no longer in the set").wait_for()
    assert page.locator("#set-editor [data-question]").count() == 3
    assert page.locator("#request-failed").is_hidden()
