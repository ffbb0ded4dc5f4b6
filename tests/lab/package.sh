#!/usr/bin/env bash
# The collection as Galaxy and an execution environment receive it (make package):
#  1. the tarball, built as `ansible-galaxy collection build` makes it for Galaxy
#     (galaxy.yml's build_ignore leaves the development and test tooling out);
#  2. Galaxy's own importer on that tarball, locally (no containers: `make sanity`
#     runs ansible-test); any error or warning it reports fails this script;
#  3. ansible-builder: the build context of an execution environment holding the
#     collection, and the requirements it would install there, read from the
#     collection's meta/execution-environment.yml (runtime only, no test tools).
# Run through tests/lab/run (ansible-galaxy and ansible-builder on PATH).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

command -v ansible-builder >/dev/null || { log "run through tests/lab/run (ansible-builder not on PATH)"; exit 1; }

out="${LAB_CACHE}/package"
rm -rf "${out}"
mkdir -p "${out}"

log "building the collection tarball"
ansible-galaxy collection build "${REPO_ROOT}" --output-path "${out}" >/dev/null
tarball=$(ls "${out}"/datapipe-kafka_pipeline-*.tar.gz)
log "built ${tarball##*/} ($(du -k "${tarball}" | cut -f1) KiB)"
# Nothing of the development tooling in it.
leaked=$(tar -tzf "${tarball}" | grep -E '^(tests|molecule|\.ci|\.config|\.ansible|inventories/lab|Makefile|changelogs/fragments)(/|$)' || true)
[ -z "${leaked}" ] || { log "the tarball holds development files:"; echo "${leaked}" >&2; exit 1; }

# --- Galaxy's importer --------------------------------------------------------
importer_venv=$("${LAB_DIR}/venv.sh" "${REPO_ROOT}/tests/requirements-importer.txt")
cat >"${out}/importer.cfg" <<'CFG'
[galaxy-importer]
RUN_ANSIBLE_TEST = False
RUN_ANSIBLE_LINT = True
CHECK_CHANGELOG = True
CFG
log "Galaxy's importer on ${tarball##*/}"
status=0
# A home of its own: ansible-lint also searches ~/.ansible/collections, where a copy of
# this collection installed on the machine would stand in for the tarball's.
mkdir -p "${out}/importer-home"
(cd "${out}" && PATH="${importer_venv}/bin:${PATH}" GALAXY_IMPORTER_CONFIG="${out}/importer.cfg" \
  HOME="${out}/importer-home" \
  "${importer_venv}/bin/python" -m galaxy_importer.main "${tarball}") >"${out}/importer.log" 2>&1 || status=$?
# The importer prints its findings as log lines, then the import result as JSON.
grep -v '^[ {}]' "${out}/importer.log" | grep -v '^\]' >&2 || true
findings=$(grep -E '^(WARNING|ERROR)' "${out}/importer.log" || true)
if [ "${status}" -ne 0 ] || [ -n "${findings}" ] || ! grep -q '^Importer processing completed successfully' "${out}/importer.log"; then
  log "Galaxy's importer did not accept the tarball cleanly (rc ${status}); log: ${out}/importer.log"
  exit 1
fi

# --- the execution environment -------------------------------------------------
cp "${tarball}" "${out}/datapipe-kafka_pipeline.tar.gz"
cp "${LAB_DIR}/execution-environment.yml" "${out}/execution-environment.yml"
log "ansible-builder create"
ansible-builder create --file "${out}/execution-environment.yml" --context "${out}/ee" \
  --output-filename Containerfile >/dev/null
for built in Containerfile _build/collections/datapipe-kafka_pipeline.tar.gz _build/requirements.yml; do
  [ -f "${out}/ee/${built}" ] || { log "the build context lacks ${built}"; exit 1; }
done
# What the image's introspection step would install for the collection.
ANSIBLE_COLLECTIONS_PATH="${out}/ee-collections" \
  ansible-galaxy collection install --offline --force --no-deps -p "${out}/ee-collections" "${tarball}" >/dev/null
ansible-builder introspect --sanitize \
  --write-pip "${out}/ee-python.txt" --write-bindep "${out}/ee-system.txt" "${out}/ee-collections" >/dev/null
for wanted in kafka-python boto3 cryptography; do
  grep -q "^${wanted}" "${out}/ee-python.txt" || { log "the execution environment would lack ${wanted}"; exit 1; }
done
grep -q '^openssh-client' "${out}/ee-system.txt" || { log "the execution environment would lack an SSH client"; exit 1; }
for unwanted in molecule pytest moto ansible-lint; do
  if grep -q "^${unwanted}" "${out}/ee-python.txt"; then log "the execution environment would install ${unwanted}"; exit 1; fi
done
log "execution environment: build context in ${out}/ee; it installs $(grep -c . "${out}/ee-python.txt") Python and $(grep -c . "${out}/ee-system.txt") system requirements"
log "package checks passed"
