"""The build cache: everything that makes a final PDF -> that PDF, so an unchanged profile
renders without running TeX.

The key (:func:`build_key`) is a SHA-256 over the generated LaTeX source (so every
profile field, locale string and ``design:`` value that reaches the PDF is in it), every
file of the theme (path and bytes), the post-processing inputs (metadata, bookmarks),
the job name, cvtex itself (:func:`package_digest`: every file of the package, its version
included, so an edited cvtex does not serve PDFs an older one made) and the engine's
version (``xelatex --version``, itself cached in ``engine-version.json`` keyed by the
binary's path, size and mtime, so a cached render spawns no process at all). Templating
still runs on every render (it is cheap); compiling and post-processing do not when the
key is known.

What else the PDF depends on is checked when an entry is read, as ccache's manifests
and latexmk's ``.fls`` dependencies do: each entry records the files the engine read
outside its build directory (:func:`cvtex.tex.recorded_inputs`: TeX Live's format,
classes, packages, configuration) and fontconfig's cache directories (XeTeX finds fonts
through fontconfig, and ``fc-cache`` rewrites those when fonts change), each with its
size and modification time. An entry is served only while every one of them is as
recorded — a stat per file, about 40 for a CV — so a TeX Live or font update renders
again instead of serving what the old packages made.

An entry is one file, ``builds/<key>.entry`` under :func:`cache_dir`: a JSON header
line (the PDF's SHA-256 and size, the bookmark count, the log's overfull boxes and the
recorded inputs) and the final PDF's bytes. It is written to a temporary file in the
same directory and renamed into place (``os.replace``), so two renders at once each
publish a complete entry and a reader never sees half of one; a reader checks the PDF's
hash and treats a damaged entry (truncated, edited) as absent, which re-renders and
rewrites it. The cache keeps the :data:`MAX_ENTRIES` most recently used entries (a hit
refreshes the entry's mtime); older ones are removed after each store.

A render record (``renders/<key>.json``, :func:`save_record` / :func:`load_record`) goes one
step further for a whole ``cvtex render`` of unchanged inputs: keyed by the profile file
(path and bytes), the ``--lang``/``--theme``/``--blind`` options, the working directory, every file of
cvtex itself and the installed fonts' state, it lists each locale's build-cache key, the
validation warnings and the profile's links, and is valid while the theme's files and the
engine's version are those it recorded, and the files the profile names (its photo) have the
size and modification time they had. Replaying it (:func:`cvtex.build.record.replay`)
writes the cached PDFs and prints the same report without importing the schema, the
templates or a PDF library (0.2 s instead of 0.7 s on 2 CPUs). Any mismatch — or ``--keep-tex``, ``--bilingual``, ``--png``,
``--no-cache`` — renders as usual.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cvtex.files import cache_dir, package_digest, read_json, write_atomic, write_json
from cvtex.files import prune as prune_files

#: How many builds the cache keeps (about 100 KB each for a two-page CV).
MAX_ENTRIES = 256
_SUFFIX = ".entry"


def parse_age(text: str) -> float:
    """A cache age as seconds: ``0``, ``90``, ``90s``, ``30m``, ``12h``, ``7d``.
    Raises ``ValueError`` for anything else."""
    import re

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text)
    if not match:
        raise ValueError(f"'{text}' is not an age such as 0, 90s, 30m, 12h or 7d")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def builds_dir() -> Path:
    return cache_dir() / "builds"


# --------------------------------------------------------------------------- engine version

def engine_version(xelatex: str | None = None) -> str:
    """:func:`cvtex.tex.engine_version`, remembered on disk per binary (path, size,
    mtime): the first call after a TeX Live update runs ``xelatex --version`` once."""
    from cvtex import tex

    binary = xelatex or tex.find_engine()
    real = os.path.realpath(binary)
    try:
        st = os.stat(real)
    except OSError:
        return tex.engine_version()
    ident = f"{real}:{st.st_size}:{st.st_mtime_ns}"
    store = cache_dir() / "engine-version.json"
    try:
        known = json.loads(store.read_text("utf-8"))
        if isinstance(known, dict) and isinstance(known.get(ident), str):
            return known[ident]
    except (OSError, ValueError):
        known = {}
    version = tex.engine_version()
    try:
        write_atomic(store, json.dumps({ident: version}).encode())
    except OSError:
        pass
    return version


# --------------------------------------------------------------------------- key

def theme_digest(theme_dir: Path) -> str:
    """SHA-256 over every file the theme in ``theme_dir`` is made of, the shared base's
    included (:func:`cvtex.theme.source_files`): name and bytes."""
    from cvtex.theme import source_files  # cvtex.theme.files: no pydantic, no Jinja2 (a replay imports this)

    h = hashlib.sha256()
    for name, path in source_files(Path(theme_dir)):
        rel = name.encode()
        data = path.read_bytes()
        h.update(len(rel).to_bytes(8, "big") + rel + len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def build_key(*, tex: str, theme_digest: str, jobname: str, metadata: object, bookmarks: list,
              cvtex_version: str, engine_version: str) -> str:
    """The cache key of one final PDF (see the module doc). ``metadata`` and
    ``bookmarks`` are dataclasses (:class:`cvtex.build.pdf.Metadata`, :class:`cvtex.build.pdf.Bookmark`)."""
    parts = {
        "format": 2,
        "cvtex": cvtex_version,
        "engine": engine_version,
        "theme": theme_digest,
        "jobname": jobname,
        "metadata": asdict(metadata),  # type: ignore[call-overload]
        "bookmarks": [asdict(b) for b in bookmarks],
        "tex": hashlib.sha256(tex.encode("utf-8")).hexdigest(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --------------------------------------------------------------------------- entries

@dataclass
class Entry:
    """A cached build: the final PDF's bytes, its bookmark count, the overfull boxes
    the engine's log reported (``[points, lines, box]``) and the files the engine read
    (:attr:`cvtex.tex.Build.inputs`; :func:`put` adds fontconfig's caches)."""

    pdf: bytes
    bookmarks: int
    overfull: list[list] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)


