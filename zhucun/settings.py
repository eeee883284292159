"""Zhucun settings: one module, read from the environment with safe development defaults.

Every variable is listed in `.env.example`. Production (`DEBUG=false`) refuses to
start with the development secret key or the development encryption key.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from zhucun.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ZHUCUN_VAR_DIR", str(BASE_DIR / "var")))

DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"
# A valid Fernet key that is public: fine for demo data, refused in production.
DEV_FIELD_ENCRYPTION_KEY = "ZGV2LW9ubHktZmllbGQta2V5LWNoYW5nZS1tZS0xMjM="

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
# Newest key first; older keys still decrypt until `rotate_encryption_keys` has run.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", DEV_FIELD_ENCRYPTION_KEY)
# Keyed hash for looking up encrypted values (duplicate ID numbers) without decrypting.
FIELD_HASH_KEY = env_str("FIELD_HASH_KEY", SECRET_KEY)

if not DEBUG:
    if SECRET_KEY == DEV_SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set in production (DEBUG=false).")
    if DEV_FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_KEYS:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must be set in production (DEBUG=false).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.humanize",
    "leaflet",
    "rest_framework",
    "rest_framework_gis",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "django_q",
    "simple_history",
    "axes",
    "csp",
    "villages",
    "fieldwork",
    "grievances",
    "projects",
    "maps",
    "reports",
    "offline",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Database outage → 503, full media disk → 507, in Chinese (see also handler500 in zhucun.urls).
    "villages.middleware.FaultPagesMiddleware",
    # Last, as django-axes requires: it turns a locked-out log-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhucun.urls"
WSGI_APPLICATION = "zhucun.wsgi.application"
ASGI_APPLICATION = "zhucun.asgi.application"

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
                "villages.context_processors.navigation",
            ],
        },
    },
]


# Database: SpatiaLite file under var/ by default; DATABASE_URL=postgis://… for PostGIS.
def _database_from_url(url: str) -> dict:
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL 无法解析 / cannot be parsed: {exc}") from exc
    engine = config["ENGINE"]
    if engine in {"django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis"}:
        config["ENGINE"] = "django.contrib.gis.db.backends.postgis"
        config["CONN_HEALTH_CHECKS"] = True
        config.setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)
        # PostgreSQL's JIT costs more than it saves on our short OLTP and dashboard queries
        # (docs/performance.md: B2 29.6 s → 6.0 s, B4 10.0 s → 2.9 s); DB_JIT=on restores it.
        config["OPTIONS"]["options"] = f"-c jit={'on' if env_bool('DB_JIT', False) else 'off'}"
        config["TEST"] = {"NAME": env_str("DATABASE_TEST_NAME") or None}
    elif engine in {"django.db.backends.sqlite3", "django.contrib.gis.db.backends.spatialite"}:
        config["ENGINE"] = "django.contrib.gis.db.backends.spatialite"
        config["CONN_MAX_AGE"] = 0
        config.setdefault("OPTIONS", {})["timeout"] = 20
        # A file, not memory, so a real `qcluster` process can share the test database.
        config.setdefault("TEST", {})["NAME"] = env_str("SPATIALITE_TEST_NAME") or str(
            VAR_DIR / f"test-{os.getpid()}.sqlite3"
        )
    else:
        raise ImproperlyConfigured(
            f"DATABASE_URL 只支持 PostGIS 或 SpatiaLite / only PostGIS or SpatiaLite are supported: {engine}"
        )
    return config


DATABASE_URL = env_str("DATABASE_URL", f"spatialite:///{VAR_DIR / 'zhucun.sqlite3'}")
DATABASES = {"default": _database_from_url(DATABASE_URL)}
DATABASE_IS_POSTGIS = DATABASES["default"]["ENGINE"].endswith("postgis")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Geometry is stored in WGS-84 (CGCS2000 is treated as equal); every geometry field uses this.
GEOMETRY_SRID = 4326

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# django-q2: the ORM broker on whichever database is configured, Redis when REDIS_URL is set.
Q_CLUSTER = {
    "name": "zhucun",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": env_int("Q_TIMEOUT", 600),
    "retry": env_int("Q_RETRY", 900),
    "max_attempts": 3,
    "catch_up": False,
    "save_limit": 500,
    "label": "后台任务",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 1

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "villages.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Log-in throttling: 5 failures for one user name from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
SESSION_SAVE_EVERY_REQUEST = False

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale-overrides"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Off: a number in a template is often an id, a year or a form value ("100,001" breaks them).
# Figures shown to people are grouped on purpose: `yuan`, `mu`, `km2` and humanize's `intcomma`.
USE_THOUSAND_SEPARATOR = False
FORMAT_MODULE_PATH = ["zhucun.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    # Removes a half-written file when the disk fills up mid-upload.
    "default": {"BACKEND": "villages.storage.MediaStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads larger than this are refused with a message, never half-saved.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Zhucun API",
    "DESCRIPTION": "驻村工作平台接口 / API of the Zhucun village-work platform",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Several models have a "source" field with different choices: name each enum.
    "ENUM_NAME_OVERRIDES": {
        "CaseSourceEnum": "grievances.models.Source",
        "ProblemSourceEnum": "fieldwork.models.ProblemSource",
        "IncomeSourceEnum": "fieldwork.models.IncomeSource",
    },
}

# Basemaps: Tianditu with a key, OpenStreetMap otherwise, none with MAP_BASEMAP=none.
TIANDITU_KEY = env_str("TIANDITU_KEY")
MAP_BASEMAP = env_str("MAP_BASEMAP", "tianditu" if TIANDITU_KEY else "osm")
MAP_APPROVAL_NUMBER = env_str("MAP_APPROVAL_NUMBER", "")
# Layer endpoints: clusters instead of features past this count; cell size in screen pixels; decimals kept.
MAP_CLUSTER_THRESHOLD = env_int("MAP_CLUSTER_THRESHOLD", 3000)
MAP_CLUSTER_CELL_PX = 64
MAP_GEOJSON_PRECISION = 6
MAP_EXPORT_MAX_FEATURES = env_int("MAP_EXPORT_MAX_FEATURES", 200_000)
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (32.68, 109.03),
    "DEFAULT_ZOOM": 8,
    "MIN_ZOOM": 3,
    "MAX_ZOOM": 18,
    "RESET_VIEW": False,
    "NO_GLOBALS": True,
    "TILES": [],
}
if MAP_BASEMAP == "tianditu":
    _tdt = "https://t{s}.tianditu.gov.cn/DataServer?T=%s&x={x}&y={y}&l={z}&tk=" + TIANDITU_KEY
    LEAFLET_CONFIG["TILES"] = [
        (_("天地图矢量"), _tdt % "vec_w", {"subdomains": "01234567", "attribution": "© 天地图"}),
        (_("天地图影像"), _tdt % "img_w", {"subdomains": "01234567", "attribution": "© 天地图"}),
    ]
    LEAFLET_CONFIG["OVERLAYS"] = [
        (_("注记"), _tdt % "cva_w", {"subdomains": "01234567", "attribution": "© 天地图"}),
    ]
elif MAP_BASEMAP == "osm":
    LEAFLET_CONFIG["TILES"] = [
        (
            "OpenStreetMap",
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            {"attribution": "© OpenStreetMap contributors"},
        ),
    ]

# Attendance and fieldwork rules that vary by county are configuration, not code.
ATTENDANCE_MIN_DAYS = env_int("ATTENDANCE_MIN_DAYS", 20)
GPS_POOR_ACCURACY_M = env_int("GPS_POOR_ACCURACY_M", 50)
LEAVE_TOWNSHIP_MAX_DAYS = env_int("LEAVE_TOWNSHIP_MAX_DAYS", 3)
MONITORING_NOTICE_DAYS = env_int("MONITORING_NOTICE_DAYS", 5)
MONITORING_MAX_DAYS = env_int("MONITORING_MAX_DAYS", 15)
PHOTO_MAX_SIDE_PX = env_int("PHOTO_MAX_SIDE_PX", 1600)
# The union's payment rules: cash limit and split-payment detection (yuan, as text for Decimal).
PROJECTS_CASH_LIMIT = env_str("PROJECTS_CASH_LIMIT", "1000.00")
PROJECTS_SPLIT_LIMIT = env_str("PROJECTS_SPLIT_LIMIT", "10000.00")
PROJECTS_SPLIT_DAYS = env_int("PROJECTS_SPLIT_DAYS", 7)
PROJECTS_NOTICE_MIN_DAYS = env_int("PROJECTS_NOTICE_MIN_DAYS", 10)
PROJECTS_REPORT_DUE_DAYS = env_int("PROJECTS_REPORT_DUE_DAYS", 30)
REPORT_RUN_MAX_ATTEMPTS = env_int("REPORT_RUN_MAX_ATTEMPTS", 2)
REPORT_RUN_STALE_SECONDS = env_int("REPORT_RUN_STALE_SECONDS", 15 * 60)
# Structured rules (dispute categories and deadlines per level, required attachments per payment
# type, invoice types) have defaults in each app's conf and can be overridden here as Python values:
# GRIEVANCE_CATEGORIES, GRIEVANCE_DEADLINE_DAYS, GRIEVANCE_CATEGORY_DEADLINE_DAYS,
# GRIEVANCE_NOTIFY_CHANNELS, PROJECTS_REQUIRED_ATTACHMENTS, PROJECTS_INVOICE_TYPES.

# Content-Security-Policy: no inline script anywhere (pages pass data with json_script).
# Styles may be inline (Leaflet positions map panes with style attributes). The admin is
# excluded: django-leaflet's geometry widgets there are inline scripts, and only staff use it.
_TILE_HOSTS = ["https://*.tianditu.gov.cn", "https://tile.openstreetmap.org"]
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:", "blob:", *_TILE_HOSTS],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# GeoDjango uses the distribution's GDAL/GEOS (Debian 12: GDAL 3.6), the same libraries
# mod_spatialite links against. GDAL < 3.9 cannot block file/network access from spatial
# references; we never hand user-supplied SRS definitions to GDAL (GIS files are read by
# pyogrio's bundled GDAL 3.12, and the hosts have no outbound network). See docs/architecture.md.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# 防返贫监测 categories (local practice: configuration, not code). Codes are stored.
MONITORING_CATEGORIES = [
    ("unstable", "脱贫不稳定户"),
    ("marginal", "边缘易致贫户"),
    ("sudden", "突发严重困难户"),
]
