"""Search that decrypts nothing and stores no plaintext: keyed tokens of alias words.

Each distinct word of a case's alias is normalised (`words`) and stored as
one `SearchToken`: HMAC-SHA256 under a key derived from BLIND_INDEX_KEY,
over the case's team and the word. A search computes the same tokens for
the typed words and compares them; nothing is decrypted to search, and
neither the table nor a query holds a word or a prefix of one.

What a copy of the database without the key shows (README, "Search"):
which cases of one team share a word, how many distinct words each alias
has, and how often each (unknown) word occurs within a team. The team is
in the HMAC, so the same word in two teams gives unrelated tokens, and a
copy of this table cannot link cases across teams. Without the key nobody
can test a guess ("is there a Ruslan?"): there is no prefix or plain
hash to try words against.

A change of BLIND_INDEX_KEY, or of the folding rules below, leaves every
stored token stale: `manage.py rebuild_search_index` computes them again.
"""

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Count, QuerySet

from accounts.models import User
from crypto.blind_index import blind_index, normalise_handle
from intake.links import normalise_reference
from intake.models import Case, FlaggedHandle, MergedReference, SearchToken
from intake.selectors import cases_visible_to, team_ids

# What a search box takes: a name of several words, a handle or a phone
# number fits many times over; a longer text is not a search.
MAX_QUERY_LENGTH = 200

# --- Words -------------------------------------------------------------------
#
# The same name written by two caseworkers must give the same word: one in
# Cyrillic letters, one in Latin ones, each after the spelling habit of a
# passport (ICAO: "Iuliia"), an English text ("Yulia"), a German one
# ("Julija"), or a phone that mixed the two keyboards. The rules fold what
# those transliteration schemes disagree on, and nothing a name's spelling
# itself may vary in: "Anna" and "Ana", "Marat" and "Murat", "Alina" and
# "Alena" stay apart (tests/intake/test_search_words.py has both lists).

# Russian letters as English-language practice writes them (BGN/PCGN, close
# to what people type), and the other Cyrillic letters of the region's
# languages (Chechen and Ingush palochka, Tajik, Azerbaijani and Kazakh
# letters, Ukrainian). The digraphs are folded further below.
CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e",
    # Ё is written Е in most Russian text: "Ёлка" and "Елка" are one word.
    "ё": "e", "ж": "zh", "з": "z", "и": "i", "й": "y", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "ӏ": "", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
    "ғ": "gh", "қ": "k", "ҳ": "h", "ҷ": "dzh", "ӣ": "i", "ӯ": "u",
    "ә": "a", "ө": "o", "ү": "u", "ң": "n", "һ": "h",
}  # fmt: skip
# Latin letters whose accent is a sound of its own (Czech/scholarly ž, š, č;
# Turkish and Azerbaijani ş, ç, ğ, ə, ı): written out before accents go.
LATIN_LETTERS = {
    "ž": "zh", "š": "sh", "č": "ch", "ş": "sh", "ç": "ch", "ğ": "gh",
    "ə": "a", "ı": "i", "ł": "l", "ø": "o", "đ": "d",
}  # fmt: skip
LETTERS = str.maketrans({**CYRILLIC, **LATIN_LETTERS})

# Letters that look alike in the two alphabets. A word typed with both
# (a phone switched keyboards mid-word: "Pуслан" with a Latin P) is read in
# the alphabet most of its letters are in.
LATIN_LOOKING = "abcehkmoptxy"
CYRILLIC_LOOKING = "авсенкмортху"
TO_CYRILLIC = str.maketrans(LATIN_LOOKING, CYRILLIC_LOOKING)
TO_LATIN = str.maketrans(CYRILLIC_LOOKING, LATIN_LOOKING)

# Apostrophes stand for the soft sign ("Ol'ga", "Mar'yam") or join a name
# ("O'Neill"): dropped, not a word break.
APOSTROPHES = str.maketrans(dict.fromkeys("'’ʼ`´ʹ", ""))

VOWEL = "aeiou"
# After the digraphs below, a consonant may also be one of these placeholders
# (capitals: the text is casefolded, so none is typed).
CONSONANT = "bcdfghklmnpqrstvwxzSCZ"

