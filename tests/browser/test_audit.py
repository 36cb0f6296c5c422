"""A lead changes a customer's role in the admin, then reads the change in the audit log."""

from accounts.models import User


def test_a_lead_reads_the_role_change_in_the_audit_log(page, login, live_server, demo, screenshot):
    user = User.objects.get(email="user@acme.example")
    login(page, "lead@support.example")
    page.goto(f"{live_server.url}/admin/accounts/user/{user.pk}/change/")
    page.get_by_label("Role").select_option(label="Super admin")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(f"{live_server.url}/admin/accounts/user/")

    page.goto(f"{live_server.url}/admin/auditlog/logentry/")
    row = page.locator("#result_list tbody tr").first
    assert "lead@support.example" in row.inner_text()
    assert "Role: Regular user → Super admin" in row.inner_text()
    assert "User: user@acme.example" in row.inner_text()
    screenshot(page, "audit-log")

    # Filtered by who: the lead's own change, readable at a glance.
    page.get_by_role("link", name="lead@support.example", exact=True).click()
    page.wait_for_url("**/admin/auditlog/logentry/?actor=*")
    assert page.locator("#result_list tbody tr").count() == 1
    screenshot(page, "audit-log-by-lead")

    # The object's link narrows the log to that user's own history.
    row.get_by_role("link", name="User: user@acme.example").click()
    page.wait_for_url("**/admin/auditlog/logentry/?content_type=*&object_pk=*")
    objects = page.locator("#result_list tbody tr .field-object_link").all_inner_texts()
    assert len(objects) >= 2  # created by the demo seed, then the role change
    assert set(objects) == {"User: user@acme.example"}
