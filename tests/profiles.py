"""The answer combinations the suite covers, and the file tree each one must produce.

The expected trees are written out here from the rules, independently of the layout
manifest, so that a mistake in either shows up as a difference.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import layout
from answers import PYTHON_VERSIONS, SLUG_MAX
from rules import INCIDENT_OWNERS, decide

TEMPLATE = Path(__file__).resolve().parent.parent
MODEL_COUNTS = (0, 1, 2, 5)


@dataclass(frozen=True)
class Profile:
    model_count: int
    data_regulated: bool
    incident_owner: str
    python_version: str = "3.12"
    ci_provider: str = "github"
    # A slug of the longest length accepted, where a profile tests that boundary.
    longest_slug: bool = False

    @property
    def id(self) -> str:
        regulated = "regulated" if self.data_regulated else "open"
        python = "" if self.python_version == "3.12" else f"-py{self.python_version}"
        ci = "" if self.ci_provider == "github" else f"-{self.ci_provider}"
        longest = "-longest-slug" if self.longest_slug else ""
        return f"{self.model_count}-models-{regulated}-{self.incident_owner}{python}{ci}{longest}"

    @property
    def slug(self) -> str:
        slug = f"svc-{self.id}".replace(".", "")
        return slug.ljust(SLUG_MAX, "x")[:SLUG_MAX] if self.longest_slug else slug

    @property
    def package(self) -> str:
        return self.slug.replace("-", "_")

    @property
    def components(self) -> frozenset[str]:
        """The components the operating-model rules choose."""
        return decide(self.model_count, self.data_regulated, self.incident_owner).components

    def answers(self) -> dict[str, Any]:
        return {
            "project_name": f"Service {self.id}",
            "project_slug": self.slug,
            "model_count": self.model_count,
            "data_regulated": self.data_regulated,
            "incident_owner": self.incident_owner,
            "python_version": self.python_version,
            "ci_provider": self.ci_provider,
        }


PROFILES = [
    Profile(count, regulated, owner)
    for count, regulated, owner in itertools.product(MODEL_COUNTS, (False, True), INCIDENT_OWNERS)
]
# GitLab CI for each layout: the per-profile checks run these beside the 24 above.
GITLAB_PROFILES = [
    Profile(0, False, "platform-team", ci_provider="gitlab"),
    Profile(1, False, "platform-team", ci_provider="gitlab"),
    Profile(2, False, "ml-team", ci_provider="gitlab"),
    Profile(5, True, "ml-team", ci_provider="gitlab"),
]
BAKED_PROFILES = PROFILES + GITLAB_PROFILES


def tree(profile: Profile) -> frozenset[str]:
    """The manifest's paths the profile leaves out: the same set, the same file tree."""
    included = profile.components | {profile.ci_provider}
    return frozenset(layout.unselected_paths(included, "package"))


def stand_ins(profiles: list[Profile]) -> dict[Profile, list[Profile]]:
    """One profile for each distinct file tree and set of components (log redaction changes
    code, not files), with the profiles it stands for."""
    groups: dict[tuple[frozenset[str], frozenset[str]], list[Profile]] = {}
    for profile in profiles:
        groups.setdefault((tree(profile), profile.components), []).append(profile)
    return {members[0]: members for members in groups.values()}


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


# The boundaries that matter beside the trees: 2 against 5 models (the largest config and
# serving), the longest slug and package name, and the lowest and highest Python, each with
# the layout it matters most to (two boundaries share a profile where they do not interact).
BOUNDARIES = [
    Profile(2, False, "ml-team", python_version=max(PYTHON_VERSIONS, key=version)),
    Profile(5, True, "product-owner", longest_slug=True),
    Profile(1, False, "platform-team", python_version=min(PYTHON_VERSIONS, key=version)),
]
# The profiles whose projects run their own lint, tests and `validate`: the heavy checks.
STAND_INS = stand_ins(BAKED_PROFILES)
CHECKED_PROFILES = list(STAND_INS) + [p for p in BOUNDARIES if p not in STAND_INS]
# What goes into an image depends on the components only: one image per set of them.
IMAGE_PROFILES = list({p.components: p for p in reversed(CHECKED_PROFILES)}.values())
LEAN = Profile(1, False, "platform-team")
NO_MODEL = Profile(0, False, "platform-team")

