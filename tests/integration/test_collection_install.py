"""The collection builds, installs from its tarball with its dependencies into an
empty collections path on a controller that has only ansible-core and the
collection's runtime requirements (requirements.txt), and its content is usable
by FQCN from there (as in an ops repository that imports it).

Galaxy is not reachable here, so the dependencies come from the collections of
the `ansible` package in the project's venv, offered to ansible-galaxy as local
sources; ansible-galaxy itself resolves them against galaxy.yml's ranges."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import ansible_collections
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
BARE_REQUIREMENTS = REPO_ROOT / "tests" / "requirements-bare.txt"


def run(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        argv, capture_output=True, text=True, env=env, cwd=cwd, timeout=300, check=False
    )
    assert result.returncode == 0, f"{' '.join(argv)}\n{result.stdout}\n{result.stderr}"
    return result


def bare_controller() -> Path:
    """The venv of tests/requirements-bare.txt: ansible-core and requirements.txt only."""
    venv = subprocess.run(
        [str(REPO_ROOT / "tests" / "lab" / "venv.sh"), str(BARE_REQUIREMENTS)],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    ).stdout.strip()
    return Path(venv)


def ansible_package_collection(fqcn: str) -> Path:
    """Where the `ansible` package of the project's venv holds a collection."""
    namespace, name = fqcn.split(".")
    for root in ansible_collections.__path__:
        path = Path(root) / namespace / name
        if (path / "MANIFEST.json").exists():
            return path
    raise AssertionError(f"{fqcn} is not in the ansible package")


@pytest.fixture(scope="module")
def installed_collection(tmp_path_factory):
    """Build the tarball and install it, with its dependencies, into an empty path
    for a bare ansible-core."""
    work = tmp_path_factory.mktemp("collection")
    collections_path = work / "collections"
    venv = bare_controller()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ANSIBLE_", "VIRTUAL_ENV", "PYTHON"))
    }
    env.update(
        PATH=f"{venv / 'bin'}:/usr/bin:/bin",
        ANSIBLE_COLLECTIONS_PATH=str(collections_path),
        ANSIBLE_PYTHON_INTERPRETER=str(venv / "bin" / "python"),
    )
    galaxy = yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text())
    run(
        ["ansible-galaxy", "collection", "build", str(REPO_ROOT), "--output-path", str(work)],
        env,
        work,
    )
    tarball = work / f"{galaxy['namespace']}-{galaxy['name']}-{galaxy['version']}.tar.gz"
    assert tarball.exists()
    requirements = {
        "collections": [{"name": str(tarball), "type": "file"}]
        + [
            {"name": str(ansible_package_collection(fqcn)), "type": "dir"}
            for fqcn in galaxy["dependencies"]
        ]
    }
    (work / "requirements.yml").write_text(yaml.safe_dump(requirements))
    run(
        [
            "ansible-galaxy",
            "collection",
            "install",
            "--offline",
            "-r",
            "requirements.yml",
            "-p",
            str(collections_path),
        ],
        env,
        work,
    )
    return work, env, galaxy, venv


def test_the_controller_has_only_ansible_core_and_the_runtime_requirements(installed_collection):
    env, venv = installed_collection[1], installed_collection[3]
    python = str(venv / "bin" / "python")
    probe = "import importlib.util as u; print(u.find_spec('ansible_collections') is None)"
    assert run([python, "-c", probe], env, venv).stdout.strip() == "True"
    installed = run([python, "-m", "pip", "list", "--format=json"], env, venv).stdout
    names = {package["name"].lower() for package in json.loads(installed)}
    assert {"ansible-core", "kafka-python", "boto3", "cryptography"} <= names
    assert not names & {"ansible", "molecule", "pytest", "moto", "ansible-lint"}


