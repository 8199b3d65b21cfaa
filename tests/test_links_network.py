"""Issue 4, network half: a profile whose links point at a real HTTP server on
127.0.0.1 (tests/linkserver.py) is rendered with XeLaTeX and every link checked.
Nothing here leaves the machine: the only names looked up are IP literals, and
``.invalid`` hosts are never resolved (RFC 6761 §6.4)."""

from __future__ import annotations

import asyncio
import json

import pytest
from typer.testing import CliRunner

from cvtex import tex
from cvtex.theme import latex
from cvtex import links
from cvtex.cli.commands import app
from cvtex.links import NetworkSettings, Target
from cvtex.schema import tel_url
from cvtex.build.pipeline import render_profile

from .conftest import use_cache_dir
from .linkserver import LinkServer

#: Small timeout (the /slow endpoint answers after 3 s) and short backoff.
FAST = NetworkSettings(timeout=0.5, backoff=0.05, retries=2, max_retry_wait=5)

#: path -> expected status. Two PDFs (en, ko) carry every link.
EXPECTED = {
    "/ok": "ok",
    "/page": "ok",
    "/moved": "redirected",
    "/chain/1": "redirected",
    "/temporary": "ok",
    "/missing": "broken",
    "/gone": "broken",
    "/rate-limited": "ok",
    "/unavailable": "ok",
    "/always-503": "unverified",
    "/no-head": "ok",
    "/head-forbidden": "ok",
    "/forbidden": "unverified",
    "/login": "unverified",
    "/linkedin": "ok",          # 999, accepted for 127.0.0.1 by the profile's links.accept
    "/slow": "unverified",
    "/loop/a": "broken",
    "/private/notes": "excluded",
}


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    use_cache_dir(tmp_path / "cache", monkeypatch)


@pytest.fixture(scope="module")
def server():
    with LinkServer(slow=3.0) as srv:
        yield srv


@pytest.fixture(scope="module")
def site(server, tmp_path_factory):
    """The loopback profile rendered in en and ko: (profile path, profile, targets, extra URLs)."""
    tmp = tmp_path_factory.mktemp("site")
    closed = LinkServer.closed_port_url()
    tls = f"https://127.0.0.1:{server.port}/ok"  # TLS to a plain-HTTP port: the handshake fails
    dns = "http://cv-owner.invalid/"
    links_yaml = "\n".join(f"          - {{url: '{server.url(path)}', label: '{path}'}}" for path in EXPECTED
                           if path not in ("/ok", "/page"))
    for url in (closed, tls, dns):
        links_yaml += f"\n          - {{url: '{url}', label: '{url}'}}"
    profile = tmp / "cv.yaml"
    profile.write_text(f"""\
locales: [en, ko]
header:
  name: {{en: Link Tester, ko: 링크 테스터}}
  emails: [tester@example.com]
  phone: "+82 10-1234-5678"
  websites:
    - url: '{server.url("/ok")}'
      label: home
summary: "See [the page]({server.url("/page")}) and [its section]({server.url("/page#part-2")})."
sections:
  - kind: projects
    entries:
      - name: Every kind of link
        links:
{links_yaml}
links:
  exclude: ['{server.base}/private/*']
  accept: {{'127.0.0.1': [999]}}
""", encoding="utf-8")
    result = render_profile(profile, output_dir=tmp / "out")
    prof = links.read_profile(profile)
    targets = [Target(o.pdf, links.expected_links(prof, o.locale)) for o in result.outputs]
    return profile, prof, targets, {"closed": closed, "tls": tls, "dns": dns}


@pytest.fixture(scope="module")
def checked(server, site):
    """One network run over both PDFs; the server's request counts for that run."""
    profile, prof, targets, _ = site
    server.reset()
    report = links.check_links(targets, policy=links.load_policy(prof, [profile.parent]), settings=FAST)
    return report, dict(server.hits)


def test_every_classification(server, site, checked):
    report, _ = checked
    _, _, _, extra = site
    statuses = {r.url: r.status for r in report.results}
    expected = {server.url(path): status for path, status in EXPECTED.items()}
    expected.update({server.url("/page#part-2"): "ok", extra["closed"]: "broken", extra["tls"]: "broken",
                     extra["dns"]: "broken", "mailto:tester@example.com": "ok", tel_url("+82 10-1234-5678"): "ok"})
    assert statuses == expected


