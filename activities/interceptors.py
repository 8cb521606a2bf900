"""What every activity shares, whichever family it belongs to."""

from __future__ import annotations

from typing import Any

from temporalio.exceptions import ApplicationError
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput, Interceptor

from models.errors import DomainError


class DomainErrorsAreFinal(Interceptor):
    """A refused operation (``DomainError``) ends the activity for good instead of being retried.

    A domain error says the input or the state forbids the change (a missing agency key, a
    document in the wrong status): retrying the same input can only fail again, and the default
    retry policy would retry it for ever. Its code becomes the ``ApplicationError`` type, so the
    workflow (and the Temporal UI) sees which refusal it was.
    """

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _DomainErrorsAreFinal(next)


class _DomainErrorsAreFinal(ActivityInboundInterceptor):
    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        try:
            return await self.next.execute_activity(input)
        except DomainError as error:
            raise ApplicationError(error.code, {key: str(value) for key, value in error.params.items()},
                                   type=error.code, non_retryable=True) from error
