from pathlib import Path

from {{ cookiecutter.package_name }} import project

PACKAGE = Path(project.__file__).parent


def test_stored_answers_give_a_profile():
    profile = project.profile()

    assert profile.layout in {"devops", "mlops"}
    assert "devops-base" in profile.components


def test_package_holds_the_components_its_answers_call_for():
    components = project.profile().components
    present = {
        "lean-model": (PACKAGE / "model" / "__init__.py").is_file(),
        "starter-endpoint": (PACKAGE / "service" / "api" / "text_stats.py").is_file(),
        "mlops": all(
            (PACKAGE / part / "__init__.py").is_file()
            for part in ("tracking", "registry", "monitoring")
        ),
    }

    assert {name for name, found in present.items() if found} == components & present.keys()
