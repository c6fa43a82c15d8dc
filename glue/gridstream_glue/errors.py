"""Errors of the Glue jobs. ``retriable`` tells the scheduler whether the same run may succeed later."""


class CurationError(Exception):
    """Base error of curation."""

    retriable = False


class PipelineDefinitionError(CurationError):
    """The rendered pipeline does not fit the data or the tables (a defect)."""


class StepFailedError(CurationError):
    """A pipeline step failed on Spark."""

    def __init__(self, step: str, detail: str):
        super().__init__(f"step {step} failed: {detail}")
        self.step = step


class CurationLockedError(CurationError):
    """Another run holds the lake's lock."""

    retriable = True
