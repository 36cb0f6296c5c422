"""Files that customers and specialists attach (to tickets, replies and chat messages):
the rules (size per file and per message, an allow-list checked by name and by content),
storage through Django's storage API (the "attachments" alias of STORAGES when a
deployment sets one, else files under ATTACHMENTS_ROOT readable by the portal's user
only), thumbnails re-encoded with Pillow, writes undone with their transaction, and the
download response. The apps keep their own rows and their rule of who may see what."""

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
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from helpdesk.core.textclean import clean_line

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
IMAGES = {"png", "jpg", "jpeg", "gif"}
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
class Checked:
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


def _check_one(upload: Upload) -> Checked:
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
    return Checked(name=name, content=upload.content, extension=extension)


def attachments_check(uploads: Sequence[Upload]) -> list[Checked]:
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
    """`transaction.atomic()` that also deletes the files `file_write` stored inside
    it when it rolls back: storage is not transactional, and a ticket, reply or chat
    message that was never saved must not leave its files behind. The services that
    store attachments open their transaction with it; nested, the files belong to the
    outermost block."""
    outer = _written_here.get()
    written: list[str] = []
    token = _written_here.set(written)
    try:
        with transaction.atomic():
            yield
    except BaseException:
        files_delete(written)
        raise
    finally:
        _written_here.reset(token)
    if outer is not None:
        outer.extend(written)  # committed only with the enclosing block


@dataclass(frozen=True)
class StoredFile:
    path: str
    thumbnail_path: str


def file_write(*, folder: str, item: Checked) -> StoredFile:
    """Store one checked file (and an image's thumbnail) under `folder`, with a random
    part in the name. Inside `atomic_with_files` the files go when the block rolls back;
    a thumbnail that cannot be drawn refuses the file (ValidationError, nothing kept)."""
    storage = attachment_storage()
    base = f"{folder}/{uuid.uuid4().hex}"
    path = storage.save(f"{base}/file.{item.extension}", ContentFile(item.content))
    written = [path]
    try:
        thumbnail_path = ""
        if item.extension in IMAGES:
            png = _thumbnail(item.content)
            if not png:
                raise ValidationError(CONTENT_MISMATCH % {"name": item.name})
            thumbnail_path = storage.save(f"{base}/thumbnail.png", ContentFile(png))
            written.append(thumbnail_path)
    except BaseException:
        files_delete(written)
        raise
    pending = _written_here.get()
    if pending is not None:
        pending.extend(written)
    return StoredFile(path=path, thumbnail_path=thumbnail_path)


def files_delete(paths: Sequence[str]) -> None:
    storage = attachment_storage()
    for path in paths:
        try:
            storage.delete(path)
        except Exception:
            # Best effort: the error that rolled the transaction back is the one to raise.
            logger.warning("attachment %s could not be deleted", path, exc_info=True)


# Served files never run: no sniffing, a sandbox with nothing allowed, and a download
# (thumbnails, our own PNGs, are shown inline).
ATTACHMENT_CSP = "default-src 'none'; img-src 'self'; sandbox"


def file_response(
    *, path: str, name: str, content_type: str, thumbnail_path: str, thumbnail: bool
) -> FileResponse:
    """The download of a file the caller has checked the viewer may see."""
    inline = thumbnail and bool(thumbnail_path)
    response = FileResponse(
        attachment_storage().open(thumbnail_path if inline else path, "rb"),
        as_attachment=not inline,
        filename="thumbnail.png" if inline else name,
        content_type="image/png" if inline else content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = ATTACHMENT_CSP
    response["Cache-Control"] = "private, no-store"
    return response
