"""Django settings. The database comes from DATABASE_URL; without it an SQLite file in
the project's data folder (DOUDI_DATA_DIR, default ./data). Every DOUDI_* variable is
described in docs/deploy.md (生产环境设置); a value that cannot be read stops the start
with a message naming the variable, rather than quietly falling back to a default."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("DOUDI_DATA_DIR", Path.cwd() / "data")).resolve()

_YES, _NO = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _YES | _NO:
        return raw in _YES
    raise ImproperlyConfigured(f"环境变量 {name}={os.environ[name]!r} 无法识别：应为 1（开启）或 0（关闭）")


def _int(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = minimum - 1
    if value < minimum:
        raise ImproperlyConfigured(f"环境变量 {name}={os.environ[name]!r} 无效：应为不小于 {minimum} 的整数")
    return value


def _list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# production: a county's server (a real secret is required, HTTPS by default);
# development: a developer's machine and the tests; demo: `doudi demo`. `doudi serve`
# defaults to production (doudi/cli.py), every other command to development.
DOUDI_ENV = os.environ.get("DOUDI_ENV", "").strip() or "development"
if DOUDI_ENV not in ("production", "development", "demo"):
    raise ImproperlyConfigured(f"环境变量 DOUDI_ENV={DOUDI_ENV!r} 无效：应为 production、development 或 demo")
PRODUCTION = DOUDI_ENV == "production"

DEBUG = _flag("DOUDI_DEBUG")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("生产环境（DOUDI_ENV=production）不能开启 DOUDI_DEBUG：调试页面会泄露配置和个人信息")

# Public in the source, so anyone could forge sessions with it: only for demo and development.
DEMO_SECRET_KEY = "doudi-demo-only-" + "x" * 40


def _secret_key() -> str:
    value, path = os.environ.get("DOUDI_SECRET_KEY", "").strip(), os.environ.get("DOUDI_SECRET_KEY_FILE", "").strip()
    if value and path:
        raise ImproperlyConfigured("DOUDI_SECRET_KEY 和 DOUDI_SECRET_KEY_FILE 只能设置一个")
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "不是 UTF-8 文本"
            raise ImproperlyConfigured(f"无法读取密钥文件 DOUDI_SECRET_KEY_FILE={path}：{reason}") from None
        if not value:
            raise ImproperlyConfigured(f"密钥文件 DOUDI_SECRET_KEY_FILE={path} 是空的")
    if not PRODUCTION:
        return value or DEMO_SECRET_KEY
    how = (
        "请用 DOUDI_SECRET_KEY 或 DOUDI_SECRET_KEY_FILE（密钥文件路径）提供至少 50 个字符的随机密钥，"
        '可用 python3 -c "import secrets; print(secrets.token_urlsafe(50))" 生成；本机试用请设置 DOUDI_ENV=development'
    )
    if not value:
        raise ImproperlyConfigured("生产环境（DOUDI_ENV=production）没有设置密钥。" + how)
    if value == DEMO_SECRET_KEY or len(value) < 50 or len(set(value)) < 5:
        raise ImproperlyConfigured("生产环境的密钥太短或是源代码中公开的演示密钥。" + how)
    return value


SECRET_KEY = _secret_key()
# "testserver" is the test client's host name; a county's server answers its own names only.
ALLOWED_HOSTS = _list("DOUDI_ALLOWED_HOSTS", "127.0.0.1,localhost" + ("" if PRODUCTION else ",testserver"))
CSRF_TRUSTED_ORIGINS = _list("DOUDI_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    # Listed so the API docs use ninja's own copy of Swagger UI, not a public CDN.
    "ninja",
    "doudi.core",
    "doudi.registry",
    "doudi.assessment",
    "doudi.datasets",
    "doudi.monitoring",
    "doudi.payments",
    "doudi.cases",
    "doudi.care",
    "doudi.services",
    "doudi.reports",
    "doudi.workbench",
    "doudi.public",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "doudi.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "doudi.core.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "doudi.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "doudi.core.permissions.nav_context",
            ]
        },
    }
]
WSGI_APPLICATION = "doudi.wsgi.application"


def _database() -> dict:
    url = os.environ.get("DATABASE_URL")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'doudi.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=60)
    if config["ENGINE"].endswith("sqlite3"):
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # WAL lets the web server read while an import writes; busy timeout instead of
        # "database is locked" under concurrent requests.
        config["OPTIONS"] = {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
        config["CONN_MAX_AGE"] = 0
    else:
        config.setdefault("TEST", {})["NAME"] = os.environ.get("DOUDI_TEST_DB", "test_doudi")
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [  # their messages are Chinese under LANGUAGE_CODE zh-hans
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "doudi.core.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = 1  # hours
# Lock the (username, address) pair: locking a name alone lets anyone lock any account,
# locking an address alone locks a whole township office behind one NAT address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_RESET_ON_SUCCESS = True
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise serves app static via finders
MEDIA_ROOT = DATA_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Uploaded file names are cut to fit the file system's 255-byte limit (core/middleware.py).
FILE_UPLOAD_HANDLERS = [
    "doudi.core.middleware.ShortNameMemoryUploadHandler",
    "doudi.core.middleware.ShortNameTemporaryUploadHandler",
]
# Registry uploads larger than this are refused with a message, not read.
DOUDI_MAX_IMPORT_BYTES = _int("DOUDI_MAX_IMPORT_BYTES", 40 * 1024 * 1024, minimum=1)
# The dataset API takes the big files the web page refuses; beyond this, the command line.
DOUDI_MAX_API_UPLOAD_BYTES = _int("DOUDI_MAX_API_UPLOAD_BYTES", 1024 * 1024 * 1024, minimum=1)
# Uploaded source files are deleted after this many days by `doudi purge_uploads`; 0 keeps them.
DOUDI_UPLOAD_RETENTION_DAYS = _int("DOUDI_UPLOAD_RETENTION_DAYS", 180, minimum=0)
# Background jobs run inline instead of in a thread (tests; see core/jobs.py).
DOUDI_JOBS_SYNC = _flag("DOUDI_JOBS_SYNC")
# Where web-started jobs run: "worker" queues them for `doudi worker` processes (production's
# default), "thread" runs them in a thread of the web process (the demo, development).
DOUDI_JOBS = os.environ.get("DOUDI_JOBS", "").strip().lower() or ("worker" if PRODUCTION else "thread")
if DOUDI_JOBS not in ("worker", "thread"):
    raise ImproperlyConfigured(
        f"环境变量 DOUDI_JOBS={os.environ['DOUDI_JOBS']!r} 无效：应为 worker（由 doudi worker 进程运行）或 thread（在网页服务进程里运行）"
    )

SESSION_COOKIE_HTTPONLY = True
# An idle session ends: the cookie's age restarts with every request.
SESSION_COOKIE_AGE = _int("DOUDI_SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
DOUDI_TRUSTED_PROXY = _flag("DOUDI_TRUSTED_PROXY")
DOUDI_PROXY_COUNT = _int("DOUDI_PROXY_COUNT", 1, minimum=1)
# The login lockout's address: X-Forwarded-For's behind a trusted proxy (core/middleware.py).
AXES_CLIENT_IP_CALLABLE = "doudi.core.middleware.client_address"
if DOUDI_TRUSTED_PROXY:
    # Only behind a proxy that sets (never passes on) these headers: otherwise a client
    # could claim https or another host.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
if _flag("DOUDI_HTTPS", default=PRODUCTION):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
WHITENOISE_USE_FINDERS = True
# County parameter files (docs/interfaces.md §1, docs/rules.md §2), read by doudi.rules on every load: a folder
# that does not exist stops every command at start instead of running on the shipped values.
DOUDI_POLICY_DIR = os.environ.get("DOUDI_POLICY_DIR", "").strip() or None
if DOUDI_POLICY_DIR and not Path(DOUDI_POLICY_DIR).expanduser().is_dir():
    raise ImproperlyConfigured(
        f"环境变量 DOUDI_POLICY_DIR 指定的县级参数目录 {DOUDI_POLICY_DIR} 不存在或不是文件夹："
        "请先建立该文件夹（可以为空），或取消这项设置"
    )
