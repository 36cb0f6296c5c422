"""Every socket follows its user's rights: the customer chat, the console and the staff
alerts feed are closed within seconds of a logout, a deactivation, a change of role,
staff status, group, password or second factor, and deliver nothing after that."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import Group
from django.test import Client

from accounts.permissions import SPECIALISTS_GROUP
from chat import consumers
from helpdesk.asgi import application
from helpdesk.core.realtime import STAFF_GROUP
from tests.chat.conftest import ORIGIN, Socket, run_async
from tests.factories import PASSWORD, AccountFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED_WITHIN = 5  # seconds

ALERT = {"type": "sla.alert", "total": 1, "alerts": [{"subject": "Checkout down"}]}


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _alerts(cookie: str) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application,
        "/ws/staff/alerts/",
        headers=[ORIGIN, (b"cookie", f"sessionid={cookie}".encode())],
    )


async def _closed(comm: WebsocketCommunicator) -> int:
    """The close code, skipping frames sent before it."""
    while True:
        output = await comm.receive_output(timeout=CLOSED_WITHIN)
        if output["type"] == "websocket.close":
            return output["code"]


def _logout(user, browser):
    browser.post("/logout/")


def _deactivate(user, browser):
    user.is_active = False
    user.save()


def _password_set_by_someone_else(user, browser):
    user.set_password("Someone-else-set-this-2026")
    user.save()


def _staff_status_removed(user, browser):
    user.is_staff = False
    user.save()


def _left_the_specialists(user, browser):
    user.groups.remove(Group.objects.get(name=SPECIALISTS_GROUP))


def _specialists_group_emptied(user, browser):
    Group.objects.get(name=SPECIALISTS_GROUP).user_set.clear()


STAFF_CHANGES = {
    "logout": (_logout, consumers.CLOSE_SIGNED_OUT),
    "deactivation": (_deactivate, consumers.CLOSE_SIGNED_OUT),
    "password set by someone else": (_password_set_by_someone_else, consumers.CLOSE_SIGNED_OUT),
    "staff status removed": (_staff_status_removed, consumers.CLOSE_FORBIDDEN),
    "left the Specialists group": (_left_the_specialists, consumers.CLOSE_FORBIDDEN),
    "Specialists group emptied": (_specialists_group_emptied, consumers.CLOSE_FORBIDDEN),
}


@pytest.mark.parametrize("change", list(STAFF_CHANGES))
def test_a_staff_rights_change_closes_the_console_and_the_alerts_feed(specialist, change):
    apply, code = STAFF_CHANGES[change]
    browser = _browser(specialist)
    cookie = browser.cookies["sessionid"].value

    async def body():
        console = Socket("/ws/chat/console/", cookie)
        alerts = _alerts(cookie)
        assert await console.connect()
        assert (await alerts.connect())[0]
        await sync_to_async(apply)(specialist, browser)
        assert await _closed(console.comm) == code
        assert await _closed(alerts) == code
        # Nothing reaches the closed feed afterwards.
        await get_channel_layer().group_send(STAFF_GROUP, ALERT)
        assert await alerts.receive_nothing(timeout=0.3)
        await console.close()
        await alerts.disconnect()

    run_async(body)


def _moved_to_an_account_without_premium(user, browser):
    user.account = AccountFactory()
    user.save()


CUSTOMER_CHANGES = {
    "logout": (_logout, consumers.CLOSE_SIGNED_OUT),
    "deactivation": (_deactivate, consumers.CLOSE_SIGNED_OUT),
    "password set by someone else": (_password_set_by_someone_else, consumers.CLOSE_SIGNED_OUT),
    "moved to an account without Premium Support": (
        _moved_to_an_account_without_premium,
        consumers.CLOSE_FORBIDDEN,
    ),
}


@pytest.mark.parametrize("change", list(CUSTOMER_CHANGES))
def test_a_customer_rights_change_closes_the_chat_socket(customer, change):
    apply, code = CUSTOMER_CHANGES[change]
    browser = _browser(customer)
    cookie = browser.cookies["sessionid"].value

    async def body():
        chat = Socket("/ws/chat/", cookie)
        assert await chat.connect()
        await sync_to_async(apply)(customer, browser)
        assert await _closed(chat.comm) == code
        await chat.close()

    run_async(body)


def test_a_role_change_that_keeps_the_right_keeps_the_socket(customer):
    cookie = _browser(customer).cookies["sessionid"].value

    def demote():
        customer.role = "regular"
        customer.save()

    async def body():
        chat = Socket("/ws/chat/", cookie)
        assert await chat.connect()
        await sync_to_async(demote)()
        await chat.send({"type": "ping"})
        assert (await chat.recv_type("pong"))["type"] == "pong"
        await chat.close()

    run_async(body)


def test_own_password_change_ends_the_other_sessions_sockets(specialist):
    """Django gives the changer's browser a new session key (and ends the others); every
    socket opened on an old session closes, and the browser's new session connects."""
    here, elsewhere = _browser(specialist), _browser(specialist)

    async def body():
        old_here = _alerts(here.cookies["sessionid"].value)
        ended = _alerts(elsewhere.cookies["sessionid"].value)
        assert (await old_here.connect())[0] and (await ended.connect())[0]
        response = await sync_to_async(here.post)(
            "/password/change/",
            {
                "old_password": PASSWORD,
                "new_password1": "A-new-secret-2026!",
                "new_password2": "A-new-secret-2026!",
            },
        )
        assert response.status_code == 302
        assert await _closed(ended) == consumers.CLOSE_SIGNED_OUT
        assert await _closed(old_here) == consumers.CLOSE_SIGNED_OUT
        renewed = _alerts(here.cookies["sessionid"].value)
        assert (await renewed.connect())[0]
        await get_channel_layer().group_send(STAFF_GROUP, ALERT)
        assert (await renewed.receive_json_from(timeout=CLOSED_WITHIN))["type"] == "sla.alert"
        assert await ended.receive_nothing(timeout=0.3)
        for comm in (old_here, ended, renewed):
            await comm.disconnect()

    run_async(body)


