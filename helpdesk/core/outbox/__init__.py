"""The transactional outbox: every side effect that leaves the process after a change
(an email, a staff alert, a transcript, an escalation notice) is a row written in the
same transaction as the change, then delivered by a Celery task once the broker
answers. docs/architecture.md ("Side effects: the outbox") has the design."""