def stamps(paths: list[str]) -> list[list]:
    """``[path, size, mtime_ns]`` for each path (``[path, None, None]`` when it cannot be
    stat'ed): what an entry records of its inputs, and compares again when it is read."""
    out: list[list] = []
    for path in paths:
        try:
            st = os.stat(path)
            out.append([path, st.st_size, st.st_mtime_ns])
        except OSError:
            out.append([path, None, None])
    return out


#: Where fontconfig keeps its caches: ``fc-cache`` rewrites them when fonts are added or
#: removed, so their modification times stand for "the installed fonts" in build entries
#: and render records.
_FONTCONFIG_CACHES = ("/var/cache/fontconfig", "~/.cache/fontconfig", "~/.fontconfig")


def font_caches() -> list[str]:
    """fontconfig's cache directories (:data:`_FONTCONFIG_CACHES`, ``~`` expanded)."""
    return [os.path.expanduser(name) for name in _FONTCONFIG_CACHES]


def entry_path(key: str, directory: Path | None = None) -> Path:
    return (directory or builds_dir()) / f"{key}{_SUFFIX}"


def get(key: str, directory: Path | None = None) -> Entry | None:
    """The entry stored under ``key``, or None: absent, unreadable, stale (a recorded
    input's size or mtime is not what the entry records: :func:`stamps`) or damaged (its
    PDF does not have the size and SHA-256 its header records — the damaged file is
    removed; a stale one is replaced by the next :func:`put`)."""
    path = entry_path(key, directory)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head, sep, body = data.partition(b"\n")
    try:
        meta = json.loads(head)
        ok = (sep == b"\n" and isinstance(meta, dict) and meta.get("size") == len(body)
              and meta.get("sha256") == hashlib.sha256(body).hexdigest() and body.startswith(b"%PDF-")
              and isinstance(meta.get("inputs"), list)
              and all(isinstance(i, list) and len(i) == 3 and isinstance(i[0], str) for i in meta["inputs"]))
    except ValueError:
        ok = False
    if not ok:
        try:
            path.unlink()
        except OSError:
            pass
        return None
    inputs = [i[0] for i in meta["inputs"]]
    if stamps(inputs) != meta["inputs"]:
        return None
    try:
        os.utime(path)  # most recently used: kept longest by prune()
    except OSError:
        pass
    return Entry(body, int(meta.get("bookmarks", 0)), list(meta.get("overfull", [])), inputs)


def put(key: str, entry: Entry, directory: Path | None = None, max_entries: int = MAX_ENTRIES) -> bool:
    """Store ``entry`` under ``key`` atomically, then prune; False when the cache
    directory cannot be written (the render still succeeds). The header records
    :func:`stamps` of ``entry.inputs`` and of :func:`font_caches`."""
    inputs = stamps(list(dict.fromkeys([*entry.inputs, *font_caches()])))
    meta = {"sha256": hashlib.sha256(entry.pdf).hexdigest(), "size": len(entry.pdf),
            "bookmarks": entry.bookmarks, "overfull": entry.overfull, "inputs": inputs, "created": time.time()}
    path = entry_path(key, directory)
    try:
        write_atomic(path, json.dumps(meta).encode() + b"\n" + entry.pdf)
        prune(path.parent, max_entries)
    except OSError:
        return False
    return True


