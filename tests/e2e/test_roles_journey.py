"""A person logs in as each role, sees that role's navigation, and switches the language."""

import pytest

from tests.e2e.helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What each role finds in the menu: interviewers build sets, hiring managers (who do not edit)
# read the bank and the sets, administrators also import banks and reach the admin.
NAV = {
    "admin": [
        "home",
        "questions:bank",
        "questions:bank_upload",
        "interviews:set_list",
        "interviews:set_builder",
        "api-docs",
        "admin:index",
    ],
    "interviewer": [
        "home",
        "questions:bank",
        "interviews:set_list",
        "interviews:set_builder",
        "api-docs",
    ],
    "hiring_manager": ["home", "questions:bank", "interviews:set_list", "api-docs"],
}
LABELS = {
    "admin": [
        "Dashboard",
        "Question bank",
        "Import",
        "Question sets",
        "New set",
        "API",
        "Administration",
    ],
    "interviewer": ["Dashboard", "Question bank", "Question sets", "New set", "API"],
    "hiring_manager": ["Dashboard", "Question bank", "Question sets", "API"],
}


@pytest.mark.parametrize("role", ["admin", "interviewer", "hiring_manager"])
def test_each_role_sees_its_navigation_and_switches_language(page, role, screenshot_dir):
    from tests.factories import UserFactory

    UserFactory(username=f"e2e-{role}", role=role)
    log_in(page, f"e2e-{role}")
    links = page.locator("nav#main-nav a")
    assert links.evaluate_all("els => els.map(e => e.dataset.nav)") == NAV[role]
    assert links.all_inner_texts() == LABELS[role]
    assert page.locator("html").get_attribute("lang") == "en"

    with page.expect_navigation():
        page.select_option("#language-select", "zh-hans")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("link", name="仪表盘").count() == 1
    page.screenshot(path=str(screenshot_dir / f"home-{role}-zh.png"), full_page=True)

    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Dashboard").count() == 1
    page.screenshot(path=str(screenshot_dir / f"home-{role}-en.png"), full_page=True)


def test_login_by_keyboard_on_a_phone(browser, live_server, screenshot_dir):
    from tests.factories import UserFactory

    UserFactory(username="phone-user", role="interviewer")
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/accounts/login/")
    assert page.evaluate("document.activeElement.name") == "username"  # autofocus
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshot_dir / "login-phone.png"), full_page=True)
    page.keyboard.type("phone-user")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not page.locator("#main-nav").is_visible()  # collapsed behind the menu button
    page.get_by_role("button", name="Menu").click()
    assert page.locator("#main-nav").is_visible()
    page.screenshot(path=str(screenshot_dir / "home-phone-menu.png"), full_page=True)
    context.close()
