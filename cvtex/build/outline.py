"""What a PDF says about itself, from the localized view: its document information
(:func:`metadata`) and its outline, one bookmark per printed section (:func:`bookmarks`); a
letter's (:func:`letter_metadata`, :func:`letter_bookmarks`); a 경력기술서's, one bookmark per
organization (:func:`career_bookmarks`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cvtex import __version__
from cvtex.schema import markup
from cvtex.theme import entry_destination, section_destination

if TYPE_CHECKING:
    from cvtex.build.pdf import Bookmark, Metadata
    from cvtex.localize import LetterView, View


def metadata(view: View) -> Metadata:
    """Document information from the localized view (plain text, markup removed):
    a :class:`cvtex.build.pdf.Metadata`; the title is the view's ``title`` (the profile's
    ``title``, else the locale's ``document_title``), the keywords the header's, else the
    skills (at most 30)."""
    from cvtex.build.pdf import Metadata  # not imported by `cvtex validate`

    loc = view.locale
    name = markup.plain(view.header.name)
    keywords = [markup.plain(k) for k in view.header.keywords] or [
        markup.plain(item) for section in view.sections if section.kind == "skills"
        for entry in section.entries for item in entry.items]
    title = view.title
    return Metadata(title=title, author=name,
                    subject=markup.plain(view.header.headline) if view.header.headline else title,
                    keywords=list(dict.fromkeys(keywords))[:30], creator=f"cvtex {__version__}",
                    lang=loc.language_tag)


def bookmarks(view: View) -> list[Bookmark]:
    """One bookmark per printed section, at the theme's ``section.<id>`` destination
    (:class:`cvtex.build.pdf.Bookmark`), titled as the section is; the summary's is its
    ``summary_title``."""
    from cvtex.build.pdf import Bookmark

    marks = ([Bookmark(markup.plain(view.summary_title), section_destination("summary"))]
             if view.summary else [])
    marks += [Bookmark(markup.plain(s.title), section_destination(s.id)) for s in view.sections]
    return marks


def letter_metadata(view: LetterView) -> Metadata:
    """A letter's document information (plain text): the title ``Cover letter — <company>``
    / ``자기소개서 — <company>`` (:attr:`cvtex.localize.LetterView.title`), the author the
    profile's name, the subject the letter's subject or position, no keywords, and the
    locale's language tag."""
    from cvtex.build.pdf import Metadata

    about = view.subject or view.position
    return Metadata(title=view.title, author=markup.plain(view.header.name),
                    subject=markup.plain(about) if about else view.title, keywords=[],
                    creator=f"cvtex {__version__}", lang=view.locale.language_tag)


def career_bookmarks(view: View) -> list[Bookmark]:
    """A 경력기술서's outline (:func:`cvtex.localize.localize_career`): one bookmark per
    organization, in print order (newest first), titled with its name, at the
    ``section.<id>.<n>`` destination ``career.tex.j2`` writes before it
    (:func:`cvtex.theme.helpers.entry_destination`)."""
    from cvtex.build.pdf import Bookmark

    return [Bookmark(markup.plain(entry.organization), entry_destination(section.id, n))
            for section in view.sections for n, entry in enumerate(section.entries, 1)]


def letter_bookmarks(view: LetterView) -> list[Bookmark]:
    """A 자기소개서's outline: one bookmark per question (``1. question``), at its
    ``section.question-<n>`` destination; a cover letter has none (it is one page)."""
    from cvtex.build.pdf import Bookmark

    return [Bookmark(f"{q.number}. {markup.plain(q.question)}", section_destination(q.id))
            for q in view.questions or []]
