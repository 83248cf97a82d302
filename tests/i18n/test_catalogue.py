"""The Russian catalogue is complete, well-formed, compiled, and up to date with the source."""

import gettext
import re
import shutil

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

LC_MESSAGES = settings.BASE_DIR / "locale" / "ru" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sd]|%%")
# What `makemessages --ignore=.venv --ignore=var --ignore=bench --ignore=tests` scans.
NOT_SCANNED = {".venv", "var", "bench", "tests", "locale", "static"}


@pytest.fixture(scope="module")
def po():
    return polib.pofile(str(LC_MESSAGES / "django.po"))


def test_every_message_is_translated_and_none_is_fuzzy(po):
    assert len(po) > 400
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert "fuzzy" not in po.metadata_is_fuzzy
    assert [e.msgid for e in po.obsolete_entries()] == []


def test_russian_has_three_plural_forms(po):
    assert po.metadata["Language"] == "ru"
    assert po.metadata["Plural-Forms"].startswith("nplurals=3;")
    plurals = [e for e in po if e.msgid_plural]
    assert plurals
    for entry in plurals:
        assert sorted(entry.msgstr_plural) == [0, 1, 2], entry.msgid
        assert all(entry.msgstr_plural.values()), entry.msgid


def test_placeholders_survive_translation(po):
    for entry in po:
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        found = [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values()
        for text in found:
            assert sorted(PLACEHOLDER.findall(text)) == wanted, (entry.msgid, text)


def test_the_plural_rule_picks_the_russian_forms():
    catalogue = gettext.GNUTranslations((LC_MESSAGES / "django.mo").open("rb"))
    forms = {n: catalogue.ngettext("%(n)s case", "%(n)s cases", n) for n in (1, 2, 5, 11, 21, 22)}
    assert forms == {
        1: "%(n)s дело",
        2: "%(n)s дела",
        5: "%(n)s дел",
        11: "%(n)s дел",
        21: "%(n)s дело",
        22: "%(n)s дела",
    }


def test_the_committed_mo_matches_the_po(po):
    """A fresh machine needs no gettext: the .mo in the repository is the one served."""
    with (LC_MESSAGES / "django.mo").open("rb") as f:
        catalogue = gettext.GNUTranslations(f)._catalog
    expected = {}
    for entry in po:
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for i, text in entry.msgstr_plural.items():
                expected[(key, i)] = text
        else:
            expected[key] = entry.msgstr
    compiled = {k: v for k, v in catalogue.items() if k != ""}  # "" is the header
    assert compiled == expected


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (xgettext)")
def test_the_catalogue_has_every_string_the_source_marks(po, tmp_path, monkeypatch, settings):
    """A string marked for translation but missing from django.po would show in English."""
    for source in settings.BASE_DIR.iterdir():
        if source.is_dir() and not source.name.startswith(".") and source.name not in NOT_SCANNED:
            (tmp_path / source.name).symlink_to(source)
    (tmp_path / "locale").mkdir()
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    call_command("makemessages", locale=["ru"], symlinks=True, verbosity=0)
    fresh = polib.pofile(str(tmp_path / "locale" / "ru" / "LC_MESSAGES" / "django.po"))
    marked = {(e.msgctxt, e.msgid, e.msgid_plural) for e in fresh}
    catalogued = {(e.msgctxt, e.msgid, e.msgid_plural) for e in po}
    missing = sorted(m for _, m, _ in marked - catalogued)
    assert missing == [], "makemessages, translate, compilemessages: see locale/README.md"
    stale = sorted(m for _, m, _ in catalogued - marked)
    assert stale == [], "run makemessages: these are no longer in the source"
