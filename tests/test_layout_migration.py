"""Tickets, callbacks and the knowledge base moved out of the helpdesk app into apps of
their own, keeping their tables. A database at the old layout, migrated forward, must
hold every row under the new models, with its relations, and what referred to the old
models (permissions and their grants, admin and audit log entries) must follow them.

Each test migrates the test database back to the layout before the move, writes rows
with the models of that time, migrates forward and reads them with today's models. It
always ends fully migrated, so the tests after it see the normal schema."""

import uuid
from datetime import timedelta

import pytest
from auditlog.models import LogEntry as AuditEntry
from django.contrib.admin.models import LogEntry as AdminEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps
from django.db.models import Model
from django.utils import timezone

from accounts.models import Account, User
from chat.models import Conversation
from helpdesk.callbacks.models import CallbackRequest
from helpdesk.kb import search
from helpdesk.kb.models import Article, ArticleFeedback, HelpQuestion
from helpdesk.tickets.models import Reply, SlaAttainmentReport, Ticket, TicketEvent

# The last migrations before the move: helpdesk owned the models and chat's link to a
# ticket pointed at helpdesk.Ticket; the three apps did not exist.
BEFORE_THE_MOVE = [
    ("helpdesk", "0006_alter_callbackattempt_options_and_more"),
    ("chat", "0002_alter_conversation_options_alter_message_options"),
    ("tickets", None),
    ("callbacks", None),
    ("kb", None),
]
NEW_APP_OF = {
    "ticket": "tickets",
    "reply": "tickets",
    "ticketevent": "tickets",
    "slaattainmentreport": "tickets",
    "callbackrequest": "callbacks",
    "callbackattempt": "callbacks",
    "callbackevent": "callbacks",
    "article": "kb",
    "articlefeedback": "kb",
    "helpquestion": "kb",
}


def _migrate(targets: list[tuple[str, str | None]] | None = None) -> MigrationExecutor:
    """Migrate the test database to `targets`, by default to the latest migrations."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()
    return MigrationExecutor(connection)


@pytest.fixture
def old_layout():
    """The historical models of the layout before the move; fully migrated afterwards."""
    try:
        loader = _migrate(BEFORE_THE_MOVE).loader
        # The state at those migrations, every other app at its latest. (The state that
        # MigrationExecutor.migrate returns after unapplying several apps' migrations is
        # the one before the last of them was unapplied, so it is rebuilt here.)
        moved = {app for app, _ in BEFORE_THE_MOVE}
        nodes = [node for node in loader.graph.leaf_nodes() if node[0] not in moved]
        nodes += [(app, name) for app, name in BEFORE_THE_MOVE if name]
        yield loader.project_state(nodes).apps
    finally:
        _migrate()


def _old_content_type(apps: StateApps, model: str) -> Model:
    """What an old database holds: the model's content type under helpdesk."""
    content_type = apps.get_model("contenttypes", "ContentType")
    return content_type.objects.get_or_create(app_label="helpdesk", model=model)[0]


def _old_permission(apps: StateApps, model: str, action: str = "view") -> Model:
    permission = apps.get_model("auth", "Permission")
    return permission.objects.get_or_create(
        content_type=_old_content_type(apps, model),
        codename=f"{action}_{model}",
        defaults={"name": f"Can {action} {model}"},
    )[0]


