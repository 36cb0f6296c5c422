"""Attachments on tickets and replies: the rules (size per file and per message, an
allow-list checked by name and by content), storage through Django's storage API (the
"attachments" alias of STORAGES when a deployment sets one, else files under
ATTACHMENTS_ROOT readable by the portal's user only), thumbnails re-encoded with Pillow,
and who may download what."""

import io
import logging
import posixpath
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import puremagic
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from accounts.models import User
from accounts.permissions import can_view_customer_item, is_agent
from helpdesk.core.textclean import clean_line
from helpdesk.tickets.models import Attachment, Reply, Ticket

logger = logging.getLogger(__name__)

# Extension -> the MIME type it is stored and served as. Text types have no signature;
# their content must decode as UTF-8 and carry no binary signature.
ALLOWED_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "pdf": "application/pdf",
    "txt": "text/plain",
    "log": "text/plain",
    "csv": "text/csv",
}
_IMAGES = {"png", "jpg", "jpeg", "gif"}
_SIGNATURES = {"jpg": {"jpg", "jpeg"}, "jpeg": {"jpg", "jpeg"}}
THUMBNAIL_SIZE = (320, 320)

TYPE_NOT_ALLOWED = _(
    "%(name)s: this type of file cannot be attached. Allowed: PNG, JPEG, GIF, PDF, TXT, LOG, CSV."
)
CONTENT_MISMATCH = _("%(name)s: the file's content does not match its name.")
FILE_TOO_LARGE = _("%(name)s is larger than the limit of %(limit)s per file.")
TOTAL_TOO_LARGE = _("The attachments are larger than the limit of %(limit)s per message.")
TOO_MANY_FILES = _("Attach at most %(limit)s files to one message.")
NAME_INVALID = _("A file name is missing or not allowed.")


@dataclass(frozen=True)
class Upload:
    name: str
    content: bytes


@dataclass(frozen=True)
class _Checked:
    name: str
    content: bytes
    extension: str


def uploads_from(files: Iterable[UploadedFile]) -> list[Upload]:
    """A form's files as uploads; an oversized one is refused before it is read."""
    uploads = []
    for file in files:
        name = file.name or ""
        if (file.size or 0) > settings.ATTACHMENT_MAX_BYTES:
            raise ValidationError(
                {
                    "attachments": FILE_TOO_LARGE
                    % {"name": name, "limit": _mb(settings.ATTACHMENT_MAX_BYTES)}
                }
            )
        uploads.append(Upload(name=name, content=file.read()))
    return uploads


def attachment_storage() -> Storage:
    if "attachments" in settings.STORAGES:
        return storages["attachments"]
    return FileSystemStorage(
        location=settings.ATTACHMENTS_ROOT,
        base_url=None,
        file_permissions_mode=0o600,
        directory_permissions_mode=0o700,
    )


def _mb(size: int) -> str:
    return str(filesizeformat(size))


def _check_one(upload: Upload) -> _Checked:
    try:
        name = clean_line(upload.name, field="name", max_length=200)
    except ValidationError:
        raise ValidationError(NAME_INVALID) from None
    name = posixpath.basename(name.replace("\\", "/")).strip()
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if not name or name.startswith("."):
        raise ValidationError(NAME_INVALID)
    if extension not in ALLOWED_TYPES:
        raise ValidationError(TYPE_NOT_ALLOWED % {"name": name})
    if len(upload.content) > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            FILE_TOO_LARGE % {"name": name, "limit": _mb(settings.ATTACHMENT_MAX_BYTES)}
        )
    try:
        found = {m.extension.lstrip(".").lower() for m in puremagic.magic_string(upload.content)}
    except puremagic.PureError:
        found = set()
    if ALLOWED_TYPES[extension].startswith("text/"):
        try:
            upload.content.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(CONTENT_MISMATCH % {"name": name}) from None
        if b"\x00" in upload.content or found - {"txt", "csv", "log", "text", ""}:
            raise ValidationError(CONTENT_MISMATCH % {"name": name})
    elif not found & _SIGNATURES.get(extension, {extension}):
        raise ValidationError(CONTENT_MISMATCH % {"name": name})
    return _Checked(name=name, content=upload.content, extension=extension)


