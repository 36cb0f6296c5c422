from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.permissions import can_flag_business_critical, is_agent, is_customer
from accounts.selectors import HOW_TO_GET_PREMIUM, entitlement_for


def portal(request: HttpRequest) -> dict:
    user = request.user
    return {
        "SUPPORT_PHONE_NUMBER": settings.SUPPORT_PHONE_NUMBER,
        "user_is_customer": SimpleLazyObject(lambda: is_customer(user)),
        "user_is_agent": SimpleLazyObject(lambda: is_agent(user)),
        "help_can_flag_business_critical": SimpleLazyObject(
            lambda: can_flag_business_critical(user)
        ),
        # The help dialog's channel chooser shows only what this selector grants.
        "help_entitlement": SimpleLazyObject(lambda: entitlement_for(user=user, request=request)),
        "HOW_TO_GET_PREMIUM": HOW_TO_GET_PREMIUM,
        "PREMIUM_SUPPORT_URL": settings.PREMIUM_SUPPORT_URL,
    }
