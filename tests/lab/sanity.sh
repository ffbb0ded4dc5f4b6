#!/usr/bin/env bash
# Run `ansible-test sanity` offline.
#
# ansible-test bootstraps pip into each test's venv with a script it downloads
# from a host these machines cannot reach, and caches it under
# ~/.ansible/test/cache/get_pip_<version>.py. We put our own bootstrap script
# there: it installs pip with the interpreter's ensurepip (in a child process,
# so the machine's pip settings, certificates included, stay in force) and
# then pip-installs what ansible-test asked for from PyPI.
#
# ansible-test must run from .../ansible_collections/<namespace>/<name>/, so the
# collection's files are copied into such a tree in the lab cache first.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

command -v ansible-test >/dev/null || { log "run through tests/lab/run (ansible-test not on PATH)"; exit 1; }

# The shellcheck sanity test is skipped, not failed, without the program.
if ! command -v shellcheck >/dev/null 2>&1; then
  log "installing shellcheck from Debian's packages"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
fi

ansible_test_dir=$(python3 -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
pip_version=$(sed -n "s/^ *pip='\([0-9.]*\)',\$/\1/p" "${ansible_test_dir}/_internal/python_requirements.py" | head -n 1)
[ -n "${pip_version}" ] || { log "could not read the pip version ansible-test bootstraps"; exit 1; }
bootstrap="${HOME}/.ansible/test/cache/get_pip_${pip_version//./_}.py"
mkdir -p "$(dirname "${bootstrap}")"
cat >"${bootstrap}" <<'PY'
"""Offline stand-in for get-pip.py, written by the datapipe lab's sanity.sh."""
import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
arguments = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "pip", "install", *arguments])
PY

# One tree per ansible-core release, so that two releases can run at once.
core_version=$(python3 -c 'from ansible.release import __version__; print(__version__)')
tree="${LAB_CACHE}/sanity-${core_version}/ansible_collections/datapipe/kafka_pipeline"
copy_checkout "${tree}"
cd "${tree}" || exit 1

log "ansible-test sanity in ${tree}"
exec ansible-test sanity --python "$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')" --color no "$@"
