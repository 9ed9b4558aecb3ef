"""Model cards and data cards.

The human part of each model card (intended use, limitations, ethical considerations) lives
in `model_cards.md` next to this module, one `## <model>` section per model, and is checked
for completeness; the rest of the card comes from what training recorded. Data cards are the
`datasets` section of `models.yaml`, with the schema read from the data itself.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import numpy as np

from .. import datasets
from ..models_config import ModelsConfig, ModelSpec

SECTIONS = ("Intended use", "Limitations", "Ethical considerations")
# Fewer words than this is a heading with a sentence fragment, not an answer.
MIN_WORDS = 15
# Fill-in markers: `<describe the users>`, TBD, placeholder Latin.
UNFINISHED = re.compile(r"<[^<>\n]+>|\bTBD\b|lorem ipsum", re.IGNORECASE)


def human_sections(text: str | None = None) -> dict[str, dict[str, str]]:
    """The `### section` texts under each `## model` heading of `model_cards.md`."""
    if text is None:
        text = resources.files(__package__).joinpath("model_cards.md").read_text("utf-8")
    cards: dict[str, dict[str, str]] = {}
    model = section = None
    for line in text.splitlines():
        if line.startswith("## "):
            model, section = line[3:].strip(), None
            cards[model] = {}
        elif line.startswith("### ") and model is not None:
            section = line[4:].strip()
            cards[model][section] = ""
        elif model is not None and section is not None:
            cards[model][section] += line + "\n"
    return {m: {s: body.strip() for s, body in parts.items()} for m, parts in cards.items()}


def card_problems(model: str, cards: dict[str, dict[str, str]]) -> list[str]:
    """What is missing from a model's human sections, one line each."""
    if model not in cards:
        return [f"model_cards.md has no section `## {model}`"]
    problems = []
    for section in SECTIONS:
        body = cards[model].get(section)
        if body is None:
            problems.append(f"the model card of {model} has no `### {section}`")
        elif len(body.split()) < MIN_WORDS or UNFINISHED.search(body):
            problems.append(f"the model card of {model}: `{section}` is not written yet")
    return problems


def data_card_problems(spec: ModelSpec, config: ModelsConfig) -> list[str]:
    if spec.dataset not in config.datasets:
        return [f"models.yaml has no data card for dataset {spec.dataset} (under `datasets`)"]
    card = config.datasets[spec.dataset]
    features = datasets.load(spec.dataset).features
    unknown = sorted(set(card.personal_fields) - set(features))
    return [f"the data card of {spec.dataset} names unknown fields: {unknown}"] if unknown else []


def model_card(
    lineage: dict[str, Any], slices: dict[str, Any] | None, human: dict[str, str]
) -> str:
    """One version's model card, in Markdown."""
    metrics = ", ".join(f"{k} {v:.4f}" for k, v in sorted(lineage["metrics"].items()))
    params = ", ".join(f"{k}={v}" for k, v in sorted(lineage["params"].items()))
    registry = lineage["registry"]
    lines = [
        f"# Model card: {lineage['model']} version {lineage['version']}",
        "",
        "| | |",
        "| --- | --- |",
        f"| owner | {lineage['owner']} |",
        f"| trained | {lineage['trained_at']} by {lineage['trained_by']} |",
        f"| dataset | {lineage['dataset']}, data hash `{lineage['data_hash']}` |",
        f"| code version | `{lineage['code_version']}` |",
        f"| parameters | {params} |",
        f"| test metrics | {metrics} |",
        f"| approved | {_who(registry, 'approved')} |",
        f"| promoted | {_who(registry, 'promoted')} |",
        "",
        "## Evaluation slices",
        "",
    ]
    if slices:
        lines += [
            f"By `{slices['by']}`: gap {slices['gap']:.4f} (at most {slices['max_gap']}).",
            "",
        ]
        lines += ["| slice | rows | score |", "| --- | ---: | ---: |"]
        lines += [f"| {s['slice']} | {s['rows']} | {s['score']:.4f} |" for s in slices["slices"]]
    else:
        lines.append("No slice check is configured for this model.")
    for section in SECTIONS:
        lines += ["", f"## {section}", "", human.get(section, "(missing)")]
    return "\n".join(lines) + "\n"


def data_card(name: str, config: ModelsConfig) -> str:
    """A dataset's card, in Markdown, with the schema read from the data."""
    card = config.datasets[name]
    data = datasets.load(name)
    lines = [
        f"# Data card: {name}",
        "",
        card.description,
        "",
        "| | |",
        "| --- | --- |",
        f"| source | {card.source} |",
        f"| legal basis | {card.legal_basis} |",
        f"| retention of prediction records | {card.retention_days} days |",
        f"| rows | {len(data.y)} |",
        f"| data hash | `{data.data_hash}` |",
        "",
        "## Schema",
        "",
        "| field | type | min | max | personal |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for index, feature in enumerate(data.features):
        column = data.x[:, index]
        personal = "yes" if feature in card.personal_fields else "no"
        lines.append(
            f"| {feature} | number | {np.min(column):.4g} | {np.max(column):.4g} | {personal} |"
        )
    kind = f"one of {', '.join(data.classes)}" if data.classes else "number"
    lines.append(f"| {data.target} (target) | {kind} | | | no |")
    return "\n".join(lines) + "\n"


def _who(registry: dict[str, str], action: str) -> str:
    by, at = registry.get(f"{action}_by"), registry.get(f"{action}_at")
    return f"{at} by {by}" if by else "not yet"