def _old_rows(apps: StateApps) -> dict:
    """One of everything the move touches, written with the models before the move."""

    def model(label: str) -> type[Model]:
        return apps.get_model(*label.split("."))

    now = timezone.now()
    deadline = {"sla_kind": "guaranteed", "due_at": now + timedelta(hours=1)}
    account = model("accounts.Account").objects.create(name="Old Layout Inc", country="US")
    customer = model("accounts.User").objects.create(
        email="old.customer@example.com",
        full_name="Olga Oldlayout",
        account=account,
        role="super_admin",
        password="!",
    )
    specialist = model("accounts.User").objects.create(
        email="old.specialist@example.com", full_name="Sid Specialist", is_staff=True, password="!"
    )
    ticket = model("helpdesk.Ticket").objects.create(
        account=account,
        requester=customer,
        requester_role="super_admin",
        channel="chat",
        subject="Exports fail since Monday",
        description="Every export stops at 99 %.",
        status="open",
        sla_policy="standard",
        **deadline,
    )
    reply = model("helpdesk.Reply").objects.create(
        ticket=ticket, author=specialist, body="We are looking into it.", visibility="public"
    )
    event = model("helpdesk.TicketEvent").objects.create(
        ticket=ticket, kind="created", actor=customer
    )
    callback = model("helpdesk.CallbackRequest").objects.create(
        account=account,
        requester=customer,
        phone="+14155550101",
        topic="Call me about the exports",
        status="in_progress",
        holder=specialist,
        ticket=ticket,
        sla_policy="callback",
        **deadline,
    )
    attempt = model("helpdesk.CallbackAttempt").objects.create(
        callback=callback, specialist=specialist, outcome="no_answer", note="Voicemail full."
    )
    callback_event = model("helpdesk.CallbackEvent").objects.create(
        callback=callback, kind="breached", level=1
    )
    article = model("helpdesk.Article").objects.create(
        title="Exporting contacts",
        slug="exporting-contacts",
        summary="How to export contacts to a spreadsheet.",
        body="Open **Contacts**, then choose Export.",
        language="en",
    )
    feedback = model("helpdesk.ArticleFeedback").objects.create(
        article=article, user=customer, helpful=True, comment="Clear."
    )
    question = model("helpdesk.HelpQuestion").objects.create(
        key=uuid.uuid4(),
        question="how do I export contacts",
        language="en",
        result_count=1,
        opened_article=article,
        opened_at=now,
    )
    conversation = model("chat.Conversation").objects.create(
        account=account,
        customer=customer,
        topic="Exports",
        status="ended",
        ended_at=now,
        ticket=ticket,
        sla_policy="chat_wait",
        **deadline,
    )
    readers = model("auth.Group").objects.create(name="Old layout readers")
    readers.permissions.add(
        _old_permission(apps, "ticket"), _old_permission(apps, "slaattainmentreport")
    )
    specialist.groups.add(readers)
    specialist.user_permissions.add(_old_permission(apps, "helpquestion"))
    model("admin.LogEntry").objects.create(
        user=specialist,
        content_type=_old_content_type(apps, "ticket"),
        object_id=str(ticket.pk),
        object_repr=str(ticket.pk),
        action_flag=2,
        change_message="Assigned.",
    )
    model("auditlog.LogEntry").objects.create(
        content_type=_old_content_type(apps, "article"),
        object_pk=str(article.pk),
        object_id=article.pk,
        object_repr="Exporting contacts",
        action=1,
        changes={"title": ["Exports", "Exporting contacts"]},
    )
    content_type_ids = {
        name: _old_content_type(apps, name).pk for name in ("ticket", "helpquestion", "article")
    }
    return {
        "account": account.pk,
        "customer": customer.pk,
        "specialist": specialist.pk,
        "ticket": ticket.pk,
        "reply": reply.pk,
        "event": event.pk,
        "callback": callback.pk,
        "attempt": attempt.pk,
        "callback_event": callback_event.pk,
        "article": article.pk,
        "feedback": feedback.pk,
        "question": question.pk,
        "conversation": conversation.pk,
        "readers": readers.pk,
        "content_types": content_type_ids,
    }


