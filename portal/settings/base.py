"""Settings shared by every environment. Nothing here reads a secret."""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "axes",
    "portal",
    "training",
    "talent",
    "honors",
    "compensation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.LanguageMiddleware",
    "portal.middleware.RefuseIDNumbersInURLs",
    "portal.middleware.OutOfRangeIsBadRequest",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.PrivateDataHeadersMiddleware",
    "portal.security.ContentSecurityPolicyMiddleware",
    "portal.security.RequestAddressMiddleware",
    # Last, as django-axes asks: turns a locked-out log-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out account or address first
    "django.contrib.auth.backends.ModelBackend",
]

# Log-in lockout (django-axes, pages and API tokens alike): an account, and an account at
# an address, is locked for AXES_COOLOFF_MINUTES after AXES_FAILURE_LIMIT failed log-ins; an
# address on its own only after LOCKOUT_IP_FAILURE_LIMIT failures on any accounts, far above
# what an office behind one NAT address mistypes (portal.security.LockoutHandler).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address", "username"]]
AXES_HANDLER = "portal.security.LockoutHandler"
LOCKOUT_IP_FAILURE_LIMIT = env_int("LOCKOUT_IP_FAILURE_LIMIT", 100)
AXES_CLIENT_IP_CALLABLE = "portal.security.client_ip"
AXES_USERNAME_CALLABLE = "portal.security.axes_username"  # ID numbers masked in the table
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "portal.security.lockout_response"
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False
# Behind N reverse proxies (docker-compose's Caddy proxy: 1), the client address is the one the
# outermost proxy appended to X-Forwarded-For; 0 trusts REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

# DATABASE_URL selects PostgreSQL (production, CI); without it the newcomer gets SQLite.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.passwords.CharacterClassValidator"},
]

# Interface language: Simplified Chinese by default, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"

# Sessions: idle time-out (each request extends it) and an absolute cap checked by
# portal.middleware.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {"token": "30/min"},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's three, with a JSON parser that refuses bodies nested too deep (a 400, not a 500).
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}
# A look-up by full ID number tells what the mask hides: each is audited, and an account
# may make this many an hour (page searches, API searches and roster rows naming a teacher
# outside the uploader's scope alike).
ID_LOOKUPS_PER_HOUR = env_int("ID_LOOKUPS_PER_HOUR", 30)
# An API token stops this long after its log-in, or after this long unused.
API_TOKEN_TTL_SECONDS = env_int("API_TOKEN_TTL_SECONDS", 30 * 24 * 60 * 60)
API_TOKEN_IDLE_SECONDS = env_int("API_TOKEN_IDLE_SECONDS", 8 * 60 * 60)
# /api/schema/ and /api/docs/ for anyone (local and test settings), or only for a signed-in
# user (a session or a token).
API_DOCS_PUBLIC = False

SPECTACULAR_SETTINGS = {
    "TITLE": "教师队伍建设管理平台 API",
    "DESCRIPTION": "Regions, schools, teachers and the signed-in user, scoped to the caller.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "EmploymentStatusEnum": "portal.choices.EmploymentStatus",
        "ImportStatusEnum": "portal.models.ImportJob.Status",
        "ImportRowActionEnum": "portal.models.ImportRow.Action",
        "RegionLevelEnum": "portal.choices.RegionLevel",
        "TrainingLevelEnum": "training.choices.Level",
        "TierLevelEnum": "talent.models.TierLevel",
        "TargetKindEnum": "talent.models.TargetKind",
        "ImportKindEnum": "portal.models.ImportJob.Kind",
        "AttainmentStatusEnum": "talent.models.AttainmentStatus",
        "EnrolmentStatusEnum": "talent.models.EnrolmentStatus",
    },
}

# Honour certificates embed a Chinese TrueType font: the first of these found is used
# (path, index in a .ttc collection). Debian: fonts-arphic-uming, fonts-wqy-zenhei.
CERTIFICATE_FONTS = [(path, 0) for path in env_list("CERTIFICATE_FONT_FILES", [])] + [
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
]

# Imports: what a single upload may be (a city's roster of 100,000 teachers fits).
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 400 * 1024 * 1024)
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 250)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
# A file is read in a child process with these limits (memory beyond what the process had,
# seconds); a file that would need more is refused instead of taking the worker down.
IMPORT_PARSE_MEMORY_BYTES = env_int("IMPORT_PARSE_MEMORY_BYTES", 1536 * 1024 * 1024)
IMPORT_PARSE_SECONDS = env_int("IMPORT_PARSE_SECONDS", 120)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_HANDLERS = ["portal.imports.uploads.LimitedUploadHandler"]

# Celery: eager in local and test settings, Redis in production and CI.
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 50 * 60
CELERY_TASK_TIME_LIMIT = 55 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
CELERY_RESULT_EXPIRES = 7 * 24 * 60 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # This year's candidates follow the records every night: a teacher who reaches the
    # years, a sanction that ends or begins (reviewed candidates keep their decision).
    "honours-scan-nightly": {
        "task": "honors.tasks.scan_honours",
        "schedule": crontab(hour=4, minute=0),
    },
    "talent-attainment-nightly": {
        "task": "talent.tasks.recompute_attainment",
        "schedule": crontab(hour=3, minute=0),
    },
    "training-compliance-nightly": {
        "task": "training.tasks.recompute_compliance",
        "schedule": crontab(hour=2, minute=30),
    },
    "purge-stale-uploads": {
        "task": "portal.tasks.purge_stale_uploads",
        "schedule": 60 * 60,
    },
    "purge-expired-api-tokens": {
        "task": "portal.tasks.purge_expired_tokens",
        "schedule": 24 * 60 * 60,
    },
}

# Keys for personal data at rest: one encrypts ID numbers, the other keys the lookup hash.
# Production reads both from the environment; local and test use throw-away keys.
FIELD_ENCRYPTION_KEY = ""
ID_HASH_KEY = ""

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Every line goes through the filter that masks ID numbers, whoever logs it.
    "filters": {"mask_id_numbers": {"()": "portal.logging.MaskIDNumbers"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_id_numbers"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Django's defaults give "django" and "django.server" handlers of their own
        # (runserver's access log prints query strings), which would bypass the mask.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # runserver's access log has a handler of its own in Django's defaults, which would
        # print query strings unmasked.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # redis-py gives this logger a handler of its own unless it is configured.
        "push_response": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
