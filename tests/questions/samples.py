"""Real sibling banks of the same family, kept outside the repository (they carry no licence)."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# CI lays shared/ beside the clone; BANK_SAMPLES_DIR points elsewhere.
SAMPLES_DIR = Path(os.environ.get("BANK_SAMPLES_DIR", ROOT.parent / "shared" / "banks"))


def sample_path(name: str) -> Path:
    path = SAMPLES_DIR / name
    if not path.exists():
        if os.environ.get("CI") == "true" or os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"sample bank {path} is missing (set BANK_SAMPLES_DIR)", pytrace=False)
        pytest.skip(f"sample bank {path} not available (set BANK_SAMPLES_DIR)")
    return path
