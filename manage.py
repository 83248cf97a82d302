#!/usr/bin/env python
import os
import sys

# Commands that read or write no stored data may run with any keys (and
# before the first migration); every other command checks them first.
NO_DATA = {
    "check",
    "collectstatic",
    "compilemessages",
    "help",
    "makemessages",
    "makemigrations",
    "showmigrations",
    "sqlmigrate",
    "version",
    # These two check the keys themselves and say more than the start check.
    "check_keys",
    "rotate_encryption_keys",
}

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    if command not in NO_DATA and not command.startswith("-"):
        import django

        django.setup()
        from crypto.keycheck import verify_or_exit

        # The one command that may run while BLIND_INDEX_KEY is new, when told
        # the change is on purpose: it computes every index under it.
        changing = command == "rebuild_search_index" and "--new-blind-index-key" in sys.argv
        verify_or_exit(f"manage.py {command}", blind_index_key_changing=changing)
    execute_from_command_line(sys.argv)
