"""The exception tree. The CLI and the API each translate it in exactly one place.

    EnergywatchError            base; message says what is wrong and what to do next
    ├── ConfigError             a setting or database URL cannot be used
    ├── StorageError            the database refused or failed an operation
    ├── KnowledgeBaseError      an asset data file is broken (file, entry, problem)
    ├── NotFoundError           an id that does not exist (with close matches)
    └── InputError              an input cannot be read at all (path does not exist)

A bad *article* is not an exception: it becomes a ``Rejection`` value with a reason,
is stored, and is counted, so one broken file never stops a run.
"""

from __future__ import annotations


class EnergywatchError(Exception):
    """Base class. ``hint`` says what the user can do next."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(EnergywatchError):
    """A setting, option combination or database URL is unusable."""

    exit_code = 2


class StorageError(EnergywatchError):
    """The database could not be opened, migrated, read or written."""

    exit_code = 3


class KnowledgeBaseError(EnergywatchError):
    """The asset knowledge base failed validation; the message names file, entry and problem."""

    exit_code = 4


class NotFoundError(EnergywatchError):
    """An article, asset or incident id that does not exist."""

    exit_code = 5

    def __init__(self, kind: str, key: str, suggestions: list[str] | None = None) -> None:
        self.kind = kind
        self.key = key
        self.suggestions = suggestions or []
        hint = (
            "did you mean: " + ", ".join(self.suggestions)
            if self.suggestions
            else f"list the available {kind}s to see valid ids"
        )
        super().__init__(f"no {kind} with id {key!r}", hint)


class InputError(EnergywatchError):
    """An input path cannot be used at all (does not exist, not a file or folder)."""

    exit_code = 2