def prune(directory: Path | None = None, max_entries: int = MAX_ENTRIES, suffix: str = _SUFFIX) -> int:
    """:func:`cvtex.files.prune` of the build entries (default: :func:`builds_dir`)."""
    return prune_files(directory or builds_dir(), max_entries, suffix)


# --------------------------------------------------------------------------- render records

def record_options(locales: list[str] | None, theme: str | None, blind: str | None = None) -> dict[str, Any]:
    """The render options a record depends on besides the profile file (``--lang``,
    ``--theme``, ``--blind``: a blind render has a record of its own, never replayed for a
    normal render nor the reverse); the output directory is not one: a replay writes
    wherever it is asked."""
    options: dict[str, Any] = {"locales": list(locales) if locales else None, "theme": theme}
    if blind is not None:  # absent for a normal render: its key is the one it always was
        options["blind"] = blind
    return options


def record_key(profile: Path, options: dict[str, Any]) -> str | None:
    """The key of a render record: the profile file (absolute path and bytes), the
    render ``options`` that change what is written (locales, theme), the working directory
    (messages name files relative to it), :func:`package_digest` and the state of the
    installed fonts (the modification times of fontconfig's cache directories: validation
    checks every character against the fonts). ``None`` when the profile or the working
    directory cannot be read."""
    try:
        data, cwd = profile.read_bytes(), os.getcwd()
    except OSError:  # an unreadable profile, a removed working directory
        return None
    fonts = [mtime for _, _, mtime in stamps(font_caches())]
    parts = {"format": 2, "profile": str(profile.resolve()), "cwd": cwd, "options": options,
             "cvtex": package_digest(), "fonts": fonts, "sha256": hashlib.sha256(data).hexdigest()}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def save_record(key: str, result: Any, build_keys: dict[str, str], theme_dir: Path, theme_sha256: str,
                engine: str, inputs: list[str] | None = None) -> bool:
    """Remember what the render of :func:`record_key` ``key`` wrote: the theme (directory
    and its :func:`theme_digest`), the engine version, each locale's build-cache key, the
    warnings and the link data of ``result`` (a :class:`cvtex.build.results.Result`), and the
    :func:`stamps` of ``inputs``, files the profile names (the header photo): the record holds
    while each is as it was."""
    record = {
        "theme": str(theme_dir), "theme_digest": theme_sha256, "engine": engine,
        "inputs": stamps(list(inputs or [])),
        "outputs": [[o.locale, o.document, build_keys[o.name]] for o in result.outputs],
        "warnings": [asdict(w) for w in result.warnings],
        "links": {code: [link.to_record() for link in found] for code, found in result.links.items()},
        "link_policy": result.link_policy.to_record(),
    }
    return write_json("renders", key, record)


@dataclass
class Record:
    """A render record that still holds (:func:`load_record`): the theme directory, the
    validation warnings, the profile's links and link policy (as :attr:`cvtex.build.results.Result`
    has them) and each output's ``(locale, document, build entry)``
    (:attr:`cvtex.build.results.Output.document`), in the order rendered."""

    theme: Path
    warnings: list
    links: dict[str, list]
    link_policy: Any
    entries: list[tuple[str, str, Entry]]


def load_record(profile: Path, options: dict[str, Any]) -> Record | None:
    """The render record of ``profile`` with ``options`` (:func:`record_key`), or ``None``
    when anything it rests on changed: no record for these inputs, the theme's files, the
    engine's version, a build entry gone or damaged. Imports neither the schema, the
    templates nor a PDF library (:func:`cvtex.build.record.replay` writes its PDFs)."""
    import shutil

    from cvtex.diagnostics import Diagnostic
    from cvtex.tex import ENGINE

    key = record_key(profile, options)
    record = read_json("renders", key) if key else None
    if not isinstance(record, dict):
        return None
    try:
        binary = shutil.which(ENGINE)
        if (binary is None or record["engine"] != engine_version(binary)
                or record["theme_digest"] != theme_digest(Path(record["theme"]))
                or stamps([path for path, _, _ in record["inputs"]]) != record["inputs"]):
            return None
        entries = [(code, document, get(build)) for code, document, build in record["outputs"]]
        if any(entry is None for _, _, entry in entries):
            return None
        warnings = [Diagnostic(**w) for w in record["warnings"]]
        from cvtex.links import Policy, ProfileLink

        links = {code: [ProfileLink.from_record(link) for link in found] for code, found in record["links"].items()}
        policy = Policy.from_record(record["link_policy"])
    except (KeyError, TypeError, ValueError, OSError):
        return None
    return Record(Path(record["theme"]), warnings, links, policy, entries)  # type: ignore[arg-type]
