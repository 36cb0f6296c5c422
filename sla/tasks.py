from celery import shared_task

from sla.sweep import run_sweep


# expires: a sweep queued behind a busy worker is skipped rather than piling up; the
# next one catches up anyway. Overlapping sweeps are harmless (rows are locked).
@shared_task(ignore_result=True, expires=60, soft_time_limit=50, time_limit=60)
def sla_sweep() -> dict[str, int]:
    return run_sweep(time_budget=40.0)
