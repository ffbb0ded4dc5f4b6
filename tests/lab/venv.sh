#!/usr/bin/env bash
# Create (once) a Python venv from pinned requirements and print its path:
#   venv.sh                      the project's venv (tests/requirements-dev.txt)
#   venv.sh REQUIREMENTS_FILE    another one (Galaxy's importer, the bare runtime)
# A venv lives in the lab cache, named after its file and the hash of the file,
# so every clone on a machine shares it and a change to the pins builds a fresh one.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

requirements="${1:-${REPO_ROOT}/tests/requirements-dev.txt}"
[ -f "${requirements}" ] || { log "no requirements file ${requirements}"; exit 1; }
name=$(basename "${requirements}" .txt)
# The hash covers the files it includes with `-r` as well.
included=$(sed -n 's/^-r  *//p' "${requirements}" | while read -r f; do echo "$(dirname "${requirements}")/$f"; done)
# shellcheck disable=SC2086  # one word per included file
pins_hash=$(cat "${requirements}" ${included} | sha256sum | cut -c1-12)
venv="${LAB_CACHE}/venv-${name}-${pins_hash}"

if [ ! -f "${venv}/.complete" ]; then
  log "creating venv ${venv} from ${requirements#"${REPO_ROOT}"/}"
  rm -rf "${venv}"
  python3 -m venv "${venv}"
  "${venv}/bin/pip" install --quiet --upgrade pip >&2
  "${venv}/bin/pip" install --quiet -r "${requirements}" >&2
  touch "${venv}/.complete"
fi
echo "${venv}"
