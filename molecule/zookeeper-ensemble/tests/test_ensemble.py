"""Three members, one leader, all on the configuration of the side effect."""

import re

# Imported so pytest runs it as this scenario's check-mode test (once, no host;
# it covers the standalone node as well).
from check_mode import (  # noqa: F401  # pylint: disable=unused-import
    test_check_mode_on_the_converged_hosts_changes_nothing,
)

# The standalone node has a test file of its own (test_standalone.py).
testinfra_hosts = ["zookeeper"]
MEMBERS = ["zk-1", "zk-2", "zk-3"]


def mode_of(four_letter_word, member="127.0.0.1"):
    return re.search(r"Mode: (\w+)", four_letter_word("srvr", address=member)).group(1)


def test_service_is_active(host):
    assert host.service("zookeeper").is_running
    assert host.service("zookeeper").is_enabled


def test_member_is_healthy_and_leader_or_follower(four_letter_word):
    assert four_letter_word("ruok") == "imok"
    assert mode_of(four_letter_word) in ("leader", "follower")


def test_exactly_one_leader_seen_from_each_member(four_letter_word):
    modes = {member: mode_of(four_letter_word, member) for member in MEMBERS}
    assert sorted(modes.values()) == ["follower", "follower", "leader"], modes


def test_ports_listen_and_only_the_leader_takes_followers(host, four_letter_word):
    listening = {
        int(s.rsplit(":", 1)[1]) for s in host.socket.get_listening_sockets() if s.startswith("tcp")
    }
    assert {2181, 3888} <= listening
    assert (2888 in listening) == (mode_of(four_letter_word) == "leader")


def test_server_lines_name_every_member_with_its_id(host):
    config = host.file("/etc/zookeeper/zoo.cfg").content_string
    ids = sorted(re.findall(r"^server\.(\d+)=[^:]+:2888:3888$", config, re.M))
    assert ids == ["1", "2", "3"]
    myid = host.file("/var/lib/zookeeper/myid").content_string.strip()
    assert myid == str(MEMBERS.index(host.backend.get_hostname()) + 1)


def test_configuration_change_of_the_side_effect_is_in_place(host):
    config = host.file("/etc/zookeeper/zoo.cfg").content_string
    assert "globalOutstandingLimit=2000" in config
    # the change whose roll the side effect stopped after one member, then finished
    assert "snapCount=50000" in config
