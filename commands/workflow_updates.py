"""How long a request waits for a running workflow to apply an update (a decision, a reroute, a
cancellation, a hồ sơ's step or correction) before it answers that the outcome is not known yet.

One value for every command, read at each call (``workflow_updates.UPDATE_WAIT``), so that a
deployment or the test suite changes it in one place. Past it, the update may still be applied:
the command leaves its row for the reconciler and answers "not yet" (HTTP 202), never "failed".
"""

from __future__ import annotations

from datetime import timedelta

UPDATE_WAIT = timedelta(seconds=10)
