# Copyright: (c) 2026, datapipe.kafka_pipeline contributors
# Apache License 2.0 (see LICENSE or https://www.apache.org/licenses/LICENSE-2.0)

"""Pure part of ``kafka_feature``: which level a cluster feature should take, or why not.

A finalized feature (``metadata.version`` above all) says which on-disk and wire
formats every node of the cluster may use. Kafka raises it only when every node
supports the new level, and cannot lower ``metadata.version`` again without losing
metadata, so the module only ever raises one, and only to a level the brokers
report they support.
"""

LATEST = "latest"


def requested_level_problem(requested):
    """Why ``level`` is not 'latest' or a whole number of at least 1 (None when it is)."""
    if requested == LATEST:
        return None
    text = str(requested).strip()
    if text.isdigit() and int(text) >= 1:
        return None
    return f"level must be 'latest' or a whole number of at least 1, not {requested!r}"


def feature_plan(name, finalized, supported, requested):
    """(target level, problems) for raising feature ``name``.

    finalized -- the cluster's finalized level (None when the feature is not finalized)
    supported -- (min, max) levels the answering broker supports, or None
    requested -- 'latest' (the highest level supported) or a level number
    """
    problem = requested_level_problem(requested)
    if problem:
        return None, [problem]
    if supported is None:
        return None, [
            f"the broker that answered does not support the feature {name}: it runs a Kafka"
            " release without it, or the name is misspelt"
        ]
    lowest, highest = supported
    target = highest if requested == LATEST else int(str(requested).strip())
    problems = []
    if finalized is not None and target < finalized:
        problems.append(
            f"{name} is at level {finalized}; level {target} would lower it, which Kafka cannot"
            " do without losing metadata, so it is never lowered here"
        )
    if target > highest:
        problems.append(
            f"level {target} of {name} is above the highest the brokers support ({highest}):"
            " a node still runs an older Kafka release; finish the rolling upgrade first"
        )
    if target < lowest:
        problems.append(
            f"level {target} of {name} is below the lowest the brokers support ({lowest})"
        )
    return target, problems
