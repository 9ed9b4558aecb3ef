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

import pandas as pd

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
    """What the data card of the model's dataset lacks, one line each."""
    if spec.dataset not in config.datasets:
        return [f"models.yaml has no data card for dataset {spec.dataset} (under `datasets`)"]
    card = config.datasets[spec.dataset]
    problems = [f"the data card of {spec.dataset} has no `{gap}`" for gap in card.card_gaps()]
    if card.personal_fields:
        try:
            present = datasets.read(card, card.personal_fields).columns
        except datasets.DataError as error:
            return [*problems, f"the data of {spec.dataset} cannot be read: {error}"]
        unknown = sorted(set(card.personal_fields) - set(present))
        if unknown:
            problems.append(f"the data card of {spec.dataset} names unknown fields: {unknown}")
    return problems


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
        f"| dataset | {lineage['dataset']} from {lineage['data_source']}, data hash "
        f"`{lineage['data_hash']}`, snapshot {lineage['data_snapshot']} |",
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
    """A dataset's card, in Markdown, with the schema of the columns its models use (and its
    personal fields) read from the data."""
    card = config.datasets[name]
    targets = {spec.target for spec in config.models if spec.dataset == name}
    used = [column for spec in config.models if spec.dataset == name
            for column in (*spec.features, spec.target)]  # fmt: skip
    columns = list(dict.fromkeys([*used, *card.personal_fields]))
    frame = datasets.read(card, columns)
    lines = [
        f"# Data card: {name}",
        "",
        card.description or "(no description)",
        "",
        "| | |",
        "| --- | --- |",
        f"| source | {card.label} |",
        f"| provenance | {card.provenance or '(not given)'} |",
        f"| legal basis | {card.legal_basis or '(not given)'} |",
        f"| retention of prediction records | {_retention(card.retention_days)} |",
        f"| rows | {len(frame)} |",
        "",
        "## Schema",
        "",
        "| field | type | min | max | personal |",
        "| --- | --- | ---: | ---: | --- |",
    ]
    for column in columns:
        personal = "yes" if column in card.personal_fields else "no"
        role = " (target)" if column in targets else ""
        if column not in frame.columns:
            lines.append(f"| {column}{role} | missing from the data | | | {personal} |")
            continue
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            low, high = f"{values.min():.4g}", f"{values.max():.4g}"
            lines.append(f"| {column}{role} | number | {low} | {high} | {personal} |")
        else:
            kinds = sorted(str(value) for value in values.dropna().unique())
            shown = ", ".join(kinds[:10]) + (", ..." if len(kinds) > 10 else "")
            lines.append(f"| {column}{role} | one of {shown} | | | {personal} |")
    return "\n".join(lines) + "\n"


def _retention(days: int | None) -> str:
    return f"{days} days" if days is not None else "(not given)"


def _who(registry: dict[str, str], action: str) -> str:
    by, at = registry.get(f"{action}_by"), registry.get(f"{action}_at")
    return f"{at} by {by}" if by else "not yet"
