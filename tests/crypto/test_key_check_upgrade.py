"""Upgrading: `migrate` starts on a database whose key-check table lacks a column the
new code reads, and must get as far as adding it, then check the keys."""

import pytest
from django.core.management import call_command
from django.db import connection

from crypto import keycheck
from crypto.models import KeyCheck


def columns() -> set[str]:
    with connection.cursor() as cursor:
        table = connection.introspection.get_table_description(cursor, KeyCheck._meta.db_table)
    return {column.name for column in table}


@pytest.mark.django_db(transaction=True)
def test_migrate_starts_on_a_key_check_table_from_before_the_codename_key():
    call_command("migrate", "crypto", "0002", verbosity=0)
    try:
        assert "codename_fingerprint" not in columns()
        keycheck.verify_at_start()  # what manage.py migrate runs first: no error
        call_command("migrate", verbosity=0)
        assert "codename_fingerprint" in columns()
        keycheck.verify_at_start()
        assert KeyCheck.objects.get().codename_fingerprint
    finally:
        call_command("migrate", verbosity=0)
