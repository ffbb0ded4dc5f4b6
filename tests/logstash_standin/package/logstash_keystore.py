# THIS IS NOT LOGSTASH's keystore tool. Test lab stand-in (see bin/logstash): it keeps
# only the key NAMES, in <path.settings>/logstash.keystore, so `list` works and `-t`
# can tell a missing ${VAR}. Values read from stdin are discarded, never written.
"""Stand-in for bin/logstash-keystore: create, add NAME, list, remove NAME."""

import json
import os
import sys


def main(argv):
    settings = "/etc/logstash"
    args = []
    iterator = iter(argv)
    for arg in iterator:
        if arg == "--path.settings":
            settings = next(iterator)
        elif arg.startswith("--path.settings="):
            settings = arg.split("=", 1)[1]
        else:
            args.append(arg)
    if not args or args[0] not in COMMANDS:
        print(USAGE, file=sys.stderr)
        return 64
    path = os.path.join(settings, "logstash.keystore")
    if args[0] != "create" and not os.path.exists(path):
        print(f"ERROR: Logstash keystore not found at {path}. Use 'create' first.", file=sys.stderr)
        return 1
    return COMMANDS[args[0]](path, args[1:])


USAGE = "usage: logstash-keystore [--path.settings DIR] create|add NAME|list|remove NAME"


def create(path, _names):
    if os.path.exists(path):
        print(f"ERROR: Logstash keystore already exists at {path}", file=sys.stderr)
        return 1
    write(path, [])
    print(f"Created Logstash keystore at {path}")
    return 0


def read(path):
    with open(path) as handle:
        return json.load(handle)["keys"]


def list_keys(path, _names):
    for key in sorted(read(path)):
        print(key)
    return 0


def add(path, names):
    keys = read(path)
    for name in names:
        if name in keys:
            print(f"ERROR: {name} already exists; remove it first", file=sys.stderr)
            return 1
        sys.stdin.read()  # the value: read as Logstash does, then dropped
        keys.append(name)
        print(f"Added '{name}' to the Logstash keystore.")
    write(path, keys)
    return 0


def remove(path, names):
    keys = read(path)
    for name in names:
        if name not in keys:
            print(f"ERROR: Logstash keystore does not contain {name}", file=sys.stderr)
            return 1
        keys.remove(name)
    write(path, keys)
    return 0


COMMANDS = {"create": create, "list": list_keys, "add": add, "remove": remove}


def write(path, keys):
    with open(path, "w") as handle:
        json.dump({"stand_in": "test lab, names only", "keys": sorted(keys)}, handle)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
