#!/usr/bin/python
# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

DOCUMENTATION = r"""
module: managed_files
short_description: Write several small files and directories in one step, each only where it differs
version_added: 0.2.0
description:
  - Compares each file's content, owner, group and mode with what is asked, and writes only the
    files that differ, each atomically (a temporary file in the same directory, then a rename).
  - One call for a role's whole set of configuration files. M(ansible.builtin.template) and
    M(ansible.builtin.copy) cost two module runs per file even when nothing changes (a C(stat), then
    M(ansible.builtin.file) for the attributes); a role with five files pays ten. Render the
    content on the controller (the P(ansible.builtin.template#lookup) lookup) and give it here.
  - Creates or corrects the directories the files go in, in the same run (a loop of
    M(ansible.builtin.file) costs one module run per directory).
  - Reports which files changed, so that a role can tell which change needs a restart.
  - Check mode reports what would change and writes nothing; diff mode shows each file's content
    before and after (unless O(files[].diff=false)) and the attributes that change.
author:
  - datapipe maintainers (!UNKNOWN)
options:
  directories:
    description:
      - Directories, made or corrected before any file is written, in this order. A missing
        directory is made with its missing parents, and each directory it makes gets the
        owner, group and mode given, as M(ansible.builtin.file) does for a directory.
    type: list
    elements: dict
    default: []
    suboptions:
      path:
        description:
          - Absolute path of the directory.
        type: path
        required: true
      owner:
        description:
          - Owner of the directory. Omitted, an existing directory keeps its owner.
        type: str
      group:
        description:
          - Group of the directory, as O(directories[].owner).
        type: str
      mode:
        description:
          - Permissions, as an octal string such as V("0750") (quote it in YAML).
        type: raw
  files:
    description:
      - The files, in the order they are written.
    type: list
    elements: dict
    default: []
    suboptions:
      dest:
        description:
          - Absolute path of the file. Its directory must exist or be one of O(directories).
        type: path
        required: true
      content:
        description:
          - The whole content, as text (written as UTF-8).
          - Exactly one of O(files[].content) and O(files[].secret_content) is given.
        type: str
      secret_content:
        description:
          - The whole content of a file that holds secrets (passwords, keys), as text (written as
            UTF-8), instead of O(files[].content).
          - Ansible keeps it out of the task's result and logs (C(no_log) for this value only), and
            diff mode does not show it, so that the rest of the task needs no C(no_log) and the
            other files' diffs still show.
        type: str
        version_added: 0.4.0
      owner:
        description:
          - Owner of the file. Omitted, a new file belongs to the user the module runs as and an
            existing file keeps its owner.
        type: str
      group:
        description:
          - Group of the file, as O(files[].owner).
        type: str
      mode:
        description:
          - Permissions, as an octal string such as V("0640") (quote it in YAML). Omitted, a new
            file gets the default for the umask and an existing file keeps its mode.
        type: raw
      diff:
        description:
          - Show this file's content in diff mode. Set to V(false) for a file whose content must not
            appear in a log; its diff then only says that the content changed.
        type: bool
        default: true
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying
      target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in
      check_mode), when in diff mode.
    support: full
  platform:
    description: Target OS/families that can be operated against.
    support: full
    platforms: posix
notes:
  - Give a file with secrets as O(files[].secret_content). Its content then appears nowhere in the
    result; O(files[].diff=false) alone hides the diff, not the task's arguments.
  - Makes only the directories listed in O(directories); a file whose directory neither exists
    nor is listed is refused before anything is written.
  - Every file and directory is checked before anything is written (absolute paths, each named
    once, existing directories, known owners and groups, octal modes), so a wrong value stops the
    task with nothing written.
seealso:
  - module: ansible.builtin.template
  - module: ansible.builtin.copy
"""

