#!/usr/bin/env bash
# Sanity and unit tests on the oldest ansible-core that meta/runtime.yml's
# requires_ansible claims (make sanity-oldest). `make sanity` and `make unit`
# run them on the newest one, the project's venv. Refuses when the pinned oldest
# release (tests/requirements-oldest.txt) is not the one the claim names.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

claimed=$(sed -n 's/^requires_ansible: *"*>=\([0-9][0-9.]*\).*/\1/p' "${REPO_ROOT}/meta/runtime.yml")
[ -n "${claimed}" ] || { log "meta/runtime.yml has no requires_ansible lower bound"; exit 1; }
venv=$("${LAB_DIR}/venv.sh" "${REPO_ROOT}/tests/requirements-oldest.txt")
pinned=$("${venv}/bin/python" -c 'from ansible.release import __version__; print(__version__)')
if [ "${pinned%.*}" != "${claimed%.*}" ]; then
  log "tests/requirements-oldest.txt pins ansible-core ${pinned}; meta/runtime.yml claims >= ${claimed}"
  exit 1
fi
export PATH="${venv}/bin:${PATH}" VIRTUAL_ENV="${venv}"
log "ansible-core ${pinned} (the oldest claimed): sanity"
"${LAB_DIR}/sanity.sh"
log "ansible-core ${pinned} (the oldest claimed): unit tests"
cd "${REPO_ROOT}" || exit 1
python -m pytest -q -p no:cacheprovider tests/unit
