"""Django's async session methods store and find the same keyed hash as the sync ones."""

import pytest
from asgiref.sync import async_to_sync
from django.contrib.sessions.backends.base import UpdateError
from django.db import connection

from accounts.models import StaffSession
from accounts.sessions import SessionStore, stored_key

pytestmark = pytest.mark.django_db(transaction=True)


def stored_keys() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT session_key FROM {StaffSession._meta.db_table}")  # nosec B608
        return [row[0] for row in cursor.fetchall()]


def saved_async(**data) -> SessionStore:
    store = SessionStore()
    for key, value in data.items():
        async_to_sync(store.aset)(key, value)
    async_to_sync(store.asave)()
    return store


def test_an_async_saved_session_is_stored_under_the_hash_alone():
    store = saved_async(marker="async")
    assert store.session_key
    assert stored_keys() == [stored_key(store.session_key)]
    assert SessionStore(store.session_key)["marker"] == "async"  # the sync path reads it


def test_an_async_read_finds_a_session_by_its_cookie_and_not_by_its_row():
    store = SessionStore()
    store["marker"] = "sync"
    store.save()
    reader = SessionStore(store.session_key)
    assert async_to_sync(reader.aget)("marker") == "sync"
    assert async_to_sync(reader.aexists)(store.session_key)
    thief = SessionStore(stored_key(store.session_key))  # a key copied from the table
    assert async_to_sync(thief.aget)("marker") is None
    assert not async_to_sync(thief.aexists)(stored_key(store.session_key))


def test_an_async_change_is_written_to_the_stored_row():
    store = saved_async(marker="first")
    later = SessionStore(store.session_key)
    async_to_sync(later.aset)("marker", "second")
    async_to_sync(later.asave)()
    assert stored_keys() == [stored_key(store.session_key)]
    assert SessionStore(store.session_key)["marker"] == "second"


def test_an_async_write_to_a_session_ended_elsewhere_is_refused():
    store = saved_async(marker="first")
    later = SessionStore(store.session_key)
    assert async_to_sync(later.aget)("marker") == "first"
    SessionStore(store.session_key).delete()
    async_to_sync(later.aset)("marker", "late")
    with pytest.raises(UpdateError):
        async_to_sync(later.asave)()
    assert stored_keys() == []


def test_an_async_delete_removes_the_stored_row():
    store = SessionStore()
    store["marker"] = "gone"
    store.save()  # as a sign-in through the sync views leaves it
    async_to_sync(SessionStore(store.session_key).adelete)()
    assert stored_keys() == []


def test_an_async_new_key_replaces_the_stored_row():
    store = saved_async(marker="kept")
    before = store.session_key
    async_to_sync(store.acycle_key)()
    assert store.session_key != before
    assert stored_keys() == [stored_key(store.session_key)]
    assert SessionStore(store.session_key)["marker"] == "kept"
    async_to_sync(store.aflush)()
    assert stored_keys() == []
