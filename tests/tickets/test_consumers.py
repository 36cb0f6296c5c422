"""The collision notice's socket: who else is viewing or typing on a ticket, live; only
staff who work tickets may listen."""

import pytest
from asgiref.sync import async_to_sync

from tests.chat.conftest import Socket, session_cookie
from tests.factories import LeadFactory, StaffFactory, SuperAdminFactory, UserFactory, ticket_for

pytestmark = pytest.mark.django_db(transaction=True)


def _path(ticket) -> str:
    return f"/ws/staff/tickets/{ticket.pk}/"


def test_two_specialists_see_each_other_viewing_typing_and_leaving():
    ticket = ticket_for(SuperAdminFactory())
    sam = StaffFactory(full_name="Sam Specialist")
    lee = LeadFactory(full_name="Lee Lead")
    sam_cookie, lee_cookie = session_cookie(sam), session_cookie(lee)

    async def scenario():
        first = Socket(_path(ticket), sam_cookie)
        assert await first.connect()
        assert await first.comm.receive_nothing(timeout=0.2)  # alone on the ticket
        second = Socket(_path(ticket), lee_cookie)
        assert await second.connect()
        joined = await first.comm.receive_json_from(timeout=3)
        assert joined["type"] == "presence.join"
        assert (joined["user_id"], joined["name"]) == (lee.pk, "Lee Lead")
        # The newcomer learns who was there before it.
        here = await second.comm.receive_json_from(timeout=3)
        assert here["type"] == "presence.here"
        assert (here["user_id"], here["name"]) == (sam.pk, "Sam Specialist")

        await second.send({"type": "typing"})
        typing = await first.comm.receive_json_from(timeout=3)
        assert typing == {
            "type": "presence.typing",
            "user_id": lee.pk,
            "name": "Lee Lead",
            "peer": joined["peer"],
        }
        await second.send({"type": "typing"})  # again at once: not relayed
        await second.send({"type": "something else", "user_id": sam.pk})  # ignored
        assert await first.comm.receive_nothing(timeout=0.3)
        assert await second.comm.receive_nothing(timeout=0.1)  # never its own frames

        await second.comm.disconnect()
        left = await first.comm.receive_json_from(timeout=3)
        assert left["type"] == "presence.leave" and left["peer"] == joined["peer"]
        await first.comm.disconnect()

    async_to_sync(scenario)()


def test_viewers_of_another_ticket_are_not_told():
    customer = SuperAdminFactory()
    one, other = ticket_for(customer), ticket_for(customer, subject="Other")
    cookie_a, cookie_b = session_cookie(StaffFactory()), session_cookie(StaffFactory())

    async def scenario():
        a = Socket(_path(one), cookie_a)
        assert await a.connect()
        b = Socket(_path(other), cookie_b)
        assert await b.connect()
        await b.send({"type": "typing"})
        assert await a.comm.receive_nothing(timeout=0.3)
        await a.comm.disconnect()
        await b.comm.disconnect()

    async_to_sync(scenario)()


@pytest.mark.parametrize("who", ["anonymous", "customer", "staff_without_groups"])
def test_customers_anonymous_and_staff_without_rights_are_refused(who):
    ticket = ticket_for(SuperAdminFactory())
    cookie = {
        "anonymous": None,
        "customer": session_cookie(ticket.requester),
        "staff_without_groups": session_cookie(UserFactory(account=None, role="", is_staff=True)),
    }[who]
    watcher_cookie = session_cookie(StaffFactory())

    async def scenario():
        watcher = Socket(_path(ticket), watcher_cookie)
        assert await watcher.connect()
        intruder = Socket(_path(ticket), cookie)
        connected, code = await intruder.comm.connect(timeout=5)
        assert not connected
        assert code == (4401 if who == "anonymous" else 4403)
        await intruder.comm.disconnect()
        assert await watcher.comm.receive_nothing(timeout=0.3)  # nobody joined
        await watcher.comm.disconnect()

    async_to_sync(scenario)()


def test_an_unknown_ticket_is_refused():
    cookie = session_cookie(StaffFactory())

    async def scenario():
        socket = Socket("/ws/staff/tickets/999999/", cookie)
        connected, code = await socket.comm.connect(timeout=5)
        assert not connected and code == 4404
        await socket.comm.disconnect()

    async_to_sync(scenario)()


def test_a_foreign_origin_is_refused():
    ticket = ticket_for(SuperAdminFactory())
    cookie = session_cookie(StaffFactory())

    async def scenario():
        socket = Socket(_path(ticket), cookie, origin=(b"origin", b"https://evil.example"))
        connected, _ = await socket.comm.connect(timeout=5)
        assert not connected
        await socket.comm.disconnect()

    async_to_sync(scenario)()
