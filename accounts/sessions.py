"""A database session store that keeps no usable session key.

Django's database backend stores each session under the very key the
browser presents, so a stolen copy of the table lets anyone take over a
live session. Here the table holds a keyed hash of the key (HMAC under a
key derived from SECRET_KEY): the browser's cookie still works, a copied
row does not. The async methods Django 5.x added (aload, asave, aexists,
adelete, acycle_key, ...) go through the same hash.
"""

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.db import DatabaseError, router
from django.utils import timezone


def stored_key(session_key: str) -> str:
    key = ("session-store:" + settings.SECRET_KEY).encode()
    return hmac.new(key, session_key.encode(), hashlib.sha256).hexdigest()[:40]


def account_of(data: dict) -> int | None:
    """The signed-in account's id in a session's data, as login() leaves it."""
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


class SessionStore(DbSessionStore):
    @classmethod
    def get_model_class(cls):
        from accounts.models import StaffSession

        return StaffSession

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

    async def _aget_session_from_db(self):
        if self.session_key is None:
            return None
        # Looked up by the hash directly rather than by swapping the key as
        # above: across an await, the swapped key would be what anything else
        # running meanwhile reads from this store.
        try:
            return await self.model.objects.aget(
                session_key=stored_key(self.session_key), expire_date__gt=timezone.now()
            )
        except self.model.DoesNotExist:
            self._session_key = None  # as the parent: a new session starts
            return None

    def exists(self, session_key):
        return super().exists(stored_key(session_key))

    async def aexists(self, session_key):
        return await super().aexists(stored_key(session_key))

    def create_model_instance(self, data):
        instance = super().create_model_instance(data)
        instance.session_key = stored_key(instance.session_key)
        instance.user_id = account_of(data)
        return instance

    async def acreate_model_instance(self, data):
        instance = await super().acreate_model_instance(data)
        instance.session_key = stored_key(instance.session_key)
        instance.user_id = account_of(data)
        return instance

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        super().delete(stored_key(session_key))

    async def adelete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        await super().adelete(stored_key(session_key))

    def save(self, must_create=False):
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        # One UPDATE is atomic on its own. The parent wraps it in atomic()
        # all the same: a BEGIN and a COMMIT, two more round trips on every
        # request that writes the session (each confirmation message does).
        row = self.create_model_instance(self._get_session())
        rows = self.model._default_manager.using(router.db_for_write(self.model, instance=row))
        try:
            updated = rows.filter(session_key=row.session_key).update(
                session_data=row.session_data,
                expire_date=row.expire_date,
                user_id=row.user_id,
            )
        except DatabaseError as exc:
            raise UpdateError from exc  # as the parent answers it: the session is lost
        if not updated:
            raise UpdateError  # ended elsewhere meanwhile

    async def asave(self, must_create=False):
        if must_create or self.session_key is None:
            return await super().asave(must_create=must_create)
        # As save(): one UPDATE of the hashed row, no transaction around it.
        row = await self.acreate_model_instance(await self._aget_session())
        rows = self.model._default_manager.using(router.db_for_write(self.model, instance=row))
        try:
            updated = await rows.filter(session_key=row.session_key).aupdate(
                session_data=row.session_data,
                expire_date=row.expire_date,
                user_id=row.user_id,
            )
        except DatabaseError as exc:
            raise UpdateError from exc
        if not updated:
            raise UpdateError
