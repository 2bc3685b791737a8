"""Retake docs/img/lineage-*.png: the exported lineage view (``lineage export``) opened offline at 1500x1000.

    python scripts/export_screenshots.py

Each page is exported through the CLI (the same engine as the app), opened from ``file://`` in Debian's
chromium with the network blocked, and photographed once the drawing is still.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import block_network, launch_chromium  # noqa: E402

SHOTS = {
    "preference-optimization": ["--lineage", "preference-optimization"],
    "user-sequence-modeling": ["--lineage", "user-sequence-modeling"],
    "attention": ["--lineage", "attention"],
    "bibtex-upload": ["--seeds", str(ROOT / "tests/data/seeds/user_list.bib"), "--lineage", "user-list"],
}


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        context = launch_chromium(pw, viewport={"width": 1500, "height": 1000})
        block_network(context)
        page = context.new_page()
        for name, args in SHOTS.items():
            html = Path(tmp) / f"{name}.html"
            subprocess.run([sys.executable, "-m", "graph.cli", "export", "--format", "html", "--out", str(html),
                            "--offline", *args], check=True, cwd=ROOT)
            page.goto(html.as_uri())
            page.wait_for_function("() => window.__lineage && window.__lineage.stable === true", timeout=30_000)
            page.wait_for_timeout(300)
            out = ROOT / "docs" / "img" / f"lineage-{name}.png"
            page.screenshot(path=str(out))
            print(f"wrote {out.relative_to(ROOT)}")
        context.close()


if __name__ == "__main__":
    main()
