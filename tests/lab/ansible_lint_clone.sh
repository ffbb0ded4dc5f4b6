#!/usr/bin/env bash
# ansible-lint as from a plain clone (make lint): what git tracks (and new files
# it does not ignore) copied to a fresh directory, run with none of the lab's
# settings (no collections path pointing at this checkout). Then ansible-lint's
# cache must be invisible to git and left out of a built tarball.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

clone="${LAB_CACHE}/lint-clone/kafka_pipeline"
copy_checkout "${clone}"
cd "${clone}" || exit 1
git -c user.name=lint -c user.email=lint@localhost commit -q -m clone

log "ansible-lint in a plain copy of this checkout (${clone})"
env -u ANSIBLE_COLLECTIONS_PATH -u ANSIBLE_CONFIG -u DATAPIPE_LAB_CACHE ansible-lint

[ -d .ansible ] || { log "ansible-lint left no cache in .ansible/; the checks below would prove nothing"; exit 1; }
untracked=$(git status --porcelain --untracked-files=all)
[ -z "${untracked}" ] || { log "git sees what ansible-lint left behind:"; echo "${untracked}" >&2; exit 1; }
# Only this build's tarball: with an older version's beside it, tar would read
# the second name as a member, fail, and the check below would prove nothing.
rm -f "${LAB_CACHE}"/lint-clone/datapipe-kafka_pipeline-*.tar.gz
ansible-galaxy collection build --output-path "${LAB_CACHE}/lint-clone" --force >/dev/null
members=$(tar -tzf "${LAB_CACHE}"/lint-clone/datapipe-kafka_pipeline-*.tar.gz)
if grep -q '^\.ansible/' <<<"${members}"; then
  log "the built tarball holds ansible-lint's cache"; exit 1
fi
log "ansible-lint passed from a plain clone; its cache is ignored by git and by the build"
