"""Pay parity pages: a region's counties coloured by parity status with the three checks,
a trend chart per county, export to Excel; a county's page to enter its report and its
adjustments."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import permissions
from portal import rules as kernel_rules
from portal.imports import workbooks
from portal.models import Region
from portal.scope import scope_queryset
from portal.security import client_ip
from portal.selectors import home_region
from portal.services import audit_record

from . import selectors, services
from .forms import AdjustmentForm, PayReportForm
from .models import PayAdjustment


def _staff(user) -> bool:
    return permissions.is_bureau_staff(user)


def _region(request, pk) -> Region:
    if not _staff(request.user):
        raise Http404
    return get_object_or_404(scope_queryset(request.user, Region.objects.all()), pk=pk)


def _year(request, region) -> int:
    raw = request.GET.get("year", "")
    year = kernel_rules.small_int(raw, digits=4)
    if year and 2000 <= year <= timezone.localdate().year:
        return year
    years = selectors.years_reported(request.user, region)
    return years[0] if years else timezone.localdate().year - 1


@login_required
def pay_home(request):
    region = home_region(request.user) if _staff(request.user) else None
    if region is None:
        raise Http404
    return redirect("pay_region", region.pk)


def _chart(reports, *, width=150, height=46, pad=5) -> dict:
    """Teachers' and civil servants' average pay over the years, one small chart a county."""
    points = [r for r in reports if r.teacher_pay and r.civil_servant_pay]
    if len(points) < 2:
        return {}
    values = [float(v) for r in points for v in (r.teacher_pay, r.civil_servant_pay)]
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    years = [r.year for r in points]

    def xy(index, value):
        x = pad + (width - 2 * pad) * index / (len(points) - 1)
        y = height - pad - (height - 2 * pad) * (float(value) - low) / span
        return f"{x:.1f},{y:.1f}"

    return {
        "width": width,
        "height": height,
        "teachers": " ".join(xy(i, r.teacher_pay) for i, r in enumerate(points)),
        "civil": " ".join(xy(i, r.civil_servant_pay) for i, r in enumerate(points)),
        "first": years[0],
        "last": years[-1],
        "low": low,
        "high": high,
    }


@login_required
def pay_region(request, pk):
    region = _region(request, pk)
    year = _year(request, region)
    results = selectors.county_results(request.user, region, year)
    if region.level == "county":
        return _county_page(request, region, year, results[0] if results else None)
    from . import rules

    trends = selectors.trend([r.county for r in results], until=year)
    rows = selectors.parts(region, results)
    for row in rows:
        if row["result"] is not None:
            row["chart"] = _chart(trends.get(row["region"].pk, []))
    return render(
        request,
        "compensation/region.html",
        {
            "region": region,
            "year": year,
            "years": selectors.years_reported(request.user, region),
            "rows": rows,
            "rollup": rules.rollup([r.status for r in results]),
        },
    )


def _county_page(request, county, year, result):
    user = request.user
    report_form = PayReportForm(instance=result.report if result else None, prefix="report")
    adjustment_form = AdjustmentForm(prefix="adj")
    if request.method == "POST" and "report-teacher_pay" in request.POST:
        report_form = PayReportForm(request.POST, prefix="report")
        if report_form.is_valid():
            try:
                _report, changed = services.pay_report_save(
                    county=county,
                    year=year,
                    values=report_form.cleaned_data,
                    actor=user,
                    ip_address=client_ip(request),
                )
            except ValidationError as exc:
                report_form.add_error(None, exc)
            else:
                messages.success(
                    request, _("The report is saved.") if changed else _("Nothing changed.")
                )
                return redirect(f"{reverse('pay_region', args=[county.pk])}?year={year}")
    elif request.method == "POST":
        adjustment_form = AdjustmentForm(request.POST, prefix="adj")
        if adjustment_form.is_valid():
            try:
                services.adjustment_create(
                    county=county,
                    actor=user,
                    ip_address=client_ip(request),
                    **adjustment_form.cleaned_data,
                )
            except ValidationError as exc:
                adjustment_form.add_error(None, exc)
            else:
                messages.success(request, _("The adjustment is recorded."))
                return redirect(f"{reverse('pay_region', args=[county.pk])}?year={year}")
    trend = selectors.trend([county], until=year)[county.pk]
    return render(
        request,
        "compensation/county.html",
        {
            "region": county,
            "year": year,
            "years": selectors.years_reported(user, county),
            "result": result,
            "report_form": report_form,
            "adjustment_form": adjustment_form,
            "chart": _chart(trend, width=560, height=180, pad=20),
            "trend": trend,
        },
    )


@login_required
@require_POST
def adjustment_delete(request, pk):
    if not _staff(request.user):
        raise Http404
    adjustment = get_object_or_404(scope_queryset(request.user, PayAdjustment.objects.all()), pk=pk)
    county, year = adjustment.county, adjustment.effective_on.year
    services.adjustment_delete(
        adjustment=adjustment, actor=request.user, ip_address=client_ip(request)
    )
    messages.success(request, _("The adjustment is removed."))
    return redirect(f"{reverse('pay_region', args=[county.pk])}?year={year}")


STATUS_WORDS = {"met": "达标", "not_met": "未达标", "incomplete": "数据不全"}


@login_required
def pay_export(request, pk):
    region = _region(request, pk)
    year = _year(request, region)
    results = selectors.county_results(request.user, region, year)

    def money(value):
        return float(value) if value is not None else ""

    rows = (
        [
            r.county.code,
            r.county.name,
            year,
            money(r.report.teacher_pay if r.report else None),
            money(r.report.civil_servant_pay if r.report else None),
            money(r.parity.gap),
            float(r.parity.gap_pct) if r.parity.gap_pct is not None else "",
            STATUS_WORDS[r.parity.status],
            money(r.report.kindergarten_income if r.report else None),
            money(r.report.last_year_wage if r.report else None),
            STATUS_WORDS[r.kindergarten.status],
            STATUS_WORDS[r.in_step.status],
            "；".join(r.in_step.notes),
            STATUS_WORDS[r.status],
        ]
        for r in results
    )
    body = workbooks.table_xlsx(
        [
            "区县代码",
            "区县",
            "年度",
            "义务教育教师年平均工资（元）",
            "公务员年平均工资（元）",
            "差额（元）",
            "差额（%）",
            "教师不低于公务员",
            "非在编幼儿园教师年平均收入（元）",
            "上年度在岗职工年平均工资（元）",
            "幼儿园教师收入",
            "调资同步",
            "调资说明",
            "总体",
        ],
        rows,
        title=f"{region.name}{year}年教师工资待遇",
    )
    audit_record(actor=request.user, action="pay.export", region=region, detail={"year": year})
    response = HttpResponse(body, content_type=workbooks.XLSX_CONTENT_TYPE)
    name = f"教师工资待遇-{region.name}-{year}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
