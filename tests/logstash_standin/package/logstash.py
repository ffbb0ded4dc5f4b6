# THIS IS NOT LOGSTASH. It is the test lab's stand-in for /usr/share/logstash/bin/logstash,
# packaged as "logstash" in a local APT repository because no registry these test
# machines reach serves Elastic's packages. It gives the roles Logstash's file layout,
# user, service and command line: `-t` checks the syntax of every pipeline named in
# pipelines.yml (and that each ${VAR} is in the keystore or the environment), and the
# service logs which pipelines it loaded and stays up. It processes no events.
"""Stand-in for bin/logstash (test lab only; see the header)."""

import glob
import json
import os
import signal
import sys
import time

# <home>/bin/logstash: the checker and VERSION live under <home> (/usr/share/logstash).
LOGSTASH_HOME = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
sys.path.insert(0, os.path.join(LOGSTASH_HOME, "lib", "standin"))

from pipeline_syntax import check_files  # noqa: E402

try:  # the package depends on python3-yaml; a host installed from the tarball may lack it
    import yaml
except ImportError:
    yaml = None


def load_yaml(handle):
    """YAML via PyYAML, else the flat list-of-mappings form pipelines.yml takes."""
    if yaml is not None:
        return yaml.safe_load(handle)
    items = []
    for raw_line in handle.read().splitlines():
        if not raw_line.strip() or raw_line.lstrip().startswith("#"):
            continue
        line = raw_line
        if line.startswith("- "):
            items.append({})
            line = line[2:]
        if items and ":" in line:
            key, value = line.strip().split(":", 1)
            items[-1][key.strip()] = value.strip().strip("'\"")
    return items


with open(os.path.join(LOGSTASH_HOME, "VERSION")) as version_file:
    VERSION = version_file.read().strip()


def option(argv, names, default=None):
    for index, arg in enumerate(argv):
        for name in names:
            if arg == name and index + 1 < len(argv):
                return argv[index + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return default


def keystore_names(settings):
    path = os.path.join(settings, "logstash.keystore")
    if not os.path.exists(path):
        return set()
    with open(path) as handle:
        return set(json.load(handle)["keys"])


def pipelines(settings):
    with open(os.path.join(settings, "pipelines.yml")) as handle:
        declared = load_yaml(handle) or []
    if not isinstance(declared, list):
        raise SystemExit(f"{settings}/pipelines.yml: expected a list of pipelines")
    for pipeline in declared:
        if "pipeline.id" not in pipeline or "path.config" not in pipeline:
            raise SystemExit(
                f"{settings}/pipelines.yml: each pipeline needs pipeline.id and path.config"
            )
        files = sorted(glob.glob(pipeline["path.config"]))
        if os.path.isdir(pipeline["path.config"]):
            files = sorted(glob.glob(os.path.join(pipeline["path.config"], "*")))
        yield pipeline["pipeline.id"], files


def check(settings):
    with open(os.path.join(settings, "logstash.yml")) as handle:
        if yaml is not None:
            yaml.safe_load(handle)  # a settings file that is not YAML stops Logstash too
    known = keystore_names(settings) | set(os.environ)
    problems, loaded = [], []
    for pipeline_id, files in pipelines(settings):
        if not files:
            problems.append(f"pipeline {pipeline_id}: no configuration files")
            continue
        problems += [f"pipeline {pipeline_id}: {p}" for p in check_files(files, known)]
        loaded.append(pipeline_id)
    return problems, loaded


def main(argv):
    if "--version" in argv or "-V" in argv:
        print(f"logstash {VERSION} (test lab stand-in, not Logstash)")
        return 0
    settings = option(argv, ["--path.settings"], "/etc/logstash")
    problems, loaded = check(settings)
    for problem in problems:
        print(f"[ERROR] {problem}", file=sys.stderr)
    if "-t" in argv or "--config.test_and_exit" in argv:
        if problems:
            return 1
        print("Configuration OK")
        return 0
    if problems:
        return 1
    log_dir = option(argv, ["--path.logs"], "/var/log/logstash")
    with open(os.path.join(log_dir, "logstash-plain.log"), "a") as log:
        for pipeline_id in loaded:
            line = (
                "[INFO ][logstash.javapipeline] Pipeline started"
                f' {{"pipeline.id"=>"{pipeline_id}"}}'
            )
            print(line, flush=True)
            log.write(line + "\n")
        log.write(f"[INFO ][logstash.agent] Pipelines running {{:running_pipelines=>{loaded}}}\n")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
