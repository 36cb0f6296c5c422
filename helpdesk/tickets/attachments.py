"""Attachments on tickets and replies: their rows, and who may download what. The file
rules, storage and thumbnails are helpdesk.core.files, shared with chat messages."""

from collections.abc import Sequence

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from accounts.models import User
from accounts.permissions import can_view_customer_item, is_agent
from helpdesk.core.files import (
    ALLOWED_TYPES,
    CONTENT_MISMATCH,
    FILE_TOO_LARGE,
    NAME_INVALID,
    TOO_MANY_FILES,
    TOTAL_TOO_LARGE,
    TYPE_NOT_ALLOWED,
    Upload,
    atomic_with_files,
    attachment_storage,
    attachments_check,
    file_write,
    uploads_from,
)
from helpdesk.tickets.models import Attachment, Reply, Ticket

__all__ = [
    "ALLOWED_TYPES",
    "CONTENT_MISMATCH",
    "FILE_TOO_LARGE",
    "NAME_INVALID",
    "TOO_MANY_FILES",
    "TOTAL_TOO_LARGE",
    "TYPE_NOT_ALLOWED",
    "Upload",
    "atomic_with_files",
    "attachment_get_for",
    "attachment_storage",
    "attachments_add",
    "attachments_check",
    "uploads_from",
]


def attachments_add(
    *, ticket: Ticket, reply: Reply | None, uploaded_by: User | None, uploads: Sequence[Upload]
) -> list[Attachment]:
    """Check and store the files of a ticket's description (reply None) or of a reply.
    ValidationError (nothing stored) when one breaks a rule. Call it inside the caller's
    `atomic_with_files` block: a rollback then deletes the files too."""
    stored: list[Attachment] = []
    with atomic_with_files():
        for item in attachments_check(uploads):
            written = file_write(folder=f"tickets/{ticket.pk}", item=item)
            attachment = Attachment(
                ticket=ticket,
                reply=reply,
                uploaded_by=uploaded_by,
                name=item.name,
                content_type=ALLOWED_TYPES[item.extension],
                size=len(item.content),
                path=written.path,
                thumbnail_path=written.thumbnail_path,
            )
            attachment.full_clean(exclude=["ticket", "reply", "uploaded_by"])
            attachment.save()
            stored.append(attachment)
    return stored


def attachment_get_for(*, user: User | AnonymousUser, attachment_id: int) -> Attachment:
    """The attachment if the user may see its ticket (and its reply: internal notes are
    staff-only); Http404 otherwise, which says nothing of whether it exists."""
    attachment = (
        Attachment.objects.select_related("ticket", "reply").filter(pk=attachment_id).first()
    )
    if attachment is None or not can_view_customer_item(user, attachment.ticket):
        raise Http404
    if attachment.reply is not None and not attachment.reply.is_public and not is_agent(user):
        raise Http404
    return attachment
