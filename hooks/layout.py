"""The layout manifest (`layout.yaml`) and how a generation applies it."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

MANIFEST = Path(__file__).resolve().parent / "layout.yaml"
# The kept-path rule ships in every generated project, which checks itself against it
# (`make conformance`): loaded from there, as rules.py loads the operating model.
RULE_FILE = MANIFEST.parent.parent / "{{cookiecutter.project_slug}}" / "lifecycle" / "layout.py"


def _load_rule():
    spec = importlib.util.spec_from_file_location("lifecycle_layout", RULE_FILE)
    module = importlib.util.module_from_spec(spec)
    # No byte-code cache: it would land in the template tree, and so in every project.
    writes, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = writes
    return module


rule = _load_rule()


def load_manifest(path: Path = MANIFEST) -> dict:
    """The manifest as data: `components`, each component's name with the paths it owns."""
    # Imported here: each hook is a new Python process, and pre_gen_project never reads the
    # manifest. libyaml's loader, where PyYAML has it, parses the same data in C.
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def owned_paths(components: Iterable[str], package: str, manifest: dict | None = None) -> list[str]:
    """The paths the given components own, with `{package}` filled in."""
    manifest = manifest or load_manifest()
    owned = manifest["components"]
    return [path.format(package=package) for name in components for path in owned.get(name, ())]


def unselected_paths(
    included: Iterable[str], package: str, manifest: dict | None = None
) -> list[str]:
    """The listed paths the included components do not keep (see `rule.kept`)."""
    manifest = manifest or load_manifest()
    listing = {name: owned_paths([name], package, manifest) for name in manifest["components"]}
    return rule.unselected_paths(rule.path_owners(listing), included)


def snapshot(project_dir: Path) -> list[str]:
    """Every file and folder already inside the project directory, relative to it."""
    return sorted(str(p.relative_to(project_dir)) for p in project_dir.rglob("*"))


def snapshot_file(project_dir: Path) -> Path:
    """Where pre_gen_project leaves the snapshot for post_gen_project, outside the project."""
    key = hashlib.sha256(str(project_dir.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"cookiecutter-layout-{key}.json"


def save_snapshot(project_dir: Path) -> None:
    snapshot_file(project_dir).write_text(json.dumps(snapshot(project_dir)), encoding="utf-8")


def take_snapshot(project_dir: Path) -> set[str]:
    """Read and remove the snapshot pre_gen_project saved (empty if there is none)."""
    path = snapshot_file(project_dir)
    if not path.exists():
        return set()
    saved = set(json.loads(path.read_text(encoding="utf-8")))
    path.unlink()
    return saved


def prune(project_dir: Path, paths: Iterable[str], preexisting: set[str]) -> list[str]:
    """Remove the given paths' files and emptied folders, keeping anything in `preexisting`.

    Folders above a removed path that this run created and left empty go too. Returns the
    removed paths, relative to the project directory.
    """
    root = project_dir.resolve()
    removed = []
    for path in paths:
        target = (root / path).resolve()
        if not target.is_relative_to(root) or not target.exists():
            continue
        files = sorted(target.rglob("*"), reverse=True) if target.is_dir() else []
        parents = [p for p in target.parents if p != root and p.is_relative_to(root)]
        for candidate in [*files, target, *parents]:
            relative = str(candidate.relative_to(root))
            if relative in preexisting:
                continue
            if candidate.is_dir():
                if not any(candidate.iterdir()):
                    candidate.rmdir()
                    removed.append(relative)
            else:
                candidate.unlink()
                removed.append(relative)
    return removed
