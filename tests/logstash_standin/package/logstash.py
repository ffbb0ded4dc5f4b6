# THIS IS NOT LOGSTASH. It is the test lab's stand-in for /usr/share/logstash/bin/logstash,
# packaged as "logstash" in a local APT repository because no registry these test
# machines reach serves Elastic's packages. It gives the roles Logstash's file layout,
# user, service and command line: `-t` checks the syntax of every pipeline named in
# pipelines.yml (and that each ${VAR} is in the keystore or the environment), and the
# service logs which pipelines it loaded, answers on the monitoring API's address
# (api.http.host, the first port of api.http.port) with its version and pipelines,
# and stays up. It processes no events.
"""Stand-in for bin/logstash (test lab only; see the header)."""

import glob
import json
import os
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


STARTUP_SECONDS = 2

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


def read_settings(settings):
    with open(os.path.join(settings, "logstash.yml")) as handle:
        if yaml is None:
            return {}
        # A settings file that is not YAML stops Logstash too.
        return yaml.safe_load(handle) or {}


def serve_api(logstash_settings, loaded):
    """Logstash's monitoring API, the part the roles ask: GET / and GET /_node/pipelines."""
    if str(logstash_settings.get("api.enabled", True)).lower() == "false":
        return
    host = str(logstash_settings.get("api.http.host", "127.0.0.1"))
    ports = str(logstash_settings.get("api.http.port", "9600-9700")).split("-")
    first, last = ports[0], ports[-1]
    node = {"host": socket.gethostname(), "version": VERSION, "status": "green"}

    class Api(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.split("?")[0] in ("/", ""):
                body = node
            elif self.path.startswith("/_node/pipelines"):
                body = {**node, "pipelines": {pipeline_id: {} for pipeline_id in loaded}}
            else:
                self.send_error(404)
                return
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_):
            pass

    # As Logstash does, the first free port of the range.
    for port in range(int(first), int(last) + 1):
        try:
            server = ThreadingHTTPServer((host, port), Api)
            break
        except OSError:
            continue
    else:
        raise SystemExit(f"no free port for the API in {first}-{last} on {host}")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    # Logstash's own words, which the scenarios read from the journal.
    print(
        f"[INFO ][logstash.agent] Successfully started Logstash API endpoint {{:port=>{port}}}",
        flush=True,
    )


def check(settings):
    read_settings(settings)
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
    # Logstash's JVM takes seconds before its API answers; so does this, so that a
    # run that did not wait for the answer shows in the scenarios.
    time.sleep(STARTUP_SECONDS)
    serve_api(read_settings(settings), loaded)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
