"""The admin site's own phrases around a model's name, reworded in our Russian catalogue.

Django's Russian admin puts the model's name, in the nominative, into
phrases written for a masculine noun: "Добавить команда", "Выберите
учётная запись для изменения", "команда … был успешно добавлен". Our
catalogue (LOCALE_PATHS wins over Django's own) gives these msgids a
wording that reads right for any noun: "Добавление: команда",
"Добавлено: команда «…»". They are listed here only so that makemessages
keeps them in locale/ru; nothing imports this module.
"""

from django.utils.translation import gettext_noop

ADMIN_PHRASES = [
    # django/contrib/admin/views/main.py: the change list's title.
    gettext_noop("Select %s"),
    gettext_noop("Select %s to change"),
    gettext_noop("Select %s to view"),
    # django/contrib/admin/options.py: the change form's title, and its messages.
    gettext_noop("Add %s"),
    gettext_noop("Change %s"),
    gettext_noop("View %s"),
    gettext_noop("The {name} “{obj}” was added successfully."),
    gettext_noop("The {name} “{obj}” was added successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was added successfully. You may add another {name} below."),
    gettext_noop("The {name} “{obj}” was changed successfully."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may edit it again below."),
    gettext_noop("The {name} “{obj}” was changed successfully. You may add another {name} below."),
    gettext_noop("The %(name)s “%(obj)s” was deleted successfully."),
    gettext_noop("%(name)s with ID “%(key)s” doesn’t exist. Perhaps it was deleted?"),
    # django/contrib/admin/templates: the "Add" button and breadcrumb, a filter's title.
    gettext_noop("Add %(name)s"),
    gettext_noop(" By %(filter_title)s "),
]
