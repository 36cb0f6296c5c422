"""Emails as a customer's mail program sends them, as raw bytes."""

from email.message import EmailMessage
from email.utils import formatdate, make_msgid

QUOTED = (
    "\n\nAda\n-- \nAda Lovelace | Example Inc\n\n"
    "On Tue, Dec 1, 2026 at 10:00 AM Premium Support <support@premiumdesk.example> wrote:\n"
    "> Hello Ada,\n> please try again.\n"
)


def email_bytes(
    *,
    sender: str,
    to: str = "support@premiumdesk.example",
    subject: str = "Exports fail",
    body: str | None = "The export button spins forever.",
    html: str | None = None,
    headers: dict[str, str] | None = None,
    message_id: str | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate()
    message["Message-ID"] = message_id or make_msgid(domain="customer.example")
    for name, value in (headers or {}).items():
        message[name] = value
    if body is None:  # an HTML-only message
        message.set_content(html or "", subtype="html")
    else:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    return message.as_bytes()
