"""JSON Resume (https://jsonresume.org, schema v1.0.0) to and from a cvtex profile.

:func:`import_resume` maps a JSON Resume document onto a profile and returns it as
commented YAML (:class:`Imported`): every written value carries a ``# json.path``
comment naming where it came from, and every value that has no place in a profile is
kept as a comment at the top of the file and listed in :attr:`Imported.notes` —
nothing is dropped silently. :func:`export_resume` turns a validated
:class:`~cvtex.schema.Profile` into a JSON Resume document in one locale.

Import rules (the JSON Resume page of the documentation has the full table):

* Text is written as one string (the same in every language): the Korean PDF prints
  it until ``{en: …, ko: …}`` is given. The profile's locales are ``[en, ko]``.
* Empty strings are absent. A URL without a scheme (``example.com/x``) gets
  ``https://``. Dates ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` are kept as written; a
  date-time keeps its date; ``present``/``current``/``now`` end dates are ``present``;
  a work or volunteer entry without ``endDate`` is ongoing (``end: present``), as JSON
  Resume themes print it.
* Consecutive ``work`` (and ``volunteer``) entries of one organization become one
  organization with several roles.
* Fields cvtex has no field for, invalid values (an e-mail address, a phone number, a
  URL, a date cvtex cannot read), unknown keys and unknown top-level lists are reported;
  a top-level list of unknown kind becomes a custom section.

Modules: :mod:`~.common` (shared), :mod:`~.reader` (values, notes, commented YAML),
:mod:`~.importer` (the mapping), :mod:`~.exporter`. ruamel.yaml is imported only when
an import runs.
"""

from cvtex.interop.jsonresume.common import SCHEMA_URL, JsonResumeError, Note
from cvtex.interop.jsonresume.exporter import export_resume
from cvtex.interop.jsonresume.importer import IMPORT_LOCALES, import_resume
from cvtex.interop.jsonresume.reader import Imported, read_json

__all__ = ["SCHEMA_URL", "IMPORT_LOCALES", "JsonResumeError", "Note", "Imported", "import_resume", "read_json",
           "export_resume"]
