#!/usr/bin/env bash
# Make sure a Docker engine answers. On a fresh Debian 12 machine none runs:
# install Debian's docker.io (and debootstrap, which base_image.sh needs) and
# start dockerd in the background. Idempotent: does nothing when `docker info` works.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if docker info >/dev/null 2>&1; then
  log "docker engine already answers"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
  log "installing docker.io and debootstrap from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends docker.io debootstrap >/dev/null
fi

log "starting dockerd in the background (log: ${LAB_CACHE}/dockerd.log)"
nohup dockerd >"${LAB_CACHE}/dockerd.log" 2>&1 &

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    log "docker engine is up"
    exit 0
  fi
  sleep 1
done
log "dockerd did not answer within 60 s; see ${LAB_CACHE}/dockerd.log"
exit 1
