"""The dossier form: which files (each its working copy or its original), which case
fields, and the person's consent, as evidence.forms.ShareForm records it."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.forms import NoAutofillMixin
from evidence.dossier import DOSSIER_FIELDS, field_label
from evidence.forms import ConsentFormMixin
from evidence.models import Copy, EvidenceFile

COPY_LABELS = {
    Copy.CLEAN: _("the working copy, without metadata"),
    Copy.ORIGINAL: _("the sealed original, with its metadata"),
}


class DossierForm(NoAutofillMixin, ConsentFormMixin):
    # Values "F…:clean" / "F…:original": a reference not of this case is not a choice.
    file_copies = forms.MultipleChoiceField(
        label=_("files"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("That file is not on this case.")},
    )
    case_fields = forms.MultipleChoiceField(
        label=_("case fields"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The contact handle and the safe-contact instructions never go into a dossier."
        ),
        error_messages={"invalid_choice": _("That field cannot go into a dossier.")},
    )
    consent_given = forms.BooleanField(
        label=_("the person consented to giving these files and fields to their lawyer"),
        error_messages={"required": _("A dossier is made only with the person's consent.")},
    )

    def __init__(self, *args, files: list[EvidenceFile], **kwargs):
        super().__init__(*args, **kwargs)
        self.case_files = {file.reference: file for file in files}
        self.fields["file_copies"].choices = [
            (f"{file.reference}:{copy}", COPY_LABELS[copy])
            for file in files
            for copy in (Copy.CLEAN, Copy.ORIGINAL)
        ]
        self.fields["case_fields"].choices = [
            (name, capfirst(field_label(name))) for name in DOSSIER_FIELDS
        ]

    def clean_file_copies(self) -> list[tuple[EvidenceFile, str]]:
        chosen = []
        for value in self.cleaned_data["file_copies"]:
            reference, _sep, copy = value.partition(":")
            file = self.case_files[reference]
            if any(f.reference == reference for f, _copy in chosen):
                raise forms.ValidationError(
                    _("File %(ref)s: choose one copy, the working copy or the original."),
                    params={"ref": reference},
                )
            chosen.append((file, copy))
        return chosen

    def clean(self):
        data = super().clean()
        refused_choice = "file_copies" in self.errors or "case_fields" in self.errors
        if not (data.get("file_copies") or data.get("case_fields") or refused_choice):
            raise forms.ValidationError(
                _("Choose at least one file or one case field for the dossier.")
            )
        return data

    def file_rows(self) -> list[tuple[EvidenceFile, list]]:
        """Each file with its two boxes (working copy, original), for the page."""
        boxes = list(self["file_copies"])
        files = list(self.case_files.values())
        return [(file, boxes[2 * i : 2 * i + 2]) for i, file in enumerate(files)]
