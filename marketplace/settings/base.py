"""Settings shared by every environment. Everything that differs comes from the environment."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from redis.backoff import NoBackoff
from redis.retry import Retry

from marketplace.settings.env import (
    DEFAULT_DATABASE_URL,
    DEFAULT_REDIS_URL,
    celery_broker_url,
    env_bool,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-do-not-use-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "django_celery_beat",
    "channels",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "axes",
    "marketplace",
    "experts",
    "routing",
    "billing",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "marketplace.infra.unavailable.DatabaseUnavailableMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page shows times in its viewer's zone (frontend/timezones.py).
    "frontend.timezones.ViewerTimeZoneMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "marketplace.infra.cache_headers.NoStoreForPrivateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "frontend.two_factor_gate.TwoFactorGateMiddleware",
    "frontend.edge.DomainErrorMiddleware",
    "frontend.edge.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout answer.
    "axes.middleware.AxesMiddleware",
]
# django-axes' backend first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "marketplace.urls"
ASGI_APPLICATION = "marketplace.asgi.application"
WSGI_APPLICATION = "marketplace.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.navigation",
            ],
            # `when`: times in the viewer's zone, with its abbreviation; `label`: words for codes.
            "builtins": ["frontend.templatetags.when", "frontend.templatetags.labels"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", DEFAULT_DATABASE_URL),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
# PostgreSQL down must cost a request seconds, not minutes: a connect gives up after
# DATABASE_CONNECT_TIMEOUT and a request waiting for a pooled connection after
# DATABASE_POOL_TIMEOUT, and the request answers 503 with Retry-After (marketplace/infra/
# unavailable.py), within 3 s in all.
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
    "DATABASE_CONNECT_TIMEOUT", 2)
# Under ASGI every request runs in its own thread, so persistent connections do not help;
# a psycopg pool per process does (a new PostgreSQL connection costs ~10 ms). 0 = no pool.
DATABASE_POOL_SIZE = env_int("DATABASE_POOL_SIZE", 0)
if DATABASE_POOL_SIZE:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1, "max_size": DATABASE_POOL_SIZE,
        "timeout": env_int("DATABASE_POOL_TIMEOUT", 2)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's own CSRF refusal is a bare "403 Forbidden"; this is the styled page saying what to do.
CSRF_FAILURE_VIEW = "frontend.edge.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Two-factor sign-in (django-otp, marketplace/two_factor/): ops staff must verify an
# authenticator app before any page when this is on (production's default); brand owners and
# admins may turn it on for themselves. Off here, so the demo logins work with a password alone.
SHIFTLINE_REQUIRE_2FA_FOR_OPS = env_bool("SHIFTLINE_REQUIRE_2FA_FOR_OPS", False)
OTP_TOTP_ISSUER = "Shiftline"
# The admin lists users' devices (an ops user deletes a lost one) but never shows a secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Content-Security-Policy (django-csp): everything from this site, nothing inline but a style
# block carrying the request's nonce (`request.csp_nonce`, added to the header only on pages
# that use it: the shift calendar, the API docs). Pico draws its checkboxes and select arrows
# with data: SVGs; 'self' also covers the sockets (ws: and wss: to the same host).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
# The team's gettext catalogs (frontend/locale/README.md): the server's strings (django) and
# the chat widget's (djangojs), compiled by `make setup`.
LOCALE_PATHS = [BASE_DIR / "frontend" / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Stored files (attachments, raw inbound mail): every web process and slow-jobs worker must see
# the same directory (deploy/README.md); never served as static files (downloads are checked).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
_NODE_MODULES = BASE_DIR / "frontend" / "node_modules"
STATICFILES_DIRS = [
    ("vendor/htmx", _NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/htmx-ext-ws", _NODE_MODULES / "htmx-ext-ws"),
    ("vendor/pico", _NODE_MODULES / "@picocss" / "pico" / "css"),
    ("vendor/swagger-ui", _NODE_MODULES / "swagger-ui-dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Redis: the Celery broker and the Channels layer. REDIS_URL may be redis://host:port/db
# or unix:///path/to/redis.sock?db=N (the embedded server of `make run`).
REDIS_URL = env_str("REDIS_URL", DEFAULT_REDIS_URL)
REDIS_KEY_PREFIX = env_str("REDIS_KEY_PREFIX", "shiftline")

CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # redis-py 8 reads with a 5 s socket timeout by default, which cuts the layer's own 5 s
        # blocking pop and tears every idle websocket down; allow the pop to finish. No
        # CLIENT SETINFO on connect (driver_info None): a push from a Celery task opens its own
        # connection (marketplace/infra/push.py), and naming the client took a third of it.
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15, "driver_info": None}],
                   "prefix": f"{REDIS_KEY_PREFIX}:channels"},
    }
}

CELERY_BROKER_URL = celery_broker_url(REDIS_URL)
# No task results are kept. Celery still makes a (disabled) result backend object for every
# thread that sends a task, about 1 ms each, and under ASGI every request runs in a thread of its
# own: a thread-safe backend is made once per process (Celery's documented setting).
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_RESULT_BACKEND_THREAD_SAFE = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker or beat whose Redis is away retries every 2 s (marketplace/infra/broker.py) for as
# long as the outage lasts, instead of giving up after 100 attempts.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "global_keyprefix": f"{REDIS_KEY_PREFIX}:",
}
CELERY_ROUTING_QUEUE = "routing"
CELERY_DEFAULT_QUEUE = "default"
CELERY_TASK_DEFAULT_QUEUE = CELERY_DEFAULT_QUEUE
CELERY_TASK_ROUTES = {"routing.*": {"queue": CELERY_ROUTING_QUEUE}}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "routing-sweep-expired-offers": {
        "task": "routing.sweep_expired_offers",
        "schedule": timedelta(seconds=env_int("ROUTING_SWEEP_SECONDS", 2)),
        "options": {"expires": 10},
    },
    "routing-sweep-deadlines": {
        "task": "routing.sweep_deadlines",
        "schedule": timedelta(seconds=env_int("ROUTING_DEADLINE_SECONDS", 5)),
        "options": {"expires": 20},
    },
    "routing-resolve-quiet-inquiries": {
        "task": "routing.resolve_quiet_inquiries",
        "schedule": timedelta(seconds=env_int("ROUTING_RESOLVE_QUIET_SECONDS", 60)),
        "options": {"expires": 120},
    },
    "routing-reconcile-waiting": {
        "task": "routing.reconcile_waiting_inquiries",
        "schedule": timedelta(seconds=env_int("ROUTING_RECONCILE_SECONDS", 5)),
        "options": {"expires": 20},
    },
    "experts-sweep-shifts": {
        "task": "experts.sweep_shifts",
        "schedule": timedelta(seconds=env_int("SHIFT_SWEEP_SECONDS", 60)),
        "options": {"expires": 120},
    },
    "experts-sweep-presence": {
        "task": "experts.sweep_presence",
        "schedule": timedelta(seconds=env_int("PRESENCE_SWEEP_SECONDS", 15)),
        "options": {"expires": 30},
    },
    "experts-sweep-quality": {
        "task": "experts.sweep_quality",
        "schedule": timedelta(seconds=env_int("QUALITY_SWEEP_SECONDS", 600)),
        "options": {"expires": 600},
    },
    "marketplace-resume-stalled-deliveries": {
        "task": "marketplace.resume_stalled_deliveries",
        "schedule": timedelta(seconds=env_int("DELIVERY_RESUME_SWEEP_SECONDS", 15)),
        "options": {"expires": 30},
    },
    "marketplace-send-surveys": {
        "task": "marketplace.send_surveys",
        "schedule": timedelta(seconds=env_int("SURVEY_SWEEP_SECONDS", 300)),
        "options": {"expires": 600},
    },
    "marketplace-beat-heartbeat": {
        "task": "marketplace.beat_heartbeat",
        "schedule": timedelta(seconds=env_int("HEALTH_BEAT_SECONDS", 15)),
        "options": {"expires": 30},
    },
    "billing-payouts-draft-last-week": {
        "task": "billing.payouts.draft_last_week",
        "schedule": crontab(minute=7),
        "options": {"expires": 3000},
    },
    "billing-payouts-resume-executing": {
        "task": "billing.payouts.resume_executing",
        "schedule": timedelta(seconds=env_int("PAYOUT_RESUME_SECONDS", 300)),
        "options": {"expires": 600},
    },
    "marketplace-invoice-brands-monthly": {
        "task": "marketplace.invoice_brands_monthly",
        # Hourly; the task acts only on the 1st in the billing zone, and a month's invoices
        # are unique per brand and currency, so a rerun drafts nothing twice.
        "schedule": crontab(minute=5),
        "options": {"expires": 3000},
    },
    "marketplace-apply-retention": {
        "task": "marketplace.apply_retention",
        "schedule": crontab(hour=3, minute=17),
        "options": {"expires": 6 * 3600},
    },
}

# Readiness (`/readyz`, marketplace/infra/health.py): beat's heartbeat interval (stale after
# twice that) and the routing queue's limits before it reports failing.
HEALTH_BEAT_SECONDS = env_int("HEALTH_BEAT_SECONDS", 15)
HEALTH_ROUTING_MAX_DEPTH = env_int("HEALTH_ROUTING_MAX_DEPTH", 500)
HEALTH_ROUTING_MAX_AGE_SECONDS = env_int("HEALTH_ROUTING_MAX_AGE_SECONDS", 10)

# Shifts, presence and quality thresholds (experts app).
SHIFT_CANCEL_CUTOFF_HOURS = env_int("SHIFT_CANCEL_CUTOFF_HOURS", 12)
PRESENCE_IDLE_SECONDS = env_int("PRESENCE_IDLE_SECONDS", 300)
PRESENCE_OFFLINE_SECONDS = env_int("PRESENCE_OFFLINE_SECONDS", 60)
# How often every expert page sends its heartbeat; well inside the offline window.
PRESENCE_HEARTBEAT_SECONDS = env_int("PRESENCE_HEARTBEAT_SECONDS", 20)
QUALITY_MIN_REVIEWS = env_int("QUALITY_MIN_REVIEWS", 5)
QUALITY_MIN_OFFERS = env_int("QUALITY_MIN_OFFERS", 5)
# Billing (billing/terms, billing/pricing). A currency's first rate card starts at these amounts
# (in major units, scaled to the currency's minor units) until ops change it; a ticket the
# customer reopens within the window and that is resolved again is billed once.
BILLING_DEFAULT_RATE_CARD = {"base_rate": "3.00", "list_price": "4.50"}
BILLING_REOPEN_WINDOW_HOURS = env_int("BILLING_REOPEN_WINDOW_HOURS", 7 * 24)

# Weekly payouts (billing/payouts): the week runs from the start weekday's midnight (0 Monday …
# 5 Saturday) to the next one in PAYOUT_TIME_ZONE; the money is sent PAYOUT_DAY_OFFSET_DAYS after
# the cut-off (2: the Monday); amounts below PAYOUT_MINIMUM_AMOUNT (in each currency) are carried.
PAYOUT_TIME_ZONE = env_str("PAYOUT_TIME_ZONE", "Europe/Dublin")
PAYOUT_WEEK_START_WEEKDAY = env_int("PAYOUT_WEEK_START_WEEKDAY", 5)
PAYOUT_DAY_OFFSET_DAYS = env_int("PAYOUT_DAY_OFFSET_DAYS", 2)
PAYOUT_MINIMUM_AMOUNT = env_str("PAYOUT_MINIMUM_AMOUNT", "10.00")
# Who is held from a payout, asked of the apps that know (billing imports none of them).
PAYOUT_HOLD_SOURCES = ["experts.profiles.selectors.expert_payout_holds"]
# The platform's account that SEPA payout files debit.
PAYOUT_BANK_ACCOUNT_NAME = env_str("PAYOUT_BANK_ACCOUNT_NAME", "Shiftline Ltd")
PAYOUT_BANK_IBAN = env_str("PAYOUT_BANK_IBAN", "IE29AIBK93115212345678")
PAYOUT_BANK_BIC = env_str("PAYOUT_BANK_BIC", "AIBKIE2D")
# Stripe Connect: the platform's secret key and the webhook endpoint's signing secret; empty
# leaves Stripe off (bank files still work). STRIPE_HTTP_CLIENT is a dotted path to a
# stripe.HTTPClient class, for tests; empty uses the SDK's own.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET", "")
STRIPE_HTTP_CLIENT = env_str("STRIPE_HTTP_CLIENT", "")
# How many times an applicant may answer the screening quiz (experts app).
SCREENING_QUIZ_MAX_ATTEMPTS = env_int("SCREENING_QUIZ_MAX_ATTEMPTS", 3)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "marketplace.access.authentication.BrandApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": ["marketplace.infra.parsers.StrictJSONParser"],
    # JSON only, errors included, whatever the Accept header (no browsable API); the schema,
    # the docs and downloads set their own.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "marketplace.infra.exception_handler.domain_exception_handler",
    # Per API key on every operation; the inbound endpoints per queue
    # (marketplace/access/throttles.py). Rates in SHIFTLINE_THROTTLE_RATES below.
    "DEFAULT_THROTTLE_CLASSES": ["marketplace.access.throttles.ApiKeyRateThrottle"],
    # The client address for per-address limits: proxies in front of the app that append to
    # X-Forwarded-For (0: the socket's peer is the client).
    "NUM_PROXIES": env_int("SHIFTLINE_TRUSTED_PROXY_COUNT", 0) or None,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shiftline API",
    "DESCRIPTION": "Hand customer inquiries to Shiftline's expert network and read the replies.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui/favicon-32x32.png",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "marketplace.infra.schema.add_error_responses",
        "marketplace.access.schema.document_scopes",
    ],
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Shiftline <support@shiftline.localhost>")
SHIFTLINE_EMAIL_DOMAIN = env_str("SHIFTLINE_EMAIL_DOMAIN", "shiftline.localhost")
# Where customers open the links Shiftline emails them without a request to build them from
# (the survey's single-use link, sent by beat).
SHIFTLINE_SITE_URL = env_str("SHIFTLINE_SITE_URL", "http://localhost:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every step of a PDF at INFO.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"},
                "fontTools": {"level": "WARNING"}},
}

# Channels in and out: first retry of a failed reply delivery after this many seconds, doubling.
SHIFTLINE_DELIVERY_RETRY_SECONDS = env_int("SHIFTLINE_DELIVERY_RETRY_SECONDS", 30)
# Largest request body the intake endpoints read (raw email with attachments included).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 25 * 1024 * 1024)
SHIFTLINE_ATTACHMENT_MAX_BYTES = env_int("SHIFTLINE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Brands' webhook URLs may not point into private networks (marketplace/infra/outbound.py), except
# in development and tests, where the helpdesk is a local server.
SHIFTLINE_OUTBOUND_ALLOW_PRIVATE = env_bool("SHIFTLINE_OUTBOUND_ALLOW_PRIVATE", False)

# Access guarding (issue 11, section 4). The README's "Throttles and lockouts" lists each
# variable. A rate is "<requests>/<second|minute|hour|day>"; an empty one turns that throttle off.
#
# Throttle counters live in this cache (Redis, its own key prefix). While Redis is down every
# throttle lets the request through and logs a warning (marketplace/infra/throttling.py): a
# broken cache must never stop intake. Short timeouts and no retries keep that quick (a hung
# Redis costs a request 0.5 s per counter, not redis-py's retries with backoff).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"{REDIS_KEY_PREFIX}:cache",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5,
                    "retry": Retry(NoBackoff(), 0)},
    }
}
SHIFTLINE_THROTTLE_RATES = {
    # every API operation, per API key (ops lift a key's limits with ApiKey.rate_limited)
    "api_key": env_str("SHIFTLINE_THROTTLE_API_KEY", "600/minute"),
    # wrong API keys, inbound tokens and webhook signatures, per client address
    "credential_failures": env_str("SHIFTLINE_THROTTLE_CREDENTIAL_FAILURES", "20/minute"),
    # the signed webhook and inbound email, per queue
    "inbound": env_str("SHIFTLINE_THROTTLE_INBOUND", "300/minute"),
    # brand sign-up and expert applications, per client address and per email address
    "signup": env_str("SHIFTLINE_THROTTLE_SIGNUP", "10/hour"),
    # password reset requests, per client address and per email address
    "password_reset": env_str("SHIFTLINE_THROTTLE_PASSWORD_RESET", "5/hour"),
    # the chat widget: chats started and messages left, per client address
    "widget_start": env_str("SHIFTLINE_THROTTLE_WIDGET_START", "10/hour"),
    # the chat widget: a conversation's messages and other posts, per conversation
    "widget_message": env_str("SHIFTLINE_THROTTLE_WIDGET_MESSAGE", "30/minute"),
    # the chat widget: reads of the queue and of a conversation, per client address
    "widget_read": env_str("SHIFTLINE_THROTTLE_WIDGET_READ", "300/minute"),
}

# Login lockout (django-axes): after SHIFTLINE_LOGIN_FAILURE_LIMIT wrong passwords for one
# account (from anywhere), or from one address (for any accounts), that account or address is
# locked out for SHIFTLINE_LOGIN_COOLOFF_MINUTES; ops lift a lockout early on the ops console's
# Lockouts page or in the admin. A successful login clears the account's count.
AXES_FAILURE_LIMIT = env_int("SHIFTLINE_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SHIFTLINE_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "frontend.lockout.login_username"
AXES_LOCKOUT_CALLABLE = "frontend.lockout.lockout_response"
AXES_IPWARE_PROXY_COUNT = env_int("SHIFTLINE_TRUSTED_PROXY_COUNT", 0) or None
# Emailed password-reset links work this long.
PASSWORD_RESET_TIMEOUT = env_int("SHIFTLINE_PASSWORD_RESET_SECONDS", 3 * 60 * 60)

# Monthly brand invoices and disputes (billing/invoices, billing/disputes). The platform's own
# details print on every invoice; VAT is decided by the brand's country against this one.
SHIFTLINE_BILLING_ZONE = env_str("SHIFTLINE_BILLING_ZONE", "Europe/Dublin")
SHIFTLINE_PLATFORM = {
    "name": env_str("SHIFTLINE_PLATFORM_NAME", "Shiftline Ltd"),
    "address": env_str("SHIFTLINE_PLATFORM_ADDRESS", "1 Example Quay, Dublin 2, Ireland"),
    "country": env_str("SHIFTLINE_PLATFORM_COUNTRY", "IE"),
    "vat_number": env_str("SHIFTLINE_PLATFORM_VAT_NUMBER", "IE6388047V"),
    "bank_name": env_str("SHIFTLINE_PLATFORM_BANK_NAME", "Example Bank"),
    "iban": env_str("SHIFTLINE_PLATFORM_IBAN", "IE29AIBK93115212345678"),
    "bic": env_str("SHIFTLINE_PLATFORM_BIC", "AIBKIE2D"),
}
SHIFTLINE_INVOICE_DUE_DAYS = env_int("SHIFTLINE_INVOICE_DUE_DAYS", 14)
SHIFTLINE_DISPUTE_WINDOW_DAYS = env_int("SHIFTLINE_DISPUTE_WINDOW_DAYS", 14)
