from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyfold import Engine

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
DATA = SHARED / "data"


@pytest.fixture(scope="session")
def gold() -> dict[str, object]:
    return json.loads((SEEDS / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def folded(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The five seeds folded once for the session (the USE and spaCy models load once)."""
    engine = Engine.open(tmp_path_factory.mktemp("seeds") / "seeds.db")
    report = engine.ingest_paths([SEEDS])
    assert report.ingested == 5 and not report.skipped
    return engine
