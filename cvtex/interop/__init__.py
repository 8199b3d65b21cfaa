"""Profiles to and from other CV formats; today JSON Resume v1.0.0
(:mod:`cvtex.interop.jsonresume`): :func:`import_resume` (JSON -> commented profile
YAML) and :func:`export_resume` (profile -> JSON in one locale)."""

from cvtex.interop.jsonresume import (
                                      IMPORT_LOCALES,
                                      SCHEMA_URL,
                                      Imported,
                                      JsonResumeError,
                                      Note,
                                      export_resume,
                                      import_resume,
                                      read_json,
)

__all__ = ["SCHEMA_URL", "IMPORT_LOCALES", "JsonResumeError", "Note", "Imported", "import_resume", "read_json",
           "export_resume"]
