"""The package's imports run one way: a part imports only its own layer and those below it,
and never a part that this project does not have (each profile leaves some out)."""

import ast
from pathlib import Path

import {{ cookiecutter.package_name }} as package

# From the bottom up; any other module or subpackage (the configuration, the datasets, the
# settings, the lean model...) is the bottom, layer 0.
LAYERS = ["tracking", "registry", "monitoring", "governance", "service"]
TOP = len(LAYERS)


def layer(parts: list[str]) -> int:
    """The layer of a module, given its path in the package; `python -m <package>` serves the
    app, so it sits on top."""
    if parts == ["__main__"]:
        return TOP
    return LAYERS.index(parts[0]) + 1 if parts and parts[0] in LAYERS else 0


def module_file(root: Path, parts: list[str]) -> Path | None:
    """The file of a module or package of the package, if it is on disk."""
    base = root.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if parts and candidate.is_file():
            return candidate
    return root / "__init__.py" if not parts else None


def defines(path: Path, name: str) -> bool:
    """Whether a module binds `name` at its top level."""
    bound = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound |= {target.id for target in targets if isinstance(target, ast.Name)}
        elif isinstance(node, ast.Import | ast.ImportFrom):
            bound |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    return name in bound


def imported(root: Path, name: str, path: Path) -> list[tuple[int, list[str] | None, str]]:
    """Each import of the package in a module, anywhere in it (a lazy import counts): its line,
    the module it reaches as a path in the package (None when it is not on disk), as written."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    here = parts[:-1]  # the package the module is in; an `__init__` is in its own
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name.split(".") for alias in node.names]
            found += [(node.lineno, t[1:], ".".join(t)) for t in targets if t[0] == name]
            continue
        if not isinstance(node, ast.ImportFrom):
            continue
        module = node.module.split(".") if node.module else []
        if node.level:
            base = here[: len(here) - node.level + 1] + module
        elif module[:1] == [name]:
            base = module[1:]
        else:
            continue
        written = "." * node.level + (node.module or "")
        for alias in node.names:
            if module_file(root, [*base, alias.name]):  # `from . import datasets`
                found.append((node.lineno, [*base, alias.name], f"{written}.{alias.name}"))
            else:  # a name the module defines; a package's must be in its `__init__`
                source = module_file(root, base)
                present = source is not None and (
                    source.name != "__init__.py" or defines(source, alias.name)
                )
                found.append((node.lineno, base if present else None, f"{written}.{alias.name}"))
    return found


def violations(root: Path, name: str) -> list[str]:
    problems = []
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        for line, target, written in imported(root, name, path):
            where = f"{path.relative_to(root)}:{line} imports {written}"
            if target is None or (target and module_file(root, target) is None):
                problems.append(f"{where}, which this project does not have")
            elif layer(target) > layer(parts):
                above = LAYERS[layer(target) - 1]
                problems.append(f"{where}: {above} is above {parts[0]} in {LAYERS}")
    return problems


def test_no_module_imports_a_layer_above_it_or_a_missing_part():
    root = Path(package.__file__).parent

    assert violations(root, package.__name__) == []


def test_the_check_catches_an_upward_import_and_a_missing_part(tmp_path):
    root = tmp_path / "pkg"
    for module, text in {
        "__init__.py": "",
        "models_config.py": "x = 1\n",
        "tracking/__init__.py": "",
        "tracking/train.py": "from ..models_config import x\nfrom ..service import app\n",
        "service/__init__.py": "",
        "service/app.py": "def run():\n    from ..governance import gate\n",
    }.items():
        (root / module).parent.mkdir(parents=True, exist_ok=True)
        (root / module).write_text(text, encoding="utf-8")

    assert violations(root, "pkg") == [
        "service/app.py:2 imports ..governance.gate, which this project does not have",
        f"tracking/train.py:2 imports ..service.app: service is above tracking in {LAYERS}",
    ]
