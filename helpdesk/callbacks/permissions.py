"""What staff may do with callback requests in the admin. Who may see one is the shared
customer-item rule, `accounts.permissions.can_view_customer_item`."""

from accounts.permissions import SPECIALISTS_GROUP, staff_permissions_grant
from helpdesk.callbacks.models import CallbackAttempt, CallbackEvent, CallbackRequest


def staff_permissions_register() -> None:
    """Specialists (and so leads) work the callback queue and record calls."""
    staff_permissions_grant(
        group=SPECIALISTS_GROUP,
        models={
            CallbackRequest: ("view", "change"),
            CallbackAttempt: ("view", "add"),
            CallbackEvent: ("view",),
        },
    )
