"""WSGI entry point (used for measurements and by hosts without ASGI)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linsek.settings")
application = get_wsgi_application()
