"""The lab's Logstash pipeline syntax checker, on valid and invalid configurations.

Includes the seed's pipelines: producer_test.conf (twitter -> stdout) and
consumer.conf (kafka -> stdout) are valid; the seed's second producer file has a
plugin without a name and must be refused.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CHECKER = HERE.parents[0] / "logstash_standin" / "pipeline_syntax.py"
spec = importlib.util.spec_from_file_location("pipeline_syntax", CHECKER)
pipeline_syntax = importlib.util.module_from_spec(spec)
sys.modules["pipeline_syntax"] = pipeline_syntax  # dataclasses look their module up
spec.loader.exec_module(pipeline_syntax)
SEED = HERE / "logstash_configs"


def test_seed_producer_is_valid():
    pipeline = pipeline_syntax.parse((SEED / "seed_producer_test.conf").read_text())
    assert pipeline.plugins["input"] == ["twitter"]
    assert pipeline.plugins["output"] == ["stdout"]


def test_seed_consumer_is_valid():
    pipeline = pipeline_syntax.parse((SEED / "seed_consumer.conf").read_text())
    assert pipeline.plugins == {"input": ["kafka"], "filter": [], "output": ["stdout"]}


def test_seed_second_producer_is_refused():
    with pytest.raises(pipeline_syntax.ConfigSyntaxError, match=r"expected a plugin name.*line 2"):
        pipeline_syntax.parse((SEED / "seed_producer_malformed.conf").read_text())


VALID = {
    "empty sections": "input { } filter { } output { }",
    "comments everywhere": "# head\ninput { # after brace\n stdin { } # trailing\n}\n# tail",
    "numbers and booleans": (
        "input { generator { count => 3 ratio => 0.5 neg => -1 flag => true } }"
    ),
    "single quotes and escapes": 'output { stdout { codec => \'line\' x => "a \\" b" } }',
    "arrays and hashes": (
        'filter { mutate { add_field => { "a" => "b" "n" => 1 } remove => ["x", "y"] e => [] } }'
    ),
    "nested hash": 'output { http { headers => { "X" => { "y" => "z" } } } }',
    "plugin as value": "input { tcp { codec => json_lines { charset => 'UTF-8' } } }",
    "quoted plugin name": 'output { "stdout" { } }',
    "env and keystore references": (
        'output { kafka { sasl_jaas_config => "user=${KAFKA_USER} pw=${KAFKA_PASSWORD}"'
        ' topic_id => "${TOPIC:twitter}" } }'
    ),
    "conditionals": (
        "filter {\n"
        '  if [type] == "a" and [n] > 3 { drop { } }\n'
        '  else if [msg] =~ /err\\/or/ or "x" in [tags] { mutate { } }\n'
        "  else if !([a][b]) { }\n"
        '  else if [x] not in ["a", "b"] { }\n'
        "  else { noop { } }\n"
        "}"
    ),
    "negated field": "output { if ![skip] { stdout { } } }",
    "bare field test": "output { if [host] { stdout { } } }",
    "unicode strings": 'input { twitter { keywords => ["news", "아이돌"] } }',
}


@pytest.mark.parametrize("text", VALID.values(), ids=VALID.keys())
def test_valid_configurations(text):
    pipeline_syntax.parse(text)


INVALID = {
    "empty file": ("", "expected a section"),
    "unknown section": ("inputs { }", "expected a section"),
    "missing brace after section": ("input stdin { }", "'{' after 'input'"),
    "unclosed section": ("input { stdin { }", "expected '}'"),
    "plugin without name": ("input { { a => 1 } }", "expected a plugin name"),
    "attribute without arrow": ('input { stdin { codec "json" } }', "'=>' after the attribute"),
    "attribute with colon": ('input { stdin { codec: "json" } }', "'=>' after the attribute"),
    "unterminated string": ('input { stdin { codec => "json } }', 'closing "'),
    "attributes glued together": ('input { x { a => "1"b => "2" } }', "whitespace between"),
    "array without comma": ('input { x { a => ["1" "2"] } }', "',' or ']'"),
    "unclosed hash": ('input { x { a => { "k" => 1 } }', "expected"),
    "bad reference": ('output { x { a => "${not valid}" } }', "not a valid reference"),
    "unterminated reference": ('output { x { a => "${OPEN" } }', "unterminated"),
    "unquoted reference": ("output { x { a => ${PORT} } }", "quoted string around"),
    "condition without block": ('filter { if [a] == "b" drop { } }', "'{' after the condition"),
    "else without block": ("filter { if [a] { } else drop { } }", "'{' or 'if' after 'else'"),
    "not without in": ('filter { if [a] not "b" { } }', "'in' after 'not'"),
    "unclosed regexp": ("filter { if [a] =~ /abc { } }", "closing '/'"),
    "trailing garbage": ("input { } }", "expected a section"),
}


@pytest.mark.parametrize(("text", "message"), INVALID.values(), ids=INVALID.keys())
def test_invalid_configurations(text, message):
    with pytest.raises(pipeline_syntax.ConfigSyntaxError, match=message.replace("(", r"\(")):
        pipeline_syntax.parse(text)


def test_error_names_line_and_column():
    with pytest.raises(pipeline_syntax.ConfigSyntaxError, match=r"line 3, column 11, found .json."):
        pipeline_syntax.parse("input {\n  stdin {\n    codec json\n  }\n}")


def test_references_are_collected_and_checked_against_known_variables(tmp_path):
    conf = tmp_path / "out.conf"
    conf.write_text('output { kafka { a => "${KEY_ONE}" b => "${KEY_TWO}" c => "${OPT:x}" } }')
    assert pipeline_syntax.parse(conf.read_text()).references == {"KEY_ONE", "KEY_TWO"}
    assert pipeline_syntax.check_files([str(conf)], {"KEY_ONE", "KEY_TWO"}) == []
    problems = pipeline_syntax.check_files([str(conf)], {"KEY_ONE"})
    assert problems and "${KEY_TWO}" in problems[0]
    assert pipeline_syntax.check_files([str(conf)]) == []


def test_files_of_a_pipeline_are_read_together(tmp_path):
    (tmp_path / "10-in.conf").write_text("input { stdin { } }")
    (tmp_path / "20-out.conf").write_text("output { stdout { } }")
    (tmp_path / "30-bad.conf").write_text("output { stdout { }")
    good = [str(tmp_path / "10-in.conf"), str(tmp_path / "20-out.conf")]
    assert pipeline_syntax.check_files(good) == []
    assert pipeline_syntax.check_files([*good, str(tmp_path / "30-bad.conf")])
    assert pipeline_syntax.main(good) == 0
    assert pipeline_syntax.main([str(tmp_path / "30-bad.conf")]) == 1
