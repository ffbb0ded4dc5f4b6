# One entry point for people and CI; `make test` is everything CI runs.
# Every target installs what it needs first (Docker engine, lab image, Kafka and
# ZooKeeper distributions, the Python venv), so a fresh machine needs only
# `make test`. Downloads and builds are cached outside the repository.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
RUN := tests/lab/run
SCENARIOS := $(sort $(patsubst molecule/%/molecule.yml,%,$(wildcard molecule/*/molecule.yml)))

.PHONY: help test lint sanity unit integration molecule lab lab-down \
        prepare engine image distributions venv $(addprefix molecule-,$(SCENARIOS))

help:
	@echo "make lab          bring the pipeline up on local containers (see README)"
	@echo "make lab-down     remove the lab containers"
	@echo "make test         everything CI runs: lint sanity unit integration molecule"
	@echo "make lint         yamllint, ansible-lint (production profile), ruff"
	@echo "make sanity       ansible-test sanity, offline"
	@echo "make unit         unit tests (no network, no services)"
	@echo "make integration  tests against real Kafka and ZooKeeper on loopback"
	@echo "make molecule     every molecule scenario: $(SCENARIOS)"
	@echo "make molecule-<scenario>  one scenario"

test: lint sanity unit integration molecule
	@echo "make test: lint, sanity, unit, integration and molecule ($(SCENARIOS)) all passed"

# --- what the tests stand on -------------------------------------------------
prepare: image distributions venv

engine:
	tests/lab/docker_engine.sh

image: engine
	tests/lab/base_image.sh

distributions:
	tests/lab/distributions.sh

venv:
	tests/lab/venv.sh >/dev/null

# --- checks ------------------------------------------------------------------
lint: venv
	$(RUN) yamllint --strict .
	$(RUN) ansible-lint
	$(RUN) ruff check .
	$(RUN) ruff format --check .

sanity: venv
	$(RUN) tests/lab/sanity.sh

unit: venv
	$(RUN) python -m pytest tests/unit

integration: venv distributions
	$(RUN) python -m pytest tests/integration

molecule: $(addprefix molecule-,$(SCENARIOS))

$(addprefix molecule-,$(SCENARIOS)): molecule-%: venv image distributions
	$(RUN) molecule test -s $*

# --- the local pipeline ------------------------------------------------------
lab: prepare
	$(RUN) ansible-playbook -i inventories/lab tests/lab/containers.yml
	$(RUN) ansible-playbook -i inventories/lab playbooks/site.yml
	@echo
	@echo "Lab is up: containers dp-node1..3 (ZooKeeper and Kafka hosts), dp-producer, dp-consumer."
	@echo "  Inventory:  inventories/lab/hosts.yml"
	@echo "  A shell:    docker exec -it dp-node1 bash"
	@echo "  Tear down:  make lab-down"

lab-down: venv
	$(RUN) ansible-playbook -i inventories/lab tests/lab/containers.yml -e lab_state=absent