def test_reasons_codes_and_new_locations(server, site, checked):
    report, _ = checked
    _, _, _, extra = site
    by_url = report.by_url()

    def only(path_or_url):
        r = by_url[path_or_url if "://" in path_or_url else server.url(path_or_url)]
        return r, "; ".join(r.messages)

    r, text = only("/moved")
    assert (r.code, r.location) == (200, server.url("/ok")) and "moved permanently (301)" in text
    r, text = only("/chain/1")
    assert r.location == server.url("/ok") and [h[0] for h in r.probe.hops] == [308, 308, 308]
    r, text = only("/temporary")
    assert r.location is None and "temporary redirect (302)" in text
    assert only("/missing")[0].code == 404 and only("/gone")[0].code == 410
    r, text = only("/no-head")
    assert (r.code, r.probe.method) == (200, "GET")
    r, text = only("/head-forbidden")
    assert (r.code, r.probe.method) == (200, "GET")
    r, text = only("/forbidden")
    assert r.code == 403 and "refused the check" in text
    assert only("/login")[0].code == 401
    r, text = only("/linkedin")
    assert r.code == 999 and "accepted by the link policy" in text
    r, text = only("/always-503")
    assert r.code == 503 and r.probe.attempts == 1 + FAST.retries
    assert "after 2 retries" in text
    r, text = only("/slow")
    assert r.code is None and r.probe.error == "timeout" and "timed out waiting for the response" in text
    r, text = only("/loop/a")
    assert r.probe.error == "loop" and f"redirect loop back to {server.url('/loop/a')}" in text
    r, text = only("/private/notes")
    assert f"exclusion pattern {server.base}/private/*" in text and r.probe is None
    assert only(extra["closed"])[0].probe.error == "refused"
    assert only(extra["tls"])[0].probe.error == "tls"
    r, text = only(extra["dns"])
    assert r.probe.error == "dns" and "RFC 6761" in text


def test_retries_honour_retry_after_and_back_off(server, checked):
    report, _ = checked
    rate = report.by_url()[server.url("/rate-limited")].probe
    assert (rate.code, rate.attempts, rate.waits) == (200, 2, [1.0])  # Retry-After: 1
    busy = report.by_url()[server.url("/unavailable")].probe
    assert (busy.code, busy.attempts) == (200, 2)
    # waits are recorded to the millisecond (round(wait, 3)): the bounds likewise
    assert len(busy.waits) == 1 and round(0.8 * FAST.backoff, 3) <= busy.waits[0] <= round(1.2 * FAST.backoff, 3)


def test_each_unique_url_is_requested_once_per_run(server, checked):
    _, hits = checked
    # Each link is in both PDFs (and /page twice, once with a fragment), yet:
    assert hits.get(("HEAD", "/page")) == 1 and ("GET", "/page") not in hits
    assert hits.get(("HEAD", "/missing")) == 1 and ("GET", "/missing") not in hits
    assert hits.get(("HEAD", "/gone")) == 1
    assert (hits.get(("HEAD", "/no-head")), hits.get(("GET", "/no-head"))) == (1, 1)
    assert (hits.get(("HEAD", "/head-forbidden")), hits.get(("GET", "/head-forbidden"))) == (1, 1)
    assert hits.get(("HEAD", "/rate-limited"), 0) + hits.get(("GET", "/rate-limited"), 0) == 2
    assert hits.get(("HEAD", "/chain/2")) == 1 and hits.get(("HEAD", "/chain/3")) == 1
    assert not any(path.startswith("/private/") for _, path in hits)


def test_where_each_link_is(server, site, checked):
    report, _ = checked
    _, _, targets, _ = site
    home = report.by_url()[server.url("/ok")]
    assert home.fields == ["header.websites[0].url"]
    assert {p.pdf for p in home.places} == {t.label for t in targets}
    assert all(p.page == 1 for p in home.places)
    anchor = report.by_url()[server.url("/page#part-2")]
    assert anchor.fields == ["summary"]
    assert anchor.probe is report.by_url()[server.url("/page")].probe


def test_report_orders_errors_first_and_serializes(checked, tmp_path):
    report, _ = checked
    severities = [r.severity for r in report.results]
    assert severities == sorted(severities, key=["error", "warning", "notice", "ok"].index)
    assert report.failed()
    path = tmp_path / "links.json"
    report.write_json(path)
    data = json.loads(path.read_text())
    assert data["summary"]["broken"] == 6 and data["summary"]["unverified"] == 4
    assert data["summary"]["redirected"] == 2 and data["summary"]["errors"] == 6
    moved = next(link for link in data["links"] if link["url"].endswith("/moved"))
    assert moved["http"]["hops"] == [[301, moved["location"]]] and moved["code"] == 200


