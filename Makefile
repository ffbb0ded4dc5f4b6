# One entry point for people and CI; `make test` is everything CI runs.
# Every target installs what it needs first (Docker engine, lab image, Kafka and
# ZooKeeper distributions, the Python venv), so a fresh machine needs only
# `make test`. Downloads and builds are cached outside the repository.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
RUN := tests/lab/run
# make lab MODE=kraft: Kafka 4 in KRaft mode instead of the seed's Kafka 3.9 on ZooKeeper.
MODE ?= zookeeper
LAB_MODE_VARS := $(if $(filter kraft,$(MODE)),-e kafka_broker_metadata_mode=kraft -e kafka_broker_version=$${KAFKA_VERSION:-4.4.0},)
SCENARIOS := $(sort $(patsubst molecule/%/molecule.yml,%,$(wildcard molecule/*/molecule.yml)))
# The longest scenarios first (longest first keeps the two slots' ends close):
# about 26, 13 and 23 minutes on CI's two cores (fresh clone of eba95b9), then
# the AWS tests (12), logstash (13), zookeeper-ensemble (10) and kafka_broker (5);
# java (2) last.
LONGEST_SCENARIOS := kafka_broker-kraft-cluster pipeline kafka_broker-zookeeper-cluster
NEXT_LONGEST_SCENARIOS := logstash zookeeper-ensemble kafka_broker
ORDERED_SCENARIOS := $(LONGEST_SCENARIOS) $(NEXT_LONGEST_SCENARIOS)
SCENARIO_ORDER := $(filter $(SCENARIOS),$(ORDERED_SCENARIOS)) $(filter-out $(ORDERED_SCENARIOS),$(SCENARIOS))

.PHONY: help test checks-lint-package checks-sanity-docs prepare-timed lint sanity sanity-oldest unit package docs integration integration-kafka integration-aws molecule benchmark lab lab-down \
        prepare engine image distributions standin venv $(addprefix molecule-,$(SCENARIOS))

help:
	@echo "make lab          bring the pipeline up on local containers and prove it (MODE=kraft for KRaft)"
	@echo "make lab-down     remove the lab containers"
	@echo "make test         everything CI runs: lint sanity unit integration package docs molecule"
	@echo "make lint         yamllint, ansible-lint (production profile), ruff"
	@echo "make sanity       ansible-test sanity, offline"
	@echo "make sanity-oldest  sanity and unit tests on the oldest ansible-core meta/runtime.yml claims"
	@echo "make unit         unit tests (no network, no services)"
	@echo "make package      build the tarball; Galaxy's importer and ansible-builder on it"
	@echo "make docs         the collection's documentation site (antsibull-docs, Sphinx) in docs/build"
	@echo "make integration  tests against real Kafka and ZooKeeper on loopback"
	@echo "make molecule     every molecule scenario: $(SCENARIOS)"
	@echo "make molecule-<scenario>  one scenario"
	@echo "make benchmark    1,000 topics vs. plain kafka-python; restart phases per broker on the lab"

MOLECULE_JOBS ?= 2
# The static checks first, in two chains side by side (each check runs on one
# core), while what the later tests stand on is made beside them (the Docker
# engine, the lab image, the distributions: mostly downloads and unpacking, a
# minute or two on a fresh machine that the checks' two cores hide); then the Kafka
# integration tests, on both cores (some time a broker's restart); then the AWS
# tests (moto on loopback) and the scenarios share two slots.
test: venv
	$(MAKE) --no-print-directory --output-sync=target -j3 checks-lint-package checks-sanity-docs prepare-timed
	$(MAKE) --no-print-directory integration-kafka
	$(MAKE) --no-print-directory --output-sync=target -j$(MOLECULE_JOBS) \
	    $(addprefix molecule-,$(LONGEST_SCENARIOS)) integration-aws \
	    $(addprefix molecule-,$(NEXT_LONGEST_SCENARIOS)) \
	    $(addprefix molecule-,$(filter-out $(ORDERED_SCENARIOS),$(SCENARIOS)))
	@echo "make test: lint, sanity (oldest and newest ansible-core), unit, integration, package, docs and molecule ($(SCENARIOS)) all passed"

# The two chains of `make test`'s static checks, each one check after another
# (the two sanity runs share the one shellcheck install); the chains take about
# as long as each other. `test` makes the venv first, so the chains never build
# it at the same time.
in_order = @for target in $(1); do $(MAKE) --no-print-directory $$target || exit 1; done

checks-lint-package:
	$(call in_order,lint package)
checks-sanity-docs:
	$(call in_order,sanity sanity-oldest unit docs)

# --- what the tests stand on -------------------------------------------------
prepare: image distributions standin venv

# prepare, one step after another, with its wall time (make test runs it beside the checks).
prepare-timed: venv
	@started=$$(date +%s); for target in image distributions standin; do \
	  $(MAKE) --no-print-directory $$target || exit 1; done; \
	  echo "prepare: $$(( $$(date +%s) - started )) s"

engine:
	tests/lab/docker_engine.sh

image: engine
	tests/lab/base_image.sh

distributions:
	tests/lab/distributions.sh

standin:
	tests/lab/logstash_standin.sh

venv:
	tests/lab/venv.sh >/dev/null

# --- checks ------------------------------------------------------------------
# $(call timed,<label>,<commands>): runs them, prints their wall time, keeps their status.
timed = @started=$$(date +%s); status=0; { $(2); } || status=$$?; \
	echo "$(1): $$(( $$(date +%s) - started )) s"; exit $$status

lint: venv
	$(call timed,lint,$(RUN) yamllint --strict . && $(RUN) tests/lab/ansible_lint_clone.sh \
	  && $(RUN) ruff check . && $(RUN) ruff format --check .)

sanity: venv
	$(call timed,sanity,$(RUN) tests/lab/sanity.sh)

unit: venv
	$(call timed,unit,$(RUN) python -m pytest tests/unit)

# requires_ansible claims only what is tested: the oldest ansible-core it names
# runs sanity and the unit tests too (its own venv, tests/requirements-oldest.txt).
sanity-oldest: venv
	$(call timed,sanity-oldest,$(RUN) tests/lab/oldest_core.sh)

package: venv
	$(call timed,package,$(RUN) tests/lab/package.sh)

docs: venv
	$(call timed,docs,$(RUN) tests/lab/docs.sh)

AWS_TESTS := tests/integration/test_aws_inventory.py tests/integration/test_aws_provision.py
integration: integration-kafka integration-aws

# One test file per worker, so that a file's brokers (session fixtures) start
# once, in the worker that runs it: about 7 minutes instead of 14 on two cores.
# Both print their slowest tests, where a slower suite should be looked at first.
INTEGRATION_JOBS ?= 2
integration-kafka: venv distributions standin
	$(call timed,integration-kafka,$(RUN) python -m pytest -n $(INTEGRATION_JOBS) --dist loadfile --durations=15 \
	  tests/integration $(addprefix --ignore=,$(AWS_TESTS)))

integration-aws: venv
	$(call timed,integration-aws,$(RUN) python -m pytest --durations=10 $(AWS_TESTS))

# Two scenarios at a time (each has its own containers and mirror); each one's
# output is printed whole when it ends, with its time.
molecule: venv image distributions standin
	$(MAKE) --no-print-directory --output-sync=target -j$(MOLECULE_JOBS) $(addprefix molecule-,$(SCENARIO_ORDER))

# Prints wall times and ratios; fails when a target is missed. Not part of `make test`.
# The restart benchmark brings the lab up in each mode and leaves it down.
benchmark: prepare
	$(RUN) python tests/benchmark/topics_benchmark.py
	$(RUN) python tests/benchmark/restart_benchmark.py
	$(RUN) python tests/benchmark/converge_benchmark.py

$(addprefix molecule-,$(SCENARIOS)): molecule-%: venv image distributions standin
	@started=$$(date +%s); status=0; $(RUN) molecule test -s $* || status=$$?; \
	  echo "molecule scenario $*: $$(( $$(date +%s) - started )) s, $$( [ $$status -eq 0 ] && echo passed || echo FAILED)"; \
	  exit $$status

# --- the local pipeline ------------------------------------------------------
lab: prepare
	$(RUN) ansible-playbook -i inventories/lab tests/lab/containers.yml
	$(RUN) ansible-playbook -i inventories/lab playbooks/site.yml $(LAB_MODE_VARS)
	$(RUN) ansible-playbook -i inventories/lab molecule/resources/client_settings.yml $(LAB_MODE_VARS)
	$(RUN) sh -c 'python tests/lab/pipeline_probe.py --producer dp-producer --consumer dp-consumer \
	    --client-dir "$$DATAPIPE_LAB_CACHE/lab-client" --expect-config twitter retention.bytes=100000000'
	@echo
	@echo "Lab is up ($(MODE) mode): dp-node1..3 run $(if $(filter kraft,$(MODE)),Kafka 4 in KRaft mode,ZooKeeper and Kafka 3.9),"
	@echo "dp-producer and dp-consumer run Logstash's lab stand-in (it checks pipelines, processes no events)."
	@echo "  Topics:     docker exec dp-node1 /opt/kafka/bin/kafka-topics.sh --bootstrap-server dp-node1:9092 --describe --topic twitter"
	@echo "  Pipelines:  docker exec dp-producer cat /etc/logstash/pipelines/kafka-producer/pipeline.conf"
	@echo "              docker exec dp-consumer cat /etc/logstash/pipelines/kafka-consumer/pipeline.conf"
	@echo "  Inventory:  inventories/lab (hosts.yml, group_vars/)"
	@echo "  Re-run:     tests/lab/run ansible-playbook -i inventories/lab playbooks/site.yml $(LAB_MODE_VARS) --check --diff"
	@echo "  A shell:    docker exec -it dp-node1 bash"
	@echo "  Tear down:  make lab-down"

lab-down: venv engine
	$(RUN) ansible-playbook -i inventories/lab tests/lab/containers.yml -e lab_state=absent
