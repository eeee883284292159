"""The environment the benchmark runs in: production settings with bench-only secrets.

The generator and the web server must share the encryption keys (the generator writes
Fernet tokens the app reads), so both take them from here. These secrets protect
synthetic data only; they are not development defaults, so `DEBUG=false` accepts them.
"""

import base64
import os

DEFAULT_DATABASE_URL = "postgis://postgres@127.0.0.1:5432/zhucun_bench"
# Redis database 9 is the benchmark's own (other work on this machine uses other numbers).
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
BENCH_SECRET_KEY = "bench-only-secret-key-synthetic-data-5f1c2e7a9b"
BENCH_FIELD_KEY = base64.urlsafe_b64encode(b"bench-only-field-key-synthetic-1").decode()
BENCH_PASSWORD = "bench-pass-2026"


def bench_environ(database_url: str, redis_url: str | None = None) -> dict[str, str]:
    """Variables for a production-settings process (DEBUG=false) on loopback over plain HTTP."""
    env = {
        "DJANGO_SETTINGS_MODULE": "zhucun.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": BENCH_FIELD_KEY,
        "FIELD_HASH_KEY": BENCH_SECRET_KEY,
        # Loopback without TLS: no redirect to https, cookies not marked Secure.
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "600",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def apply(database_url: str, redis_url: str | None = None) -> None:
    """Set the bench environment in this process (before `django.setup()`)."""
    os.environ.update(bench_environ(database_url, redis_url))
