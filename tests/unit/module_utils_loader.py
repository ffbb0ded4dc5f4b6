"""Load one of the collection's module_utils files by path, without an installed collection."""

from __future__ import annotations

import importlib.util
from pathlib import Path

MODULE_UTILS = Path(__file__).resolve().parents[2] / "plugins" / "module_utils"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"datapipe_{name}", MODULE_UTILS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
