"""How exposed each service is, as systemd scores it (`systemd-analyze security`).

The units are hardened as far as a JVM allows (roles/common/templates/service.j2 for
Kafka and ZooKeeper, logstash-hardening.conf.j2 for Logstash). Each service's exposure
(0.0 is the best, 10.0 the worst) is printed, and may not get worse than what the roles
reach: a directive dropped from a unit raises it past its limit.
"""

import re

# The exposure the roles reach (systemd 252 on Debian 12), per unit: the limit.
# Logstash's is higher as the OS is writable outside /usr, /boot and /etc; both
# its install methods (package and tarball) reach 1.5.
MAX_EXPOSURE = {"kafka": 1.4, "zookeeper": 1.4, "logstash": 1.5}
SERVICE_OF_GROUP = {
    "kafka_broker": "kafka",
    "zookeeper": "zookeeper",
    "zookeeper_standalone": "zookeeper",  # zookeeper-ensemble's single node, an ensemble of its own
    "logstash_producer": "logstash",
    "logstash_consumer": "logstash",
}


def test_services_are_hardened(host):
    groups = host.ansible.get_variables()["group_names"]
    services = sorted({SERVICE_OF_GROUP[group] for group in groups if group in SERVICE_OF_GROUP})
    assert services, f"{host.backend.get_hostname()} runs none of the services: {groups}"
    for service in services:
        assert host.service(service).is_running, f"{service} is not running"
        result = host.run(f"systemd-analyze security --no-pager {service}.service")
        assert result.rc == 0, result.stderr
        exposure = float(
            re.search(r"Overall exposure level for \S+: (\d+\.\d+)", result.stdout).group(1)
        )
        print(
            f"\nsystemd-analyze security {service}.service on {host.backend.get_hostname()}:"
            f" {exposure} (limit {MAX_EXPOSURE[service]})"
        )
        open_items = [line for line in result.stdout.splitlines() if line.startswith("✗")]
        assert exposure <= MAX_EXPOSURE[service], "\n".join(open_items)
