"""The outbox's Celery tasks: the kick after commit and the beat-driven relay. Both are
safe to run twice or at once: every row is claimed before it is delivered."""

from celery import shared_task

from helpdesk.core.outbox import services


@shared_task(name="outbox.deliver", ignore_result=True)
def outbox_deliver(keys: list[str]) -> int:
    return services.outbox_deliver(keys=keys)


@shared_task(name="outbox.relay", ignore_result=True)
def outbox_relay() -> int:
    return services.outbox_relay()
