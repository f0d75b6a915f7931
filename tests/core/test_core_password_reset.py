"""Password reset by e-mail, through a real SMTP conversation with the local test server."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role

OLD_PASSWORD = "Pharma-test-2024!"  # noqa: S105
NEW_PASSWORD = "Valerian-root-77"  # noqa: S105


@pytest.fixture
def olga(db):
    return core_services.user_create(
        username="olga", role=Role.SALES_REP, password=OLD_PASSWORD, email="olga@example.test"
    )


def test_reset_mail_arrives_and_its_link_works_once(client, olga, smtp_server):
    response = client.post("/accounts/auth/password_reset/", {"email": "olga@example.test"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/auth/password_reset/done/"
    [message] = smtp_server.wait_for(1)
    assert smtp_server.envelopes[0].rcpt_tos == ["olga@example.test"]
    assert message["To"] == "olga@example.test"
    assert message["From"] == "pharmacrm <noreply@localhost>"
    body = smtp_server.text_of(message)
    assert "“olga”" in body
    link = urlsplit(smtp_server.first_url(body))
    assert link.netloc == "testserver"

    form_page = client.get(link.path, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    set_password_path = form_page.redirect_chain[-1][0]
    assert set_password_path.endswith("/set-password/")

    done = client.post(
        set_password_path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done["Location"] == "/accounts/auth/reset/done/"
    olga.refresh_from_db()
    assert olga.check_password(NEW_PASSWORD)
    assert olga.password.startswith("argon2$")

    client.logout()
    second_use = client.get(link.path, follow=True)
    assert second_use.status_code == 200
    assert second_use.context["validlink"] is False
    assert 'data-testid="invalid-link"' in second_use.content.decode()
    assert len(smtp_server.messages) == 1


def test_reset_for_an_unknown_address_sends_nothing(client, olga, smtp_server):
    response = client.post("/accounts/auth/password_reset/", {"email": "nobody@example.test"})

    # The same answer as for a known address: no account enumeration.
    assert response.status_code == 302
    assert response["Location"] == "/accounts/auth/password_reset/done/"
    assert smtp_server.messages == []
    olga.refresh_from_db()
    assert olga.check_password(OLD_PASSWORD)