def test_results_are_cached_on_disk_with_an_age_limit(server, site, tmp_path):
    profile, prof, targets, _ = site
    policy = links.load_policy(prof, [profile.parent])
    cache_file = tmp_path / "cache" / "links.json"
    links.check_links(targets, policy=policy, settings=FAST, cache=links.LinkCache(cache_file))
    stored = json.loads(cache_file.read_text())["entries"]
    # Definite answers are stored; timeouts, 429/5xx that stayed, and excluded URLs are not.
    assert server.url("/missing") in stored and server.url("/moved") in stored and server.url("/page") in stored
    assert server.url("/slow") not in stored and server.url("/always-503") not in stored
    assert server.url("/private/notes") not in stored

    server.reset()
    again = links.check_links(targets, policy=policy, settings=FAST, cache=links.LinkCache(cache_file))
    assert again.by_url()[server.url("/missing")].status == "broken"
    assert again.by_url()[server.url("/missing")].probe.cached
    assert "(cached)" in again.by_url()[server.url("/moved")].messages[-1]
    assert server.requests("/missing") == 0 and server.requests("/moved") == 0
    assert server.requests("/slow") == 1, "an unverified link is asked again"

    before = server.requests("/missing")
    links.check_links(targets, policy=policy, settings=FAST, cache=links.LinkCache(cache_file, max_age=0))
    assert server.requests("/missing") == before + 1, "--cache-age 0 requests every link again"


def test_unaccepted_999_is_unverified(server):
    probes = asyncio.run(links.probe_urls([server.url("/linkedin")], FAST))
    probe = probes[server.url("/linkedin")]
    assert links.classify(probe).status == "unverified"
    assert links.classify(probe, links.Policy(accept={"127.0.0.1": frozenset({999})})).status == "ok"


@pytest.mark.parametrize("concurrency,per_host,limit", [(8, 3, 3), (2, 10, 2)])
def test_concurrency_limits_hold(concurrency, per_host, limit):
    """Never more requests in flight than the per-host and global limits: the server
    counts the requests it is answering at once (each takes 50 ms)."""
    with LinkServer(latency=0.05) as busy:
        urls = [busy.url(f"/bench/{i}") for i in range(24)]
        probes = asyncio.run(links.probe_urls(urls, NetworkSettings(timeout=2, concurrency=concurrency,
                                                                    per_host=per_host)))
        assert [p.code for p in probes.values()] == [200] * 24
        assert sum(busy.hits.values()) == 24
        assert 1 <= busy.peak <= limit


# ------------------------------------------------------------------ the command line


def test_render_checks_links_over_http_by_default(server, site, tmp_path):
    profile, _, _, _ = site
    report = tmp_path / "links.json"
    slow, server.slow = server.slow, 0.1  # the command line uses the default 10 s timeout
    try:
        result = CliRunner().invoke(app, ["render", str(profile), "-o", str(tmp_path / "out"), "--lang", "en",
                                          "--report", str(report)])
    finally:
        server.slow = slow
    assert result.exit_code == 4, result.output
    assert (tmp_path / "out" / "cv-en.pdf").is_file(), "the PDF is written even when a link is broken"
    assert server.url("/missing") in result.output and "broken" in result.output
    data = json.loads(report.read_text())
    assert data["offline"] is False and data["pdfs"] == [str(tmp_path / "out" / "cv-en.pdf")]
    assert {link["url"]: link["status"] for link in data["links"]}[server.url("/gone")] == "broken"


def test_render_offline_does_not_touch_the_network(server, site, tmp_path):
    profile, _, _, _ = site
    server.reset()
    result = CliRunner().invoke(app, ["render", str(profile), "-o", str(tmp_path / "out"), "--lang", "en",
                                      "--offline"])
    assert result.exit_code == 0, result.output
    assert server.hits == {}
    assert "offline" in result.output


def test_check_links_strict_fails_on_warnings(server, tmp_path):
    pdf = tex.compile("\\documentclass{article}\\usepackage{fontspec}\\usepackage{hyperref}\\begin{document}"
                         + latex.href(server.url("/ok"), "ok") + " " + latex.href(server.url("/login"), "login")
                         + "\\end{document}", tmp_path / "b", jobname="two").pdf
    lenient = CliRunner().invoke(app, ["check-links", str(pdf), "--cache-age", "0"])
    assert lenient.exit_code == 0, lenient.output
    assert "unverified" in lenient.output and "1 ok, 1 unverified" in lenient.output
    strict = CliRunner().invoke(app, ["check-links", str(pdf), "--strict", "--quiet"])
    assert strict.exit_code == 4
    assert server.url("/login") in strict.output and server.url("/ok") not in strict.output


