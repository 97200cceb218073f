from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PayAdjustment, PayReport


class PayReportForm(forms.ModelForm):
    class Meta:
        model = PayReport
        fields = [
            "teacher_pay",
            "civil_servant_pay",
            "kindergarten_income",
            "last_year_wage",
            "note",
        ]
        widgets = {
            name: forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"})
            for name in [
                "teacher_pay",
                "civil_servant_pay",
                "kindergarten_income",
                "last_year_wage",
            ]
        }


class AdjustmentForm(forms.ModelForm):
    class Meta:
        model = PayAdjustment
        fields = ["group", "effective_on", "amount", "note"]
        widgets = {
            "effective_on": forms.DateInput(attrs={"type": "date"}),
            "amount": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }
        labels = {"amount": _("Amount (yuan per person per month)")}