def test_a_bulk_update_is_caught_by_the_periodic_recheck(specialist, customer, settings):
    """queryset.update() sends no signal; the sockets' own re-check, every
    CHAT_ACCESS_RECHECK_SECONDS, closes them anyway, with nothing said on them."""
    settings.CHAT_ACCESS_RECHECK_SECONDS = 1
    staff_cookie = _browser(specialist).cookies["sessionid"].value
    customer_cookie = _browser(customer).cookies["sessionid"].value

    def bulk_deactivate():
        type(specialist).objects.filter(pk__in=[specialist.pk, customer.pk]).update(is_active=False)

    async def body():
        alerts = _alerts(staff_cookie)
        console = Socket("/ws/chat/console/", staff_cookie)
        chat = Socket("/ws/chat/", customer_cookie)
        assert (await alerts.connect())[0] and await console.connect() and await chat.connect()
        await sync_to_async(bulk_deactivate)()
        assert await _closed(alerts) == consumers.CLOSE_SIGNED_OUT
        assert await _closed(console.comm) == consumers.CLOSE_SIGNED_OUT
        assert await _closed(chat.comm) == consumers.CLOSE_SIGNED_OUT
        await get_channel_layer().group_send(STAFF_GROUP, ALERT)
        assert await alerts.receive_nothing(timeout=0.3)
        for comm in (alerts, console.comm, chat.comm):
            await comm.disconnect()

    run_async(body)


def _user_deleted(user, browser):
    user.delete()


def _specialists_group_renamed(user, browser):
    group = Group.objects.get(name=SPECIALISTS_GROUP)
    group.name = "Former specialists"
    group.save()


