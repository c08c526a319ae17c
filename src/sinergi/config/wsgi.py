import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.config.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: refuse to serve rows whose key is missing (see core.checks).
from sinergi.core.checks import refuse_without_keys  # noqa: E402

refuse_without_keys()
