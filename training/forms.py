from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import selectors
from .choices import Category, Level, Mode
from .models import RULE_FIELDS, RuleSet
from .rules import RECORD_HOURS

EVIDENCE_TYPES = (".pdf", ".jpg", ".jpeg", ".png")
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


class SelfReportForm(forms.Form):
    course_code = forms.CharField(
        label=_("Course code"),
        required=False,
        max_length=32,
        help_text=_("If the training is in the portal's course list; leave empty otherwise."),
    )
    description = forms.CharField(label=_("Training"), max_length=200, required=False)
    hours = forms.DecimalField(
        label=_("Hours"),
        min_value=RECORD_HOURS[0],
        max_value=RECORD_HOURS[1],
        decimal_places=1,
    )
    missed = forms.DecimalField(
        label=_("Hours missed"),
        min_value=0,
        max_value=500,
        decimal_places=1,
        required=False,
        help_text=_("Hours of the course you missed, if any."),
    )
    completed_on = forms.DateField(
        label=_("Completed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices)
    evidence = forms.FileField(
        label=_("Certificate"),
        help_text=_("PDF or a photo (JPG, PNG), at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, teacher, **kwargs):
        super().__init__(*args, **kwargs)
        self.teacher = teacher  # whose report: only courses on the teacher's path are known

    def clean_completed_on(self):
        value = self.cleaned_data["completed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date is in the future."))
        return value

    def clean_evidence(self):
        upload = self.cleaned_data["evidence"]
        name = upload.name.lower()
        if not name.endswith(EVIDENCE_TYPES):
            raise forms.ValidationError(_("Upload a PDF, JPG or PNG file."))
        if upload.size > EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        head = upload.read(8)
        upload.seek(0)
        if not (
            head.startswith(b"%PDF") or head.startswith(b"\xff\xd8") or head.startswith(b"\x89PNG")
        ):
            raise forms.ValidationError(_("The file is not a PDF, JPG or PNG image."))
        return upload

    def clean(self):
        data = super().clean()
        code = (data.get("course_code") or "").strip()
        if code:
            course = (
                selectors.creditable_courses(self.teacher.school.county).filter(code=code).first()
            )
            if course is None:  # unknown, or of a region not on the teacher's path: alike
                self.add_error("course_code", _("No course has this code."))
            data["course"] = course
        else:
            data["course"] = None
            if not (data.get("description") or "").strip():
                self.add_error("description", _("Name the training or give its course code."))
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason for rejection"), max_length=200, required=False)


class RuleSetForm(forms.ModelForm):
    class Meta:
        model = RuleSet
        fields = RULE_FIELDS
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}
