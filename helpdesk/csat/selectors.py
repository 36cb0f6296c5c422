"""Reads for surveys: the one a customer may answer, and the leads' report."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from accounts.models import User
from helpdesk.csat.models import RatedKind, Survey
from helpdesk.csat.services import survey_open_until


def survey_for(*, user: User, kind: RatedKind, item_id: int) -> Survey | None:
    """The survey about this item asked of this user, or None (someone else's reveals
    nothing)."""
    return Survey.objects.filter(kind=kind, item_id=item_id, customer_id=user.pk).first()


def survey_about(*, kind: RatedKind, item_id: int) -> Survey | None:
    """The survey about an item, whoever it was asked of (for the emails that link to it)."""
    return Survey.objects.filter(kind=kind, item_id=item_id).first()


def survey_is_open(survey: Survey) -> bool:
    return timezone.now() <= survey_open_until(survey)


@dataclass(frozen=True)
class CsatRow:
    week: date
    kind: str
    specialist: str
    answers: int
    average: float
    satisfied_percent: float  # rated 4 or 5


def csat_report() -> list[CsatRow]:
    """Answers per week of the first answer, kind and specialist: one grouped query."""
    rows = (
        Survey.objects.filter(rating__isnull=False)
        .annotate(week=TruncWeek("first_rated_at"))
        .values("week", "kind", "specialist__full_name", "specialist__email")
        .annotate(
            answers=Count("id"),
            average=Avg("rating"),
            satisfied=Count("id", filter=Q(rating__gte=4)),
        )
        .order_by("-week", "kind", "specialist__email")
    )
    kinds = dict(RatedKind.choices)
    report = []
    for r in rows:
        name = r["specialist__full_name"] or r["specialist__email"] or "—"
        week = r["week"]
        report.append(
            CsatRow(
                week=week.date() if hasattr(week, "date") else week,
                kind=str(kinds.get(r["kind"], r["kind"])),
                specialist=name,
                answers=r["answers"],
                average=round(float(r["average"]), 2),
                satisfied_percent=round(100 * r["satisfied"] / r["answers"], 1),
            )
        )
    return report
