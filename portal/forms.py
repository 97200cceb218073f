from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import rules
from .choices import EmploymentStatus, ProfessionalTitle, Staffing, Stage


class IDNumberFormField(forms.CharField):
    """Accepts an ID number as people type it (full-width digits, spaces, lowercase x) and
    cleans it to the canonical 18 characters, or refuses it with the rule's message."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        try:
            return rules.parse_id_number(value, today=timezone.localdate()).value
        except rules.IDNumberError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


def _blank(choices):
    return [("", _("All")), *choices]


class TeacherSearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), required=False)
    id_number = IDNumberFormField(label=_("ID number"), required=False)
    school = forms.IntegerField(required=False, widget=forms.HiddenInput)
    county = forms.ChoiceField(label=_("County"), required=False)
    stage = forms.ChoiceField(
        label=_("Teaching stage"), required=False, choices=_blank(Stage.choices)
    )
    staffing = forms.ChoiceField(
        label=_("Staffing"), required=False, choices=_blank(Staffing.choices)
    )
    professional_title = forms.ChoiceField(
        label=_("Professional title"), required=False, choices=_blank(ProfessionalTitle.choices)
    )
    full_time = forms.ChoiceField(
        label=_("Full-time teacher"),
        required=False,
        choices=[("", _("All")), ("1", _("Yes")), ("0", _("No"))],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=_blank(EmploymentStatus.choices),
        initial=EmploymentStatus.SERVING,
    )

    def __init__(self, *args, counties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = _blank([(str(pk), name) for pk, name in counties])
        if not counties:
            del self.fields["county"]


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


# The audit page's kinds of action, each a pattern over the action names (``teacher.update``,
# ``pay.export``): the services' own names and those the admin gives (model name and verb).
AUDIT_KINDS = {
    "teacher": (_("Teachers"), r"^(teacher|ethics_record|service_period)\."),
    "reveal": (_("ID number reveals"), r"^teacher\.(reveal_id_number|find_by_id_number)$"),
    "import": (_("Imports"), r"^import\."),
    "export": (_("Exports and certificates"), r"(export|certificates|error_workbook)"),
    "training": (_("Training records"), r"^(training|course|provider|rule_set)"),
    "talent": (
        _("Titles and programmes"),
        r"^(title|enrolment|programme|tier|target|studio|rotation)\.",
    ),
    "honours": (_("Honours"), r"^(honours|honour_type|award|candidate)\."),
    "pay": (_("Pay reports"), r"^(pay|parity_rule)"),
    "account": (_("Users and log-ins"), r"^(user|login|logout|token)"),
}


class AuditFilterForm(forms.Form):
    q = forms.CharField(label=_("User, object or action"), required=False, max_length=100)
    action = forms.ChoiceField(
        label=_("Kind of action"),
        required=False,
        choices=[("", _("All")), *((key, label) for key, (label, _pattern) in AUDIT_KINDS.items())],
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
