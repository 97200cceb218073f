from .models import TrainingSummary


def training_panel(request, teacher):
    summary = TrainingSummary.objects.filter(teacher=teacher).first()
    if summary is None:
        return None
    return {
        "template": "training/_teacher_summary.html",
        "summary": summary,
        "is_self": request.user.teacher_id == teacher.pk,
    }
