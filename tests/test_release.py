"""The template's version and its changelog stay in step, as CUSTOMIZING.md's release steps
require: the tag teams pin, `make template-check` and `make regenerate REF=` rely on it."""

import json
import re

from profiles import TEMPLATE

HEADING = re.compile(r"## (\d+)\.(\d+)\.(\d+) \((unreleased|\d{4}-\d{2}-\d{2})\)")


def test_the_newest_changelog_heading_is_the_template_version():
    version = json.loads((TEMPLATE / "cookiecutter.json").read_text())["_template_version"]
    headings = [line for line in (TEMPLATE / "CHANGELOG.md").read_text().splitlines()
                if line.startswith("## ")]  # fmt: skip

    assert headings, "CHANGELOG.md has no version heading"
    for heading in headings:
        assert HEADING.fullmatch(heading), f"{heading!r}: expected ## X.Y.Z (YYYY-MM-DD)"
    versions = [tuple(map(int, HEADING.fullmatch(h).groups()[:3])) for h in headings]
    assert versions == sorted(versions, reverse=True) and len(set(versions)) == len(versions)
    assert ".".join(map(str, versions[0])) == version
    assert all("unreleased" not in heading for heading in headings[1:])