def test_cached_broken_links_say_how_to_ask_again_and_dns_or_refused_expire_in_minutes(server, site, tmp_path):
    """A broken verdict read from the cache says so and how to ask again; a DNS failure or a
    refused connection is reused for 10 minutes only (it is often brief: a server
    restarting, a domain not yet resolving), a 404 or a TLS failure for the cache age."""
    profile, prof, targets, extra = site
    policy = links.load_policy(prof, [profile.parent])
    cache_file = tmp_path / "cache" / "links.json"
    links.check_links(targets, policy=policy, settings=FAST, cache=links.LinkCache(cache_file))
    stored = json.loads(cache_file.read_text())["entries"]
    assert {stored[extra["closed"]]["error"], stored[extra["dns"]]["error"]} == {"refused", "dns"}
    assert links.TRANSIENT_CACHE_AGE == 600 and links.TRANSIENT_ERRORS == {"dns", "refused"}

    again = links.check_links(targets, policy=policy, settings=FAST, cache=links.LinkCache(cache_file)).by_url()
    for url in (server.url("/missing"), extra["closed"], extra["dns"], extra["tls"]):
        assert again[url].status == "broken" and again[url].probe.cached, url
        assert again[url].messages[-1].endswith(" (cached; use --cache-age 0 to ask again)"), again[url].messages
    assert again[server.url("/moved")].messages[-1].endswith(" (cached)")  # not broken: no hint

    # eleven minutes later: DNS and refused are asked again, the 404 and the TLS failure are not
    aged = json.loads(cache_file.read_text())
    for entry in aged["entries"].values():
        entry["checked_at"] -= 11 * 60
    cache_file.write_text(json.dumps(aged))
    server.reset()
    later = links.check_links(targets, policy=policy, settings=FAST, cache=links.LinkCache(cache_file)).by_url()
    assert not later[extra["closed"]].probe.cached and not later[extra["dns"]].probe.cached
    assert later[extra["closed"]].status == later[extra["dns"]].status == "broken"
    assert "cached" not in later[extra["closed"]].messages[-1]
    assert later[server.url("/missing")].probe.cached and later[extra["tls"]].probe.cached
    assert server.requests("/missing") == 0
    # a cache age shorter than 10 minutes still applies to them
    short = links.LinkCache(cache_file, max_age=60)
    entry = json.loads(cache_file.read_text())["entries"][extra["closed"]]
    assert short.get(extra["closed"], now=entry["checked_at"] + 59) is not None
    assert short.get(extra["closed"], now=entry["checked_at"] + 61) is None
    assert links.LinkCache(cache_file).get(extra["closed"], now=entry["checked_at"] + 599) is not None
    assert links.LinkCache(cache_file).get(extra["closed"], now=entry["checked_at"] + 601) is None


def test_render_offline_prints_one_line_for_the_links_unless_verbose(server, site, tmp_path):
    profile, _, targets, _ = site
    brief = CliRunner().invoke(app, ["render", str(profile), "-o", str(tmp_path / "out"), "--lang", "en",
                                     "--offline"], env={"COLUMNS": "120"})
    assert brief.exit_code == 0, brief.output
    said = [line for line in brief.output.splitlines() if line.startswith("links:")]
    count = len(links.check_links(targets[:1], offline=True).results)
    assert said == [f"links: {count} in 1 PDF, all match the profile; not checked online (--offline)"]
    assert "not requested" not in brief.output and "┃" not in brief.output, "no table"
    verbose = CliRunner().invoke(app, ["render", str(profile), "-o", str(tmp_path / "out"), "--lang", "en",
                                       "--offline", "--verbose"], env={"COLUMNS": "120"})
    assert verbose.exit_code == 0, verbose.output
    assert verbose.output.count("not requested (--offline)") >= 10 and "┃" in verbose.output
    assert f"links: {count} link(s) in 1 PDF(s) (offline: not requested)" in verbose.output


def test_render_offline_still_shows_the_links_that_are_wrong(site, tmp_path):
    """The one-line summary hides nothing wrong: a link with a warning (a local phone
    number: tel: without a country code) is listed in a table, and the line counts it."""
    profile, _, _, _ = site
    local = tmp_path / "cv.yaml"
    text = profile.read_text(encoding="utf-8")
    assert text.count('phone: "+82 10-1234-5678"') == 1
    local.write_text(text.replace('phone: "+82 10-1234-5678"', 'phone: "010-1234-5678"'), encoding="utf-8")
    result = CliRunner().invoke(app, ["render", str(local), "-o", str(tmp_path / "out"), "--lang", "en",
                                      "--offline"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    assert "tel:010-1234-5678" in result.output and "nonstandard" in result.output and "┃" in result.output
    assert "not requested" not in result.output, "only the link that is wrong is listed"
    said = [line for line in result.output.splitlines() if line.startswith("links:")]
    assert len(said) == 1 and said[0].endswith(" in 1 PDF: 1 nonstandard; not checked online (--offline)")
