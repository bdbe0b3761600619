"""Steps that browser tests share: logging in as a user made by the factories, counting requests."""

PASSWORD = "correct horse battery"

# Runs before the page's own scripts: every XMLHttpRequest the page opens (htmx sends through
# XMLHttpRequest) is listed in window.__requests, in the order they were opened.
_RECORD_REQUESTS = """
(() => {
  window.__requests = [];
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url, ...rest) {
    window.__requests.push(String(url));
    return open.call(this, method, url, ...rest);
  };
})();
"""


def log_in(page, username, password=PASSWORD):
    """Log in through the login form and land on the dashboard."""
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/"), page.url


def control_time_and_record_requests(page):
    """Put the page's timers on a clock the test moves (`page.clock.run_for`) and record its
    requests, so "no request was sent" is checked after every debounce has run out, not after a
    guessed wait. Call before `page.goto`."""
    page.add_init_script(script=_RECORD_REQUESTS)
    page.clock.install()


def requests_sent(page, fragment: str) -> list[str]:
    """URLs the current page has opened so far that contain `fragment`."""
    return page.evaluate("f => window.__requests.filter(u => u.includes(f))", fragment)
