"""Secrets: the S2 API key is sent only as the ``x-api-key`` header and appears nowhere else: not in the
cache file's bytes, exports, logs (DEBUG), CLI ``--verbose`` stderr, error messages or URLs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from graph.cli import app
from graph.core.errors import ApiError
from graph.core.settings import Settings
from graph.present.export import FORMATS, export_graph
from tests.fakes.s2_server import FakeS2
from tests.test_faults import LINEAGE, expand, fast_settings, load_pref

KEY = "sk-TESTKEY-5f2c9a7e1d3b4c6a"


def _files_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def _assert_no_key(blob: str | bytes, where: str) -> None:
    b = blob.encode("utf-8") if isinstance(blob, str) else blob
    for variant in (KEY, KEY[4:], KEY.lower()):
        assert variant.encode() not in b, f"the API key leaked into {where}"


def test_key_only_in_the_header(fake_s2: FakeS2, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    load_pref(fake_s2)
    fake_s2.rate_limit(first=2, retry_after=0.01)  # retries and their log lines too
    fake_s2.fail(503, count=2)
    settings = fast_settings(fake_s2.url, tmp_path / "cache", s2_api_key=KEY)
    with caplog.at_level(logging.DEBUG):
        G = expand(settings)
    assert G.number_of_nodes() > 200
    # the server saw the key on every request, as the header, and never in a URL or query
    assert fake_s2.api_keys and all(k == KEY for k in fake_s2.api_keys)
    for method, path, query in fake_s2.log:
        _assert_no_key(f"{method} {path} {query}", "a request URL")
    _assert_no_key(caplog.text, "the logs")
    _assert_no_key(repr(settings), "repr(Settings)")
    _assert_no_key(_files_bytes(tmp_path / "cache"), "the cache files")
    for fmt in FORMATS:
        _assert_no_key(export_graph(G, fmt), f"the {fmt} export")
    _assert_no_key(repr(G.graph), "G.graph")


def test_key_not_in_error_messages(fake_s2: FakeS2, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    load_pref(fake_s2)
    fake_s2.fail(503, kinds={"batch"})
    settings = fast_settings(fake_s2.url, tmp_path / "cache", s2_api_key=KEY, max_retries=1)
    with caplog.at_level(logging.DEBUG), pytest.raises(ApiError) as e:
        expand(settings)
    _assert_no_key(str(e.value), "the error message")
    _assert_no_key(repr(e.value.__dict__), "the error's attributes")
    _assert_no_key(caplog.text, "the logs")


@pytest.mark.parametrize("fault", ["none", "persistent-503"])
def test_cli_verbose_never_prints_the_key(
    fault: str, fake_s2: FakeS2, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_pref(fake_s2)
    if fault != "none":
        fake_s2.fail(503, kinds={"citations"})
    monkeypatch.setenv("S2_API_KEY", KEY)
    monkeypatch.setenv("S2_API_URL", fake_s2.url)
    monkeypatch.setenv("LINEAGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LINEAGE_RATE", "1000")
    monkeypatch.setenv("LINEAGE_RETRIES", "1")
    monkeypatch.setenv("LINEAGE_SNAPSHOT", str(Path(__file__).parent / "data" / "empty_snapshot"))  # batch + lists
    monkeypatch.delenv("LINEAGE_OFFLINE", raising=False)
    monkeypatch.delenv("LINEAGE_SEEDS", raising=False)
    out_file = tmp_path / "g.json"
    r = CliRunner().invoke(app, ["--verbose", "expand", "--lineage", LINEAGE, "--out", str(out_file)])
    assert ("S2 GET" in r.stderr) and ("S2 POST" in r.stderr)  # --verbose does log each request
    _assert_no_key(r.stdout + r.stderr, "CLI output")
    if fault == "none":
        assert r.exit_code == 0, r.stderr
        _assert_no_key(out_file.read_bytes(), "the --out file")
        r2 = CliRunner().invoke(app, ["cache", "info", "--format", "json"])
        _assert_no_key(r2.stdout + r2.stderr, "cache info")
    else:
        assert r.exit_code == 1
    _assert_no_key(_files_bytes(tmp_path / "cache"), "the cache files")
    assert all(k == KEY for k in fake_s2.api_keys)


def test_settings_repr_hides_the_key() -> None:
    s = Settings.from_env({"S2_API_KEY": KEY})
    assert s.s2_api_key == KEY
    _assert_no_key(repr(s) + str(s), "repr(Settings)")
