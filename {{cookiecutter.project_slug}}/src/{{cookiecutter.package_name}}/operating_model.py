"""The operating-model rules: which components this project needs, and why.

One pure function over the three business answers (how many models, is the data regulated,
who is paged first). The project template chose this project's files with it, and
`docs/operating-model.md` records its verdict. Standard library only, so that the
template's hooks can import it before any dependency is installed.
"""

from __future__ import annotations

from dataclasses import dataclass

INCIDENT_OWNERS = ("platform-team", "ml-team", "product-owner")
MAX_MODELS = 20

# The rule names of the operating-model table, cited in every decision.
DEVOPS_BASE = "DevOps base"
REPEAT_WORK = "repeat work"
RESPONSE_OWNERSHIP = "response ownership"
GOVERNANCE = "governance"
LEAN_START = "lean start"
NO_MODEL = "no model"

# The rule table as a person reads it: (rule, when it fires, what it does).
RULES = (
    (DEVOPS_BASE, "always", "service, tests, CI, container, Kubernetes manifests, logs, "
     "metrics, health checks, runbook, CODEOWNERS"),
    (REPEAT_WORK, "2 or more models", "MLOps layout"),
    (RESPONSE_OWNERSHIP, "a model, and the ML team or the product owner is paged",
     "MLOps layout: alerts need model interpretation"),
    (GOVERNANCE, "a model, and regulated data", "MLOps layout and the governance component"),
    (LEAN_START, "one unregulated model owned by the platform team",
     "DevOps layout with a reproducible train command inside the service"),
    (NO_MODEL, "no model", "DevOps layout; with regulated data, logs still redact personal fields"),
)  # fmt: skip


@dataclass(frozen=True)
class Decision:
    """Whether one component is part of the project, and the rule that decided it."""

    component: str
    included: bool
    rule: str
    reason: str


@dataclass(frozen=True)
class Profile:
    """The verdict of the rules: a layout and one decision per component."""

    layout: str
    decisions: tuple[Decision, ...]

    @property
    def components(self) -> frozenset[str]:
        return frozenset(d.component for d in self.decisions if d.included)

    @property
    def name(self) -> str:
        if self.layout == "mlops":
            return "mlops-governed" if "governance" in self.components else "mlops"
        return "devops-lean" if "lean-model" in self.components else "devops"


def decide(model_count: int, data_regulated: bool, incident_owner: str) -> Profile:
    """Apply the operating-model rules to the three business answers."""
    if isinstance(model_count, bool) or not isinstance(model_count, int):
        raise TypeError(f"model_count must be an int, got {model_count!r}")
    if not 0 <= model_count <= MAX_MODELS:
        raise ValueError(f"model_count must be from 0 to {MAX_MODELS}, got {model_count}")
    if incident_owner not in INCIDENT_OWNERS:
        raise ValueError(f"incident_owner must be one of {INCIDENT_OWNERS}, got {incident_owner!r}")

    has_model = model_count >= 1
    fired = _mlops_rules(model_count, data_regulated, incident_owner)
    mlops = bool(fired)
    lean = model_count == 1 and not mlops
    mlops_rule = ", ".join(fired)
    mlops_reason = "; ".join(fired.values())

    decisions = [
        Decision(
            "devops-base",
            True,
            DEVOPS_BASE,
            "every project gets the service, tests, CI, container, Kubernetes manifests, "
            "logs, metrics, health checks, runbook and CODEOWNERS",
        ),
        _lean_model(model_count, lean, mlops_rule),
        _starter_endpoint(model_count, lean, mlops_rule),
        _log_redaction(has_model, data_regulated),
    ]
    # Tracking, registry and monitoring come together: one needs the others.
    if mlops:
        decisions.append(Decision("mlops", True, mlops_rule, mlops_reason))
    else:
        decisions.append(Decision("mlops", False, *_why_devops(model_count)))
    decisions.append(_governance(has_model, data_regulated))
    return Profile("mlops" if mlops else "devops", tuple(decisions))


def _mlops_rules(model_count: int, data_regulated: bool, incident_owner: str) -> dict[str, str]:
    """The rules that call for the MLOps layout, each with its reason."""
    fired = {}
    if model_count >= 2:
        fired[REPEAT_WORK] = (
            f"{model_count} models repeat model delivery, which needs shared MLOps infrastructure"
        )
    if model_count >= 1 and incident_owner != "platform-team":
        fired[RESPONSE_OWNERSHIP] = (
            f"the {incident_owner} is paged first, and its alerts need model interpretation"
        )
    if model_count >= 1 and data_regulated:
        fired[GOVERNANCE] = "predictions touch regulated data or drive high-risk decisions"
    return fired


def _why_devops(model_count: int) -> tuple[str, str]:
    if model_count == 0:
        return NO_MODEL, "there is no model to track, register or monitor"
    return LEAN_START, (
        "one unregulated model owned by the platform team starts lean: "
        "uptime and logs are enough, and a platform engineer can fix an incident"
    )


def _lean_model(model_count: int, lean: bool, mlops_rule: str) -> Decision:
    if lean:
        return Decision(
            "lean-model",
            True,
            LEAN_START,
            "a reproducible train command inside the service writes a versioned artifact "
            "with its data hash, parameters and metrics; the service predicts from it",
        )
    if model_count == 0:
        return Decision("lean-model", False, NO_MODEL, "there is no model to train")
    return Decision(
        "lean-model", False, mlops_rule, "the MLOps layout trains through the tracking component"
    )


def _starter_endpoint(model_count: int, lean: bool, mlops_rule: str) -> Decision:
    if model_count == 0:
        return Decision(
            "starter-endpoint",
            True,
            NO_MODEL,
            "a plain service starts from a small real endpoint with validated input",
        )
    if lean:
        return Decision(
            "starter-endpoint", False, LEAN_START, "the service's API is the model's prediction"
        )
    return Decision(
        "starter-endpoint", False, mlops_rule, "the registry component serves every model"
    )


def _log_redaction(has_model: bool, data_regulated: bool) -> Decision:
    if not data_regulated:
        return Decision(
            "log-redaction", False, DEVOPS_BASE, "the data is not regulated; no field is redacted"
        )
    return Decision(
        "log-redaction",
        True,
        GOVERNANCE if has_model else NO_MODEL,
        "the data is regulated: configured personal fields are redacted from every log line",
    )


def _governance(has_model: bool, data_regulated: bool) -> Decision:
    if has_model and data_regulated:
        return Decision(
            "governance",
            True,
            GOVERNANCE,
            "lineage, model and data cards, approvals, audit, retention and erasure",
        )
    if data_regulated:
        return Decision(
            "governance",
            False,
            NO_MODEL,
            "model governance does not apply: no prediction is made; "
            "logs still redact personal fields",
        )
    return Decision(
        "governance",
        False,
        GOVERNANCE,
        "the data is not regulated and predictions drive no high-risk decision",
    )
