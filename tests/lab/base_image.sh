#!/usr/bin/env bash
# Build the lab's Debian 12 image with systemd and python3, without any registry:
# debootstrap from the Debian mirror this machine is configured with, then
# `docker import`. A second run reuses the tagged image.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if docker image inspect "${LAB_IMAGE}" >/dev/null 2>&1; then
  log "image ${LAB_IMAGE} already built"
  exit 0
fi

# The mirror is read from the machine's apt sources at run time, so no host
# name is written into the project.
debian_mirror() {
  local uri
  uri=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | awk '{print $2}' | grep -v -- '-security' | head -n 1 || true)
  if [ -z "${uri}" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list)
  fi
  [ -n "${uri}" ] || { log "no Debian mirror found in the apt sources"; exit 1; }
  echo "${uri}"
}

mirror=$(debian_mirror)
rootfs=$(mktemp -d "${LAB_CACHE}/rootfs.XXXXXX")
trap 'rm -rf "${rootfs}"' EXIT

log "debootstrap bookworm from ${mirror}"
debootstrap --variant=minbase \
  --include=systemd,systemd-sysv,python3,python3-apt,dbus,procps,iproute2,ca-certificates,sudo \
  bookworm "${rootfs}" "${mirror}" >"${LAB_CACHE}/debootstrap.log" 2>&1 \
  || { log "debootstrap failed; see ${LAB_CACHE}/debootstrap.log"; exit 1; }

# Keep the image small and quiet under systemd: no getty on a console that
# does not exist, no apt caches, a machine-id created on first boot.
rm -rf "${rootfs}"/var/lib/apt/lists/* "${rootfs}"/var/cache/apt/*.bin
# An old index time makes apt-based tools (the apt module's cache_valid_time)
# see the emptied index as stale and refresh it.
touch -d @0 "${rootfs}/var/lib/apt/lists"
: >"${rootfs}/etc/machine-id"
ln -sf /dev/null "${rootfs}/etc/systemd/system/getty.target"
printf 'APT::Install-Recommends "false";\n' >"${rootfs}/etc/apt/apt.conf.d/90-no-recommends"

log "importing as ${LAB_IMAGE}"
tar -C "${rootfs}" -c . | docker import \
  -c 'CMD ["/lib/systemd/systemd"]' -c 'ENV container=docker' \
  - "${LAB_IMAGE}" >/dev/null
log "image ${LAB_IMAGE} ready"