@pytest.mark.parametrize(
    "apply", [_user_deleted, _specialists_group_renamed], ids=["deleted", "group renamed"]
)
def test_deleting_the_user_or_renaming_their_group_closes_the_feed(specialist, settings, apply):
    settings.CHAT_ACCESS_RECHECK_SECONDS = 60  # the signal, not the timer
    cookie = _browser(specialist).cookies["sessionid"].value

    async def body():
        alerts = _alerts(cookie)
        assert (await alerts.connect())[0]
        await sync_to_async(apply)(specialist, None)
        assert await _closed(alerts) in (consumers.CLOSE_SIGNED_OUT, consumers.CLOSE_FORBIDDEN)
        await alerts.disconnect()

    run_async(body)


def test_removing_the_second_factor_closes_staff_sockets_when_it_is_required(specialist, settings):
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.STAFF_REQUIRE_2FA = True
    device = TOTPDevice.objects.create(user=specialist, name="phone", confirmed=True)
    browser = _browser(specialist)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    cookie = browser.cookies["sessionid"].value
    unverified = _browser(specialist).cookies["sessionid"].value

    async def body():
        refused = _alerts(unverified)
        assert not (await refused.connect())[0]
        console = Socket("/ws/chat/console/", cookie)
        alerts = _alerts(cookie)
        assert await console.connect()
        assert (await alerts.connect())[0]
        await sync_to_async(device.delete)()
        assert await _closed(console.comm) == consumers.CLOSE_FORBIDDEN
        assert await _closed(alerts) == consumers.CLOSE_FORBIDDEN
        await console.close()
        await alerts.disconnect()
        await refused.disconnect()

    run_async(body)


def test_out_of_range_ids_in_console_frames_are_malformed_not_database_errors(specialist, caplog):
    cookie = _browser(specialist).cookies["sessionid"].value
    frames = [
        {"type": "message", "conversation": 2**70, "body": "x", "client_id": "m1"},
        {"type": "accept", "conversation": 2**63},
        {"type": "history", "conversation": 1, "after_seq": 2**64},
    ]

    async def body():
        console = Socket("/ws/chat/console/", cookie)
        assert await console.connect()
        for frame in frames:
            await console.send(frame)
            assert (await console.recv_type("error"))["code"] == "malformed"
        await console.close()

    run_async(body)
    assert "storing chat messages failed" not in caplog.text


def test_one_periodic_round_checks_each_session_once_and_closes_every_socket_it_covers(
    customer, settings, monkeypatch
):
    """The process re-checks its sockets in one round per period: five tabs of one
    session cost one check, not five; a bulk update still closes all five, and another
    customer's socket in the same process stays open."""
    from accounts import sockets as base  # where the round's batch check is made

    settings.CHAT_ACCESS_RECHECK_SECONDS = 1
    other = UserFactory(account=customer.account)
    cookie = _browser(customer).cookies["sessionid"].value
    other_cookie = _browser(other).cookies["sessionid"].value
    checked: list[int] = []  # the user of each check the rounds made
    real = base.socket_access_many

    def counted(*, checks: list) -> list:
        checked.extend(scope["user"].pk for scope, _rule in checks)
        return real(checks=checks)

    monkeypatch.setattr(base, "socket_access_many", counted)

    def bulk_deactivate():
        type(customer).objects.filter(pk=customer.pk).update(is_active=False)

    async def body():
        tabs = [Socket("/ws/chat/", cookie) for _ in range(5)]
        colleague = Socket("/ws/chat/", other_cookie)
        for socket in [*tabs, colleague]:
            assert await socket.connect()
        checked.clear()
        await asyncio.sleep(2.5)  # two rounds at least
        rounds = checked.count(customer.pk)
        assert rounds >= 1
        assert checked.count(other.pk) == rounds  # one check per session per round
        await sync_to_async(bulk_deactivate)()
        for tab in tabs:
            assert await _closed(tab.comm) == consumers.CLOSE_SIGNED_OUT
        assert await colleague.comm.receive_nothing(timeout=1.5)
        await colleague.close()
        for tab in tabs:
            await tab.comm.disconnect()

    run_async(body)
