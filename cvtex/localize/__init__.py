"""Stage 3 — localize: a validated profile -> the one-language view the themes print.

* :mod:`~cvtex.localize.locale` — language data per output locale (:class:`Locale`,
  :class:`Labels`, :func:`get_locale`, :func:`supported_locales`), from
  ``locales/<code>.yaml``;
* :mod:`~cvtex.localize.view` — :func:`localize` and the view's classes (:class:`View`,
  :class:`Section`, :class:`Header`, one class per entry kind); :func:`localize_career`,
  the 경력기술서 (career description) of a CV's view;
* :mod:`~cvtex.localize.letters` — :func:`localize_letter`: a letter (cover letter,
  자기소개서) in one locale (:class:`LetterView`), with the CV's header;
* :mod:`~cvtex.localize.text` — :class:`Text`, a localized string that knows its profile field.

The view's names are imported on first use: ``cvtex validate`` needs only the locale
codes, not the view's classes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cvtex.lazy import exports
from cvtex.localize.locale import Labels, Locale, get_locale, supported_locales
from cvtex.localize.text import Text

if TYPE_CHECKING:
    from cvtex.localize.letters import LetterView, localize_letter
    from cvtex.localize.view import (
        VIEW_OF,
        Author,
        AwardEntry,
        CertificationEntry,
        CustomEntry,
        EducationEntry,
        Entry,
        ExperienceEntry,
        Header,
        LanguageEntry,
        LanguageTestEntry,
        Link,
        MilitaryEntry,
        PatentEntry,
        PressEntry,
        ProjectEntry,
        PublicationEntry,
        Role,
        RoleProject,
        Section,
        SkillEntry,
        SocialProfile,
        TalkEntry,
        TeachingEntry,
        View,
        localize,
        localize_career,
        section_order,
    )

_VIEW_NAMES = ("localize", "localize_career", "section_order", "View", "Section", "Header", "Link", "SocialProfile",
               "Role", "RoleProject", "ExperienceEntry", "EducationEntry", "Author", "PublicationEntry", "ProjectEntry",
               "AwardEntry", "TalkEntry", "TeachingEntry", "PatentEntry", "PressEntry", "SkillEntry", "LanguageEntry",
               "MilitaryEntry", "CertificationEntry", "LanguageTestEntry", "CustomEntry", "Entry", "VIEW_OF")
__getattr__, __dir__, __all__ = exports(__name__, {"view": _VIEW_NAMES, "letters": ("localize_letter", "LetterView")},
                                          eager=("Locale", "Labels", "get_locale", "supported_locales", "Text"))
