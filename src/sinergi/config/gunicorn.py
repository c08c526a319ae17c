"""gunicorn settings: ``gunicorn -c python:sinergi.config.gunicorn sinergi.config.wsgi``.

gunicorn writes its own access and error logs before Django is loaded, outside Django's LOGGING;
these route both through the same filter that scrubs NIK/KK-like numbers from Django's lines.
"""

from __future__ import annotations

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
accesslog = "-"
# The request line without its query string: searches by name stay out of the log as well.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'

_SCRUBBED = {"filters": ["personal_numbers"], "formatter": "generic"}
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_numbers": {"()": "sinergi.core.middleware.PersonalNumberLogFilter"}},
    "formatters": {
        "generic": {"format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", **_SCRUBBED},
        "error_console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            **_SCRUBBED,
        },
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
