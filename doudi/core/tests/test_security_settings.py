"""Production settings from the environment (issue 12, A4): a real secret is required,
bad values fail loudly, HTTPS behind a trusted proxy does not loop, `check --deploy` is
clean. Each case starts a fresh interpreter: settings are read once, at import."""

import json
import os
import subprocess
import sys

import pytest

STRONG_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ"
# Prints what a few requests get, through the whole middleware stack.
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
plain = Client().get("/login/")
proxied = Client().get("/login/", headers={"x-forwarded-proto": "https"})
print(json.dumps({"plain": plain.status_code, "location": plain.get("Location", ""),
                  "proxied": proxied.status_code, "debug": settings.DEBUG,
                  "session_age": settings.SESSION_COOKIE_AGE}))
"""


def run(args, tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DOUDI_", "DJANGO_", "DATABASE_URL", "PYTEST"))}
    clean.update(
        DOUDI_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="doudi.settings",
        **env,
    )
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=clean, cwd=tmp_path, timeout=120)


def doudi(tmp_path, *args, **env):
    return run(["-m", "doudi.cli", *args], tmp_path, **env)


def probe(tmp_path, **env):
    done = run(["-c", PROBE], tmp_path, DOUDI_ALLOWED_HOSTS="testserver", **env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_refuses_to_start_without_a_secret(tmp_path):
    done = doudi(tmp_path, "check", DOUDI_ENV="production")
    assert done.returncode != 0
    assert "DOUDI_SECRET_KEY" in done.stderr and "密钥" in done.stderr and "Traceback" not in done.stderr


def test_serve_is_production_unless_told_otherwise(tmp_path):
    done = doudi(tmp_path, "serve", "--port", "1")
    assert done.returncode != 0 and "DOUDI_SECRET_KEY" in done.stderr and "Traceback" not in done.stderr


def test_production_refuses_the_public_demo_key_and_a_short_one(tmp_path):
    for key in ("doudi-demo-only-" + "x" * 40, "short-secret"):
        done = doudi(tmp_path, "check", DOUDI_ENV="production", DOUDI_SECRET_KEY=key)
        assert done.returncode != 0 and "密钥" in done.stderr, key


def test_secret_from_a_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(STRONG_KEY + "\n", encoding="utf-8")
    done = doudi(tmp_path, "check", "--deploy", DOUDI_ENV="production", DOUDI_SECRET_KEY_FILE=str(secret))
    assert done.returncode == 0, done.stderr
    missing = doudi(tmp_path, "check", DOUDI_ENV="production", DOUDI_SECRET_KEY_FILE=str(tmp_path / "none.txt"))
    assert missing.returncode != 0 and "none.txt" in missing.stderr and "Traceback" not in missing.stderr


def test_check_deploy_is_clean_in_production(tmp_path):
    done = doudi(tmp_path, "check", "--deploy", "--fail-level", "WARNING", DOUDI_ENV="production", DOUDI_SECRET_KEY=STRONG_KEY)
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_flags_the_public_demo_key(tmp_path):
    done = doudi(tmp_path, "check", "--deploy", DOUDI_HTTPS="1")
    assert "doudi.W001" in done.stderr + done.stdout


@pytest.mark.parametrize(
    "name,value",
    [
        ("DOUDI_HTTPS", "maybe"),
        ("DOUDI_DEBUG", "yes please"),
        ("DOUDI_ENV", "prod"),
        ("DOUDI_SESSION_IDLE_MINUTES", "half an hour"),
        ("DOUDI_TRUSTED_PROXY", "2"),
        ("DOUDI_UPLOAD_RETENTION_DAYS", "-5"),
    ],
)
def test_bad_values_fail_loudly(tmp_path, name, value):
    done = doudi(tmp_path, "check", **{name: value})
    assert done.returncode != 0 and name in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_demo_and_development_need_no_environment(tmp_path):
    done = doudi(tmp_path, "check")
    assert done.returncode == 0, done.stderr
    assert probe(tmp_path)["plain"] == 200


def test_https_behind_a_trusted_proxy_does_not_loop(tmp_path):
    env = {"DOUDI_ENV": "production", "DOUDI_SECRET_KEY": STRONG_KEY}
    direct = probe(tmp_path, **env)
    # Without the proxy setting, the https request the proxy forwards is redirected again: the loop.
    assert direct["proxied"] == 301 and direct["location"].startswith("https://")
    behind = probe(tmp_path, DOUDI_TRUSTED_PROXY="1", **env)
    assert behind["proxied"] == 200 and behind["plain"] == 301 and behind["debug"] is False


def test_idle_session_timeout_from_the_environment(tmp_path):
    assert probe(tmp_path)["session_age"] == 30 * 60
    assert probe(tmp_path, DOUDI_SESSION_IDLE_MINUTES="15")["session_age"] == 15 * 60
