#!/usr/bin/env bash
# Build the signed APT repository with the stand-in `logstash` package (NOT
# Logstash: no registry these machines reach serves it; see
# tests/logstash_standin/). Laid out like Elastic's repository under the lab
# mirror, so the Logstash roles install from it through their ordinary
# repository and key URL variables. Idempotent: rebuilds only when its sources change.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if ! command -v gpg >/dev/null 2>&1; then
  log "installing gpg (signs the stand-in repository)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends gpg >/dev/null
fi
# The version list is meant to split into one argument per version.
# shellcheck disable=SC2086
python3 "${REPO_ROOT}/tests/logstash_standin/build_repository.py" \
  "${LAB_CACHE}/mirror" "${LAB_CACHE}" ${LOGSTASH_STANDIN_VERSIONS}
