"""What JSON Resume import and export share: the schema version cvtex reads and writes
(:data:`SCHEMA_URL`), the notes both report (:class:`Note`) and the error of a document
that cannot be imported at all (:class:`JsonResumeError`)."""

from __future__ import annotations

from dataclasses import dataclass

#: The schema URL JSON Resume v1.0.0 documents name in ``$schema``.
SCHEMA_URL = "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json"


class JsonResumeError(ValueError):
    """The document cannot be imported at all (not JSON, not an object, no name)."""


@dataclass
class Note:
    """One thing the import did that the user should know: ``path`` is the JSON path."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"

