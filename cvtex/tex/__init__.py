"""The TeX stage: XeLaTeX runs, sandboxed, with their speed paths, and the engine pool.

Modules, from the bottom up (each imports only those above it in this list):

* :mod:`~cvtex.tex.toolchain` — where XeLaTeX is, its version, the sandboxed environment;
* :mod:`~cvtex.tex.log` — what the engine's log says (errors, missing characters, overfull boxes);
* :mod:`~cvtex.tex.speed` — which speed paths are allowed in this process (switches only);
* :mod:`~cvtex.tex.texdata` — tables read out of the installed TeX, cached;
* :mod:`~cvtex.tex.classes` — the class table stand-in, as text;
* :mod:`~cvtex.tex.formats` — the uncompressed copy of XeLaTeX's format;
* :mod:`~cvtex.tex.sandbox` — one sandboxed XeLaTeX run and its plain retry;
* :mod:`~cvtex.tex.engine` — compile with the speed paths; engines started before their source;
* :mod:`~cvtex.tex.pool` — :class:`EnginePool`, the one owner of engines started ahead of a render.

The names below are the package's public API, imported on first use (``cvtex validate``
imports this package and pays only for what it uses).
"""

from __future__ import annotations

from cvtex.lazy import exports

_EXPORTS = {
    "toolchain": ("APT_PACKAGES", "INSTALL_COMMAND", "ENGINE", "EngineMissing", "FontMissing", "PackageMissing",
                  "engine_path", "find_engine", "engine_version", "sandbox_env", "TEX_PACKAGES", "FONT_PACKAGES",
                  "Platform", "detect_platform", "parse_os_release", "tex_package_of", "font_packages"),
    "log": ("TexError", "MissingChar", "Overfull", "LogReport", "parse_log"),
    "classes": ("CLASSES_NAME", "CLASS_NAMES", "CLASSES_TABLE", "code_point_runs", "classes_source", "classes_text"),
    "formats": ("FORMAT_NAME", "plain_format", "installed_format", "format_copy"),
    "sandbox": ("MAX_OUTPUT_BYTES", "Build", "CompileError", "Run", "recorded_inputs"),
    "engine": ("PipeUnavailable", "compile", "start", "preamble", "pipe_problem", "classes_stand_in",
               "classes_table", "make_classes", "generate_classes"),
    "pool": ("EnginePool", "speed_status"),
}
__getattr__, __dir__, __all__ = exports(__name__, _EXPORTS)

