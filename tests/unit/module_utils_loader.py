"""Load one of the collection's module_utils files by path, or a filter plugin, without an
installed collection.

The files import each other by their collection path (as Ansible loads them), so this
checkout is made importable as ``ansible_collections.datapipe.kafka_pipeline`` first,
through a link in a temporary directory.
"""

from __future__ import annotations

import atexit
import importlib
import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
MODULE_UTILS = REPO_ROOT / "plugins" / "module_utils"
_collections_root: Path | None = None


def _make_collection_importable() -> None:
    global _collections_root  # noqa: PLW0603 - one link per test session
    if _collections_root is not None:
        return
    _collections_root = Path(tempfile.mkdtemp(prefix="collections-"))
    atexit.register(shutil.rmtree, _collections_root, True)
    link = _collections_root / "ansible_collections" / "datapipe" / "kafka_pipeline"
    link.parent.mkdir(parents=True)
    link.symlink_to(REPO_ROOT)
    sys.path.insert(0, str(_collections_root))


def load(name: str):
    _make_collection_importable()
    spec = importlib.util.spec_from_file_location(f"datapipe_{name}", MODULE_UTILS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_filter(name: str):
    """A filter plugin file, imported by its collection path as Ansible imports it."""
    _make_collection_importable()
    return importlib.import_module(
        f"ansible_collections.datapipe.kafka_pipeline.plugins.filter.{name}"
    )