def test_the_dependencies_are_installed_from_galaxy_yml(installed_collection):
    work, env, galaxy = installed_collection[:3]
    listing = run(["ansible-galaxy", "collection", "list", "--format=json"], env, work).stdout
    # Only what the empty path received (ansible-core lists its own internal ones too).
    in_the_path = json.loads(listing)[str(work / "collections" / "ansible_collections")]
    installed = {fqcn: details["version"] for fqcn, details in in_the_path.items()}
    assert set(installed) == {"datapipe.kafka_pipeline", *galaxy["dependencies"]}
    assert installed["datapipe.kafka_pipeline"] == galaxy["version"]


def test_tarball_installs_where_ansible_finds_it(installed_collection):
    work, env, galaxy = installed_collection[:3]
    installed = work / "collections" / "ansible_collections" / "datapipe" / "kafka_pipeline"
    assert (installed / "MANIFEST.json").exists()
    listing = run(["ansible-galaxy", "collection", "list", "datapipe.kafka_pipeline"], env, work)
    assert galaxy["version"] in listing.stdout
    assert str(work / "collections") in listing.stdout


def test_tarball_leaves_out_test_lab_caches_and_ci(installed_collection):
    work = installed_collection[0]
    installed = work / "collections" / "ansible_collections" / "datapipe" / "kafka_pipeline"
    assert not (installed / ".ci").exists()
    assert not (installed / ".git").exists()
    assert (installed / "roles" / "java" / "meta" / "argument_specs.yml").exists()


def test_roles_are_documented_by_fqcn(installed_collection):
    work, env = installed_collection[:2]
    listing = run(["ansible-doc", "-t", "role", "-l", "datapipe.kafka_pipeline"], env, work)
    assert "datapipe.kafka_pipeline.java" in listing.stdout
    doc = run(["ansible-doc", "-t", "role", "datapipe.kafka_pipeline.java"], env, work)
    assert "java_major_version" in doc.stdout


def test_plugin_listing_works_for_the_collection(installed_collection):
    work, env = installed_collection[:2]
    listing = run(["ansible-doc", "-l", "datapipe.kafka_pipeline"], env, work)
    assert "ERROR" not in listing.stderr
    for module in MODULES:
        assert f"datapipe.kafka_pipeline.{module}" in listing.stdout


MODULES = ["kafka_topic", "kafka_retention", "kafka_topic_info"]


@pytest.mark.parametrize("module", MODULES)
def test_every_module_renders_its_documentation(installed_collection, module):
    """Docs, with the shared connection options pulled in from the doc fragment."""
    work, env = installed_collection[:2]
    doc = run(["ansible-doc", f"datapipe.kafka_pipeline.{module}"], env, work)
    assert "ERROR" not in doc.stderr
    for text in ("bootstrap_servers", "sasl_password", "request_timeout", "EXAMPLES", "RETURN"):
        assert text in doc.stdout, f"{module} documentation lacks {text}"
    as_json = json.loads(
        run(["ansible-doc", "--json", f"datapipe.kafka_pipeline.{module}"], env, work).stdout
    )
    attributes = as_json[f"datapipe.kafka_pipeline.{module}"]["doc"]["attributes"]
    assert attributes["check_mode"]["support"] == "full"


ROLES = ["java", "zookeeper", "kafka_broker", "logstash_producer", "logstash_consumer"]


def ops_repo_inventory(directory: Path, broker_vars: dict) -> Path:
    """An ops repository's inventory: the pipeline's groups on this machine."""
    inventory = directory / "inventory.yml"
    inventory.write_text(
        yaml.safe_dump(
            {
                "all": {
                    "children": {
                        "zookeeper": {"hosts": {"node-1": None}},
                        "kafka_broker": {"hosts": {"node-1": broker_vars}},
                        "logstash_producer": {"hosts": {"producer-1": None}},
                        "logstash_consumer": {"hosts": {"consumer-1": None}},
                    },
                    "vars": {"ansible_connection": "local"},
                }
            }
        )
    )
    return inventory


