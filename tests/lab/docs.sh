#!/usr/bin/env bash
# The collection's documentation site (make docs): antsibull-docs checks the
# documentation of every plugin and role (lint-collection-docs), writes the
# site's sources, and Sphinx builds them with warnings as errors, into
# docs/build/html of this checkout (ignored by git and by the build).
# Run through tests/lab/run: this checkout must be the collection Ansible finds.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# The collections ours depends on, for the cross-references: those of the
# `ansible` package in the project's venv (first on PATH through tests/lab/run).
dependencies_path=$(python3 -c 'import ansible_collections, os; print(os.path.dirname(list(ansible_collections.__path__)[-1]))')
docs_venv=$("${LAB_DIR}/venv.sh" "${REPO_ROOT}/tests/requirements-docs.txt")
export PATH="${docs_venv}/bin:${PATH}"
collection_dir=$(python3 - <<'PY'
import os
for root in os.environ["ANSIBLE_COLLECTIONS_PATH"].split(os.pathsep):
    path = os.path.join(root, "ansible_collections", "datapipe", "kafka_pipeline")
    if os.path.isdir(path):
        print(path)
        break
PY
)
[ -n "${collection_dir}" ] || { log "run through tests/lab/run (the collection is not on ANSIBLE_COLLECTIONS_PATH)"; exit 1; }
export ANSIBLE_COLLECTIONS_PATH="${ANSIBLE_COLLECTIONS_PATH}:${dependencies_path}"

log "antsibull-docs lint-collection-docs"
antsibull-docs lint-collection-docs --plugin-docs --skip-rstcheck "${collection_dir}"

work="${LAB_CACHE}/docs"
rm -rf "${work}"
mkdir -p "${work}"
log "antsibull-docs sphinx-init"
antsibull-docs sphinx-init --use-current --fail-on-error --dest-dir "${work}" datapipe.kafka_pipeline >/dev/null
# Cross-references into Ansible's own documentation (the return values every
# module shares, ansible.builtin's plugins) resolve through an intersphinx
# inventory written here from what this ansible-core knows, pointing at
# docs.ansible.com: the build never fetches anything (the inventories
# sphinx-init names would be downloaded).
python3 - "${work}/ansible_devel.inv" <<'PY'
import json, subprocess, sys, zlib

labels = [
    ("common_return_values", "reference_appendices/common_return_values.html#common-return-values",
     "Return Values"),
    ("ansible_configuration_settings", "reference_appendices/config.html#ansible-configuration-settings",
     "Ansible Configuration Settings"),
]
for kind in ("module", "filter", "test", "lookup"):
    listing = json.loads(subprocess.run(["ansible-doc", "-t", kind, "-l", "ansible.builtin", "--json"],
                                        check=True, capture_output=True, text=True).stdout)
    for fqcn in sorted(listing):
        name = fqcn.split(".")[-1]
        label = f"ansible_collections.ansible.builtin.{name}_{kind}"
        labels.append((label, f"collections/ansible/builtin/{name}_{kind}.html#{label.replace('.', '-').replace('_', '-')}", fqcn))
body = "".join(f"{label} std:label -1 {uri} {title}\n" for label, uri, title in labels)
with open(sys.argv[1], "wb") as inventory:
    inventory.write(b"# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
                    b"# The remainder of this file is compressed using zlib.\n")
    inventory.write(zlib.compress(body.encode()))
PY
cat >>"${work}/conf.py" <<CONF

# Written by the collection's docs.sh: local inventories only, nothing fetched.
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '${work}/ansible_devel.inv'),
}
CONF
# build.sh: antsibull-docs writes the reStructuredText, then sphinx-build -W (warnings fail).
log "building the site"
(cd "${work}" && ./build.sh) >"${work}/build.log" 2>&1 || { cat "${work}/build.log" >&2; log "the documentation build failed"; exit 1; }
if grep -E -i '(WARNING|ERROR)' "${work}/build.log" >&2; then
  log "the documentation build reported warnings (above); log: ${work}/build.log"
  exit 1
fi
rm -rf "${REPO_ROOT}/docs/build"
mkdir -p "${REPO_ROOT}/docs/build"
cp -r "${work}/build/html" "${REPO_ROOT}/docs/build/html"
log "documentation site: docs/build/html/index.html ($(find "${REPO_ROOT}/docs/build/html" -name '*.html' | wc -l) pages)"