def attachments_check(uploads: Sequence[Upload]) -> list[_Checked]:
    """Every rule, for every file, before anything is stored: one bad file refuses the
    message's attachments with a message that names it (on the "attachments" field)."""
    try:
        if len(uploads) > settings.ATTACHMENT_MAX_FILES:
            raise ValidationError(TOO_MANY_FILES % {"limit": settings.ATTACHMENT_MAX_FILES})
        checked = [_check_one(upload) for upload in uploads]
        if sum(len(c.content) for c in checked) > settings.ATTACHMENT_MAX_TOTAL_BYTES:
            raise ValidationError(
                TOTAL_TOO_LARGE % {"limit": _mb(settings.ATTACHMENT_MAX_TOTAL_BYTES)}
            )
    except ValidationError as exc:
        raise ValidationError({"attachments": exc.messages}) from None
    return checked


def _thumbnail(content: bytes) -> bytes:
    """A PNG drawn anew from the decoded pixels: nothing of the uploaded file survives."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.load()
            frame = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError):
        return b""
    frame.thumbnail(THUMBNAIL_SIZE)
    out = io.BytesIO()
    frame.save(out, format="PNG")
    return out.getvalue()


# The files written inside the innermost `atomic_with_files` block, if any.
_written_here: ContextVar[list[str] | None] = ContextVar("attachments_written", default=None)


@contextmanager
def atomic_with_files() -> Iterator[None]:
    """`transaction.atomic()` that also deletes the files `attachments_add` stored inside
    it when it rolls back: storage is not transactional, and a ticket or reply that was
    never saved must not leave its files behind. The services that store attachments
    open their transaction with it; nested, the files belong to the outermost block."""
    outer = _written_here.get()
    written: list[str] = []
    token = _written_here.set(written)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        _delete(attachment_storage(), written)
        raise
    finally:
        _written_here.reset(token)
    if outer is not None:
        outer.extend(written)  # committed only with the enclosing block


def attachments_add(
    *, ticket: Ticket, reply: Reply | None, uploaded_by: User | None, uploads: Sequence[Upload]
) -> list[Attachment]:
    """Check and store the files of a ticket's description (reply None) or of a reply.
    ValidationError (nothing stored) when one breaks a rule; a failure while storing
    deletes the files written so far, and so does the rollback of the caller's
    `atomic_with_files` block."""
    checked = attachments_check(uploads)
    storage = attachment_storage()
    stored: list[Attachment] = []
    written: list[str] = []
    try:
        for item in checked:
            folder = f"tickets/{ticket.pk}/{uuid.uuid4().hex}"
            path = storage.save(f"{folder}/file.{item.extension}", ContentFile(item.content))
            written.append(path)
            thumbnail_path = ""
            if item.extension in _IMAGES:
                png = _thumbnail(item.content)
                if not png:
                    raise ValidationError(CONTENT_MISMATCH % {"name": item.name})
                thumbnail_path = storage.save(f"{folder}/thumbnail.png", ContentFile(png))
                written.append(thumbnail_path)
            attachment = Attachment(
                ticket=ticket,
                reply=reply,
                uploaded_by=uploaded_by,
                name=item.name,
                content_type=ALLOWED_TYPES[item.extension],
                size=len(item.content),
                path=path,
                thumbnail_path=thumbnail_path,
            )
            attachment.full_clean(exclude=["ticket", "reply", "uploaded_by"])
            attachment.save()
            stored.append(attachment)
    except BaseException:
        _delete(storage, written)
        raise
    pending = _written_here.get()
    if pending is not None:
        pending.extend(written)
    return stored


def _delete(storage: Storage, paths: list[str]) -> None:
    for path in paths:
        try:
            storage.delete(path)
        except Exception:
            # Best effort: the error that rolled the transaction back is the one to raise.
            logger.warning("attachment %s could not be deleted", path, exc_info=True)


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
