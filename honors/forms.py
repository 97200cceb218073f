from django import forms
from django.utils.translation import gettext_lazy as _


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(label=_("Reason (required to reject)"), max_length=200, required=False)


class NominateForm(forms.Form):
    honour = forms.IntegerField(label=_("Honour"))
    id_number = forms.CharField(label=_("ID number"), max_length=40)
    note = forms.CharField(label=_("Why"), max_length=200, required=False)
