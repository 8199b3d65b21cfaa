"""Issue 7's six performance figures, issue 22's letters figure and issue 23's korean-form figure, each with
its target, from one run.

    .venv/bin/python benchmarks/perf.py [--profile data/infra-backend.yaml] [--batch 20] [--runs 5]
                                        [--no-rendercv]

1. cold render (``--no-cache``) of every data profile vs plain ``latexmk -pdfxe`` on the
   same ``.tex`` files, sequentially (benchmarks/render.py, one repeat) — target ≤ 0.55;
2. cold render of ``--profile`` (both languages) vs RenderCV (PyPI ``rendercv[full]`` in
   benchmarks/.venv-rendercv, created on first use) rendering the same CV content once
   per language (a RenderCV YAML file per language, written by :func:`rendercv_yaml`) —
   target ≤ 0.6. RenderCV's Typst template imports ``@preview/fontawesome`` (0.5.0 in
   RenderCV 2.3, 0.6.0 in 2.8), which cannot be downloaded here: a stand-in package (``fa-icon`` prints nothing) is written
   into a Typst package cache of the benchmark's own (``XDG_CACHE_HOME`` of the RenderCV
   process), so nothing is fetched;
3. unchanged re-render (``cvtex render --offline``, the build cache warm), a whole
   process — target ≤ 0.35 s;
4. ``cvtex validate`` of ``--profile``, a whole process — target ≤ 0.25 s;
5. peak RSS of one language's build (the engine's process tree: xelatex and the
   xdvipdfmx it pipes into, sampled from /proc every 5 ms — a child forked but not yet
   exec'd shares its parent's pages and is not counted twice, which once read 505 MB for
   275; and the largest single process, ``getrusage(RUSAGE_CHILDREN)``) — target ≤ 300 MB;
6. ``--batch`` copies of ``--profile`` (different names) × 2 languages with ``-j 2
   --no-cache --offline``: seconds per profile vs one profile's cold render;
7. letters (issue 22): cold render (``--no-cache --offline``) of data/application.yaml — two CVs,
   an English cover letter and a Korean 자기소개서, four PDFs — vs the same profile without its
   ``letters:`` (both copies written by :func:`letters_pair`), medians of ``--runs`` alternating
   runs — target ≤ 1.6 (the issue's, "for two extra documents per locale"; application.yaml's
   letters are in one language each, so here one extra document per locale). ``--letters-only``
   runs figure 7 alone;
8. the korean-form theme (issue 23): cold render (``--no-cache --offline``) of
   data/experienced-hire.yaml (both languages; its photo on the Korean 이력서) with ``--theme
   korean-form`` vs ``--theme classic``, medians of ``--runs`` alternating runs — target ≤ 1.2.
   ``--form-only`` runs figure 8 alone.

Every cvtex run uses a build cache in a temporary directory (``CVTEX_CACHE_DIR``), never
the user's. The uncompressed copy of XeLaTeX's format that a user's first render leaves in
the cache (:func:`cvtex.tex.format_copy`) is made first, and its time printed as figure 0,
with the tables of :mod:`cvtex.tex.texdata` and the speed paths (:mod:`cvtex.tex.speed`) in use;
figure 5's engine loads it too. Timings 3 and 4 are the best of 5 runs (process start-up
varies); 2 compares the medians of ``--runs`` cold renders of each tool, alternating (one run each was at the mercy
of whatever else the machine did that moment: 0.67-0.76 over four runs of one build); 6
divides by that median; the others are one run. Every tool renders once untimed first
(file-system caches, font caches).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import render as render_bench  # noqa: E402  benchmarks/render.py

CVTEX = str(Path(sys.executable).with_name("cvtex"))
RENDERCV_VENV = ROOT / "benchmarks" / ".venv-rendercv"
FONTAWESOME = "0.5.0"


def timed(cmd: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    run = subprocess.run(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"failed ({run.returncode}): {' '.join(cmd)}\n{run.stdout[-2000:]}{run.stderr[-2000:]}")
    return seconds


def best(cmd: list[str], runs: int = 5) -> float:
    return min(timed(cmd) for _ in range(runs))


# --------------------------------------------------------------------------- RenderCV

def rendercv_binary() -> Path:
    """benchmarks/.venv-rendercv/bin/rendercv, created with ``pip install "rendercv[full]"``
    if absent (and ``click``, which rendercv 2.3's CLI imports but its pins may not bring)."""
    binary = RENDERCV_VENV / "bin" / "rendercv"
    if not binary.exists():
        print(f"installing rendercv[full] into {RENDERCV_VENV.relative_to(ROOT)} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(RENDERCV_VENV)
        (RENDERCV_VENV / ".gitignore").write_text("*\n")
        subprocess.run([str(RENDERCV_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "rendercv[full]", "click"], check=True)
    return binary


def typst_cache() -> Path:
    """A Typst package cache with a stand-in ``@preview/fontawesome``: RenderCV's templates
    call ``fa-icon(name, size: …)`` (header connection icons, external-link marks); the
    stand-in draws nothing. One stand-in for each version the installed RenderCV imports
    (2.3: 0.5.0; 2.8: 0.6.0, read from its files). Returns the directory to use as
    ``XDG_CACHE_HOME``."""
    home = RENDERCV_VENV / "xdg-cache"
    versions = {FONTAWESOME}
    for source in RENDERCV_VENV.glob("lib/python3*/site-packages/rendercv/**/*.typ"):
        versions.update(re.findall(r"@preview/fontawesome:(\d+\.\d+\.\d+)", source.read_text("utf-8", "replace")))
    for version in sorted(versions):
        package = home / "typst" / "packages" / "preview" / "fontawesome" / version
        package.mkdir(parents=True, exist_ok=True)
        (package / "typst.toml").write_text(
            '[package]\nname = "fontawesome"\nversion = "%s"\nentrypoint = "lib.typ"\n'
            'authors = ["cvtex benchmark stand-in"]\nlicense = "MIT"\n'
            'description = "Stand-in: fa-icon draws nothing (no network here)."\n' % version)
        (package / "lib.typ").write_text(
            "#let fa-icon(name, solid: false, fill: none, ..args) = box(width: 0pt)\n")
    return home


def _plain(value) -> str:
    from cvtex.schema import markup

    return markup.plain(value) if value is not None else ""


def rendercv_yaml(profile: Path, code: str) -> dict:
    """The same CV content as RenderCV input: name, location, e-mail, phone, websites,
    and each section's entries as RenderCV "normal" entries (name, date, highlights; an
    experience entry's roles become one entry each)."""
    from cvtex import localize as locale
    from cvtex.build import load_profile

    _, prof, _ = load_profile(profile)
    view = locale.localize(prof, code)
    header = view.header
    cv: dict = {"name": _plain(header.name)}
    if header.location:
        cv["location"] = _plain(header.location)
    if header.emails:
        cv["email"] = str(header.emails[0])
    if header.websites:
        first = header.websites[0]
        cv["website"] = str(getattr(first, "url", first))
    sections: dict[str, list] = {}
    if view.summary:
        sections[view.locale.sections["summary"]] = [_plain(view.summary)]
    for section in view.sections:
        entries = []
        for entry in section.entries:
            for item in getattr(entry, "roles", None) or [entry]:
                names = [getattr(item, f, None) for f in ("title", "name", "label")]
                owner = getattr(entry, "organization", None) or getattr(entry, "institution", None)
                name = ", ".join(_plain(v) for v in [next((n for n in names if n), None), owner] if v)
                details = [getattr(item, f, None) for f in ("team", "degree", "area", "venue", "summary", "note")]
                highlights = [_plain(d) for d in details if d] + [_plain(h) for h in getattr(item, "highlights", [])]
                highlights += [_plain(i) for i in getattr(item, "items", []) or []]
                rc: dict = {"name": name or "-"}
                if getattr(item, "dates", None):
                    rc["date"] = item.dates
                if highlights:
                    rc["highlights"] = highlights
                entries.append(rc)
        sections[_plain(section.title)] = entries
    cv["sections"] = sections
    # RenderCV's default font has no Hangul: Typst falls back to an installed font that has it
    return {"cv": cv, "design": {"theme": "classic"}}


def rendercv_runner(profile: Path, work: Path, codes: list[str]) -> Callable[[str], tuple[float, list[Path]]]:
    """RenderCV's YAML files for ``profile`` (one per locale) written into ``work``, one
    untimed warm-up render, and the function that renders them all once more:
    ``once(tag) -> (seconds, pdfs)``."""
    binary = rendercv_binary()
    env = dict(os.environ, XDG_CACHE_HOME=str(typst_cache()))
    files = []
    for code in codes:
        data = rendercv_yaml(profile, code)  # plain text: RenderCV escapes it for Typst itself
        path = work / f"{profile.stem}-{code}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        files.append(path)

    def once(tag: str) -> tuple[float, list[Path]]:
        total, pdfs = 0.0, []
        for path in files:
            out = work / f"rendercv-{tag}-{path.stem}"
            pdf = out / f"{path.stem}.pdf"
            total += timed([str(binary), "render", str(path), "-o", str(out), "-pdf", str(pdf), "-nomd", "-nohtml",
                            "-nopng"], cwd=work, env=env)
            pdfs.append(pdf)
        return total, pdfs

    once("warmup")
    return once


# --------------------------------------------------------------------------- peak RSS

_RSS_PROBE = r'''
import os, resource, sys, threading, time
from pathlib import Path
from cvtex import tex as cvtex_tex

tex, build = Path(sys.argv[1]), Path(sys.argv[2])
me, peak, done = os.getpid(), [0], threading.Event()

def exe(pid):
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return None

def tree_rss():
    # a child forked but not yet exec'd (xelatex starting xdvipdfmx through popen) shows
    # its parent's resident pages, which it shares: it is not counted twice
    children, rss, parent = {}, {}, {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(pid))
            parent[int(pid)] = int(fields[1])
            rss[int(pid)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            pass
    total, todo = 0, list(children.get(me, []))
    while todo:
        pid = todo.pop()
        own = exe(pid)
        if parent.get(pid) == me or own is None or own != exe(parent[pid]):
            total += rss.get(pid, 0)
        todo += children.get(pid, [])
    return total

def sample():
    while not done.is_set():
        peak[0] = max(peak[0], tree_rss())
        time.sleep(0.005)

t = threading.Thread(target=sample); t.start()
try:
    cvtex_tex.compile(tex.read_text("utf-8"), build, jobname=tex.stem, fmt=cvtex_tex.format_copy())  # as renders do
finally:
    done.set(); t.join()
print(peak[0], resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
'''


def peak_rss(tex: Path, build: Path) -> tuple[int, int]:
    """(peak RSS of the engine's process tree, of its largest single process), bytes."""
    run = subprocess.run([sys.executable, "-c", _RSS_PROBE, str(tex), str(build)], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    tree, single = run.stdout.split()
    return int(tree), int(single)


# --------------------------------------------------------------------------- letters

def letters_pair(profile: Path, work: Path) -> tuple[Path, Path, Path]:
    """``profile`` (one with ``letters:``) written three times, the same way, under ``work``:
    as it is (``work/with/<name>``), with every letter in every locale of the profile
    (``work/both/<name>``: two extra documents per locale for a profile with two letters) and
    without its top-level ``letters:`` (``work/without/<name>``). All are dumped from YAML's
    base loader (every scalar a string, as cvtex reads it), so they differ only in the
    letters. Returns (with, both, without)."""
    data = yaml.load(profile.read_text("utf-8"), Loader=yaml.BaseLoader)
    if not data.get("letters"):
        raise SystemExit(f"{profile} has no letters: figure 7 needs a profile with some")
    both = dict(data, letters=[dict(letter, locales=data["locales"]) for letter in data["letters"]])
    paths = []
    for name, content in (("with", data), ("both", both),
                          ("without", {k: v for k, v in data.items() if k != "letters"})):
        (work / name).mkdir(parents=True)
        path = work / name / profile.name
        path.write_text(yaml.safe_dump(content, allow_unicode=True, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths[0], paths[1], paths[2]


def letters_figure(work: Path, runs: int) -> None:
    """Figure 7: cold renders of data/application.yaml with its letters (each in its one
    locale), with both letters in both locales, and without letters, alternating (one untimed
    render of each first); medians compared with the one without."""
    with_letters, both, without = letters_pair(ROOT / "data" / "application.yaml", work)

    def cold(path: Path, tag: str) -> float:
        return timed([CVTEX, "render", str(path), "--offline", "--no-cache", "--quiet", "-o", str(path.parent / tag)])

    variants = {"without": without, "with": with_letters, "both": both}
    for path in variants.values():
        cold(path, "warm")
    documents = {name: len(list((path.parent / "warm").glob("*.pdf"))) for name, path in variants.items()}
    times: dict[str, list[float]] = {name: [] for name in variants}
    for run in range(runs):
        for name, path in variants.items():
            times[name].append(cold(path, f"run{run}"))
    base = statistics.median(times["without"])
    for name, what in (("with", "its 2 letters, each in its one locale"),
                       ("both", "both letters in both locales, two extra documents per locale")):
        a = statistics.median(times[name])
        print(f"7. cold render of application.yaml with {what} ({documents[name]} PDFs) vs without "
              f"({documents['without']} PDFs): {a:.2f} s vs {base:.2f} s (medians of {runs} alternating runs, "
              f"with {min(times[name]):.2f}-{max(times[name]):.2f}, without {min(times['without']):.2f}-"
              f"{max(times['without']):.2f}) -> ratio {a / base:.2f} (target <= 1.6)", flush=True)


def form_figure(work: Path, runs: int) -> None:
    """Figure 8: cold renders of data/experienced-hire.yaml in korean-form and in classic,
    alternating (one untimed render of each first); medians compared."""
    profile = ROOT / "data" / "experienced-hire.yaml"
    work.mkdir(parents=True)

    def cold(theme: str, tag: str) -> float:
        return timed([CVTEX, "render", str(profile), "--theme", theme, "--offline", "--no-cache", "--quiet",
                      "-o", str(work / f"{theme}-{tag}")])

    themes = ("classic", "korean-form")
    for theme in themes:
        cold(theme, "warm")
    times: dict[str, list[float]] = {theme: [] for theme in themes}
    for run in range(runs):
        for theme in themes:
            times[theme].append(cold(theme, f"run{run}"))
    form, classic = statistics.median(times["korean-form"]), statistics.median(times["classic"])
    print(f"8. cold render of experienced-hire.yaml (en + ko) in korean-form vs classic: {form:.2f} s vs "
          f"{classic:.2f} s (medians of {runs} alternating runs, korean-form {min(times['korean-form']):.2f}-"
          f"{max(times['korean-form']):.2f}, classic {min(times['classic']):.2f}-{max(times['classic']):.2f}) "
          f"-> ratio {form / classic:.2f} (target <= 1.2)", flush=True)


# --------------------------------------------------------------------------- main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", type=Path, default=ROOT / "data" / "infra-backend.yaml")
    parser.add_argument("--batch", type=int, default=20)
    parser.add_argument("--no-rendercv", action="store_true", help="skip figure 2")
    parser.add_argument("--runs", type=int, default=5, help="alternating cold renders of cvtex and RenderCV "
                        "(figures 2 and 7; their medians are compared)")
    parser.add_argument("--letters-only", action="store_true", help="only figure 7 (letters)")
    parser.add_argument("--form-only", action="store_true", help="only figure 8 (the korean-form theme)")
    args = parser.parse_args()
    profile = args.profile.resolve()
    MB = 2**20
    print(f"machine: {os.cpu_count()} CPU(s); profile: {profile.relative_to(ROOT)}", flush=True)
    # cvtex's own modules as users have them: `pip install` compiles their bytecode, but an
    # editable install in an environment with PYTHONDONTWRITEBYTECODE=1 (this sandbox's)
    # would compile every module of cvtex again in every timed process (~40 ms)
    import compileall

    compileall.compile_dir(str(ROOT / "cvtex"), quiet=1)
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("PYTHONDONTWRITEBYTECODE is set: cvtex's bytecode was compiled first, as pip does on install",
              flush=True)
    with tempfile.TemporaryDirectory(prefix="cvtex-perf-") as tmp:
        work = Path(tmp)
        os.environ["CVTEX_CACHE_DIR"] = str(work / "cache")  # inherited by every cvtex run
        if args.letters_only:
            letters_figure(work / "7", args.runs)
            return
        if args.form_only:
            form_figure(work / "8", args.runs)
            return

        # the uncompressed copy of XeLaTeX's format (cvtex.tex.plain_format) is made once
        # per TeX Live format, by a user's first render: timed here, reused by every run below
        from cvtex import tex as cvtex_tex

        started = time.perf_counter()
        fmt = cvtex_tex.format_copy()
        made = time.perf_counter() - started
        print("0. once per TeX Live format: " + (f"uncompressed copy of its format ({fmt.stat().st_size / 2**20:.0f} MB) "
                                                 f"made in {made:.2f} s" if fmt else "no uncompressed copy (see "
                                                 "cvtex.tex.plain_format)"), flush=True)
        # likewise the tables read out of the installed TeX (cvtex.tex.texdata) and the pipe probe
        from cvtex.theme import fonts as tex_fonts

        started = time.perf_counter()
        tex_fonts.route(0x41)
        tables = cvtex_tex.classes_stand_in() is not None
        pipe = cvtex_tex.pipe_problem()
        made = time.perf_counter() - started
        print(f"   once per TeX Live: routes, class table ({'made' if tables else 'not made'}) and pipe probe "
              f"({pipe or 'ok'}) in {made:.2f} s; speed paths: "
              + ", ".join(f"{p.name} {'on' if p.active else 'off'}" for p in cvtex_tex.speed_status()), flush=True)

        # 1. cold render vs latexmk
        data = sorted((ROOT / "data").glob("*.yaml"))
        (w1 := work / "1").mkdir()
        cvtex_runs, latexmk_runs, documents = render_bench.measure(data, 1, w1)
        print(f"1. cold render, {len(data)} data profiles ({documents} PDFs): cvtex {cvtex_runs[0]:.2f} s, "
              f"latexmk -pdfxe sequential {latexmk_runs[0]:.2f} s -> ratio {cvtex_runs[0] / latexmk_runs[0]:.2f} "
              "(target <= 0.55)", flush=True)

        cold_cmd = [CVTEX, "render", str(profile), "--offline", "--no-cache", "--quiet"]
        timed(cold_cmd + ["-o", str(work / "warm")])
        # 2. RenderCV: cold renders of both tools alternate, medians compared (one run each
        # is at the mercy of whatever else the machine does at that moment)
        rendercv = None
        if not args.no_rendercv:
            (w2 := work / "2").mkdir()
            codes = yaml.safe_load(profile.read_text("utf-8"))["locales"]
            rendercv = rendercv_runner(profile, w2, codes)
        singles, rcvs, pdfs = [], [], []
        for run in range(args.runs):
            singles.append(timed(cold_cmd + ["-o", str(work / "single")]))
            if rendercv is not None:
                seconds, pdfs = rendercv(f"timed{run}")
                rcvs.append(seconds)
        single = statistics.median(singles)
        if rendercv is None:
            print("2. RenderCV: skipped (--no-rendercv)")
        else:
            rcv = statistics.median(rcvs)
            pages = []
            for pdf in pdfs:
                info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
                pages.append(re.search(r"Pages:\s+(\d+)", info).group(1) if "Pages:" in info else "?")
            version = subprocess.run([str(RENDERCV_VENV / "bin" / "python"), "-c", "import importlib.metadata as m; "
                                      "print(m.version('rendercv'))"], capture_output=True, text=True).stdout.strip()
            print(f"2. cold render of {profile.name} ({', '.join(codes)}): cvtex {single:.2f} s, RenderCV {version} "
                  f"{rcv:.2f} s ({len(codes)} runs, {'+'.join(pages)} pages; medians of {args.runs} alternating "
                  f"runs, cvtex {min(singles):.2f}-{max(singles):.2f}, RenderCV {min(rcvs):.2f}-{max(rcvs):.2f}) "
                  f"-> ratio {single / rcv:.2f} (target <= 0.6)", flush=True)

        # 3. unchanged re-render
        again = [CVTEX, "render", str(profile), "--offline", "--quiet", "-o", str(work / "single")]
        timed(again)  # the cold render above used --no-cache: this one fills the cache
        seconds = best(again)
        print(f"3. unchanged re-render (cvtex render --offline, cached; whole process, best of 5): {seconds:.2f} s "
              "(target <= 0.35 s)", flush=True)

        # 4. validate
        seconds = best([CVTEX, "validate", str(profile)])
        print(f"4. cvtex validate {profile.name} (whole process, best of 5): {seconds:.2f} s (target <= 0.25 s)",
              flush=True)

        # 5. peak RSS per language build
        (w5 := work / "5").mkdir()
        subprocess.run([CVTEX, "render", str(profile), "-o", str(w5), "--keep-tex", "--offline", "--quiet",
                        "--no-cache"], check=True)
        parts = []
        for tex in sorted(w5.glob("*.tex")):
            tree, largest = peak_rss(tex, w5 / f"build-{tex.stem}")
            parts.append(f"{tex.stem.rsplit('-', 1)[1]} {tree / MB:.0f} MB (largest process {largest / MB:.0f} MB)")
        print(f"5. peak RSS per language build (engine process tree): {'; '.join(parts)} (target <= 300 MB)",
              flush=True)

        # 6. batch
        (w6 := work / "6").mkdir()
        text = profile.read_text("utf-8")
        paths = []
        for i in range(args.batch):
            path = w6 / f"cv{i:02d}.yaml"
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        total = timed([CVTEX, "render", *paths, "-j", "2", "--no-cache", "--offline", "--quiet", "-o",
                       str(w6 / "out")])
        per = total / args.batch
        print(f"6. {args.batch} profiles x 2 languages, -j 2 --no-cache: {total:.1f} s, {per:.2f} s per profile vs "
              f"{single:.2f} s for one profile alone -> ratio {per / single:.2f}", flush=True)

        # 7. letters
        letters_figure(work / "7", args.runs)
        # 8. the korean-form theme
        form_figure(work / "8", args.runs)


if __name__ == "__main__":
    main()