EXAMPLES = r"""
- name: Write Kafka's configuration, rendered on the controller
  datapipe.kafka_pipeline.managed_files:
    files:
      - dest: /etc/kafka/server.properties
        content: "{{ lookup('ansible.builtin.template', 'server.properties.j2') }}"
        owner: root
        group: kafka
        mode: "0640"
      - dest: /etc/kafka/log4j2.yaml
        content: "{{ lookup('ansible.builtin.template', 'log4j2.yaml.j2') }}"
        owner: root
        group: kafka
        mode: "0640"
  register: kafka_files

- name: Restart Kafka when server.properties changed
  ansible.builtin.systemd_service:
    name: kafka
    state: restarted
  when: "'/etc/kafka/server.properties' in kafka_files.changed_files"
"""

RETURN = r"""
changed_directories:
  description: The directories made or whose attributes changed (or would, in check mode), in the
    order of O(directories).
  returned: always
  type: list
  elements: str
  sample: [/etc/kafka]
changed_files:
  description: The files whose content or attributes changed (or would, in check mode), in the
    order of O(files).
  returned: always
  type: list
  elements: str
  sample: [/etc/kafka/server.properties]
content_changed_files:
  description: The files whose content changed (or would); a subset of RV(changed_files).
  returned: always
  type: list
  elements: str
  sample: [/etc/kafka/server.properties]
"""

import grp
import os
import pwd
import re
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native


