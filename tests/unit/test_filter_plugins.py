"""Every file under plugins/filter/ is a filter plugin of its own name, with its
documentation inside (Galaxy lists each file there as a plugin): one filter per
file, DOCUMENTATION naming it, EXAMPLES that use it by FQCN, RETURN; the shared
code lives in plugins/plugin_utils/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from module_utils_loader import load_filter

REPO_ROOT = Path(__file__).resolve().parents[2]
FILTER_DIR = REPO_ROOT / "plugins" / "filter"
FILTER_FILES = sorted(FILTER_DIR.iterdir())


def test_the_filter_directory_holds_python_plugins_only():
    others = [f.name for f in FILTER_FILES if f.suffix != ".py" and f.name != "__pycache__"]
    assert others == [], "documentation belongs inside each filter's own .py file"
    assert len([f for f in FILTER_FILES if f.suffix == ".py"]) >= 9


@pytest.mark.parametrize(
    "path", [f for f in FILTER_FILES if f.suffix == ".py"], ids=lambda p: p.stem
)
def test_each_file_is_one_documented_filter_of_its_name(path):
    module = load_filter(path.stem)
    filters = module.FilterModule().filters()
    assert list(filters) == [path.stem]
    assert callable(filters[path.stem])
    documentation = yaml.safe_load(module.DOCUMENTATION)
    assert documentation["name"] == path.stem
    assert documentation["short_description"] and documentation["description"]
    assert documentation["version_added"]
    assert "_input" in documentation["options"]
    assert f"datapipe.kafka_pipeline.{path.stem}" in module.EXAMPLES
    yaml.safe_load(module.EXAMPLES)
    assert "_value" in yaml.safe_load(module.RETURN)


# What a filter may not pull in: Ansible loads a filter's file anew in each worker
# that renders a template using it, so a heavy import there is paid per task and
# host. kafka-python's import built a fifth of a site.yml re-run's controller CPU
# when the kafka_uuid filter imported it through cluster_health.
HEAVY_LIBRARIES = ("kafka", "cryptography", "boto3", "botocore")


@pytest.mark.parametrize(
    "path", [f for f in FILTER_FILES if f.suffix == ".py"], ids=lambda p: p.stem
)
def test_loading_a_filter_imports_no_heavy_library(path):
    probe = (
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from module_utils_loader import load_filter\n"
        f"load_filter({path.stem!r})\n"
        f"heavy = {HEAVY_LIBRARIES!r}\n"
        "print(','.join(sorted(n for n in sys.modules if n.split('.')[0] in heavy)))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "", f"{path.name} imports {completed.stdout.strip()}"
