"""A minimal Django project for node-axes' shared-database test (test/django/django-interop.test.ts).

Debian 12's python3-django-axes 5.39 on python3-django 3.2. The database comes from the
environment variable AXES_DJANGO_DATABASE: a PostgreSQL URL (postgres://user:password@host:port/db),
a MariaDB/MySQL URL (mysql://user:password@host:port/db) or an SQLite file path (a leading sqlite:
is dropped).

django-axes 5.39 predates AXES_LOCKOUT_PARAMETERS: with none of AXES_ONLY_USER_FAILURES,
AXES_LOCK_OUT_BY_COMBINATION_USER_AND_IP, AXES_LOCK_OUT_BY_USER_OR_IP and AXES_USE_USER_AGENT set,
it counts by IP address alone, which is node-axes' lockoutParameters: ['ip_address'].
"""

import os
from datetime import timedelta
from urllib.parse import unquote, urlsplit

SECRET_KEY = "node-axes-interop-test-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "urls"
USE_TZ = True
# Not UTC on purpose: with USE_TZ, Django stores UTC whatever TIME_ZONE says, and so must node-axes.
TIME_ZONE = "Europe/Helsinki"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "axes",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# ModelBackend hashes a password even for an unknown user; the fastest hasher keeps each call quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AXES_FAILURE_LIMIT = 3
AXES_COOLOFF_TIME = timedelta(hours=1)
# 8.3.1's default (since 6.1.0; 5.39's is []), which node-axes follows: get_data/post_data mask the
# username as well as the password.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address"]


def _server(engine, value, **extra):
    url = urlsplit(value)
    return {
        "ENGINE": engine,
        "NAME": unquote(url.path.lstrip("/")),
        "USER": unquote(url.username or ""),
        "PASSWORD": unquote(url.password or ""),
        "HOST": url.hostname or "",
        "PORT": str(url.port or ""),
        **extra,
    }


def _database(value):
    if value.startswith(("postgres://", "postgresql://")):
        return _server("django.db.backends.postgresql", value)
    if value.startswith(("mysql://", "mariadb://")):
        # Django 3.2's MySQL backend on python3-mysqldb (mysqlclient 1.4.6). utf8mb4, as node-axes'
        # connections and the test server use; strict mode, as Django's check mysql.W002 asks.
        # With USE_TZ, Django writes and reads datetime(6) as naive UTC on MySQL, whatever the
        # session's time_zone: this one is not UTC on purpose (node-axes' sessions keep the
        # server's), so that a side leaning on its session's clock would show in the rows.
        return _server(
            "django.db.backends.mysql",
            value,
            OPTIONS={
                "charset": "utf8mb4",
                "init_command": "SET sql_mode='STRICT_TRANS_TABLES', time_zone='+02:00'",
            },
        )
    path = value[len("sqlite:") :] if value.startswith("sqlite:") else value
    return {"ENGINE": "django.db.backends.sqlite3", "NAME": path}


_url = os.environ.get("AXES_DJANGO_DATABASE")
if not _url:
    raise RuntimeError(
        "set AXES_DJANGO_DATABASE to an SQLite file path, a postgres:// or a mysql:// URL"
    )
DATABASES = {"default": _database(_url)}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # django-axes logs every failure at WARNING; the test reads stdout only, stderr on errors.
    "loggers": {"axes": {"level": "ERROR"}},
}