@pytest.mark.django_db(transaction=True)
def test_a_database_of_the_old_layout_keeps_every_row_and_grant(old_layout):
    old = _old_rows(old_layout)

    _migrate()

    ticket = Ticket.objects.get(pk=old["ticket"])
    assert ticket.subject == "Exports fail since Monday"
    assert ticket.account == Account.objects.get(pk=old["account"], name="Old Layout Inc")
    assert ticket.requester.email == "old.customer@example.com"
    assert list(ticket.replies.values_list("pk", "body")) == [
        (old["reply"], "We are looking into it.")
    ]
    assert list(ticket.events.values_list("pk", "kind", "actor")) == [
        (old["event"], "created", old["customer"])
    ]
    assert Reply.objects.get(pk=old["reply"]).author_id == old["specialist"]
    assert TicketEvent.objects.count() == 1
    assert SlaAttainmentReport.objects.get(pk=old["ticket"]).subject == ticket.subject
    # Other apps' links to a ticket: chat's one-to-one, the callback's foreign key.
    conversation = Conversation.objects.get(pk=old["conversation"])
    assert conversation.ticket == ticket and ticket.chat_conversation == conversation

    callback = CallbackRequest.objects.get(pk=old["callback"])
    assert (callback.topic, callback.phone, callback.ticket) == (
        "Call me about the exports",
        "+14155550101",
        ticket,
    )
    assert list(ticket.callbacks.all()) == [callback]
    assert list(callback.attempts.values_list("pk", "outcome", "specialist")) == [
        (old["attempt"], "no_answer", old["specialist"])
    ]
    assert list(callback.events.values_list("pk", "kind", "level")) == [
        (old["callback_event"], "breached", 1)
    ]

    article = Article.objects.get(pk=old["article"])
    assert article.slug == "exporting-contacts"
    feedback = ArticleFeedback.objects.get(pk=old["feedback"])
    assert (feedback.article, feedback.user_id, feedback.helpful) == (
        article,
        old["customer"],
        True,
    )
    assert HelpQuestion.objects.get(pk=old["question"]).opened_article == article
    # The search index made by helpdesk's migrations (FTS5 table or tsvector columns)
    # still serves the moved model's table.
    search.index_articles([article])
    assert [hit.article_id for hit in search.search(query="export", language="en", limit=5)] == [
        article.pk
    ]

    # Content types moved, not recreated: same rows, new app label, none left behind.
    assert not ContentType.objects.filter(app_label="helpdesk").exists()
    for model, label in NEW_APP_OF.items():
        assert ContentType.objects.filter(app_label=label, model=model).count() == 1
    for model, pk in old["content_types"].items():
        assert ContentType.objects.get(pk=pk).app_label == NEW_APP_OF[model]
    assert ContentType.objects.get_for_model(Ticket).pk == old["content_types"]["ticket"]

    readers = Group.objects.get(pk=old["readers"])
    assert sorted(readers.permissions.values_list("content_type__app_label", "codename")) == [
        ("tickets", "view_slaattainmentreport"),
        ("tickets", "view_ticket"),
    ]
    specialist = User.objects.get(pk=old["specialist"])
    assert specialist.has_perm("tickets.view_ticket")
    assert specialist.has_perm("tickets.view_slaattainmentreport")
    assert specialist.has_perm("kb.view_helpquestion")
    assert not specialist.has_perm("tickets.change_ticket")

    assert AdminEntry.objects.get(user=specialist).get_edited_object() == ticket
    entry = AuditEntry.objects.get(object_repr="Exporting contacts")
    assert entry.content_type.model_class() is Article


@pytest.mark.django_db(transaction=True)
def test_content_types_made_early_under_the_new_labels_are_merged(old_layout):
    """New code that ran against an old database before its migrations (a rolling
    deploy) created content types under the new labels, and perhaps permissions and
    grants on them. The move keeps the old rows (they carry the grants and the history)
    and folds the new ones into them."""
    old = _old_rows(old_layout)
    content_type = old_layout.get_model("contenttypes", "ContentType")
    permission = old_layout.get_model("auth", "Permission")
    early = content_type.objects.create(app_label="tickets", model="ticket")
    early_view = permission.objects.create(
        content_type=early, codename="view_ticket", name="Can view ticket"
    )
    early_change = permission.objects.create(
        content_type=early, codename="change_ticket", name="Can change ticket"
    )
    newcomers = old_layout.get_model("auth", "Group").objects.create(name="Newcomers")
    newcomers.permissions.add(early_view, early_change)
    old_layout.get_model("admin", "LogEntry").objects.create(
        user_id=old["specialist"],
        content_type=early,
        object_id=str(old["ticket"]),
        object_repr=str(old["ticket"]),
        action_flag=2,
        change_message="Reassigned.",
    )

    _migrate()

    ticket_type = ContentType.objects.get(app_label="tickets", model="ticket")
    assert ticket_type.pk == old["content_types"]["ticket"]
    assert not ContentType.objects.filter(pk=early.pk).exists()
    for name in ("Old layout readers", "Newcomers"):
        assert (
            Group.objects.get(name=name)
            .permissions.filter(content_type=ticket_type, codename="view_ticket")
            .exists()
        )
    assert sorted(
        Group.objects.get(name="Newcomers").permissions.values_list("codename", flat=True)
    ) == ["change_ticket", "view_ticket"]
    assert ticket_type.permission_set.filter(codename="view_ticket").count() == 1
    assert sorted(AdminEntry.objects.values_list("content_type", "change_message")) == [
        (ticket_type.pk, "Assigned."),
        (ticket_type.pk, "Reassigned."),
    ]
