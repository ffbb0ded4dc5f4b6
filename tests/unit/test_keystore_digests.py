"""logstash_keystore's pure part (digests, what to add, replace or remove), its file
helpers, and the logstash_plugin_defaults filter the producer's http input uses."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import stat
from pathlib import Path

import pytest
from ansible.errors import AnsibleFilterError
from module_utils_loader import load

digests = load("keystore_digests")
logstash_keystore = importlib.import_module(
    "ansible_collections.datapipe.kafka_pipeline.plugins.modules.logstash_keystore"
)

FILTER = Path(__file__).resolve().parents[2] / "plugins" / "filter" / "logstash_plugin_defaults.py"
_spec = importlib.util.spec_from_file_location("logstash_plugins", FILTER)
logstash_plugins = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(logstash_plugins)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
KEYSTORE = "/etc/logstash/logstash.keystore"


def digest(name, value, key=KEY):
    return digests.entry_digest(key, name, value)


def test_digest_is_keyed_and_not_the_plain_sha256_of_the_value():
    value = "lab-kafka-secret-4711"
    keyed = digest("KAFKA_SASL_PASSWORD", value)
    assert keyed.startswith("hmac-sha256:")
    assert hashlib.sha256(value.encode()).hexdigest() not in keyed
    assert keyed != digest("KAFKA_SASL_PASSWORD", value, OTHER_KEY)  # another host, another digest
    assert keyed != digest("HTTP_INPUT_PASSWORD", value)  # the name is part of it
    assert keyed == digest("KAFKA_SASL_PASSWORD", value)  # stable for the same key


@pytest.mark.parametrize(
    ("desired", "recorded", "present", "expected"),
    [
        # nothing stored yet: everything is added
        ({"A": "d1", "B": "d2"}, {}, set(), {"add": ["A", "B"], "replace": [], "remove": []}),
        # unchanged: nothing to do
        ({"A": "d1"}, {"A": "d1"}, {"A"}, {"add": [], "replace": [], "remove": []}),
        ({"A": "d1"}, {"A": "d1"}, None, {"add": [], "replace": [], "remove": []}),
        # a changed value is replaced
        ({"A": "d9"}, {"A": "d1"}, {"A"}, {"add": [], "replace": ["A"], "remove": []}),
        # no key yet (check mode): counted as a change
        ({"A": None}, {"A": "d1"}, {"A"}, {"add": [], "replace": ["A"], "remove": []}),
        # recorded but gone from the keystore (recreated by someone): added again
        ({"A": "d1"}, {"A": "d1"}, set(), {"add": ["A"], "replace": [], "remove": []}),
        # in the keystore, never recorded (added by hand) and now asked for: replaced
        ({"A": "d1"}, {}, {"A"}, {"add": [], "replace": ["A"], "remove": []}),
        # stored by the module before and no longer asked for: removed
        ({}, {"OLD": "d1"}, {"OLD"}, {"add": [], "replace": [], "remove": ["OLD"]}),
        # ... unless it is gone already
        ({}, {"OLD": "d1"}, set(), {"add": [], "replace": [], "remove": []}),
        # never recorded and not asked for: someone else's entry, left alone
        ({"A": "d1"}, {"A": "d1"}, {"A", "MANUAL"}, {"add": [], "replace": [], "remove": []}),
    ],
)
def test_plan(desired, recorded, present, expected):
    assert digests.plan(desired, recorded, present) == expected


@pytest.mark.parametrize(
    ("desired", "recorded", "recorded_fp", "current_fp", "expected"),
    [
        ({"A": "d1"}, {"A": "d1"}, "fp", "fp", False),  # the usual unchanged run: no JVM start
        ({"A": "d1"}, {"A": "d1"}, "fp", "other", True),  # keystore changed behind our back
        ({"A": "d1"}, {"A": "d1"}, "fp", None, True),  # keystore deleted
        ({"A": "d2"}, {"A": "d1"}, "fp", "fp", True),
        ({"A": None}, {"A": "d1"}, "fp", "fp", True),
        ({}, {"A": "d1"}, "fp", "fp", True),
        ({"A": "d1", "B": "d2"}, {"A": "d1"}, "fp", "fp", True),
    ],
)
def test_needs_listing(desired, recorded, recorded_fp, current_fp, expected):
    assert digests.needs_listing(desired, recorded, recorded_fp, current_fp) is expected


def test_state_round_trip_keeps_other_keystores():
    text = digests.render_state(None, KEYSTORE, {"A": digest("A", "x")}, "fp1")
    text = digests.render_state(text, "/other/logstash.keystore", {"B": digest("B", "y")}, "fp2")
    assert digests.parse_state(text, KEYSTORE) == ({"A": digest("A", "x")}, "fp1")
    assert digests.parse_state(text, "/other/logstash.keystore") == ({"B": digest("B", "y")}, "fp2")
    emptied = digests.render_state(text, KEYSTORE, {}, "fp3")
    assert digests.parse_state(emptied, KEYSTORE) == ({}, None)
    assert KEYSTORE not in json.loads(emptied)["keystores"]


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "not json",
        "[]",
        '{"format": 2, "keystores": {}}',
        # the old format: a plain {NAME: sha256} map; its digests are not trusted
        json.dumps({"A": hashlib.sha256(b"x").hexdigest()}),
        json.dumps({"format": 1, "keystores": {KEYSTORE: {"entries": {"A": "deadbeef"}}}}),
        json.dumps({"format": 1, "keystores": {KEYSTORE: {"entries": ["A"]}}}),
    ],
)
def test_unreadable_or_foreign_state_records_nothing(text):
    entries, _fingerprint = digests.parse_state(text, KEYSTORE)
    assert entries == {}


def test_state_directory_others_can_write_is_refused(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("ownership checks need root")
    safe = tmp_path / "safe"
    safe.mkdir(mode=0o700)
    os.chmod(tmp_path, 0o755)
    assert logstash_keystore.unsafe_directories(str(safe)) == []  # /tmp is sticky: accepted
    open_dir = tmp_path / "open"
    open_dir.mkdir()
    os.chmod(open_dir, 0o777)
    assert any(str(open_dir) in p for p in logstash_keystore.unsafe_directories(str(open_dir)))
    owned = tmp_path / "owned"
    owned.mkdir(mode=0o700)
    os.chown(owned, 1234, 1234)
    assert any("uid 1234" in p for p in logstash_keystore.unsafe_directories(str(owned / "x")))


def test_files_are_written_root_only(tmp_path):
    target = tmp_path / "digests.json"
    logstash_keystore.write_private(str(target), b"{}")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes() == b"{}"
    assert [p.name for p in tmp_path.iterdir()] == ["digests.json"]  # no temporary left


HTTP = {"plugin": "http", "options": {"port": 8080, "codec": "json"}}
BEATS = {"plugin": "beats", "options": {"port": 5044}}
SECURED = {"ssl_enabled": True, "user": "ingest", "password": "${HTTP_INPUT_PASSWORD}"}


@pytest.mark.parametrize(
    ("plugins", "expected"),
    [
        (
            [BEATS, HTTP],
            [BEATS, {"plugin": "http", "options": {**SECURED, "port": 8080, "codec": "json"}}],
        ),
        ([{"plugin": "http"}], [{"plugin": "http", "options": SECURED}]),
        # an input's own option wins
        (
            [{"plugin": "http", "options": {"user": "other"}}],
            [{"plugin": "http", "options": {**SECURED, "user": "other"}}],
        ),
        ([BEATS], [BEATS]),
        ([], []),
    ],
)
def test_plugin_defaults_apply_to_the_named_plugin_in_place(plugins, expected):
    assert logstash_plugins.logstash_plugin_defaults(plugins, "http", SECURED) == expected
    assert logstash_plugins.logstash_plugin_defaults(plugins, "http", {}) == plugins


def test_plugin_defaults_refuse_options_that_are_not_a_mapping():
    with pytest.raises(AnsibleFilterError):
        logstash_plugins.logstash_plugin_defaults(
            [{"plugin": "http", "options": ["x"]}], "http", SECURED
        )
