"""Image benchmark: the size of each distinct generated image, beside its base image.

    .venv/bin/python bench/images.py

Bakes one profile per set of components (the suite's IMAGE_PROFILES), builds each image
with the suite's own Docker engine, Debian base image and wheelhouse index (tests/
docker_engine.py; `make base-image` first), and prints its size, what it adds to the base
and the ratio to the smallest image. The official python:<version>-slim base cannot be
pulled here, so the megabytes an image adds to its base are the figure that carries over.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent / d) for d in ("tests", "hooks", ".")]

import docker_engine  # noqa: E402
from locks import bake  # noqa: E402
from profiles import IMAGE_PROFILES  # noqa: E402

MB = 1_000_000


def main() -> None:
    docker_engine.open_session()
    try:
        engine = docker_engine.engine()
        base = int(engine.docker("image", "inspect", "--format", "{{.Size}}", engine.base_image))
        rows = []
        with tempfile.TemporaryDirectory() as folder:
            for profile in IMAGE_PROFILES:
                project = bake(profile, Path(folder))
                started = time.monotonic()
                tag = f"{profile.slug}:bench"
                engine.docker(
                    "build", "--network", "host", "--tag", tag,
                    "--build-arg", f"BASE_IMAGE={engine.base_image}",
                    "--build-arg", f"PIP_INDEX_URL={engine.index_url}", str(project),
                    timeout=1800,
                )  # fmt: skip
                seconds = time.monotonic() - started
                size = int(engine.docker("image", "inspect", "--format", "{{.Size}}", tag))
                rows.append(("+".join(sorted(profile.components)), size, seconds))
    finally:
        docker_engine.close_session()

    smallest = min(size for _, size, _ in rows)
    print(f"base image (Debian bookworm, python3, venv): {base / MB:.0f} MB")
    print(f"{'components':55} {'image MB':>9} {'added MB':>9} {'x smallest':>10} {'build s':>8}")
    for components, size, seconds in rows:
        added, ratio = (size - base) / MB, size / smallest
        print(f"{components:55} {size / MB:9.0f} {added:9.0f} {ratio:10.2f} {seconds:8.0f}")
    print(f"(build seconds with the layer cache as it was; cpu count {os.cpu_count()})")


if __name__ == "__main__":
    main()
