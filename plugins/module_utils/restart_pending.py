# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Pure part of ``service_restart_pending``: is a running process older than its files?

A rolling change writes the files of every node first and restarts the nodes
one at a time. When the roll stops part way (a gate refuses, Ctrl-C, a lost
connection), the files of the nodes not yet restarted are already new, so "a
file changed in this run" no longer says which nodes still run the old
configuration. The start time of the running process does: a node whose
configuration, unit or release link is newer than its process still has to
restart, on this run or the next.
"""


def parse_systemctl_show(text):
    """``systemctl show -p A -p B`` output (``A=value`` lines) as a dict."""
    properties = {}
    for line in text.splitlines():
        name, separator, value = line.partition("=")
        if separator:
            properties[name.strip()] = value.strip()
    return properties


def started_at(properties, wall_now, monotonic_now):
    """Wall-clock time (seconds since the epoch) the service's main process started,
    or None when it is not running.

    systemd reports the start on the monotonic clock (microseconds); converting it
    with the host's own pair of clocks read at the same moment avoids parsing a
    local-time string whose time zone may be anything."""
    if properties.get("ActiveState") not in ("active", "reloading", "activating"):
        return None
    if properties.get("MainPID", "0") in ("", "0"):
        return None
    try:
        start_monotonic = int(properties.get("ExecMainStartTimestampMonotonic", "0")) / 1e6
    except ValueError:
        return None
    if start_monotonic <= 0:
        return None
    return wall_now - (monotonic_now - start_monotonic)


def newer_than_start(mtimes, start):
    """The paths (of a {path: mtime or None}) written after ``start``, oldest first.
    A missing path (None) is not a reason to restart: what is not there was not
    read by the process either, and the role that owns it reports its absence."""
    if start is None:
        return []
    newer = [(mtime, path) for path, mtime in mtimes.items() if mtime is not None and mtime > start]
    return [path for _mtime, path in sorted(newer)]
