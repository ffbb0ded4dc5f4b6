"""Checks the Logstash scenarios share (their hosts run the lab's stand-in package,
which is NOT Logstash; see tests/logstash_standin/)."""

LOGSTASH_BIN = "/usr/share/logstash/bin"


def missing_lines(text, expected):
    """The expected lines (or fragments) that ``text`` lacks."""
    return [line for line in expected if line not in text]


def config_test(host):
    """`logstash -t` on the live settings, as the logstash user, as an operator would."""
    return host.run(
        f"runuser -u logstash -- {LOGSTASH_BIN}/logstash --path.settings /etc/logstash -t"
    )


def keystore_names(host):
    listed = host.run(f"{LOGSTASH_BIN}/logstash-keystore --path.settings /etc/logstash list")
    assert listed.rc == 0, listed.stderr
    return set(listed.stdout.split())


def files_holding(host, secrets, directories):
    """Files under ``directories`` that contain any of ``secrets``."""
    found = []
    for secret in secrets:
        for directory in directories:
            result = host.run(f"grep -rl -- {secret} {directory}")
            assert result.rc in (0, 1), result.stderr
            found += result.stdout.split()
    return found


def processes_holding(host, secrets):
    """Command lines of running processes that contain any of ``secrets``."""
    listed = host.run("ps -eo args=")
    assert listed.rc == 0, listed.stderr
    return [line for line in listed.stdout.splitlines() if any(s in line for s in secrets)]


def pipeline_started(host, pipeline_id):
    log = host.file("/var/log/logstash/logstash-plain.log").content_string
    return f'Pipeline started {{"pipeline.id"=>"{pipeline_id}"}}' in log


def not_running(host, pipeline_ids):
    """Why Logstash is not running the pipelines (empty when it is): service and log."""
    service = host.service("logstash")
    problems = (
        [] if service.is_running and service.is_enabled else ["service not running and enabled"]
    )
    return problems + [
        f"pipeline {p} not started" for p in pipeline_ids if not pipeline_started(host, p)
    ]
