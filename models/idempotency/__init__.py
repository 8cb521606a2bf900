"""Idempotent HTTP requests: a retried create with the same Idempotency-Key takes effect once.

``tables`` keeps one row per (person, key); ``repo`` claims, answers and releases them;
``watch`` marks a claim as having taken effect inside the transaction of the change itself.
"""
