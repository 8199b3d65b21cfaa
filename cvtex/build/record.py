"""A ``cvtex render`` of unchanged inputs done again from its render record: the cached
PDFs written, the same :class:`~cvtex.build.results.Result` as the render gave, without
loading, validating or templating anything (:mod:`cvtex.build.cache`, "render records").

Imports neither the schema, the templates nor a PDF library: ``cvtex render`` tries this
first and imports the pipeline only when it returns ``None``.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from cvtex.build import cache
from cvtex.build.results import Result, cached_output, file_name
from cvtex.files import write_atomic


def replay(profile: Path, options: dict[str, Any], output_dir: Path) -> Result | None:
    """The render of ``profile`` with ``options`` (:func:`cvtex.build.cache.record_options`)
    done again from its record: a :class:`Result` with ``replayed=True``, its PDFs written
    to ``output_dir/<stem>-<name>.pdf`` (``<stem>-<name>-blind.pdf`` with a ``blind`` option) (:attr:`cvtex.build.results.Output.name`) from the build cache — or ``None`` when anything
    the record rests on changed (:func:`cvtex.build.cache.load_record`); the caller then
    renders as usual. Raises ``OSError`` when an output cannot be written."""
    started = time.perf_counter()
    record = cache.load_record(profile, options)
    if record is None:
        return None
    outputs = []
    for code, document, entry in record.entries:
        target = output_dir / file_name(profile.stem, f"{document + '-' if document else ''}{code}", "pdf",
                                        options.get("blind"))
        write_atomic(target, entry.pdf)
        outputs.append(cached_output(code, target, entry, document=document))
    return Result(profile, outputs, record.warnings, None, record.theme, {"load": time.perf_counter() - started},
                  None, record.links, record.link_policy, replayed=True)
