"""Tickets, replies, their history and the ticket notifications."""
