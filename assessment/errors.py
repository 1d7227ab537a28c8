"""The refusal every write of the assessment raises when a step is not allowed, with its message in
Chinese. Who may take a step at all is the permission door's answer (portal.permissions); whether the
assessment's state allows it is this module's."""

from django.core.exceptions import ValidationError


class WorkflowError(ValidationError):
    """A step that the assessment's state does not allow; the message says why, in Chinese."""


def ensure(condition: bool, message: str) -> None:
    """Refuse the step with `message` unless `condition` holds."""
    if not condition:
        raise WorkflowError(message)
