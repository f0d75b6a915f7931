"""Who may reach what: sign-in redirect, API 401, admin 403, login throttling, CSRF."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django_tasks_db.models import DBTaskResult

from pharmacrm.core import services as core_services
from pharmacrm.core.roles import Role

PASSWORD = "Pharma-test-2024!"  # noqa: S105
PROBLEM_KEYS = {"type", "title", "status", "detail", "errors"}


def make_user(role: Role, username: str | None = None):
    return core_services.user_create(
        username=username or role.value, role=role, password=PASSWORD, email="u@example.test"
    )


@pytest.mark.parametrize("path", ["/", "/system/users/", "/system/tasks/"])
def test_anonymous_page_request_redirects_to_login(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/auth/login/?next={path}"


def test_anonymous_api_request_gets_401_problem_json(client, db):
    response = client.get("/api/v1/core/me")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) == PROBLEM_KEYS
    assert body["type"] == "about:blank"
    assert body["status"] == 401
    assert body["title"] == "Authentication required"
    assert body["errors"] == []
    assert response["WWW-Authenticate"] == "Bearer"


def test_anonymous_request_to_unknown_api_path_is_not_a_redirect(client, db):
    response = client.get("/api/v1/core/no-such-endpoint")

    assert response.status_code == 404


def test_healthz_is_public_and_reports_database_and_warehouse(client, db, settings, tmp_path):
    settings.WAREHOUSE_DIR = str(tmp_path / "warehouse")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "warehouse": "ok"}}
    assert (tmp_path / "warehouse").is_dir()


def test_healthz_reports_503_when_the_warehouse_is_unusable(client, db, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.WAREHOUSE_DIR = str(blocker / "warehouse")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "fail",
        "checks": {"database": "ok", "warehouse": "fail: NotADirectoryError"},
    }


@pytest.mark.parametrize("path", ["/admin/", "/admin/core/user/"])
def test_sales_rep_is_refused_the_admin_with_403(client, db, path):
    client.force_login(make_user(Role.SALES_REP))

    response = client.get(path)

    assert response.status_code == 403
    assert b'data-testid="error-403"' in response.content


def test_administrator_reaches_the_admin(client, db):
    client.force_login(make_user(Role.ADMINISTRATOR))

    response = client.get("/admin/")

    assert response.status_code == 200


def test_anonymous_admin_request_goes_to_the_admin_login(client, db):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_ten_wrong_passwords_lock_the_account_even_for_the_right_one(client, db):
    make_user(Role.SALES_REP, username="rep1")
    wrong = {"username": "rep1", "password": "not-the-password"}

    statuses = [client.post("/accounts/auth/login/", wrong).status_code for _ in range(9)]
    tenth = client.post("/accounts/auth/login/", wrong)
    eleventh = client.post("/accounts/auth/login/", {"username": "rep1", "password": PASSWORD})

    # The first nine re-show the form with its error; the tenth failure reaches the limit.
    assert statuses == [200] * 9
    assert tenth.status_code == 429
    assert eleventh.status_code == 429
    assert b'data-testid="locked-out"' in eleventh.content
    assert "_auth_user_id" not in client.session
    # django-axes counts an attempt made while locked out as one more failure.
    assert AccessAttempt.objects.get(username="rep1").failures_since_start == 11


def test_nine_wrong_passwords_still_let_the_right_one_in(client, db):
    make_user(Role.SALES_REP, username="rep1")
    wrong = {"username": "rep1", "password": "not-the-password"}
    for _ in range(9):
        client.post("/accounts/auth/login/", wrong)

    response = client.post("/accounts/auth/login/", {"username": "rep1", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(
        core_services.User.objects.get(username="rep1").pk
    )


def test_page_post_without_csrf_token_is_refused(db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.ADMINISTRATOR))

    response = client.post("/system/tasks/system-check/")

    assert response.status_code == 403
    assert DBTaskResult.objects.count() == 0


def test_login_post_without_csrf_token_is_refused(db):
    make_user(Role.SALES_REP, username="rep1")
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/auth/login/", {"username": "rep1", "password": PASSWORD})

    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_api_session_post_without_csrf_token_is_refused(db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.ADMINISTRATOR))

    response = client.post("/api/v1/core/tasks/system-check")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert set(response.json()) == PROBLEM_KEYS
    assert response.json()["status"] == 403
    assert DBTaskResult.objects.count() == 0


def test_api_session_post_with_csrf_token_is_accepted(db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(Role.ADMINISTRATOR))
    client.get("/")  # the page sets the csrftoken cookie
    token = client.cookies["csrftoken"].value

    response = client.post("/api/v1/core/tasks/system-check", headers={"X-CSRFToken": token})

    assert response.status_code == 202
    assert DBTaskResult.objects.count() == 1
