"""Alias words: one name in Cyrillic or Latin letters, in the usual spellings, is one word.

Every spelling below is written out by hand from how these names are
written in passports (ICAO: "Iuliia", "Evgenii"), in English-language
text ("Yulia", "Evgeny"), German ("Julija", "Jewgeni"), French
("Ioulia", "Djamal") and scholarly transliteration ("Hadižat"), and how
people type them. None is computed from the code under test.
"""

import pytest

from intake.search import words

# Each group: spellings of one name that must fold to one word.
SAME_NAME = [
    ["Руслан", "Ruslan", "RUSLAN", "ruslan"],
    ["Юлия", "Yulia", "Julia", "Iuliia", "Yuliya", "Julija", "Ioulia"],
    ["Хадижат", "Khadizhat", "Hadizhat", "Hadižat", "ХАДИЖАТ"],
    ["Ёлка", "Елка", "Elka", "Yolka", "Jolka"],
    ["Евгений", "Evgeny", "Yevgeny", "Evgenii", "Evgeniy", "Evgenij", "Jewgeni"],
    ["Дарья", "Darya", "Daria", "Darja", "Dariya", "Dar'ya"],
    ["Людмила", "Lyudmila", "Ludmila", "Liudmila", "Ljudmila"],
    ["Фёдор", "Фeдор", "Fyodor", "Fedor", "Fjodor", "Fëdor"],
    ["Артём", "Artyom", "Artem", "Artjom"],
    ["Алёна", "Alyona", "Alena", "Aljona"],
    ["Андрей", "Andrey", "Andrei", "Andrej"],
    ["Айдар", "Aydar", "Aidar", "Ajdar"],
    ["Майя", "Maya", "Maia", "Maja"],
    ["Марьям", "Мариям", "Maryam", "Mariam", "Mariyam", "Mar'yam", "Mar’yam"],
    ["Илья", "Ilya", "Ilia", "Ilja", "Iliya"],
    ["Шамиль", "Shamil", "Schamil", "Šamil"],
    ["Джамал", "Dzhamal", "Djamal"],
    ["Хаджимурад", "Khadzhimurad", "Hadzhimurad", "Hadjimurad"],
    ["Зелимхан", "Zelimkhan", "Zelimhan"],
    ["Максим", "Maksim", "Maxim"],
    ["Ксения", "Kseniya", "Ksenia", "Xenia", "Kseniia"],
    ["Софья", "Sofya", "Sofia", "Sophia", "Sofiya"],
    ["Владимир", "Vladimir", "Wladimir"],
    ["Курбан", "Kurban", "Qurban"],
    ["Умар", "Umar", "Oumar"],
    ["Яна", "Yana", "Jana", "Iana"],
    ["Юнус", "Yunus", "Junus", "Iunus"],
    ["Наталья", "Natalya", "Natalia", "Natalja", "Nataliya"],
    ["Ольга", "Olga", "Ol'ga"],
    ["Нелли", "Nelli", "Nelly"],
    ["Яхья", "Yahya", "Yakhya", "Yakhia"],
    ["Айшат", "Ayshat", "Aishat", "Ajshat"],
    ["Чингиз", "Chingiz", "Çingiz", "Čingiz"],
    ["Ахмед", "Akhmed", "Ahmed"],
    ["Сергей", "Sergey", "Sergei", "Sergej"],
    ["Юрий", "Yuriy", "Yury", "Iurii", "Jurij", "Yuri"],
    ["Эльвира", "Elvira"],
    ["Хеда", "Kheda", "Heda"],
]

# Different names (or a name and its other-gender form), however close:
# folding them would show a caseworker someone else's case as a match.
DIFFERENT_NAMES = [
    ("Марат", "Мурат"),
    ("Alina", "Alena"),
    ("Elena", "Alena"),
    ("Руслан", "Руслана"),
    ("Yana", "Ana"),
    ("Яна", "Ана"),
    ("Мария", "Мара"),
    ("Дарья", "Дара"),
    ("Anna", "Ana"),
    ("Иса", "Исса"),
    ("Said", "Saida"),
    ("Islam", "Aslan"),
    ("Amina", "Amira"),
    ("Ali", "Alia"),
    ("Emin", "Amin"),
    ("Timur", "Tamir"),
    ("Madina", "Medina"),
    ("Ilya", "Ilyas"),
    ("Хасан", "Хусейн"),
    ("Denis", "Dionis"),
    ("Liana", "Lana"),
    ("Sasha", "Masha"),
]


@pytest.mark.parametrize("spellings", SAME_NAME, ids=lambda group: group[1])
def test_it_folds_every_spelling_of_a_name_to_one_word(spellings):
    found = {tuple(words(spelling)) for spelling in spellings}
    assert len(found) == 1, {spelling: words(spelling) for spelling in spellings}
    assert len(found.pop()) == 1


@pytest.mark.parametrize(("one", "other"), DIFFERENT_NAMES, ids=lambda name: name)
def test_it_keeps_different_names_apart(one, other):
    assert words(one) != words(other)


def test_the_brief_s_own_examples_hold():
    assert words("Руслан") == words("Ruslan")
    assert words("Юлия") == words("Yulia") == words("Julia") == words("Iuliia")
    assert words("Хадижат") == words("Khadizhat") == words("Hadizhat")
    assert words("Ёлка") == words("Elka")


def test_it_splits_on_anything_but_letters_and_digits_and_keeps_each_word_once():
    assert words("Ruslan  Magomedov-Ruslan, (R.)") == ["ruslan", "magomedov", "r"]


def test_it_splits_letters_from_digits_as_a_caseworker_types_them():
    assert words("Sparrow17") == words("Sparrow 17") == ["sparrov", "17"]


def test_an_apostrophe_joins_a_name_instead_of_splitting_it():
    assert words("O'Neill") == words("ONeill")
    assert len(words("Ol'ga")) == 1


def test_it_ignores_invisible_characters_inside_a_name():
    # A zero-width space and a right-to-left mark pasted from a messenger.
    assert words("Рус\u200bлан") == words("Руслан")
    assert words("\u200fRuslan\u200e") == words("Ruslan")


def test_it_reads_full_width_and_styled_letters_as_plain_ones():
    assert words("Ｒｕｓｌａｎ") == words("Ruslan")
    assert words("𝐑𝐮𝐬𝐥𝐚𝐧") == words("Ruslan")


def test_it_drops_accents_and_stray_combining_marks():
    assert words("Rüslán") == words("Ruslan")
    assert words("R\u0336uslan") == words("Ruslan")  # struck through


def test_a_word_typed_in_both_alphabets_is_read_in_the_one_most_letters_are_in():
    # A phone that switched keyboards: Latin P, C and y among Cyrillic letters.
    assert words("Pуслан") == words("Руслан")
    assert words("Cветлана") == words("Светлана")
    assert words("Rusлan") == words("Ruslan")


def test_text_with_no_letters_or_digits_has_no_words():
    for text in ["", "   ", "🏳️‍🌈", "\u200b\u200d\ufeff", "—", "!!!"]:
        assert words(text) == []


def test_other_alphabets_pass_through_casefolded():
    assert words("ΑΘΗΝΑ") == ["αθηνα"]
    assert words("Ağa") == words("Agha")