def _read(path):
    """The file's bytes, or None when there is no file."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _attribute_problems(path, entry, check_mode):
    problems = []
    mode = entry.get("mode")
    if (
        mode is not None
        and not isinstance(mode, int)
        and not re.fullmatch(r"0?[0-7]{3,4}", str(mode))
    ):
        problems.append(f"{path}: mode {mode!r} is not an octal mode such as '0640'")
    # In check mode a user or group that an earlier task would have created may
    # be missing: only a real run needs them.
    if check_mode:
        return problems
    for key, lookup in (("owner", pwd.getpwnam), ("group", grp.getgrnam)):
        name = entry.get(key)
        if name is None or name.isdigit():
            continue
        try:
            lookup(name)
        except KeyError:
            problems.append(f"{path}: no such {'user' if key == 'owner' else 'group'} {name!r}")
    return problems


def _problems(directories, files, check_mode):
    """What is wrong with what is asked for; checked before anything is written."""
    problems = []
    paths = [entry["path"] for entry in directories] + [entry["dest"] for entry in files]
    repeated = sorted({path for path in paths if paths.count(path) > 1})
    if repeated:
        problems.append(f"each path can be given once; named more than once: {', '.join(repeated)}")
    made_here = {os.path.normpath(entry["path"]) for entry in directories}
    for entry in directories:
        if not os.path.isabs(entry["path"]):
            problems.append(f"{entry['path']}: path must be an absolute path")
            continue
        if os.path.lexists(entry["path"]) and not os.path.isdir(entry["path"]):
            problems.append(f"{entry['path']}: exists and is not a directory")
        problems += _attribute_problems(entry["path"], entry, check_mode)
    for entry in files:
        dest = entry["dest"]
        if not os.path.isabs(dest):
            problems.append(f"{dest}: dest must be an absolute path")
            continue
        problems += _attribute_problems(dest, entry, check_mode)
        # In check mode a directory that an earlier task would have made may be missing.
        directory = os.path.normpath(os.path.dirname(dest))
        if not check_mode and directory not in made_here and not os.path.isdir(directory):
            problems.append(f"{dest}: the directory {directory} does not exist")
    return problems


def _attributes(module, path, entry, diff):
    """Set the owner, group and mode asked for; whether anything changed."""
    file_args = module.load_file_common_arguments(
        {key: entry.get(key) for key in ("owner", "group", "mode")}, path=path
    )
    return module.set_fs_attributes_if_different(file_args, False, diff, expand=False)


def _directory(module, entry):
    """Make or correct one directory; its diff when something changed, else None."""
    path = os.path.normpath(entry["path"])
    diff = {"before": {"path": path}, "after": {"path": path}}
    if os.path.isdir(path):
        # A link to a directory (a data directory on another disk) is followed, as
        # ansible.builtin.file does: the directory gets the attributes, not the link.
        return diff if _attributes(module, os.path.realpath(path), entry, diff) else None
    diff["before"]["state"], diff["after"]["state"] = "absent", "directory"
    if module.check_mode:
        return diff
    # Each missing parent is made with the same attributes, as ansible.builtin.file does.
    missing = []
    current = path
    while not os.path.lexists(current):
        missing.append(current)
        current = os.path.dirname(current)
    for made in reversed(missing):
        os.mkdir(made)
        _attributes(module, made, entry, {"before": {}, "after": {}})
    return diff


def _write_atomically(module, dest, data):
    directory = os.path.dirname(dest)
    descriptor, temporary = tempfile.mkstemp(prefix=".managed-", dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        # atomic_move keeps the existing file's owner, group and mode (and SELinux context);
        # the attributes asked for are set after.
        module.atomic_move(temporary, dest, unsafe_writes=False)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


# What a directory and a file are given alike.
ATTRIBUTE_OPTIONS = dict(owner=dict(type="str"), group=dict(type="str"), mode=dict(type="raw"))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            directories=dict(
                type="list",
                elements="dict",
                default=[],
                options=dict(path=dict(type="path", required=True), **ATTRIBUTE_OPTIONS),
            ),
            files=dict(
                type="list",
                elements="dict",
                default=[],
                options=dict(
                    dest=dict(type="path", required=True),
                    content=dict(type="str"),
                    secret_content=dict(type="str", no_log=True),
                    **ATTRIBUTE_OPTIONS,
                    diff=dict(type="bool", default=True),
                ),
                mutually_exclusive=[("content", "secret_content")],
                required_one_of=[("content", "secret_content")],
            ),
        ),
        supports_check_mode=True,
    )
    directories, files = module.params["directories"], module.params["files"]
    problems = _problems(directories, files, module.check_mode)
    if problems:
        module.fail_json(msg="Nothing was written: " + "; ".join(problems) + ".")

    changed_directories, changed_files, content_changed_files, diffs = [], [], [], []
    for entry in directories:
        diff = _directory(module, entry)
        if diff is not None:
            changed_directories.append(entry["path"])
            diffs.append(diff)
    for entry in files:
        dest = entry["dest"]
        secret = entry["secret_content"] is not None
        text = entry["secret_content"] if secret else entry["content"]
        wanted = to_bytes(text, errors="surrogate_or_strict")
        current = _read(dest)
        diff = {"before_header": dest, "after_header": dest, "before": {}, "after": {}}
        content_changed = current != wanted
        if content_changed:
            if entry["diff"] and not secret:
                diff["before"] = (
                    "" if current is None else to_native(current, errors="surrogate_or_replace")
                )
                diff["after"] = text
            else:
                diff["before"] = "(content hidden)\n" if current is not None else ""
                diff["after"] = "(content hidden, changed)\n"
            if not module.check_mode:
                _write_atomically(module, dest, wanted)
        if module.check_mode and current is None:
            # Nothing to compare attributes with: a new file gets them when written.
            attributes_changed = any(
                entry.get(key) is not None for key in ("owner", "group", "mode")
            )
        else:
            attribute_diff = {"before": {}, "after": {}}
            attributes_changed = _attributes(module, dest, entry, attribute_diff)
            if isinstance(diff["before"], dict):
                diff["before"].update(attribute_diff["before"])
                diff["after"].update(attribute_diff["after"])
        if content_changed or attributes_changed:
            changed_files.append(dest)
            diffs.append(diff)
        if content_changed:
            content_changed_files.append(dest)

    module.exit_json(
        changed=bool(changed_directories or changed_files),
        changed_directories=changed_directories,
        changed_files=changed_files,
        content_changed_files=content_changed_files,
        diff=diffs,
    )


if __name__ == "__main__":
    main()
