"""``cvtex render --watch``: render, then render again on every save of a profile, of its
header photo or of a file of the themes it uses, until Ctrl-C (watchfiles, imported only here)."""

from __future__ import annotations

from pathlib import Path

from cvtex.cli.output import err


def watch(profiles: list[Path], once, *, quiet: bool) -> None:
    """Render, then render again after every change to a profile file, the photo it names
    or a file of the themes used, until Ctrl-C. Watches the directories (editors save by renaming a new
    file over the old one) and keeps only the events for those files."""
    import time

    from watchfiles import watch as changes_of

    files = {p.resolve() for p in profiles}
    code, themes = once()
    while True:
        covered = set(themes)
        watched = files | _photos(profiles)
        dirs = sorted({str(p.parent) for p in watched} | {str(t) for t in covered if t.is_dir()})

        def wanted(_change, name: str) -> bool:
            path = Path(name)
            return path in watched or any(path.is_relative_to(t) for t in covered)

        err.print(f"watching {len(files)} profile(s) and {len(covered)} theme(s) "
                  f"({'last render failed, exit ' + str(code) if code else 'ok'}); Ctrl-C stops", markup=False)
        restart = False
        for batch in changes_of(*dirs, watch_filter=wanted, raise_interrupt=False):
            names = sorted({Path(name).name for _, name in batch})
            err.print(f"[{time.strftime('%H:%M:%S')}] changed: {', '.join(names)}", markup=False)
            code, new_themes = once()
            if code and not quiet:
                err.print(f"[{time.strftime('%H:%M:%S')}] render failed (exit {code}); fix and save to retry",
                          markup=False, style="red")
            if new_themes - covered or _photos(profiles) - watched:  # another theme or photo: watch it too
                themes = new_themes | covered
                restart = True
                break
            if not quiet and not code:
                err.print(f"[{time.strftime('%H:%M:%S')}] done; watching", markup=False)
        if not restart:
            return  # Ctrl-C


def _photos(profiles: list[Path]) -> set[Path]:
    """The photo files the profiles name (:func:`cvtex.schema.photo.named_photo`; a profile
    that cannot be read names none)."""
    from cvtex.diagnostics import ProfileError
    from cvtex.schema import load
    from cvtex.schema.photo import named_photo

    out = set()
    for path in profiles:
        try:
            photo = named_photo(load(path))
        except ProfileError:
            continue
        if photo is not None:
            out.add(photo.resolve())
    return out
