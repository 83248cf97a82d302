import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from crypto.keycheck import verify_at_start  # noqa: E402  (needs the apps loaded)

# Raised while gunicorn loads the app: "App failed to load", and it stops
# instead of starting another worker with the same keys.
verify_at_start()
