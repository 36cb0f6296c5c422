from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.permissions import is_agent, is_customer
from accounts.selectors import (
    HOW_TO_GET_PREMIUM,
    entitlement_for,
    premium_support_status,
    subscriptions_for_account,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not is_customer(user):
        if is_agent(user):
            return redirect("admin:index")
        return render(request, "accounts/no_account.html")
    now = timezone.now()
    subscriptions = subscriptions_for_account(account=user.account)
    return render(
        request,
        "accounts/home.html",
        {
            "account": user.account,
            "subscriptions": [(s, s.is_active_at(now)) for s in subscriptions],
            "premium": premium_support_status(account=user.account, at=now),
            "entitlement": entitlement_for(user=user, request=request, at=now),
            "how_to_get_premium": HOW_TO_GET_PREMIUM,
        },
    )
