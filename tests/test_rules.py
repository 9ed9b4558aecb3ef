"""The operating-model rules, table-driven across every rule and its boundaries."""

from __future__ import annotations

import pytest

from profiles import TEMPLATE
from rules import INCIDENT_OWNERS, MAX_MODELS, decide, operating_model

RULES = operating_model.RULES

MLOPS = {"devops-base", "mlops"}
GOVERNED = MLOPS | {"governance", "log-redaction"}

# (model_count, data_regulated, incident_owner) -> (profile name, included components,
# rules cited for the MLOps components)
CASES = [
    ((0, False, "platform-team"), "devops", {"devops-base", "starter-endpoint"}, None),
    ((0, False, "ml-team"), "devops", {"devops-base", "starter-endpoint"}, None),
    ((0, True, "product-owner"), "devops",
     {"devops-base", "starter-endpoint", "log-redaction"}, None),
    ((1, False, "platform-team"), "devops-lean", {"devops-base", "lean-model"}, None),
    ((1, False, "ml-team"), "mlops", MLOPS, "response ownership"),
    ((1, False, "product-owner"), "mlops", MLOPS, "response ownership"),
    ((1, True, "platform-team"), "mlops-governed", GOVERNED, "governance"),
    ((1, True, "ml-team"), "mlops-governed", GOVERNED, "response ownership, governance"),
    ((2, False, "platform-team"), "mlops", MLOPS, "repeat work"),
    ((2, False, "ml-team"), "mlops", MLOPS, "repeat work, response ownership"),
    ((2, True, "product-owner"), "mlops-governed", GOVERNED,
     "repeat work, response ownership, governance"),
    ((MAX_MODELS, False, "platform-team"), "mlops", MLOPS, "repeat work"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("answers", "name", "components", "mlops_rule"),
    CASES,
    ids=["-".join(map(str, case[0])) for case in CASES],
)
def test_rules_choose_profile_components_and_cite_the_rule(answers, name, components, mlops_rule):
    profile = decide(*answers)

    assert profile.name == name
    assert profile.components == components
    mlops = next(d for d in profile.decisions if d.component == "mlops")
    assert mlops.included == (mlops_rule is not None)
    if mlops_rule:
        assert mlops.rule == mlops_rule


@pytest.mark.parametrize("count", range(0, MAX_MODELS + 1))
@pytest.mark.parametrize("regulated", [False, True])
@pytest.mark.parametrize("owner", INCIDENT_OWNERS)
def test_every_profile_decides_each_component_exactly_once(count, regulated, owner):
    decisions = decide(count, regulated, owner).decisions
    names = [d.component for d in decisions]

    assert len(names) == len(set(names))
    assert set(names) == {
        "devops-base", "lean-model", "starter-endpoint", "log-redaction", "mlops", "governance",
    }  # fmt: skip
    assert all(d.rule and d.reason for d in decisions)


@pytest.mark.parametrize("owner", INCIDENT_OWNERS)
def test_no_model_with_regulated_data_redacts_logs_and_says_governance_does_not_apply(owner):
    profile = decide(0, True, owner)
    governance = next(d for d in profile.decisions if d.component == "governance")

    assert profile.layout == "devops"
    assert "log-redaction" in profile.components
    assert not governance.included
    assert governance.rule == "no model"
    assert "does not apply" in governance.reason


def test_lean_start_is_exactly_one_open_platform_owned_model():
    lean = [
        (count, regulated, owner)
        for count in range(0, 4)
        for regulated in (False, True)
        for owner in INCIDENT_OWNERS
        if "lean-model" in decide(count, regulated, owner).components
    ]

    assert lean == [(1, False, "platform-team")]


def test_governance_needs_a_model_and_regulated_data():
    assert "governance" in decide(1, True, "platform-team").components
    assert "governance" not in decide(0, True, "platform-team").components
    assert "governance" not in decide(5, False, "ml-team").components


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ((-1, False, "platform-team"), ValueError),
        ((MAX_MODELS + 1, False, "platform-team"), ValueError),
        ((1, False, "nobody"), ValueError),
        (("1", False, "platform-team"), TypeError),
        ((True, False, "platform-team"), TypeError),
    ],
    ids=["negative", "over-cap", "unknown-owner", "text-count", "bool-count"],
)
def test_out_of_range_answers_are_refused(answers, error):
    with pytest.raises(error):
        decide(*answers)


def test_the_template_readme_states_the_rules_as_the_code_does():
    readme = (TEMPLATE / "README.md").read_text()

    for rule, when, effect in RULES:
        assert f"| {rule} | {when} | {effect} |" in readme
