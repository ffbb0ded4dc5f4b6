"""kafka_feature against a real KRaft broker whose metadata.version is a release behind.

The broker runs Kafka KAFKA_VERSION on storage formatted at the previous release's
metadata.version, which is what a cluster rolled to a new release keeps until the
operator raises it. What the module did is read back with plain kafka-python.
"""

from __future__ import annotations

import kafka_lab
import pytest
from conftest import KAFKA_PREVIOUS_VERSION, KAFKA_VERSION
from kafka.admin import KafkaAdminClient
from playbook_run import run_task

MODULE = "kafka_feature"
FEATURE = "metadata.version"


@pytest.fixture(scope="module")
def behind(tmp_path_factory):
    broker = kafka_lab.start_kraft_broker(
        KAFKA_VERSION,
        tmp_path_factory.mktemp("feature"),
        # The previous release's line (4.3.1 -> 4.3), as the lab's upgrade starts from it.
        release_version=".".join(KAFKA_PREVIOUS_VERSION.split(".")[:2]),
    )
    yield broker
    broker.stop()


def levels(broker) -> tuple[int, tuple[int, int]]:
    """(finalized level, (lowest, highest) supported) as plain kafka-python reads them."""
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    try:
        features = admin.describe_features()[FEATURE]
    finally:
        admin.close()
    return features["finalized"][1], features["supported"]


def test_wrong_levels_are_refused_and_change_nothing(behind):
    before, (lowest, highest) = levels(behind)
    assert before < highest, "the fixture should start a release behind"
    servers = [behind.bootstrap_servers]
    refusals = {
        "newest": "level must be 'latest' or a whole number of at least 1, not 'newest'",
        "0": "level must be 'latest' or a whole number of at least 1, not '0'",
        str(before - 1): f"{FEATURE} is at level {before}; level {before - 1} would lower it",
        str(highest + 1): f"above the highest the brokers support ({highest})",
        str(lowest - 1): f"below the lowest the brokers support ({lowest})",
    }
    for level, message in refusals.items():
        for check in (True, False):
            refused = run_task(MODULE, {"bootstrap_servers": servers, "level": level}, check=check)
            assert refused.failed, (level, refused.result)
            assert refused.result["msg"].startswith("Nothing was changed: "), refused.result
            assert message in refused.result["msg"], (level, refused.result["msg"])
            assert not refused.result.get("changed")
    unknown = run_task(MODULE, {"bootstrap_servers": servers, "name": "no.such.feature"})
    assert unknown.failed, unknown.result
    assert "does not support the feature no.such.feature" in unknown.result["msg"]
    assert levels(behind)[0] == before, "a refusal changed metadata.version"


def test_latest_raises_metadata_version_once_check_mode_first(behind):
    before, (_lowest, highest) = levels(behind)
    args = {"bootstrap_servers": [behind.bootstrap_servers]}

    checked = run_task(MODULE, args, check=True)
    assert checked.changed and not checked.failed, checked.result
    assert (checked.result["before"], checked.result["after"]) == (before, highest)
    assert checked.result["diff"] == {
        "before": f"{FEATURE}: {before}\n",
        "after": f"{FEATURE}: {highest}\n",
    }
    assert levels(behind)[0] == before, "check mode changed metadata.version"

    raised = run_task(MODULE, args)
    assert raised.changed and not raised.failed, raised.result
    assert levels(behind)[0] == highest

    again = run_task(MODULE, args)
    assert not again.changed and not again.failed, again.result
    assert run_task(MODULE, args, check=True).changed is False
    # Going back is refused now that the level is raised.
    back = run_task(MODULE, {**args, "level": str(before)})
    assert back.failed and "would lower it" in back.result["msg"]
    assert levels(behind)[0] == highest
