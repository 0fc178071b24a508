from __future__ import annotations

import json
from pathlib import Path

import pytest

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
