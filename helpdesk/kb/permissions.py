"""Who may do what with the knowledge base. Views and services enforce these."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from accounts.permissions import (
    LEADS_GROUP,
    SPECIALISTS_GROUP,
    is_customer,
    staff_permissions_grant,
)
from helpdesk.kb.models import Article, ArticleFeedback, HelpQuestion


def can_give_article_feedback(user: User | AnonymousUser) -> bool:
    """Customers rate articles; staff feedback would skew what leads read."""
    return is_customer(user)


def can_read_unpublished_articles(user: User | AnonymousUser) -> bool:
    """Staff who manage articles preview drafts on the portal."""
    return bool(user.is_authenticated and user.is_staff and user.has_perm("kb.view_article"))


def can_view_deflection_report(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_staff and user.has_perm("kb.view_helpquestion"))


def staff_permissions_register() -> None:
    """Specialists read articles; leads write them and read the feedback and the help
    dialog's questions (the deflection report)."""
    staff_permissions_grant(group=SPECIALISTS_GROUP, models={Article: ("view",)})
    staff_permissions_grant(
        group=LEADS_GROUP,
        models={
            Article: ("add", "change", "delete"),
            ArticleFeedback: ("view",),
            HelpQuestion: ("view",),
        },
    )
