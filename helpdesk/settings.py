"""Premium Desk settings: one file, configured from the environment (see .env.example)."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is optional; real deployments set variables in the environment.
if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DEBUG", default=False)

# Production must bring its own key; only a DEBUG run may fall back to a throwaway one.
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=true for local development)."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # daphne first so `runserver` serves ASGI (WebSockets) in development.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    # Login throttling, Content-Security-Policy, staff two-factor (TOTP with recovery
    # codes) and the audit log of security-relevant changes.
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "auditlog",
    "health_check",
    # The transactional outbox (infrastructure: emails and notices leave through it).
    "helpdesk.core.outbox",
    "helpdesk.core.webhooks",
    "accounts",
    # The project package: the migrations that created the tables of the three apps
    # below (before they were apps), the demo seed, template tags and the audit admin.
    "helpdesk",
    "helpdesk.tickets",
    "helpdesk.callbacks",
    "helpdesk.kb",
    # Satisfaction ratings of solved tickets and ended chats (below the apps that ask).
    "helpdesk.csat",
    "sla",
    "chat",
    # The REST API (issue 18): above every app, it calls their services and selectors.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "helpdesk.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Static files are served by the app in every mode, under Daphne and gunicorn alike.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "helpdesk.core.middleware.RefuseNulInAddressMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.StaffSecondFactorMiddleware",
    # auditlog's, with the TRUSTED_PROXIES address rule (helpdesk/core/audit.py).
    "helpdesk.core.audit.AuditlogMiddleware",
    "helpdesk.core.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

# Every log line names its request (X-Request-ID), carried into the tasks it queues.
MIDDLEWARE.insert(0, "helpdesk.core.request_id.RequestIdMiddleware")
# Prometheus (django-prometheus): requests, responses and latencies per view, counted
# around everything else; /metrics is helpdesk/metrics.py (access rule: METRICS_TOKEN).
INSTALLED_APPS.append("django_prometheus")
MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("axes.middleware.AxesMiddleware"),
    "django_prometheus.middleware.PrometheusAfterMiddleware",
)
PROMETHEUS_EXPORT_MIGRATIONS = False
# With a token, /metrics answers only `Authorization: Bearer <token>`; without one, only
# direct requests from the loopback interface (a scraper on the same machine).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

ROOT_URLCONF = "helpdesk.urls"

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
                "django.template.context_processors.i18n",
                "helpdesk.context_processors.portal",
            ],
        },
    },
]

WSGI_APPLICATION = "helpdesk.wsgi.application"
ASGI_APPLICATION = "helpdesk.asgi.application"

# SQLite in the project by default; DATABASE_URL selects PostgreSQL in production and CI.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Daphne, the Celery worker and beat share the file: WAL and immediate
    # transactions avoid "database is locked" under that concurrency.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # Tests use a file, not memory, so the Daphne subprocesses of the chat server tests
    # (two-process scale-out, Redis outage, browser) see the same test database. It sits
    # next to the database, so a run with a DATABASE_URL of its own has its own test file.
    _sqlite_file = str(DATABASES["default"]["NAME"])
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME",
        f"{_sqlite_file}-test"
        if _sqlite_file not in ("", ":memory:")
        else str(BASE_DIR / "db.sqlite3-test"),
    )
else:
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
# Persistent connections on SQLite too: the chat consumers' database calls would otherwise
# reopen the file (and rerun the PRAGMAs) for every message (see bench/).
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))

# Behind PgBouncer in transaction mode (docs/operations.md, "PgBouncer") a server
# connection is another client's from one transaction to the next, so nothing may outlive
# a transaction: no server-side cursors (QuerySet.iterator()) and no prepared statements
# on the chat write's connection (ASYNC_DB_PREPARE_STATEMENTS below). Django's own
# queries prepare none (psycopg's prepare_threshold is None). "session" (the default)
# is a direct connection or a pooler in session mode.
DATABASE_POOL_MODE = env.str("DATABASE_POOL_MODE", default="session")
if DATABASE_POOL_MODE == "transaction":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# Largest request body Django reads (its default, 2.5 MB); deploy/nginx.conf's
# client_max_body_size is the same, so the proxy refuses larger ones first.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes checks each login first and refuses it during a lockout.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Redis is optional: without it (plain `pytest` on a laptop) caches and the channel
# layer stay in process. `make run` starts an embedded Redis and sets REDIS_URL.
REDIS_URL = env.str("REDIS_URL", default="")
# Each Redis role may have a server (or a Sentinel group) of its own; each defaults to
# REDIS_URL. A URL is redis://[:password@]host:port/db or, behind Redis Sentinel,
# redis+sentinel://[:password@]host:port[,host:port...]/master_name[/db]
# (helpdesk/core/redis_urls.py; docs/operations.md, "Redis roles").
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)
CHANNEL_LAYER_URL = env.str("CHANNEL_LAYER_URL", default=REDIS_URL)
_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)

from helpdesk.core import redis_urls  # noqa: E402

if CACHE_URL:
    CACHES = {
        "default": {
            # Redis away = cache misses, not errors (helpdesk/core/cache.py).
            "BACKEND": "helpdesk.core.cache.TolerantRedisCache",
            # A list, so Django does not split a Sentinel URL's hosts at the commas.
            "LOCATION": [CACHE_URL],
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="premiumdesk"),
            # A cache call answers in well under a millisecond; if Redis is unreachable
            # (a network split, not only a stopped server), fail fast into a miss rather
            # than holding a page or a chat socket for the OS's TCP timeout.
            "OPTIONS": {
                "pool_class": "helpdesk.core.redis_urls.ConnectionPool",
                "socket_connect_timeout": env.float("REDIS_CACHE_TIMEOUT", default=1.0),
                "socket_timeout": env.float("REDIS_CACHE_TIMEOUT", default=1.0),
            },
        }
    }
    # Sessions read from Redis, written through to the database.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

if CHANNEL_LAYER_URL:
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialBackoff

    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": env.str(
                "CHANNEL_LAYER_BACKEND",
                default="helpdesk.core.channel_layer.TolerantPubSubChannelLayer",
            ),
            "CONFIG": {
                "hosts": [
                    redis_urls.channel_layer_host(
                        CHANNEL_LAYER_URL,
                        # redis-py 8 times reads out after 5 s, the same as the layer's
                        # blocking pop, so idle sockets were dropped and re-dialled
                        # (channels_redis issue 422). A longer read timeout plus keepalive
                        # and health checks keeps them open and still notices a dead server.
                        socket_timeout=env.float("REDIS_SOCKET_TIMEOUT", default=30),
                        socket_connect_timeout=5,
                        socket_keepalive=True,
                        health_check_interval=15,
                        # After a Redis restart, pooled sockets are dead: re-dial and retry
                        # instead of failing the consumer (redis-py's async default is no retry).
                        retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), 3),
                    )
                ],
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Celery: JSON only, bounded run time, tasks queued on commit by the services.
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = (
    redis_urls.celery_broker(_BROKER_URL) if _BROKER_URL else ("memory://", {})
)
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not _BROKER_URL)
CELERY_TIMEZONE = "UTC"

# Mail: printed to the console unless EMAIL_URL names an SMTP server.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Premium Desk <support@premiumdesk.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("ja", _("Japanese"))]
# One date and time style per language (helpdesk/formats).
FORMAT_MODULE_PATH = ["helpdesk.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Without collectstatic (development, tests) whitenoise serves from the finders.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)

# Production (DEBUG off) runs behind TLS: cookies are Secure unless told otherwise.
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE = "Lax"
# Behind a TLS-terminating proxy: HSTS, the redirect to https and the header that tells
# Django the original request was https (e.g. "HTTP_X_FORWARDED_PROTO,https").
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
# The load balancer's health checks reach the portal over plain http.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
_proxy_ssl_header = env.tuple("SECURE_PROXY_SSL_HEADER", default=())
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) if _proxy_ssl_header else None

# Content-Security-Policy (django-csp): scripts and styles from the portal only, no inline
# script; sockets to the portal itself ('self' covers ws:/wss: of the same host in CSP 3;
# CSP_CONNECT_SRC adds other origins where a deployment needs them).
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF, *env.list("CSP_CONNECT_SRC", default=[])],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features the portal never uses are switched off for it and anything it embeds.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

# Audit log (django-auditlog): a related record is stored by name, as it was when the
# change was made, so the entry still reads right after a rename or a deletion.
AUDITLOG_USE_FK_STRING_REPRESENTATION = True

# Login throttling (django-axes): LOGIN_FAILURE_LIMIT wrong passwords for one account from
# one address within LOGIN_FAILURE_WINDOW_MINUTES lock that pair out for the window; the
# client address follows the TRUSTED_PROXIES rule (helpdesk.core.ratelimit.client_address).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_FAILURE_WINDOW_MINUTES", default=15))
AXES_USE_ATTEMPT_EXPIRATION = True
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login forms post "username" (the email), as Django's authenticate() receives it.
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "helpdesk.core.ratelimit.axes_client_ip"
AXES_USERNAME_CALLABLE = "helpdesk.core.ratelimit.axes_username"
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
# Staff two-factor (django-otp): true = every staff user must use an authenticator app.
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", default=False)
# The name authenticator apps show next to the account.
OTP_TOTP_ISSUER = "Premium Desk"
# Each wrong code doubles the wait before the next try (1, 2, 4… s); 0 would turn it off.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# The admin's device pages never show secrets, not even to superusers.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Password reset links stop working after this many minutes (Django checks the token's age).
PASSWORD_RESET_TIMEOUT = 60 * env.int("PASSWORD_RESET_TIMEOUT_MINUTES", default=60)
# Reset emails per address, and reset requests per client address, per hour: enough for
# someone who forgot a password, too few to mail-bomb an inbox through the form.
PASSWORD_RESET_EMAILS_PER_HOUR = env.int("PASSWORD_RESET_EMAILS_PER_HOUR", default=5)
PASSWORD_RESET_REQUESTS_PER_HOUR = env.int("PASSWORD_RESET_REQUESTS_PER_HOUR", default=20)

# Product settings.
# Absolute address of the portal, for links in emails.
PORTAL_BASE_URL = env.str(
    "PORTAL_BASE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}"
)
SUPPORT_PHONE_NUMBER = env.str("SUPPORT_PHONE_NUMBER", default="+1 888 555 0142")
# Where a customer without Premium Support buys it or asks about it (the help dialog's
# channel step links there); empty hides the link.
PREMIUM_SUPPORT_URL = env.str(
    "PREMIUM_SUPPORT_URL", default="mailto:sales@premiumdesk.example?subject=Premium%20Support"
)
# Requests whose User-Agent contains this marker come from the mobile app, which
# gets the knowledge base but no premium channel (PRODUCT.md §2).
MOBILE_APP_USER_AGENT_MARKER = env.str("MOBILE_APP_USER_AGENT_MARKER", default="PremiumDeskMobile")

# First-reply guarantees (PRODUCT.md §4). Shorter values are handy for demonstrations.
SLA_STANDARD_MINUTES = env.int("SLA_STANDARD_MINUTES", default=60)
SLA_BUSINESS_CRITICAL_MINUTES = env.int("SLA_BUSINESS_CRITICAL_MINUTES", default=30)
# The sweep warns at this share of the allowed time, then escalates again every interval.
SLA_WARNING_SHARE = env.float("SLA_WARNING_SHARE", default=0.75)
SLA_ESCALATION_INTERVAL_MINUTES = env.int("SLA_ESCALATION_INTERVAL_MINUTES", default=30)
# How often Celery beat runs the SLA sweep, and how many items one transaction handles.
SLA_SWEEP_INTERVAL_SECONDS = env.int("SLA_SWEEP_INTERVAL_SECONDS", default=30)
SLA_SWEEP_BATCH_SIZE = env.int("SLA_SWEEP_BATCH_SIZE", default=5000)
# Beat (one active, any number standing by) schedules these; any number of workers run them.
# The outbox relay delivers side effects whose kick after commit did not reach the
# broker, and failed ones again, with backoff (docs/operations.md, "Outages").
OUTBOX_RELAY_INTERVAL_SECONDS = env.int("OUTBOX_RELAY_INTERVAL_SECONDS", default=15)
CELERY_BEAT_SCHEDULE = {
    "sla-sweep": {"task": "sla.tasks.sla_sweep", "schedule": float(SLA_SWEEP_INTERVAL_SECONDS)},
    "outbox-relay": {"task": "outbox.relay", "schedule": float(OUTBOX_RELAY_INTERVAL_SECONDS)},
    # Chats nobody joined in time become email tickets (CHAT_UNANSWERED_TO_EMAIL_MINUTES).
    "chat-unanswered-to-email": {
        "task": "chat.tasks.chat_unanswered_to_email",
        "schedule": 30.0,
    },
}
# The SLA sweep has a queue of its own, so a backlog of mail on the default queue never
# delays a deadline: run workers with `-Q sla` and with `-Q celery` (or one with both).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {"sla.tasks.sla_sweep": {"queue": "sla"}}
# Scheduler failover (celery-redbeat): the schedule and a lock live in Redis, so two or
# more `celery beat` processes may run and only the lock holder sends. The holder renews
# the lock at least every third of its timeout; a standby polls as often and takes over
# once the lock lapses, so the longest gap between two sweeps is about interval + 1.33 x
# lock timeout: within the three intervals the sweep-health check allows, with the
# default lock of one interval (at least 5 s: a loaded machine stalls a beat for seconds,
# and a holder that misses its renewal exits, leaving the standby in charge).
# REDBEAT_URL (the lock's and schedule's Redis) defaults to the broker's; URL forms above.
SCHEDULER_LOCK_TIMEOUT_SECONDS = env.int(
    "SCHEDULER_LOCK_TIMEOUT_SECONDS", default=max(5, SLA_SWEEP_INTERVAL_SECONDS)
)
if _BROKER_URL:
    # RedBeat that rides out a Redis failover (helpdesk/core/scheduler.py).
    CELERY_BEAT_SCHEDULER = "helpdesk.core.scheduler.FailoverScheduler"
    CELERY_REDBEAT_REDIS_URL, CELERY_REDBEAT_REDIS_OPTIONS = redis_urls.redbeat(
        env.str("REDBEAT_URL", default=_BROKER_URL)
    )
    # RedBeat's own calls retry a lost connection this long (a Sentinel failover takes
    # a few seconds); the lock's renewal is the scheduler's to retry.
    CELERY_REDBEAT_REDIS_OPTIONS["retry_period"] = env.int("REDBEAT_RETRY_SECONDS", default=10)
    CELERY_REDBEAT_KEY_PREFIX = env.str("REDBEAT_KEY_PREFIX", default="premiumdesk:redbeat:")
    CELERY_REDBEAT_LOCK_TIMEOUT = SCHEDULER_LOCK_TIMEOUT_SECONDS
    CELERY_BEAT_MAX_LOOP_INTERVAL = SCHEDULER_LOCK_TIMEOUT_SECONDS / 3
# The relay leaves a fresh row this long to its kick after commit.
OUTBOX_KICK_GRACE_SECONDS = env.int("OUTBOX_KICK_GRACE_SECONDS", default=10)
# Failed deliveries are tried again after 30 s, 1 min, 2 min, ... at most an hour apart;
# after this many attempts (about 3 hours) a row stops and waits for a lead's Retry.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=30)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)
# A row claimed this long ago and not finished was interrupted (above the task time limit).
OUTBOX_CLAIM_TIMEOUT_SECONDS = env.int("OUTBOX_CLAIM_TIMEOUT_SECONDS", default=300)
OUTBOX_RELAY_BATCH_SIZE = env.int("OUTBOX_RELAY_BATCH_SIZE", default=500)
# Sent rows are kept this long for operators, then deleted.
OUTBOX_KEEP_SENT_DAYS = env.int("OUTBOX_KEEP_SENT_DAYS", default=7)
# Outgoing webhooks: each delivery waits at most this long for the receiver; a receiver
# failing for WEBHOOK_DISABLE_AFTER_HOURS is disabled. Private, loopback and reserved
# addresses are refused unless allowed (tests, an on-premises receiver).
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_DISABLE_AFTER_HOURS = env.int("WEBHOOK_DISABLE_AFTER_HOURS", default=24)
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
# /readyz fails when a delivery has waited longer than this (broker or workers away).
OUTBOX_HEALTH_MAX_AGE_SECONDS = env.int("OUTBOX_HEALTH_MAX_AGE_SECONDS", default=900)
# /readyz waits at most this long for the broker, the channel layer's Redis and a
# worker's answer to its ping.
READYZ_TIMEOUT_SECONDS = env.float("READYZ_TIMEOUT_SECONDS", default=1.0)
# A specialist should start a requested callback within this many minutes.
CALLBACK_TARGET_MINUTES = env.int("CALLBACK_TARGET_MINUTES", default=5)
# Email tickets a customer user may submit per hour before being asked to wait.
TICKET_RATE_LIMIT_PER_HOUR = env.int("TICKET_RATE_LIMIT_PER_HOUR", default=20)
# Callback requests a customer user may make per hour: each puts a specialist on the
# phone within minutes. A resubmission within a minute (same number and topic) is the
# same request and is not counted.
CALLBACK_RATE_LIMIT_PER_HOUR = env.int("CALLBACK_RATE_LIMIT_PER_HOUR", default=10)
# Help-dialog suggestion requests per signed-in user (or per client address) per minute:
# typing with the dialog's debounce stays far below it; a script scraping the knowledge
# base or filling the deflection report does not.
SUGGESTION_RATE_LIMIT_PER_MINUTE = env.int("SUGGESTION_RATE_LIMIT_PER_MINUTE", default=120)
# Reverse proxies in front of the portal (nginx, a load balancer): that many entries of
# X-Forwarded-For, counted from the right, are trusted to name the client's address.
# 0 (direct connections) ignores the header, which a client could otherwise forge.
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
# Live chat (PRODUCT.md §6).
# A waiting chat should get its first specialist message within this time; past it the
# SLA sweep alerts the leads.
CHAT_WAIT_LIMIT_SECONDS = env.int("CHAT_WAIT_LIMIT_SECONDS", default=120)
# Offer email instead of chat when the expected wait is longer than this.
CHAT_LONG_WAIT_SECONDS = env.int("CHAT_LONG_WAIT_SECONDS", default=300)
# A chat nobody joins within this many minutes becomes a premium email ticket with the
# conversation so far (the customer is told so before sending).
CHAT_UNANSWERED_TO_EMAIL_MINUTES = env.int("CHAT_UNANSWERED_TO_EMAIL_MINUTES", default=5)
# A specialist whose console sent no heartbeat for this long counts as offline.
CHAT_PRESENCE_TIMEOUT_SECONDS = env.int("CHAT_PRESENCE_TIMEOUT_SECONDS", default=60)
# Most chats a specialist holds at once, unless a lead set theirs (docs/workspace.md).
CHAT_DEFAULT_CAPACITY = env.int("CHAT_DEFAULT_CAPACITY", default=3)
# Assign new tickets and waiting chats round robin among available specialists.
AUTO_ASSIGN = env.bool("AUTO_ASSIGN", default=False)
# Flood limit: frames one user may send per window (per server process).
CHAT_RATE_LIMIT_FRAMES = env.int("CHAT_RATE_LIMIT_FRAMES", default=30)
CHAT_RATE_LIMIT_WINDOW_SECONDS = env.int("CHAT_RATE_LIMIT_WINDOW_SECONDS", default=10)
# Chats a customer user may start per hour (shared by every server, unlike the flood
# limit): each one queues for a specialist.
CHAT_START_RATE_LIMIT_PER_HOUR = env.int("CHAT_START_RATE_LIMIT_PER_HOUR", default=20)
# Open sockets (chat, console, SLA alerts) re-check their user's rights this often, besides
# the immediate re-check that every change through the ORM triggers: a bulk update or a
# row changed in SQL closes a socket within this time.
CHAT_ACCESS_RECHECK_SECONDS = env.int("CHAT_ACCESS_RECHECK_SECONDS", default=5)
# Satisfaction ratings (CSAT): a customer answers, or changes an answer, within this many
# days of being asked (or of their first answer).
CSAT_WINDOW_DAYS = env.int("CSAT_WINDOW_DAYS", default=7)
# A customer may reopen a ticket they or a specialist solved within this many days.
TICKET_CUSTOMER_REOPEN_DAYS = env.int("TICKET_CUSTOMER_REOPEN_DAYS", default=7)
# PostgreSQL: chat messages are stored over a connection of the consumer's event loop
# (helpdesk.core.async_db) with server-side prepared statements; turn them off behind a
# connection pooler that cannot keep them (PgBouncer in transaction mode before 1.21).
ASYNC_DB_PREPARE_STATEMENTS = env.bool(
    "ASYNC_DB_PREPARE_STATEMENTS", default=DATABASE_POOL_MODE != "transaction"
)
# REST API (issue 18; README: API). Personal tokens or the browser's session (with CSRF);
# JSON only; errors as {"error": {"code", "message", "fields"}}; the rules are the pages'.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "helpdesk.api.authentication.ApiTokenAuthentication",
        "helpdesk.api.authentication.SecondFactorSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["helpdesk.api.permissions.TokenScopeAllows"],
    "DEFAULT_THROTTLE_CLASSES": ["helpdesk.api.throttling.ApiClientThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "helpdesk.api.pagination.ApiCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "helpdesk.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Premium Desk API",
    # 3.1: JSON Schema proper (a nullable nested object is `oneOf [ref, null]`).
    "OAS_VERSION": "3.1.0",
    "DESCRIPTION": "Tickets, callbacks, chats, entitlement, the SLA report and the knowledge "
    "base, under the same rules as the portal. Authenticate with a personal API token: "
    "`Authorization: Bearer pd_...`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "helpdesk.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "helpdesk.tickets.choices.TicketStatus",
        "CallbackStatusEnum": "helpdesk.callbacks.models.CallbackStatus",
        "ConversationStatusEnum": "chat.models.ConversationStatus",
    },
}
# Requests per minute for one API client (a token, else a signed-in user, else an address).
API_RATE_LIMIT_PER_MINUTE = env.int("API_RATE_LIMIT_PER_MINUTE", default=120)
# A token's last use is written at most this often, not on every request.
API_TOKEN_LAST_USED_RESOLUTION_SECONDS = env.int(
    "API_TOKEN_LAST_USED_RESOLUTION_SECONDS", default=60
)

# Email support by email (issue 16, docs/email.md). Ticket emails carry a reply address
# support+t<id>.<signature>@<domain> built from this address; the mailbox must accept
# plus-addresses. The polled mailbox: imaps://user:password@host:993/INBOX (imap:// for
# plain, imap+starttls:// for STARTTLS); empty = no polling.
SUPPORT_EMAIL_ADDRESS = env.str("SUPPORT_EMAIL_ADDRESS", default="support@premiumdesk.example")
INBOUND_IMAP_URL = env.str("INBOUND_IMAP_URL", default="")
# Processed messages move here (created if missing), so the inbox holds only new mail.
INBOUND_IMAP_DONE_FOLDER = env.str("INBOUND_IMAP_DONE_FOLDER", default="Processed")
INBOUND_POLL_INTERVAL_SECONDS = env.int("INBOUND_POLL_INTERVAL_SECONDS", default=30)
# Messages one poll takes; the rest wait for the next poll.
INBOUND_POLL_BATCH_SIZE = env.int("INBOUND_POLL_BATCH_SIZE", default=50)
# Larger messages are logged and refused without being read.
INBOUND_MAX_BYTES = env.int("INBOUND_MAX_BYTES", default=10 * 1024 * 1024)
# Polite answers to refused emails, per sender address per day (never to automatic mail).
INBOUND_ANSWERS_PER_DAY = env.int("INBOUND_ANSWERS_PER_DAY", default=1)
# Mailgun's inbound route (forward to /inbound/mailgun/mime/): its webhook signing key;
# empty = the endpoint answers 404.
INBOUND_MAILGUN_SIGNING_KEY = env.str("INBOUND_MAILGUN_SIGNING_KEY", default="")
# Attachments on tickets and replies (and from inbound email): per file, per message, files
# per message. Stored under ATTACHMENTS_ROOT (files 0600, folders 0700; never served as
# static files) unless STORAGES defines an "attachments" storage (S3 and the like).
ATTACHMENTS_ROOT = env.path("ATTACHMENTS_ROOT", default=BASE_DIR / "attachments")
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_MAX_TOTAL_BYTES = env.int("ATTACHMENT_MAX_TOTAL_BYTES", default=25 * 1024 * 1024)
ATTACHMENT_MAX_FILES = env.int("ATTACHMENT_MAX_FILES", default=5)
# Attachments in an S3-compatible bucket instead (django-storages; `pip install -e ".[s3]"`):
# the bucket's name turns it on. Credentials come from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY (or the machine's role); objects are private and downloads still
# go through the portal's permission check, never a public URL.
ATTACHMENTS_S3_BUCKET = env.str("ATTACHMENTS_S3_BUCKET", default="")
if ATTACHMENTS_S3_BUCKET:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        "attachments": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": ATTACHMENTS_S3_BUCKET,
                # A MinIO, Ceph or other S3-compatible server; empty = AWS.
                "endpoint_url": env.str("ATTACHMENTS_S3_ENDPOINT_URL", default="") or None,
                "region_name": env.str("ATTACHMENTS_S3_REGION", default="") or None,
                "location": env.str("ATTACHMENTS_S3_PREFIX", default="attachments"),
                "default_acl": "private",
                "file_overwrite": False,
                "object_parameters": {"ContentDisposition": "attachment"},
            },
        },
    }
if INBOUND_IMAP_URL:
    CELERY_BEAT_SCHEDULE["inbound-poll"] = {
        "task": "tickets.inbound_poll",
        "schedule": float(INBOUND_POLL_INTERVAL_SECONDS),
    }

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
# Every record carries its request id; LOG_FORMAT=json writes one JSON object per line
# (python-json-logger), for a log collector. Celery's workers then log through this too.
LOGGING["filters"] = {"request_id": {"()": "helpdesk.core.request_id.RequestIdFilter"}}
LOGGING["handlers"]["console"]["filters"] = ["request_id"]
if env.str("LOG_FORMAT", default="text") == "json":
    LOGGING["formatters"] = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    }
    LOGGING["handlers"]["console"]["formatter"] = "json"
    CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Errors to Sentry when SENTRY_DSN is set (`pip install premium-desk[sentry]`); its Django
# and Celery integrations switch themselves on. Never a reason for the portal not to start.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    try:
        import sentry_sdk
    except ImportError:
        import warnings

        warnings.warn("SENTRY_DSN is set but sentry-sdk is not installed", stacklevel=1)
    else:
        sentry_sdk.init(
            dsn=SENTRY_DSN,
            environment=env.str("SENTRY_ENVIRONMENT", default="production"),
            traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
            send_default_pii=False,
        )
