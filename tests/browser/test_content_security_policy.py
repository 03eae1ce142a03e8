"""Under the Content-Security-Policy, Chromium draws the charts and runs the admin's
scripts without reporting a single violation."""

import pytest

from demo import documents
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def violations(page):
    """CSP violations seen by the page (its events) and by the console."""
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    def seen():
        return page.evaluate("window.__cspViolations") + console

    return seen


def test_charts_are_drawn_without_csp_violations(login, violations, director):
    documents.load_all()
    page = login(director, PASSWORD)

    page.wait_for_selector(".chart[data-figure=chart-years][data-drawn=true]")
    assert "script-src 'self'" in page.evaluate(
        "fetch(location.href).then(r => r.headers.get('content-security-policy'))"
    )
    # plotly.js's own style rules are in place (hover labels, modebar).
    rules = page.evaluate("document.getElementById('plotly.js-style-global').sheet.cssRules.length")
    assert rules > 10
    page.hover(".chart[data-figure=chart-years] .main-svg")
    assert violations() == []


def test_the_admins_export_select_all_box_works_under_the_csp(
    login, live_server, violations, admin_user
):
    page = login(admin_user, PASSWORD)
    page.goto(f"{live_server.url}/admin/conventions/partner/export/")
    fields = page.locator('.selectable-field-export-row input[type="checkbox"]')
    assert fields.count() > 1
    assert all(fields.nth(i).is_checked() for i in range(fields.count()))

    page.click("input.select-toggle")

    assert not any(fields.nth(i).is_checked() for i in range(fields.count()))
    assert violations() == []
