"""Live SLA alerts for staff pages (admin and console)."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.permissions import is_agent
from chat.broadcast import STAFF_GROUP
from helpdesk.channel_layer import EndsOnLayerLoss, forget_channel


class StaffAlertsConsumer(EndsOnLayerLoss, AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not await database_sync_to_async(is_agent)(user):
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(STAFF_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        try:
            await self.channel_layer.group_discard(STAFF_GROUP, self.channel_name)
        finally:
            await forget_channel(self.channel_layer, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:  # noqa: ANN001, ANN003
        # Read-only feed: anything a client sends is ignored.
        return

    async def sla_alert(self, event: dict) -> None:
        await self.send_json(
            {"type": "sla.alert", "total": event["total"], "alerts": event["alerts"]}
        )

    async def queue_changed(self, event: dict) -> None:
        await self.send_json({"type": "queue.changed", "queue": event["queue"]})
