"""Every kind of page works under the Content-Security-Policy: no violation, no console message."""

from pathlib import Path

import pytest

from questions.importer import bank_import_path
from questions.models import Question
from tests.e2e.helpers import log_in
from tests.factories import UserFactory, drawn_set

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
BUILTIN = Path(__file__).resolve().parents[2] / "data" / "banks" / "ai-llm-training.md"

# Runs before any script of the page: a blocked script, style, image or eval is reported as a
# console error, which the test then sees like any other console message.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    "CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " in " + event.sourceFile + ":" + event.lineNumber
  );
});
"""


class PageWatch:
    """Collects what a page says: console messages (any level), uncaught errors, and the
    Content-Security-Policy of every document it loads."""

    def __init__(self, page):
        self.page = page
        self.problems: list[str] = []
        self.documents: dict[str, str] = {}
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self._record_message)
        page.on("pageerror", lambda exc: self.problems.append(f"{page.url}: uncaught: {exc}"))
        page.on("response", self._record_document)

    def _record_message(self, msg):
        self.problems.append(f"{self.page.url}: {msg.type}: {msg.text}")

    def _record_document(self, response):
        if response.request.resource_type == "document":
            self.documents[response.url] = response.headers.get("content-security-policy", "")

    def visit(self, path: str) -> None:
        response = self.page.goto(path)
        assert response.status == 200, f"{path}: {response.status}"
        self.page.wait_for_load_state("load")

    def assert_clean(self) -> None:
        assert self.problems == []
        assert self.documents, "no page was loaded"
        for url, policy in self.documents.items():
            assert "script-src 'self'" in policy, f"{url} has no script policy: {policy!r}"
            assert "unsafe" not in policy, f"{url}: {policy}"


@pytest.fixture
def watch(page):
    return PageWatch(page)


def test_login_and_password_reset_pages(page, watch):
    UserFactory(username="olga", role="interviewer", email="olga@example.com")
    watch.visit("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.wait_for_selector("input[name=email]")
    page.fill("input[name=email]", "olga@example.com")
    with page.expect_navigation():
        page.get_by_role("button", name="Send the link").click()
    page.get_by_role("heading", name="Check your email").wait_for()
    watch.assert_clean()


def test_team_pages_with_their_htmx_actions(page, watch):
    bank = bank_import_path(path=BUILTIN).bank
    admin = UserFactory(username="ada", role="admin")
    question_set = drawn_set(owner=admin, title="Under the policy", bank=bank.pk, count=6, seed=11)
    question = Question.objects.filter(bank=bank, kind="single_choice").order_by("pk").first()

    log_in(page, "ada")  # the login page and the dashboard
    page.get_by_role("heading", level=1).wait_for()

    watch.visit("/bank/")
    with page.expect_response(
        lambda r: "category=" in r.url and r.request.headers.get("hx-request")
    ):
        page.select_option("#id_category", index=1)
    page.wait_for_function("() => !document.querySelector('.htmx-request')")

    watch.visit(f"/bank/questions/{question.pk}/")
    watch.visit(f"/bank/questions/{question.pk}/edit/")
    watch.visit("/sets/")

    watch.visit("/sets/new/")
    page.get_by_role("button", name="Assemble").click()
    page.wait_for_selector(".draft-items li")

    watch.visit(f"/sets/{question_set.pk}/")
    first = page.locator(".set-item").first.get_attribute("data-question")
    with page.expect_response(lambda r: "/move/down/" in r.url):
        page.get_by_role("button", name="Move question 1 down").click()
    page.wait_for_function(
        "q => document.querySelectorAll('.set-item')[1].dataset.question === q", arg=first
    )
    with page.expect_response(lambda r: "/items/search/" in r.url):
        page.fill("#add-search", "梯度")
    page.locator("#add-results button").first.wait_for()

    watch.visit(f"/sets/{question_set.pk}/print/kit/")
    watch.visit(f"/sets/{question_set.pk}/print/preview/")
    watch.visit("/accounts/profile/")

    watch.visit("/admin/")
    watch.visit(f"/admin/questions/question/{question.pk}/change/")
    watch.visit(f"/admin/auth/user/{admin.pk}/change/")

    watch.visit("/api/docs/")
    page.locator(".opblock").first.wait_for()  # Swagger UI ran and rendered the schema
    page.locator(".opblock-summary").first.click()
    page.locator(".opblock-body").first.wait_for()
    watch.assert_clean()
