"""The exceptions attnsim raises; every one is an AttnsimError."""
from __future__ import annotations

from typing import Optional, Sequence


class AttnsimError(Exception):
    """Base class of the package's errors."""


class BinaryNotFoundError(AttnsimError):
    """No `attnsim` executable was found, and none could be built."""


class SimulationError(AttnsimError):
    """The binary exited with a non-zero status. `stderr` holds its message (file, line, column and field of a bad
    input); `returncode` and `command` say what ran."""

    def __init__(self, message: str, *, stderr: str = "", returncode: Optional[int] = None,
                 command: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.stderr = stderr
        self.returncode = returncode
        self.command = list(command)


class SchemaError(AttnsimError, ValueError):
    """A result does not match the schema: a missing key or a value of the wrong type, named by its key path."""


class UnsupportedSchemaVersion(SchemaError):
    """A result was written with a `schema_version` newer than this package reads."""
