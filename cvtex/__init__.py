"""cvtex — one YAML profile, professional CV PDFs in Korean and English.

One subpackage per stage; data flows down this list and each package imports only those
above it::

    schema    cv.yaml -> Document (values + source positions) -> Profile (pydantic models)
    localize  Profile, locale -> View (one language, dates formatted)
    tex       LaTeX source -> PDF in a build directory + parsed log (sandboxed XeLaTeX,
              the engine pool and its speed paths)
    theme     View, Theme -> LaTeX source (Jinja2 templates on the shared base)
    links     the profile's URLs, a PDF's link annotations, their syntax, policy and status
    build     the pipeline: render_profile runs the stages above, then finishes each PDF
              (metadata, /Lang, outline), merges the bilingual PDF, keeps the build cache
    interop   JSON Resume import and export
    cli       the ``cvtex`` command line

:mod:`cvtex.diagnostics` (problems at ``file:line:col``) and :mod:`cvtex.files` (the cache
directory, atomic writes) serve them all. Each package's ``__init__`` is its public API.
"""

__version__ = "0.1.0"
