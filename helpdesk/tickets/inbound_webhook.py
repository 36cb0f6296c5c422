"""The provider transport: Mailgun's inbound route ("forward" to
/inbound/mailgun/mime/, raw MIME in `body-mime`), through django-anymail's view, which
checks Mailgun's HMAC signature (timestamp + token, INBOUND_MAILGUN_SIGNING_KEY) and
answers 400 to a bad one. The message is then the inbound service's, as from IMAP."""

from typing import Any

from anymail.signals import AnymailInboundEvent
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from helpdesk.tickets.inbound import inbound_email_receive


class InboundMailgunView(MailgunInboundWebhookView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.run_validators(request)
        for event in self.parse_events(request):
            assert isinstance(event, AnymailInboundEvent)
            raw = request.POST.get("body-mime")
            data = raw.encode("utf-8") if raw else event.message.as_bytes()
            # A refused or failed message is logged, and still a 200: the provider
            # would only send it again.
            inbound_email_receive(raw=data, transport="mailgun")
        return HttpResponse()


@csrf_exempt
def mailgun_inbound(request: HttpRequest) -> HttpResponse:
    """404 until INBOUND_MAILGUN_SIGNING_KEY is set: an empty key would sign anything."""
    key = settings.INBOUND_MAILGUN_SIGNING_KEY
    if not key:
        raise Http404
    response: HttpResponse = InboundMailgunView.as_view(webhook_signing_key=key)(request)
    return response
