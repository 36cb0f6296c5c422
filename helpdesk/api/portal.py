"""The customer's API tokens page (staff manage theirs in the admin). A new token is
shown once, in the answer to the POST that made it: it is never stored, put in the
session or in a message cookie, so reloading the page cannot show it again."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import is_agent, is_customer
from helpdesk.api import selectors, services
from helpdesk.api.forms import TokenForm
from helpdesk.core.errors import form_errors, validation_errors


def _page(
    request: AuthenticatedHttpRequest, form: TokenForm, *, new_token: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "tokens": selectors.api_token_list_for(user=request.user),
            "new_token": new_token,
            "errors": form_errors(form) if form.is_bound else {},
        },
        status=status,
    )


@never_cache
@login_required
def token_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not is_customer(request.user):
        if is_agent(request.user):
            return redirect("admin:api_apitoken_changelist")
        raise PermissionDenied(services.TOKENS_NOT_ALLOWED)
    if request.method != "POST":
        return _page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        _token, plain = services.api_token_create(
            user=request.user, name=form.cleaned_data["name"], scope=form.cleaned_data["scope"]
        )
    except ValidationError as exc:
        for field, errors in validation_errors(exc).items():
            for error in errors:
                form.add_error(None if field == "__all__" else field, error)
        return _page(request, form, status=400)
    return _page(request, TokenForm(), new_token=plain, status=201)


@login_required
@require_POST
def token_revoke(request: AuthenticatedHttpRequest, token_id: int) -> HttpResponse:
    token = selectors.api_token_get_for(user=request.user, token_id=token_id)
    if token is None:
        raise Http404("No such token.")
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("api_tokens")
