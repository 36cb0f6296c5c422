"""Signed outgoing webhooks: leads register endpoints for product events; each delivery
is an outbox row, signed with the endpoint's secret and retried for a day."""
