"""Satisfaction surveys: opened by the tickets and chat services when an item is solved
or ends, answered by its customer in the dialog, on the ticket page or through the
signed link of the email."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.permissions import is_customer
from helpdesk.core.links import portal_url
from helpdesk.core.textclean import clean_text, limit_message
from helpdesk.csat.models import RatedKind, Survey
from helpdesk.csat.permissions import can_rate

COMMENT_MAX = 2_000
_LINK_SALT = "helpdesk.csat.link"

RATING_OUT_OF_RANGE = _("Choose a rating from 1 to 5.")
COMMENT_TOO_LONG = limit_message(_("Keep the comment to {limit} characters or fewer."), COMMENT_MAX)
WINDOW_PASSED = _("This rating can no longer be changed.")
LINK_INVALID = _("This rating link is not valid. Open the item in the portal to rate it.")
NOT_YOURS = _("Only the customer who was helped can rate this.")


def survey_open(
    *, kind: RatedKind, item_id: int, customer: User, specialist: User | None
) -> Survey | None:
    """Ask the customer for a rating (the item was solved or ended). Once per item: asked
    again (a reopened ticket solved again), the window starts over and a given answer
    stays, to be changed. Nobody is asked about a ticket staff opened for themselves."""
    if not is_customer(customer):
        return None
    now = timezone.now()
    survey, created = Survey.objects.get_or_create(
        kind=kind,
        item_id=item_id,
        defaults={"customer": customer, "specialist": specialist, "asked_at": now},
    )
    if not created:
        Survey.objects.filter(pk=survey.pk).update(asked_at=now, specialist=specialist)
        survey.asked_at, survey.specialist = now, specialist
    return survey


def survey_open_until(survey: Survey) -> datetime:
    """Answered or changed until CSAT_WINDOW_DAYS after it was asked, or after the
    first answer for a change."""
    start = survey.first_rated_at or survey.asked_at
    return start + timedelta(days=settings.CSAT_WINDOW_DAYS)


def survey_rate(*, survey: Survey, customer: User, rating: object, comment: str = "") -> Survey:
    """Store the customer's answer (or their change to it). Refusals store nothing."""
    if not can_rate(customer, survey):
        raise PermissionDenied(NOT_YOURS)
    try:
        value = int(str(rating))
    except ValueError:
        value = 0
    if not 1 <= value <= 5 or str(value) != str(rating).strip():
        raise ValidationError({"rating": RATING_OUT_OF_RANGE})
    comment = clean_text(
        comment, field="comment", max_length=COMMENT_MAX, too_long_message=COMMENT_TOO_LONG
    )
    with transaction.atomic():
        survey = Survey.objects.select_for_update().get(pk=survey.pk)
        now = timezone.now()
        if now > survey_open_until(survey):
            raise ValidationError(WINDOW_PASSED)
        survey.rating = value
        survey.comment = comment
        survey.first_rated_at = survey.first_rated_at or now
        survey.rated_at = now
        survey.full_clean(exclude=["customer", "specialist"])
        survey.save(update_fields=["rating", "comment", "first_rated_at", "rated_at"])
    return survey


def survey_link(survey: Survey) -> str:
    """The absolute, signed link for the email: it names the survey and nothing else."""
    token = signing.dumps(survey.pk, salt=_LINK_SALT, compress=True)
    return portal_url(reverse("csat_link", args=[token]))


def survey_from_link(token: str) -> Survey:
    """The survey a signed link names; a forged or altered link is refused."""
    try:
        survey_id = signing.loads(token, salt=_LINK_SALT)
    except signing.BadSignature:
        raise ValidationError(LINK_INVALID) from None
    survey = Survey.objects.filter(pk=survey_id).select_related("customer").first()
    if survey is None:
        raise ValidationError(LINK_INVALID)
    return survey