def test_an_ops_repo_uses_every_role_and_the_site_playbook_by_fqcn(installed_collection):
    work, env = installed_collection[:2]
    repo = work / "ops-repo"
    repo.mkdir()
    inventory = ops_repo_inventory(repo, {})
    plays = [
        {
            "name": f"{role} by FQCN",
            "hosts": "all",
            "roles": [{"role": f"datapipe.kafka_pipeline.{role}"}],
        }
        for role in ROLES
    ]
    plays.append(
        {
            "name": "The whole pipeline",
            "ansible.builtin.import_playbook": "datapipe.kafka_pipeline.site",
        }
    )
    playbook = repo / "pipeline.yml"
    playbook.write_text(yaml.safe_dump(plays, sort_keys=False))
    result = run(
        ["ansible-playbook", "-i", str(inventory), "--syntax-check", str(playbook)], env, repo
    )
    assert "playbook: " in result.stdout
    # Every play of site.yml, as listed from the installed collection.
    listed = run(
        ["ansible-playbook", "-i", str(inventory), "--list-tasks", "datapipe.kafka_pipeline.site"],
        env,
        repo,
    ).stdout
    for role in ROLES:
        assert f"datapipe.kafka_pipeline.{role} : " in listed, role
    assert "Create or update the declared topics" in listed


def test_the_installed_topics_playbook_runs_by_fqcn(installed_collection, kraft_broker):
    work, env = installed_collection[:2]
    repo = work / "ops-repo-topics-playbook"
    repo.mkdir()
    host, port = kraft_broker.bootstrap_servers.rsplit(":", 1)
    inventory = ops_repo_inventory(
        repo, {"kafka_broker_advertised_host": host, "kafka_broker_port": int(port)}
    )
    topics = [{"name": "ops-repo-playbook", "partitions": 2, "retention_bytes": "50MB"}]
    argv = ["ansible-playbook", "-i", str(inventory), "datapipe.kafka_pipeline.topics"]
    argv += ["-e", json.dumps({"kafka_topics": topics})]
    first = run(argv, env, repo)
    assert "changed=2" in first.stdout, first.stdout
    second = run(argv, env, repo)
    assert "changed=0" in second.stdout and "failed=0" in second.stdout, second.stdout


def test_an_ops_repo_playbook_uses_the_installed_modules(installed_collection, kraft_broker):
    """Modules by FQCN, with connection options given once through the action group."""
    work, env = installed_collection[:2]
    playbook = work / "ops-repo-topics" / "topics.yml"
    playbook.parent.mkdir()
    playbook.write_text(
        yaml.safe_dump(
            [
                {
                    "name": "Topics of the pipeline",
                    "hosts": "localhost",
                    "gather_facts": False,
                    "module_defaults": {
                        "group/datapipe.kafka_pipeline.kafka": {
                            "bootstrap_servers": [kraft_broker.bootstrap_servers]
                        }
                    },
                    "tasks": [
                        {
                            "name": "Create the topic",
                            "datapipe.kafka_pipeline.kafka_topic": {
                                "name": "ops-repo",
                                "partitions": 2,
                            },
                        },
                        {
                            "name": "Cap its size",
                            "datapipe.kafka_pipeline.kafka_retention": {
                                "name": "ops-repo",
                                "retention_bytes": "100MB",
                            },
                        },
                        {
                            "name": "Read it back",
                            "datapipe.kafka_pipeline.kafka_topic_info": {"topics": ["ops-repo"]},
                            "register": "info",
                        },
                        {
                            "name": "Check what Kafka holds",
                            "ansible.builtin.assert": {
                                "that": [
                                    "info.topics['ops-repo'].partitions == 2",
                                    "info.topics['ops-repo'].config['retention.bytes']"
                                    " == '100000000'",
                                ]
                            },
                        },
                    ],
                }
            ]
        )
    )
    result = run(
        [
            "ansible-playbook",
            "-i",
            "localhost,",
            "-c",
            "local",
            str(playbook),
            "-e",
            f"ansible_python_interpreter={installed_collection[3] / 'bin' / 'python'}",
        ],
        env,
        playbook.parent,
    )
    assert "failed=0" in result.stdout
