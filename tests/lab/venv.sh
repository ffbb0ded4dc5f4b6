#!/usr/bin/env bash
# Create (once) the project's Python venv from the pinned requirements and
# print its path. The venv lives in the lab cache, named after the hash of
# requirements.txt, so every clone on a machine shares it and a change to the
# pins builds a fresh one.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

requirements="${REPO_ROOT}/requirements.txt"
pins_hash=$(sha256sum "${requirements}" | cut -c1-12)
venv="${LAB_CACHE}/venv-${pins_hash}"

if [ ! -f "${venv}/.complete" ]; then
  log "creating venv ${venv} from requirements.txt"
  rm -rf "${venv}"
  python3 -m venv "${venv}"
  "${venv}/bin/pip" install --quiet --upgrade pip >&2
  "${venv}/bin/pip" install --quiet -r "${requirements}" >&2
  touch "${venv}/.complete"
fi
echo "${venv}"
