"""The re-check round's hooks (helpdesk.core.sockets) for sockets that follow their
user's rights: chat (customer and console) and the staff alerts. A socket class mixes
this in and gives its rule, `allowed(user, session)`, and `access_apply(state)`: what it
does when the answer comes (each closes in its own way)."""

from typing import Any

from accounts.models import User
from accounts.selectors import SocketAccess, socket_access, socket_access_many


class RightsRechecked:
    rights_lost = False
    scope: dict[str, Any]

    def allowed(self, user: User, session: dict[str, Any]) -> bool:
        raise NotImplementedError

    async def access_apply(self, state: SocketAccess) -> bool:
        raise NotImplementedError

    def _rights_scope(self) -> dict[str, Any]:
        return {"user": self.scope.get("user"), "session": self.scope.get("session")}

    def recheck_sync(self) -> tuple[SocketAccess, Any]:
        scope = self._rights_scope()
        return socket_access(scope=scope, allowed=self.allowed), scope["user"]

    @staticmethod
    def recheck_batch(members: list["RightsRechecked"]) -> list[tuple[SocketAccess, Any]]:
        """All the class's sockets of a round: the sessions in one cache read, the users
        in one query (accounts.selectors.socket_access_many)."""
        return socket_access_many(checks=[(m._rights_scope(), m.allowed) for m in members])

    async def recheck_apply(self, answer: tuple[SocketAccess, Any]) -> bool:
        state, fresh = answer
        if self.rights_lost:
            return False
        if state == SocketAccess.OK:
            self.scope["user"] = fresh
        return await self.access_apply(state)
