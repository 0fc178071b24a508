"""storyfold's exceptions: one base class, each naming what went wrong and how to fix it."""

from __future__ import annotations


class StoryfoldError(Exception):
    """Base class of every error storyfold raises on purpose."""


class InputError(StoryfoldError):
    """One input (a file, or one line of it) could not be read as an article."""

    def __init__(self, origin: str, message: str) -> None:
        super().__init__(f"{origin}: {message}")
        self.origin = origin
        self.message = message


class StoreError(StoryfoldError):
    """The store could not be opened or is not a storyfold store."""


class MissingDependency(StoryfoldError):
    """An optional dependency is needed for what was asked."""

    def __init__(self, what: str, install: str) -> None:
        super().__init__(f"{what} needs an optional dependency: run `{install}`")
