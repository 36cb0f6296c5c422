"""Who may do what with the knowledge base. Views and services enforce these."""

from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from accounts.permissions import (
    LEADS_GROUP,
    SPECIALISTS_GROUP,
    is_customer,
    model_permission,
    staff_permissions_grant,
)
from helpdesk.kb.models import Article, ArticleFeedback, HelpQuestion


def can_give_article_feedback(user: User | AnonymousUser) -> bool:
    """Customers rate articles; staff feedback would skew what leads read."""
    return is_customer(user)


def can_read_unpublished_articles(user: User | AnonymousUser) -> bool:
    """Staff who manage articles preview drafts on the portal."""
    return bool(user.is_staff and model_permission(user, Article, "view"))


def can_view_deflection_report(user: User | AnonymousUser) -> bool:
    return bool(user.is_staff and model_permission(user, HelpQuestion, "view"))


def can_delete_article(user: User | AnonymousUser) -> bool:
    """Leads (and superusers) retire articles; their feedback goes with them."""
    return bool(user.is_staff and model_permission(user, Article, "delete"))


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
