"""Steps that browser tests share: logging in as a user made by the factories."""

PASSWORD = "correct horse battery"


def log_in(page, username, password=PASSWORD):
    """Log in through the login form and land on the dashboard."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/"), page.url
