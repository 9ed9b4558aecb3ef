"""Which of the layout's listed paths a project keeps, given the components it includes.

Each component lists paths relative to the project, a trailing `/` for a whole folder. A
listed path is kept when one component listing it is included and so is one listing each
folder above it: a GitLab project has no `.github/`, whatever else its components list under
it. The template's hooks load this file from the template tree to prune a new project, and
`lifecycle.conformance` imports it to check an existing one, so it stays plain Python with the
standard library alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def path_owners(listing: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Each listed path with the components that list it, in the listing's order."""
    owners: dict[str, list[str]] = {}
    for name, paths in listing.items():
        for path in paths:
            owners.setdefault(path, []).append(name)
    return owners


def folders_above(path: str, owners: Mapping[str, Iterable[str]]) -> list[str]:
    """The listed folders that hold the path."""
    return [f for f in owners if f.endswith("/") and f != path and path.startswith(f)]


def kept(path: str, owners: Mapping[str, Iterable[str]], included: Iterable[str]) -> bool:
    """Whether the path stays: one of its components is included, and one of each folder's
    above it."""
    included = set(included)
    return all(set(owners[p]) & included for p in [path, *folders_above(path, owners)])


def unselected_paths(owners: Mapping[str, Iterable[str]], included: Iterable[str]) -> list[str]:
    """The listed paths the included components do not keep, sorted."""
    included = set(included)
    return sorted(path for path in owners if not kept(path, owners, included))
