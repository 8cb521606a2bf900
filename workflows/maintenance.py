"""``Reconcile``: the maintenance round a schedule starts every minute (overlap SKIP).

One round restarts lost workflow starts, puts back decisions lost in the completion handshake,
reports recipients not reached in time and drains the e-mail outbox, each an activity of
``activities/maintenance.py``, then reads the text layer of documents whose current file is not
yet in the search index (``activities/search_index.py``), then signs the audit chain's head of
each finished day (``activities/audit.py``), then sends the push outbox (``activities/push.py``).
A failing part is logged and the others still run: the next round tries again. Being a scheduled workflow rather than a loop
inside each worker process, a round runs once at a time for the whole installation, and
supervisors see every round in the Temporal UI.

Patches: ``2026-12-04-index-text`` (the text round, after the other parts);
``2026-12-04-audit-day-heads`` (signing the audit day heads); ``2026-12-04-push`` (the push
outbox, last).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import ActivityName

# A round is cheap and the next one comes a minute later: retry briefly, never pile up.
ROUND_RETRY = RetryPolicy(maximum_attempts=3, initial_interval=timedelta(seconds=2))
PARTS = (
    (ActivityName.RESTART_LOST_STARTS, timedelta(minutes=2)),
    (ActivityName.PUT_BACK_LOST_DECISIONS, timedelta(minutes=2)),
    (ActivityName.REPORT_RECIPIENTS_NOT_REACHED, timedelta(minutes=1)),
    # 50 messages over SMTP, each with a 30-second connection timeout at worst.
    (ActivityName.DELIVER_MAIL, timedelta(minutes=5)),
)
INDEX_TEXT_PATCH = "2026-12-04-index-text"
# 100 documents' PDFs, reading stopping after a minute; the store of their text after that.
INDEX_TEXT_PART = (ActivityName.INDEX_TEXT_LAYERS, timedelta(minutes=5))
AUDIT_DAY_HEADS_PATCH = "2026-12-04-audit-day-heads"
# A few signatures, or a month of them after a long outage.
AUDIT_DAY_HEADS_PART = (ActivityName.SIGN_AUDIT_DAY_HEADS, timedelta(minutes=1))
PUSH_PATCH = "2026-12-04-push"
# 25 pushes, each with a 10-second timeout at worst.
PUSH_PART = (ActivityName.DELIVER_PUSH, timedelta(minutes=5))


@workflow.defn(name="Reconcile")
class ReconcileWorkflow:
    """One maintenance round; returns what each part did (-1: it failed this round)."""

    @workflow.run
    async def run(self) -> dict[str, int]:
        done: dict[str, int] = {}
        parts = (*PARTS, INDEX_TEXT_PART) if workflow.patched(INDEX_TEXT_PATCH) else PARTS
        if workflow.patched(AUDIT_DAY_HEADS_PATCH):
            parts = (*parts, AUDIT_DAY_HEADS_PART)
        if workflow.patched(PUSH_PATCH):
            parts = (*parts, PUSH_PART)
        for name, timeout in parts:
            try:
                done[str(name)] = await workflow.execute_activity(
                    name, result_type=int, start_to_close_timeout=timeout, retry_policy=ROUND_RETRY)
            except ActivityError:
                workflow.logger.warning("maintenance part %s failed; the next round retries", name)
                done[str(name)] = -1
        return done
