"""Production settings pass Django's deployment checklist with nothing to report."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}}
    environment.update(DJANGO_SETTINGS_MODULE="marketplace.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True,
        text=True, timeout=120, check=False,
    )


def test_check_deploy_reports_nothing_with_production_settings() -> None:
    result = run_manage(
        "check", "--deploy", "--fail-level", "DEBUG",
        SECRET_KEY="x7!" + "k" * 60 + "production-grade-secret-key-material",
        ALLOWED_HOSTS="shiftline.example.com",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ALLOWED_HOSTS": "shiftline.example.com"}, "Set SECRET_KEY"),
        ({"SECRET_KEY": "s" * 60}, "Set ALLOWED_HOSTS"),
        ({"SECRET_KEY": "s" * 60, "ALLOWED_HOSTS": "a.example", "DEBUG": "true"},
         "DEBUG must be off"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(env: dict[str, str],
                                                         message: str) -> None:
    result = run_manage("check", **env)

    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(("size", "expected"), [
    ("", "None 60"), ("8", "{'min_size': 1, 'max_size': 8, 'timeout': 2} 0")])
def test_database_pool_is_opt_in(size: str, expected: str) -> None:
    environment = dict(os.environ, DATABASE_POOL_SIZE=size, DATABASE_CONN_MAX_AGE="60",
                       DJANGO_SETTINGS_MODULE="marketplace.settings.test")
    code = ("import django; django.setup(); from django.conf import settings; "
            "db = settings.DATABASES['default']; "
            "print(db.get('OPTIONS', {}).get('pool'), db['CONN_MAX_AGE'])")

    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=60, check=False)

    assert result.stdout.strip() == expected, result.stderr


@pytest.mark.parametrize(("module", "value", "expected"), [
    ("production", "", "True"), ("production", "false", "False"),
    ("development", "", "False"), ("test", "", "False"), ("development", "true", "True")])
def test_two_factor_for_ops_is_required_in_production_and_not_in_development(
    module: str, value: str, expected: str
) -> None:
    environment = {key: item for key, item in os.environ.items() if key != "DEBUG"}
    environment.update(DJANGO_SETTINGS_MODULE=f"marketplace.settings.{module}",
                       SHIFTLINE_REQUIRE_2FA_FOR_OPS=value, SECRET_KEY="s" * 60,
                       ALLOWED_HOSTS="shiftline.example.com")
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.SHIFTLINE_REQUIRE_2FA_FOR_OPS)")

    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=60, check=False)

    assert result.stdout.strip() == expected, result.stderr
