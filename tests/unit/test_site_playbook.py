"""site.yml gathers each host's facts once per run: the first play over a group
gathers, a later play over hosts already gathered does not gather again, and
one that uses roles gathers only where no earlier play did (a --limit or
--start-at-task). Both shipped inventories turn on pipelining."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
SITE = yaml.safe_load((REPO_ROOT / "playbooks" / "site.yml").read_text())
PLAYS = [play for play in SITE if "hosts" in play]


def groups_of(play: dict) -> set[str]:
    return set(play["hosts"].split(":"))


def test_no_play_gathers_facts_an_earlier_play_gathered():
    gathered: set[str] = set()
    for play in PLAYS:
        if play.get("gather_facts", True):
            again = groups_of(play) & gathered
            assert not again, f"{play['name']} gathers the facts of {sorted(again)} again"
            gathered |= groups_of(play)


def test_plays_that_skip_gathering_still_gather_for_hosts_without_facts():
    first_gatherer = next(play for play in PLAYS if play.get("gather_facts", True))
    for play in PLAYS:
        if play.get("gather_facts", True) or "roles" not in play:
            continue
        if not groups_of(play) <= groups_of(first_gatherer):
            continue
        setup = [task for task in play.get("pre_tasks", []) if "ansible.builtin.setup" in task]
        assert setup, f"{play['name']} has no fact gathering for hosts the first play missed"
        assert setup[0]["when"] == "ansible_facts.os_family is not defined"


@pytest.mark.parametrize("inventory", ["lab", "aws"])
def test_shipped_inventories_turn_on_pipelining(inventory):
    group_vars = yaml.safe_load(
        (REPO_ROOT / "inventories" / inventory / "group_vars" / "all.yml").read_text()
    )
    assert group_vars["ansible_pipelining"] is True
