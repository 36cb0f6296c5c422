# Tickets, callbacks and the knowledge base became apps of their own (tickets, callbacks,
# kb) that keep the tables this app created. This migration runs once each of them has
# taken its models over (their 0001) and every foreign key of another app points at the
# new models (chat's 0003). It hands each model's content type to its new app, so the
# permissions, group and user grants, admin log entries and audit log entries that refer
# to it keep pointing at the right model, then drops the models from this app's state.
# The database keeps every table and row.

from django.conf import settings
from django.db import migrations

# model -> the app that owns it now
MOVED = {
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


def _merge(apps, db, *, keep, duplicate):
    """Fold a second content type of the same model into the one being moved. It exists
    when the new code ran against the database before this migration did (a rolling
    deploy: ContentType.objects.get_for_model creates the row it does not find). The
    moved row keeps the grants and the history, so whatever refers to the duplicate is
    pointed at it and the duplicate goes."""
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    for perm in Permission.objects.using(db).filter(content_type=duplicate):
        kept = Permission.objects.using(db).filter(content_type=keep, codename=perm.codename)
        kept = kept.first()
        if kept is None:
            perm.content_type = keep
            perm.save(update_fields=["content_type"])
            continue
        for group in Group.objects.using(db).filter(permissions=perm):
            group.permissions.add(kept)
        for user in User.objects.using(db).filter(user_permissions=perm):
            user.user_permissions.add(kept)
        perm.delete()
    # Other rows that name a content type: admin log entries, audit log entries...
    for model in apps.get_models():
        if model._meta.label_lower == "auth.permission":
            continue
        for field in model._meta.concrete_fields:
            related = field.related_model
            if field.many_to_one and related._meta.label_lower == "contenttypes.contenttype":
                model._base_manager.using(db).filter(**{field.name: duplicate}).update(
                    **{field.name: keep}
                )
    duplicate.delete()


def _move(apps, schema_editor, moves):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model, from_label, to_label in moves:
        moved = ContentType.objects.using(db).filter(app_label=from_label, model=model).first()
        if moved is None:
            continue  # a new database: post_migrate creates the rows under the new label
        duplicate = ContentType.objects.using(db).filter(app_label=to_label, model=model).first()
        if duplicate is not None:
            _merge(apps, db, keep=moved, duplicate=duplicate)
        moved.app_label = to_label
        moved.save(update_fields=["app_label"])
    ContentType.objects.clear_cache()


def hand_over_content_types(apps, schema_editor):
    _move(apps, schema_editor, [(model, "helpdesk", label) for model, label in MOVED.items()])


def take_back_content_types(apps, schema_editor):
    _move(apps, schema_editor, [(model, label, "helpdesk") for model, label in MOVED.items()])


class Migration(migrations.Migration):
    dependencies = [
        ("helpdesk", "0006_alter_callbackattempt_options_and_more"),
        ("tickets", "0001_initial"),
        ("callbacks", "0001_initial"),
        ("kb", "0001_initial"),
        ("chat", "0003_conversation_ticket_in_tickets_app"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(hand_over_content_types, take_back_content_types, elidable=False),
        # The tables now belong to the new apps' models: drop only this app's state,
        # dependents first.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SlaAttainmentReport"),
                migrations.DeleteModel(name="Reply"),
                migrations.DeleteModel(name="TicketEvent"),
                migrations.DeleteModel(name="CallbackAttempt"),
                migrations.DeleteModel(name="CallbackEvent"),
                migrations.DeleteModel(name="CallbackRequest"),
                migrations.DeleteModel(name="Ticket"),
                migrations.DeleteModel(name="ArticleFeedback"),
                migrations.DeleteModel(name="HelpQuestion"),
                migrations.DeleteModel(name="Article"),
            ],
            database_operations=[],
        ),
    ]