# In order. Each is (pattern, replacement), applied to one word.
FOLDS = [
    # One symbol for each sound several spellings share.
    (re.compile("shch|sch|šč"), "S"),  # щ, and German "sch" (Schamil)
    (re.compile("tsch|tch"), "C"),  # German, French ч
    (re.compile("sh"), "S"),
    (re.compile("ch"), "C"),
    (re.compile("zh"), "Z"),  # ж; дж is "dzh", so d + Z
    (re.compile("dj"), "dZ"),  # French дж: Djamal, Djokhar
    (re.compile("kh"), "h"),  # х: Khadizhat, Hadizhat
    (re.compile("ph"), "f"),  # Sophia, Sofia
    (re.compile("x"), "ks"),  # Maxim, Alexei (as Maksim, Aleksei)
    (re.compile("w"), "v"),  # German в: Wladimir
    (re.compile("q"), "k"),  # Qurban, Kurban
    (re.compile("ou"), "u"),  # French у: Ioulia, Oumar
    (re.compile("j"), "y"),  # German, Polish й: Julija, Jana, Andrej
    (re.compile("yy"), "y"),  # Майя: mayya
    # The glide at the start of a word: Iuliia, Iakov (ICAO) as Yuliia, Yakov.
    (re.compile(f"^i(?=[{VOWEL}])"), "y"),
    # Е and Ё at the start: Yevgeny and Evgeny, Yolka and Ёлка.
    (re.compile("^y[eo]"), "e"),
    # Ё after a consonant: Fyodor, Pyotr, Artyom, Alyona as Fedor, Petr, Artem, Alena.
    (re.compile(f"(?<=[{CONSONANT}])yo"), "e"),
    # Ь before a vowel, or nothing: Darya, Daria; Ilya, Ilia; Maryam, Mariam.
    (re.compile(f"(?<=[{CONSONANT}])y(?=[{VOWEL}])"), "i"),
    # Ю after a consonant, often written without its glide: Lyudmila, Ludmila.
    (re.compile(f"(?<=[{CONSONANT}])iu"), "u"),
    # -ия and -ий as ICAO writes them: Yuliya, Yulia, Iuliia; Evgenii, Evgeniy.
    (re.compile(f"i[iy](?=[{VOWEL}])"), "i"),
    # Й between vowels written as i: Maia, Maya.
    (re.compile(f"(?<=[{VOWEL}])i(?=[{VOWEL}])"), "y"),
    # Й (or a final Ы) before a consonant or at the end: Aydar, Aidar;
    # Andrey, Andrei; Evgeny, Evgeni.
    (re.compile(f"(?<=.)y(?![{VOWEL}])"), "i"),
    (re.compile("ii"), "i"),
]


