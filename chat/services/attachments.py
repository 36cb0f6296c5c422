"""Files in a chat: uploaded over HTTP, each becomes a stored message of the chat (the
file's name as its body) through the one message path, so it arrives in order, is
acknowledged, delivered, seen and resumed exactly like text."""

from accounts.models import User
from chat.models import Message, MessageAttachment
from chat.services.messages import message_store
from helpdesk.core.files import (
    ALLOWED_TYPES,
    Upload,
    atomic_with_files,
    attachments_check,
    file_write,
)


def message_attach(
    *, conversation_id: int, sender: User, upload: Upload, client_id: str = ""
) -> Message:
    """Check the file (ValidationError on "attachments", nothing stored), then store it
    and its message in one transaction: a refused message (PermissionDenied, not in this
    chat; ValidationError, the chat ended) or a rollback leaves no file behind. A resend
    under a stored client_id returns the stored message and stores the file once."""
    [checked] = attachments_check([upload])

    def attach(message: Message) -> None:
        written = file_write(folder=f"chats/{conversation_id}", item=checked)
        attachment = MessageAttachment(
            message=message,
            name=checked.name,
            content_type=ALLOWED_TYPES[checked.extension],
            size=len(checked.content),
            path=written.path,
            thumbnail_path=written.thumbnail_path,
        )
        attachment.full_clean(exclude=["message"])
        attachment.save()
        Message.attachment.related.set_cached_value(message, attachment)

    with atomic_with_files():
        [message] = message_store(
            conversation_id=conversation_id,
            sender=sender,
            items=[(checked.name, client_id)],
            attach=attach,
        )
    if Message.attachment.related.get_cached_value(message, default=None) is None:
        message = Message.objects.select_related("sender", "attachment").get(pk=message.pk)
    return message
