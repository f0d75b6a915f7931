"""The core commands of `pharmacrm`: createuser, check --deploy, production settings, demo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from typer.testing import CliRunner

from pharmacrm.cli import app
from pharmacrm.core.models import User

PHARMACRM = Path(sys.executable).with_name("pharmacrm")
DJANGO_ADMIN = Path(sys.executable).with_name("django-admin")
# The role slugs of DESIGN.md's command table.
ROLE_SLUGS = [
    "administrator",
    "director",
    "regional_manager",
    "sales_rep",
    "analyst",
    "campaign_manager",
    "channel_manager",
    "supplier_manager",
]


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This process's environment minus what would point a child at our test settings.

    ``DJANGO_ALLOW_ASYNC_UNSAFE`` goes too: the browser fixtures set it for the test process
    (Playwright runs an event loop beside the ORM), and a deploy check rightly refuses it.
    """
    dropped = {
        "DJANGO_SETTINGS_MODULE",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    env = {key: value for key, value in os.environ.items() if key not in dropped}
    env["PHARMACRM_VAR"] = str(tmp_path / "var")
    env.update(extra)
    return env


@pytest.mark.parametrize("role", ROLE_SLUGS)
def test_createuser_accepts_each_role_slug(db, role):
    result = CliRunner().invoke(
        app,
        ["createuser", f"user-{role}", "--role", role, "--password", "Hyoscine-butyl-20"],
    )

    assert result.exit_code == 0, result.output
    assert f"Created user-{role} ({role})." in result.output
    user = User.objects.get(username=f"user-{role}")
    assert list(user.groups.values_list("name", flat=True)) == [role]
    assert user.check_password("Hyoscine-butyl-20")
    assert user.is_staff is (role == "administrator")


def test_createuser_refuses_an_unknown_role_with_exit_2(db):
    result = CliRunner().invoke(app, ["createuser", "pat", "--role", "pharmacist"])

    assert result.exit_code == 2
    assert "Unknown role 'pharmacist'." in result.output
    assert ", ".join(ROLE_SLUGS) in " ".join(result.output.split())
    assert not User.objects.filter(username="pat").exists()
    assert not Group.objects.filter(name="pharmacist").exists()


def test_createuser_refuses_a_weak_password_with_exit_1(db):
    result = CliRunner().invoke(
        app, ["createuser", "pat", "--role", "sales_rep", "--password", "12345678"]
    )

    assert result.exit_code == 1
    assert "This password is too common." in result.output
    assert "This password is entirely numeric." in result.output
    assert not User.objects.filter(username="pat").exists()


def test_createuser_refuses_a_taken_username(db):
    runner = CliRunner()
    runner.invoke(app, ["createuser", "pat", "--role", "analyst", "--password", "Hyoscine-20"])

    result = runner.invoke(
        app, ["createuser", "pat", "--role", "director", "--password", "Hyoscine-20"]
    )

    assert result.exit_code == 1
    assert "A user named “pat” already exists." in result.output
    assert list(User.objects.get(username="pat").groups.values_list("name", flat=True)) == [
        "analyst"
    ]


def test_check_deploy_with_production_settings_is_clean(tmp_path):
    env = clean_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="pharmacrm.settings_production",
        SECRET_KEY="k7#Qz!v2pL9@wR4^tY8&uI1*oP6(aS3)dF5_gH0-jK2+lZ7=xC9",
        ALLOWED_HOSTS="crm.example.org",
    )

    result = subprocess.run(
        [str(PHARMACRM), "check", "--deploy"], env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_with_the_embedded_defaults_reports_the_missing_hardening(tmp_path):
    # The negative control of the test above: the same checks do bite without production
    # settings (django-admin, not the CLI, to spare a second start of every command module).
    result = subprocess.run(
        [str(DJANGO_ADMIN), "check", "--deploy", "--fail-level", "WARNING"],
        env=clean_env(tmp_path, DJANGO_SETTINGS_MODULE="pharmacrm.settings"),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "security.W004" in result.stderr  # SECURE_HSTS_SECONDS unset
    assert "security.W008" in result.stderr  # SECURE_SSL_REDIRECT off


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY must be set in the environment for production."),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS must be set in the environment for production."),
    ],
)
def test_production_settings_refuse_to_start_without(tmp_path, missing, message):
    env = clean_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="pharmacrm.settings_production",
        SECRET_KEY="k7#Qz!v2pL9@wR4^tY8&uI1*oP6(aS3)dF5_gH0-jK2+lZ7=xC9",
        ALLOWED_HOSTS="crm.example.org",
    )
    del env[missing]

    result = subprocess.run(
        [sys.executable, "-c", "import pharmacrm.settings_production"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in result.stderr
    # No generated key is written as a fallback.
    assert not (tmp_path / "var" / "secret_key").exists()


def test_demo_no_serve_sets_up_a_fresh_install_and_prints_the_logins(tmp_path):
    result = subprocess.run(
        [str(PHARMACRM), "demo", "--no-serve"],
        env=clean_env(tmp_path, COLUMNS="120"),
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    lines = result.stdout.splitlines()
    assert "Demo logins (password: pharmacrm-demo):" in lines
    login_lines = [line.split() for line in lines if len(line.split()) == 2]
    roles_shown = {words[1] for words in login_lines if words[1] in ROLE_SLUGS}
    assert roles_shown == set(ROLE_SLUGS)
    assert (tmp_path / "var" / "pharmacrm.sqlite3").is_file()