def _is_letter_or_digit(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"


def _split(text: str) -> list[str]:
    """Split on anything but letters, digits and combining marks; letters from digits too.

    "Sparrow17" is "Sparrow 17" as a caseworker would type it. Combining
    marks stay with their letter (their accent is dropped later).
    """
    parts, current, kind = [], [], None
    for ch in text:
        category = unicodedata.category(ch)[0]
        if category == "M" and current:
            current.append(ch)
            continue
        if category not in "LN":
            kind = None
            if current:
                parts.append("".join(current))
                current = []
            continue
        if kind is not None and category != kind and current:
            parts.append("".join(current))
            current = []
        current.append(ch)
        kind = category
    if current:
        parts.append("".join(current))
    return parts


def _one_alphabet(word: str) -> str:
    """Read a word typed in both alphabets in the one most of its letters are in."""
    cyrillic = sum("CYRILLIC" in unicodedata.name(ch, "") for ch in word)
    latin = sum("LATIN" in unicodedata.name(ch, "") for ch in word)
    if not (cyrillic and latin):
        return word
    return word.translate(TO_CYRILLIC if cyrillic >= latin else TO_LATIN)


def _without_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(ch for ch in decomposed if unicodedata.category(ch)[0] != "M")


def fold(word: str) -> str:
    """One casefolded word in its one form for either alphabet."""
    word = _one_alphabet(word).translate(LETTERS)
    word = _without_accents(word)
    for pattern, replacement in FOLDS:
        word = pattern.sub(replacement, word)
    return word


def words(text: str) -> list[str]:
    """The distinct normalised words of a text, in the order they first appear."""
    text = unicodedata.normalize("NFKC", text or "")
    # Zero-width joiners and direction marks (category Cf) hide inside a
    # pasted name and would split or change it.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = text.casefold().translate(APOSTROPHES)
    found = {}
    for part in _split(text):
        if folded := fold(part):
            found.setdefault(folded, None)
    return list(found)


# --- Tokens ------------------------------------------------------------------


def _key() -> bytes:
    # Derived, as the audit trail's and the sign-in throttle's are: a search
    # token can never equal a handle's blind index or any other keyed hash.
    return ("search-word:" + settings.BLIND_INDEX_KEY).encode()


def word_token(team_id: int, word: str) -> str:
    """The keyed token of one normalised word in one team."""
    return hmac.new(_key(), f"{team_id}:{word}".encode(), hashlib.sha256).hexdigest()


def tokens_for(team_id: int, text: str) -> list[str]:
    return [word_token(team_id, word) for word in words(text)]


def search_tokens(case: Case) -> list[SearchToken]:
    """The unsaved token rows of a case's alias (for bulk writers: seeds, the rebuild)."""
    return [SearchToken(case=case, token=token) for token in tokens_for(case.team_id, case.alias)]


def index_new_case(case: Case) -> None:
    """Write the tokens of a case just made (it has none to replace: one statement fewer)."""
    SearchToken.objects.bulk_create(search_tokens(case))


@transaction.atomic
def index_case(case: Case) -> None:
    """Replace the case's search tokens with those of its alias under its team.

    Called whenever the alias or the team changes (intake/services.py; a
    transfer to another team). A purge deletes the tokens with the case.
    """
    SearchToken.objects.filter(case=case).delete()
    SearchToken.objects.bulk_create(search_tokens(case))


def reindex_cases(cases: list[Case]) -> int:
    """Compute these cases' handle indexes and search tokens again, in the caller's transaction.

    For `rebuild_search_index`, after BLIND_INDEX_KEY (or the folding rules
    above) changed. A flagged handle whose case is among them moves to the
    new index with it; one whose cases were all purged cannot be computed
    again (only its index was kept). Run twice, it changes nothing the
    second time. Returns how many handle indexes changed.
    """
    moved: dict[str, str] = {}
    changed = []
    for case in cases:
        new = blind_index(case.contact_handle)
        if new != case.handle_index:
            if case.handle_index and new:
                moved[case.handle_index] = new
            case.handle_index = new
            changed.append(case)
    # Not save(): a re-index is no activity on the case (updated_at decides
    # when a stale request is purged).
    Case.objects.bulk_update(changed, ["handle_index"], batch_size=500)
    _move_flags(moved)
    SearchToken.objects.filter(case__in=cases).delete()
    SearchToken.objects.bulk_create([token for case in cases for token in search_tokens(case)])
    return len(changed)


def _move_flags(moved: dict[str, str]) -> None:
    """Give the flagged handles among the old indexes their new ones."""
    if not moved:
        return
    taken = set(
        FlaggedHandle.objects.filter(handle_index__in=moved.values()).values_list(
            "handle_index", flat=True
        )
    )
    keep = []
    for flag in FlaggedHandle.objects.filter(handle_index__in=moved):
        new = moved[flag.handle_index]
        if new in taken:
            flag.delete()  # flagged under the new key already: one flag is enough
        else:
            flag.handle_index = new
            taken.add(new)
            keep.append(flag)
    FlaggedHandle.objects.bulk_update(keep, ["handle_index"])


# --- Searching ---------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """What a typed search can mean: a reference, a handle or phone, alias words."""

    reference: str | None
    handle_index: str
    words: list[str]

    @property
    def empty(self) -> bool:
        return not (self.reference or self.handle_index or self.words)


def parse(text: str) -> Query:
    # A handle is letters or digits, whatever else it has: emoji and marks
    # alone are nothing to look up (and would be an index of their own).
    handle = normalise_handle(text)
    has_handle = any(_is_letter_or_digit(ch) for ch in handle)
    return Query(
        reference=normalise_reference(text),
        handle_index=blind_index(text) if has_handle else "",
        words=words(text),
    )


def search_cases(user: User, query: Query) -> QuerySet[Case]:
    """The user's visible cases this query finds, unordered, for the case list to filter and sort.

    A case matches by its reference (or a reference merged into it), by its
    contact handle's blind index, or by having every word of the query in
    its alias. All of it is one `pk IN (… UNION …)` subquery: each branch
    is an index lookup, so the database reads the few matching cases by
    key. The same conditions joined by OR test every case of the team: at
    100,000 cases a search with one match took 29-38 ms for its page and
    28-65 ms for its count, against 1-4 ms this way (bench/README.md).
    """
    visible = cases_visible_to(user)
    teams = team_ids(user)
    if query.empty or not teams:
        return visible.none()
    branches = []
    if query.reference:
        branches.append(Case.objects.filter(reference=query.reference).values("pk"))
        branches.append(MergedReference.objects.filter(reference=query.reference).values("case_id"))
    if query.handle_index:
        branches.append(
            Case.objects.filter(handle_index=query.handle_index, team__in=teams).values("pk")
        )
    if query.words:
        branches.append(_having_every_word(teams, query.words))
    # Unordered: a compound statement takes no ORDER BY in its parts (Case has one by default).
    first, *rest = [branch.order_by() for branch in branches]
    return visible.filter(pk__in=first.union(*rest) if rest else first)


def _having_every_word(teams: Iterable[int], found: list[str]) -> QuerySet:
    """Cases holding a token for every word: a case holds only its own team's tokens,
    so counting its matching rows counts the words it has."""
    tokens = [word_token(team, word) for team in teams for word in found]
    return (
        SearchToken.objects.filter(token__in=tokens)
        .values("case_id")
        .annotate(found=Count("token"))
        .filter(found=len(found))
        .values("case_id")
    )
