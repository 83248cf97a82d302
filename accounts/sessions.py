"""A database session store that keeps no usable session key.

Django's database backend stores each session under the very key the
browser presents, so a stolen copy of the table lets anyone take over a
live session. Here the table holds a keyed hash of the key (HMAC under a
key derived from SECRET_KEY): the browser's cookie still works, a copied
row does not.
"""

import hashlib
import hmac

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore


def stored_key(session_key: str) -> str:
    key = ("session-store:" + settings.SECRET_KEY).encode()
    return hmac.new(key, session_key.encode(), hashlib.sha256).hexdigest()[:40]


class SessionStore(DbSessionStore):
    def _get_session_from_db(self):
        if self.session_key is None:
            return None
        real = self._session_key
        # The parent looks the row up by self.session_key: give it the hash.
        self._session_key = stored_key(real)
        try:
            session = super()._get_session_from_db()
        finally:
            if self._session_key is not None:
                self._session_key = real
        return session

    def exists(self, session_key):
        return super().exists(stored_key(session_key))

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        instance.session_key = stored_key(instance.session_key)
        return instance

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        super().delete(stored_key(session_key))
