"""cvtex — one YAML profile, professional CV PDFs in Korean and English.

The pipeline, one module per stage::

    loader.load        cv.yaml           -> Document (raw mapping + source positions)
    profile.validate   Document          -> Profile (pydantic models)
    locale.localize    Profile, locale   -> View (one language, dates formatted)
    template.render    View, Theme       -> LaTeX source (str)
    engine.compile     LaTeX source      -> PDF in a build directory + parsed log
    pdf.finish         PDF               -> final PDF (metadata, /Lang, outline)

``render.render_profile`` runs the stages in order; ``cli`` is the command line.
"""

__version__ = "0.1.0"
