"""Ratings: from the signed-in customer (dialog, ticket page) and from the email's signed
link, which stands in for the sign-in and names one survey."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import User
from helpdesk.core.errors import form_errors, validation_errors, wants_json
from helpdesk.csat import selectors, services
from helpdesk.csat.forms import RatingForm
from helpdesk.csat.models import RatedKind, Survey


def _thanks() -> str:
    return _("Thank you for your rating.")


def _rate(request: HttpRequest, survey: Survey, customer: User) -> dict[str, list[str]] | None:
    """Validate and store; the errors, or None when stored."""
    form = RatingForm(request.POST)
    if not form.is_valid():
        return form_errors(form)
    try:
        services.survey_rate(
            survey=survey,
            customer=customer,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        return validation_errors(exc)
    return None


@login_required
@require_POST
def survey_rate(request: AuthenticatedHttpRequest, kind: str, item_id: int) -> HttpResponse:
    """The signed-in customer's rating of their own ticket or chat; anyone else's is 404."""
    if kind not in RatedKind.values:
        raise Http404
    survey = selectors.survey_for(user=request.user, kind=RatedKind(kind), item_id=item_id)
    if survey is None:
        raise Http404("No such survey.")
    errors = _rate(request, survey, request.user)
    if wants_json(request):
        if errors:
            return JsonResponse({"errors": errors}, status=400)
        return JsonResponse({"message": _thanks()}, status=200)
    if errors:
        for field_errors in errors.values():
            for message in field_errors:
                messages.error(request, message)
    else:
        messages.success(request, _thanks())
    if kind == RatedKind.TICKET:
        return redirect("ticket_detail", ticket_id=item_id)
    return redirect("home")


@require_http_methods(["GET", "POST"])
def survey_link(request: HttpRequest, token: str) -> HttpResponse:
    """The email's link: GET shows the form (a link scanner stores nothing), POST rates."""
    try:
        survey = services.survey_from_link(token)
    except ValidationError as exc:
        return render(request, "csat/link.html", {"invalid": exc.messages[0]}, status=404)
    if request.user.is_authenticated and request.user.pk != survey.customer_id:
        raise PermissionDenied(services.NOT_YOURS)
    context: dict[str, object] = {"survey": survey, "open": selectors.survey_is_open(survey)}
    if request.method == "POST":
        errors = _rate(request, survey, survey.customer)
        if errors is None:
            return render(request, "csat/link.html", {**context, "thanks": _thanks()})
        return render(request, "csat/link.html", {**context, "errors": errors}, status=400)
    initial = request.GET.get("rating")
    return render(
        request,
        "csat/link.html",
        {**context, "initial": initial or (survey.rating and str(survey.rating))},
    )
