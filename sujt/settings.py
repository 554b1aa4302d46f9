"""Settings for sujt. One module; every knob comes from the environment with a safe default.

Nothing set  -> SQLite, local-memory cache, Celery tasks run eagerly (the `make run` default).
DATABASE_URL -> that database (PostgreSQL in production and CI).
REDIS_URL    -> Redis for the cache and as the Celery broker.
"""

import os
import sys
from datetime import date, timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


_TRUE_VALUES = {"1", "true", "yes", "on"}
_FALSE_VALUES = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool = False) -> bool:
    """A switch from the environment; a value that is neither on nor off refuses to start (a typo must not
    silently turn a security setting off)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in _TRUE_VALUES:
        return True
    if word in _FALSE_VALUES:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} 不是有效的开关值，请使用 1/0、true/false、yes/no 或 on/off"
        f"（{name} must be one of 1/0, true/false, yes/no, on/off）。"
    )


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} 应为整数（{name} must be an integer）。") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The test suite runs on sujt/settings_test.py, which imports this module and says so here; nothing in
# this module guesses it from the interpreter.
TESTING = False

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
# Generating migrations never serves a request, so it may run with the development key.
_OFFLINE_COMMAND = len(sys.argv) > 1 and sys.argv[1] == "makemigrations"
if not SECRET_KEY:
    if DEBUG or _OFFLINE_COMMAND:
        SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0f3c9a1e7b"
    else:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY 未设置：关闭 DEBUG 时必须提供密钥"
            "（DJANGO_SECRET_KEY is required when DEBUG is off)."
        )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "sujt.portal.admin_site.RegulatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "simple_history",
    "sujt.accounts.apps.AxesConfig",  # django-axes, named in Chinese
    "django_ckeditor_5",
    "django_filters",
    "sujt.core",
    "sujt.accounts",
    "sujt.portal",
    "institutions",
    "rectification",
    "centers",
    "credit",
    "news",
    "reporting",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sujt.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "sujt.core.middleware.SessionRefreshMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "sujt.core.middleware.ActorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "sujt.accounts.middleware.FirstLoginMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]


ROOT_URLCONF = "sujt.urls"
WSGI_APPLICATION = "sujt.wsgi.application"

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
                "sujt.portal.context_processors.site",
                "sujt.portal.context_processors.workspace",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
SQLITE_OPTIONS = {
    "timeout": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 20),
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Writers queue instead of failing: IMMEDIATE takes the write lock when a transaction begins, so two
    # requests racing for one row wait for each other (up to the busy timeout) and the loser then sees
    # the winner's state and gets the normal "已被他人处理" answer instead of "database is locked".
    # WAL lets readers go on while one request writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "sujt"),
            "TIMEOUT": 300,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "sujt"}}

# --- Celery ---------------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "sujt")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 5}
CELERY_TIMEZONE = "Asia/Shanghai"


def env_crontab(name: str, default: str):
    """A beat schedule from the environment: five crontab fields, "minute hour day month weekday"."""
    from celery.schedules import ParseException, crontab

    spec = os.environ.get(name, "").strip() or default
    fields = spec.split()
    try:
        if len(fields) != 5:
            raise ValueError("five fields expected")
        minute, hour, day_of_month, month_of_year, day_of_week = fields
        return crontab(
            minute=minute,
            hour=hour,
            day_of_month=day_of_month,
            month_of_year=month_of_year,
            day_of_week=day_of_week,
        )
    except (ValueError, ParseException) as error:
        raise ImproperlyConfigured(
            f'{name} 应为5段 crontab 格式，如 "30 8 * * *"（{name} must be a crontab: {error}）。'
        ) from error


CELERY_BEAT_SCHEDULE: dict = {
    # Certificates past their expiry date become 过期, just after midnight.
    "certificates-expire": {
        "task": "institutions.tasks.certificates_expire_task",
        "schedule": env_crontab("CERTIFICATES_EXPIRE_CRON", "10 0 * * *"),
    },
    # Deadlines (sujt/core/deadlines.py): reminders (in-site + SMS) in office hours, and the overdue
    # actions of the day after each due date; certificate-expiry reminders among them.
    "deadlines": {
        "task": "sujt.core.tasks.deadlines_run_task",
        "schedule": env_crontab("DEADLINES_CRON", "30 8 * * *"),
    },
    # Incremental sync with the qualification-approval system, at night (docs/qualification-sync.md).
    "qualification-sync": {
        "task": "institutions.tasks.sync_qualifications_task",
        "schedule": env_crontab("QUALIFICATION_SYNC_CRON", "30 2 * * *"),
    },
    # Regulators who chose the daily digest get their pending review work in one message each morning.
    "review-digest": {
        "task": "sujt.core.tasks.review_digest_send_task",
        "schedule": env_crontab("REVIEW_DIGEST_CRON", "0 8 * * *"),
    },
    # Credit (05): validity periods that ended (returned repairs, expired bonuses), then every score of
    # the day with its snapshot.
    "credit-nightly": {
        "task": "credit.tasks.credit_nightly_task",
        "schedule": env_crontab("CREDIT_NIGHTLY_CRON", "20 0 * * *"),
    },
    # Domain events: runs handler retries and whatever a stopped worker or a lost task left pending.
    "events-sweep": {
        "task": "sujt.core.tasks.events_sweep_task",
        "schedule": env_crontab("EVENTS_SWEEP_CRON", "*/5 * * * *"),
    },
}
# Runs of one event handler before its delivery is marked failed (admin: 事件处理 → 立即重试).
EVENT_MAX_ATTEMPTS = int(os.environ.get("EVENT_MAX_ATTEMPTS", "8"))

# --- Authentication and login security -----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "sujt.accounts.backends.AddressLockoutBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "sujt.accounts.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "sujt.accounts.password_validation.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "sujt.accounts.password_validation.NotContainingPhoneValidator"},
    {"NAME": "sujt.accounts.password_validation.PasswordHistoryValidator", "OPTIONS": {"depth": 5}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PASSWORD_MAX_AGE_DAYS", "90"))
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:dashboard"
LOGOUT_REDIRECT_URL = "portal:home"

# Login protection (docs/deploy.md): an account locks after LOGIN_FAILURE_LIMIT failures within the
# lockout period, whatever address they come from; an address locks only at a much higher count, so one
# person's typos behind an office NAT do not lock out colleagues. A successful login clears the failures of
# that account only. django-axes keeps the per-account count; sujt.accounts.backends the per-address one.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "sujt.accounts.views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "sujt.core.net.client_ip"
AXES_VERBOSE = False
# axes' own admin pages are English; sujt.accounts.admin_axes shows its records in Chinese instead.
AXES_ENABLE_ADMIN = False
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 50)
# 导出 Excel（当前筛选结果） in admin writes at most this many rows; a larger list is asked to narrow its
# filters (an export of 5,000 institutions takes about 5 s on one worker).
ADMIN_EXCEL_EXPORT_MAX_ROWS = env_int("ADMIN_EXCEL_EXPORT_MAX_ROWS", 20_000)
# 03 机构整改: a new rectification order is due this many days after it is issued, unless the regulator
# sets another date.
RECTIFICATION_DUE_DAYS = env_int("RECTIFICATION_DUE_DAYS", 30)
# 04 中心建设 (DESIGN §7): after the province approves a center's construction, its 任务书 is due this
# many months later, and construction with acceptance within this many months of the approval.
CENTER_TASK_BOOK_MONTHS = env_int("CENTER_TASK_BOOK_MONTHS", 3)
CENTER_CONSTRUCTION_MONTHS = env_int("CENTER_CONSTRUCTION_MONTHS", 18)
# 05 信用管理: each year's 信用承诺书 is due on this day (MM-DD); an institution module 05 applies to
# that has none by then gets K01 未按期上传信用承诺书 (credit.letters). Checked here so a typo refuses to
# start instead of moving the deadline.
CREDIT_COMMITMENT_DUE = os.environ.get("CREDIT_COMMITMENT_DUE", "").strip() or "03-31"
# The first year whose missing letter counts (K01): the platform opened in December 2026, after that
# year's deadline, when no institution could upload a letter here yet.
CREDIT_COMMITMENT_FIRST_YEAR = env_int("CREDIT_COMMITMENT_FIRST_YEAR", 2027)
try:
    # A leap year, so that 02-29 is accepted (it becomes 02-28 in other years).
    _month, _day = (int(part) for part in CREDIT_COMMITMENT_DUE.split("-"))
    date(2000, _month, _day)
    if (_month, _day) == (12, 31):  # no day of the year would be past it: K01 would never apply
        raise ValueError
except ValueError:
    raise ImproperlyConfigured(
        f"CREDIT_COMMITMENT_DUE={CREDIT_COMMITMENT_DUE!r} 应为 12-31 以前的“月-日”，如 03-31"
        "（CREDIT_COMMITMENT_DUE must be MM-DD, before 12-31）。"
    ) from None
# Public downloads (a capability schedule, a search's results as Excel) per client address: per minute
# and per day.
PUBLIC_DOWNLOAD_LIMITS = [
    (env_int("PUBLIC_DOWNLOAD_LIMIT_MINUTE", 10), 60),
    (env_int("PUBLIC_DOWNLOAD_LIMIT_DAY", 200), 86400),
]
# The open-data JSON pages of the public searches per client address: per minute and per day.
PUBLIC_API_LIMITS = [
    (env_int("PUBLIC_API_LIMIT_MINUTE", 60), 60),
    (env_int("PUBLIC_API_LIMIT_DAY", 5000), 86400),
]

# Reverse proxies in front of Django that append the client's address to X-Forwarded-For (nginx with
# `proxy_add_x_forwarded_for`). 0: Django faces clients directly and REMOTE_ADDR is the client. With N, the
# client is the N-th address from the right of X-Forwarded-For; whatever a client wrote further left is
# ignored (docs/deploy.md).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Idle timeout: the session lives 30 minutes from the last request. SessionRefreshMiddleware renews it at
# most once a minute rather than writing the session on every request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_REFRESH_SECONDS = 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# With Redis, sessions are read from the cache and written through to the database (a cache outage falls
# back to the database: sujt/core/sessions.py).
SESSION_ENGINE = "sujt.core.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"

# Guardian: no anonymous user row (a phone-number login cannot hold guardian's default name).
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_404 = True

# --- Security headers (production values when DEBUG is off) ---------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# axes.W006 asks for "ip_address" among the lockout parameters; the address lockout is ours, with its own
# much higher limit (sujt.accounts.backends), which axes cannot express.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Content-Security-Policy of every page (no template has inline script or style); a response that sets
# its own (public files) keeps it.
CONTENT_SECURITY_POLICY = os.environ.get(
    "DJANGO_CONTENT_SECURITY_POLICY",
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'",
)
# The header a TLS-terminating proxy sets to tell Django the request came in over HTTPS. Only meaningful
# (and only safe) behind such a proxy, so it follows TRUSTED_PROXY_COUNT unless set explicitly; "" turns
# it off.
_PROXY_SSL_HEADER = os.environ.get(
    "DJANGO_PROXY_SSL_HEADER", "X-Forwarded-Proto" if TRUSTED_PROXY_COUNT else ""
).strip()
if _PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
    # HSTS preload commits the domain and every subdomain to HTTPS in browsers for good; a deployment
    # opts in with DJANGO_HSTS_PRELOAD=1. Until then check --deploy's reminder is silenced (docs/deploy.md).
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS.append("security.W021")

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# Date formats live in sujt/formats/<locale>/formats.py: for a language Django ships formats for, its
# locale module wins over DATE_FORMAT & co. in settings, so those settings would be ignored.
FORMAT_MODULE_PATH = ["sujt.formats"]

# --- Static and media -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Private uploads (commitment letters, evidence, scans) live outside MEDIA_ROOT and are served only by
# the permission-checked download view.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Rich text ------------------------------------------------------------------------------------
CKEDITOR_5_CONFIGS = {
    "default": {
        "toolbar": [
            "heading", "|", "bold", "italic", "underline", "link", "|",
            "bulletedList", "numberedList", "blockQuote", "insertTable", "|", "undo", "redo",
        ],
        "language": "zh-cn",
        "link": {"addTargetToExternalLinks": True},
        "table": {"contentToolbar": ["tableColumn", "tableRow", "mergeTableCells"]},
        # No upload adapter: a pasted or dropped image file is not sent anywhere. The widget still needs
        # a URL named ck_editor_5_upload_file; sujt/urls.py gives it one that refuses every request.
        "removePlugins": ["SimpleUploadAdapter", "CKFinderUploadAdapter"],
    },
}  # fmt: skip
CKEDITOR_5_CUSTOM_CSS = None

# --- Audit ----------------------------------------------------------------------------------------
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# --- Notifications --------------------------------------------------------------------------------
SMS_BACKEND = os.environ.get("SMS_BACKEND", "sujt.core.notifications.ConsoleSmsBackend")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@sujt.example.cn")
# SMS limits (per target phone and per acting user), so that no button can text a number without end.
SMS_LIMITS = {
    "phone": [(env_int("SMS_LIMIT_PHONE_HOUR", 5), 3600), (env_int("SMS_LIMIT_PHONE_DAY", 10), 86400)],
    "sender": [(env_int("SMS_LIMIT_SENDER_HOUR", 30), 3600), (env_int("SMS_LIMIT_SENDER_DAY", 100), 86400)],
}

# --- The qualification-approval system (sync issue) ----------------------------------------------
QUALIFICATION_API_URL = os.environ.get("QUALIFICATION_API_URL", "http://127.0.0.1:8765")
QUALIFICATION_API_TOKEN = os.environ.get("QUALIFICATION_API_TOKEN", "")
QUALIFICATION_API_TIMEOUT = float(os.environ.get("QUALIFICATION_API_TIMEOUT", "30"))
QUALIFICATION_PAGE_SIZE = int(os.environ.get("QUALIFICATION_PAGE_SIZE", "100"))

# --- Site -----------------------------------------------------------------------------------------
SITE_NAME = "江苏省检验检测服务平台"
SITE_SHORT_NAME = "苏检通"
# Technical support shown in the footer and the 帮助 menu; set per deployment.
SUPPORT_CONTACT = {
    "org": os.environ.get("SUPPORT_ORG", "平台技术支持中心"),
    "phone": os.environ.get("SUPPORT_PHONE", "025-00000000"),
    "email": os.environ.get("SUPPORT_EMAIL", "support@sujt.example.cn"),
    "hours": os.environ.get("SUPPORT_HOURS", "工作日 9:00–17:00"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}},
}
