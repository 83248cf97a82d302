"""Build ru.txt, the Russian codename words, from wordfreq and pymorphy3.

Not run by the application or the tests: the list is committed, so a
codename never depends on a library's next release. To rebuild it:

    python -m venv /tmp/wl && /tmp/wl/bin/pip install wordfreq pymorphy3 pymorphy3-dicts-ru
    /tmp/wl/bin/python portal/wordlists/make_ru.py > portal/wordlists/ru.txt

A word is kept when it is among the 80,000 most frequent Russian words
(wordfreq), four to eight plain Cyrillic letters (no ё, no й-free
spelling trouble), known to the OpenCorpora dictionary (pymorphy3) and read
first as an inanimate noun in the nominative singular, with no reading that
is a name, a place, an abbreviation, slang, archaic or a person (that drops
the slurs, which are animate). Then the stems below go: words a person in
danger should not be handed as their name for us (violence, police,
prison, sex, drugs, obscenities).
"""

import re
import sys

import pymorphy3
import wordfreq

TOP = 80_000
LETTERS = re.compile(r"[а-я]{4,8}")
BAD_TAGS = {
    "Name",
    "Surn",
    "Patr",
    "Geox",
    "Orgn",
    "Trad",
    "Abbr",
    "Infr",
    "Slng",
    "Arch",
    "Litr",
    "Erro",
    "Dist",
    "Init",
    "anim",
    "Fixd",
    "Pltm",
    "Sgtm",
    "Inmx",
}
BLOCKED_STEMS = (
    "арест",
    "бомб",
    "взрыв",
    "войн",
    "вор",
    "гей",
    "гомо",
    "гроб",
    "допрос",
    "дроч",
    "жоп",
    "задерж",
    "казн",
    "каторг",
    "кров",
    "лесб",
    "мент",
    "мог",
    "наркот",
    "насил",
    "оруж",
    "пидо",
    "пизд",
    "полиц",
    "порн",
    "пулем",
    "пыт",
    "расстрел",
    "самосуд",
    "секс",
    "смерт",
    "срам",
    "суд",
    "террор",
    "труп",
    "тюрьм",
    "убий",
    "убит",
    "хуй",
    "хуя",
    "ебл",
    "ебат",
    "блуд",
    "бляд",
    "бляха",
    "гашиш",
    "кокаин",
    "героин",
    "похорон",
    "кладбищ",
    "погост",
    "травм",
    "ран",
    "шлюх",
    "член",
    "анал",
    "оргаз",
    "презерв",
    "взятк",
    "чечн",
    "кадыр",
    "ислам",
    "христ",
    "церк",
    "мечет",
    "аллах",
    "бог",
    "аннекс",
    "халифат",
    "шахид",
    "джихад",
    "санкц",
    "тесак",
    "нож",
    "пистолет",
    "ружь",
    "автомат",
    "граната",
    "снаряд",
    "плен",
    "заложн",
    "розыск",
    "обыск",
    "приговор",
    "штраф",
    "тюрем",
    "конч",
    "упоко",
    "агони",
    "мертв",
    "покойн",
    "скорб",
    "траур",
    "усопш",
    "боль",
    "страх",
    "ужас",
    "плач",
    "слез",
    "рак",
    "инфаркт",
    "инсульт",
    "сифил",
    "вич",
    "спид",
    "изнас",
    "стыд",
    "фашиз",
    "нацис",
    "отстой",
    "гибел",
    "самоуб",
    "яд",
    "палач",
    "побо",
    "избие",
)


def words() -> list[str]:
    morph = pymorphy3.MorphAnalyzer()
    kept: list[str] = []
    for word in wordfreq.top_n_list("ru", TOP):
        if not LETTERS.fullmatch(word) or not morph.word_is_known(word):
            continue
        if any(word.startswith(stem) for stem in BLOCKED_STEMS):
            continue
        parses = morph.parse(word)
        tags = [set(str(p.tag).replace(" ", ",").split(",")) for p in parses]
        if any(BAD_TAGS & tag for tag in tags):
            continue
        first = parses[0]
        if first.tag.POS != "NOUN" or "nomn" not in first.tag or "sing" not in first.tag:
            continue
        if first.normal_form != word:
            continue
        kept.append(word)
    return sorted(set(kept))


if __name__ == "__main__":
    sys.stdout.write("\n".join(words()) + "\n")
