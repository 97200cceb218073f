from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=[], required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_("Excel (.xlsx) or CSV, with the template's header row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )
    valid_rows_only = forms.BooleanField(
        label=_("Import the valid rows even if some rows are refused"),
        required=False,
        help_text=_("Without this, one refused row stops the whole file and nothing is written."),
    )

    def __init__(self, *args, allow_valid_rows_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        from ..models import ImportJob
        from .kinds import standalone_choices

        self.fields["kind"].choices = standalone_choices(ImportJob.Kind.choices)
        if not allow_valid_rows_only:
            del self.fields["valid_rows_only"]

    def clean_kind(self):
        return self.cleaned_data.get("kind") or "roster"
