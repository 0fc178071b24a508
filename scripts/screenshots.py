"""Screenshots of the home and story pages, for the README.

Folds the seeds into a fresh store (or uses --db), serves it on a free
loopback port and photographs the pages with Debian's chromium through
Playwright:

    .venv/bin/python scripts/screenshots.py [--db STORE] [--out docs]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from storyfold import Engine
from storyfold.web import create_app
from storyfold.web.serving import background_server, launch_chromium

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"


def shoot(db: Path, out: Path) -> list[Path]:
    app = create_app(db)
    shots = []
    with background_server(app) as base, launch_chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/")
        shots.append(out / "screenshot-home.png")
        page.screenshot(path=str(shots[-1]), full_page=True)
        page.locator("a.story-title").first.click()
        page.wait_for_selector("#coverage")
        shots.append(out / "screenshot-story.png")
        page.screenshot(path=str(shots[-1]), full_page=True)
        for name, url in (("article", "/articles/001_548b1945a47a36b1"), ("copies", "/copies")):
            page.goto(base + url)
            page.screenshot(
                path=str(Path(tempfile.gettempdir()) / f"screenshot-{name}.png"), full_page=True
            )
    return shots


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, help="a store (default: the seeds folded afresh)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db
        if db is None:
            db = Path(tmp) / "seeds.db"
            with Engine.open(db) as engine:
                engine.ingest_paths([SEEDS])
        for shot in shoot(db, args.out):
            print(shot)


if __name__ == "__main__":
    main()
