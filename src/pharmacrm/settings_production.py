"""Production settings: the embedded defaults plus HTTPS-only hardening.

Select with ``DJANGO_SETTINGS_MODULE=pharmacrm.settings_production``. ``SECRET_KEY`` and
``ALLOWED_HOSTS`` must come from the environment here: a generated local key would differ per
machine and break sessions behind a load balancer, so its absence is an error, not a default.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

# Checked before the base settings load: they would otherwise write a generated key to var/.
if not os.environ.get("SECRET_KEY"):
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment for production.")
if not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set in the environment for production.")

from pharmacrm.settings import *  # noqa: E402, F403
from pharmacrm.settings import _mailers  # noqa: E402

# Without EMAIL_URL the embedded default prints mail to the console (mail.E001 in production):
# hand it to the host's mail transfer agent instead, as Django's own default does.
MAILERS = _mailers(os.environ.get("EMAIL_URL") or "smtp://localhost:25")

DEBUG = False
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# /healthz is probed over plain HTTP by load balancers inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