BASE_FILES = """
.dockerignore
.gitignore
.pre-commit-config.yaml
.yamllint.yaml
Dockerfile
Makefile
README.md
deploy/k8s/base/deployment.yaml
deploy/k8s/base/hpa.yaml
deploy/k8s/base/kustomization.yaml
deploy/k8s/base/pdb.yaml
deploy/k8s/base/service.yaml
deploy/k8s/overlays/prod/kustomization.yaml
deploy/k8s/overlays/staging/kustomization.yaml
docs/operating-model.md
docs/runbook.md
lifecycle/__init__.py
lifecycle/component_files.json
lifecycle/conformance.py
lifecycle/layout.py
lifecycle/regenerate.py
lifecycle/template_release.py
pyproject.toml
renovate.json
uv.lock
src/{package}/__init__.py
src/{package}/__main__.py
src/{package}/answers.json
src/{package}/logs.py
src/{package}/operating_model.py
src/{package}/project.py
src/{package}/service/__init__.py
src/{package}/service/api/__init__.py
src/{package}/service/app.py
src/{package}/service/health.py
src/{package}/service/metrics.py
src/{package}/settings.py
tests/conftest.py
tests/test_conformance.py
tests/test_health.py
tests/test_layers.py
tests/test_logs.py
tests/test_operating_model.py
tests/test_regenerate.py
tests/test_settings.py
"""
COMPONENT_FILES = {
    "lean-model": """
src/{package}/datasets.py
src/{package}/model/__init__.py
src/{package}/model/artifact.py
src/{package}/model/config.py
src/{package}/model/train.py
src/{package}/models.yaml
src/{package}/prediction.py
src/{package}/service/api/predict.py
tests/test_datasets.py
tests/test_predict_api.py
tests/test_train.py
""",
    "mlops": """
deploy/k8s/components/mlops/kustomization.yaml
deploy/k8s/components/mlops/monitor-cronjob.yaml
deploy/k8s/components/mlops/pvc.yaml
deploy/k8s/components/mlops/retrain-cronjob.yaml
deploy/prometheus/alerts.test.yml
deploy/prometheus/alerts.yml
src/{package}/datasets.py
src/{package}/models.yaml
src/{package}/models_config.py
src/{package}/monitoring/__init__.py
src/{package}/monitoring/__main__.py
src/{package}/monitoring/config.py
src/{package}/monitoring/drift.py
src/{package}/monitoring/metrics.py
src/{package}/monitoring/prediction_log.py
src/{package}/monitoring/retrain.py
src/{package}/prediction.py
src/{package}/registry/__init__.py
src/{package}/registry/__main__.py
src/{package}/registry/champions.py
src/{package}/registry/lineage.py
src/{package}/registry/promotion.py
src/{package}/service/api/models.py
src/{package}/tracking/__init__.py
src/{package}/tracking/reference.py
src/{package}/tracking/slices.py
src/{package}/tracking/store.py
src/{package}/tracking/reproduce.py
src/{package}/tracking/train.py
src/{package}/tracking/training_data.py
tests/mlops_helpers.py
tests/test_datasets.py
tests/test_drift.py
tests/test_load.py
tests/test_models_api.py
tests/test_monitoring_api.py
tests/test_prediction_log.py
tests/test_registry.py
tests/test_reproduce.py
tests/test_retrain.py
tests/test_tracking.py
""",
    "governance": """
deploy/k8s/components/governance/cronjob.yaml
deploy/k8s/components/governance/kustomization.yaml
docs/dpia.md
src/{package}/governance/__init__.py
src/{package}/governance/__main__.py
src/{package}/governance/audit.py
src/{package}/governance/cards.py
src/{package}/governance/events.py
src/{package}/governance/gate.py
src/{package}/governance/model_cards.md
src/{package}/governance/retention.py
tests/test_audit.py
tests/test_governance.py
tests/test_retention.py
""",
    "starter-endpoint": """
src/{package}/service/api/text_stats.py
tests/test_text_stats_api.py
""",
}


# Each CI provider's configuration. GitHub runs a component's scheduled or manual jobs as
# workflows of their own; GitLab keeps every job in its one pipeline file.
CI_FILES = {
    "github": """
.github/CODEOWNERS
.github/workflows/ci.yml
""",
    "gitlab": """
.gitlab-ci.yml
.gitlab/CODEOWNERS
""",
}
GITHUB_WORKFLOWS = {
    "mlops": ".github/workflows/monitoring.yml\n",
    "governance": ".github/workflows/governance.yml\n",
}


def expected_files(profile: Profile) -> set[str]:
    """Every file the profile's project must hold, and no other."""
    listed = BASE_FILES + CI_FILES[profile.ci_provider]
    for component in profile.components:
        listed += COMPONENT_FILES.get(component, "")
        if profile.ci_provider == "github":
            listed += GITHUB_WORKFLOWS.get(component, "")
    return {line.format(package=profile.package) for line in listed.split()}
