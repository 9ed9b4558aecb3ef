"""Training data, from where `models.yaml` says it lives: a dataset bundled with
scikit-learn (offline, the default), a CSV or Parquet file at a path or any fsspec URL, or a
SQL table or query through SQLAlchemy. Whatever the source, the rows come back checked and
hashed, so a model knows exactly what it was trained on."""

from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import fsspec
import numpy as np
import pandas as pd
import pyarrow
import pyarrow.csv
import pyarrow.parquet
import sqlalchemy
from fsspec.implementations.local import LocalFileSystem
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from sklearn import datasets

# name -> (loader, task, target name)
BUNDLED = {
    "iris": (datasets.load_iris, "classification", "species"),
    "wine": (datasets.load_wine, "classification", "cultivar"),
    "breast_cancer": (datasets.load_breast_cancer, "classification", "diagnosis"),
    "diabetes": (datasets.load_diabetes, "regression", "progression"),
}
BUNDLED_PREFIX = "bundled:"
FORMATS = (".csv", ".parquet")
SQL_EXAMPLE = "postgresql+psycopg://user:password@host:5432/database"
# A connection that does not answer must fail well before training would give up waiting.
CONNECT_TIMEOUT_SECONDS = 10


class DataError(Exception):
    """Data that cannot be used as configured: where (the source), and one line saying what
    is wrong and how to fix it."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where, self.problem = where, problem


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SqlQuery(Strict):
    """Rows from a database. The URL, credentials included, stays in the environment."""

    url_env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]*$")
    table: str | None = Field(default=None, pattern=r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)?$")
    query: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _table_or_query(self) -> SqlQuery:
        if (self.table is None) == (self.query is None):
            raise ValueError("give either `table` or `query`, not both or neither")
        return self


class SqlSource(Strict):
    sql: SqlQuery


def _location(value: str) -> str:
    if value.startswith(BUNDLED_PREFIX):
        if value.removeprefix(BUNDLED_PREFIX) not in BUNDLED:
            raise ValueError(f"bundled datasets are {', '.join(BUNDLED)}, not {value!r}")
    elif not value.lower().endswith(FORMATS):
        raise ValueError(
            "a source is bundled:<name>, a path or URL ending in .csv or .parquet, or sql: "
            f"with url_env and table or query; not {value!r} (e.g. data/loans.parquet)"
        )
    return value


class DatasetEntry(Strict):
    """One dataset of `models.yaml`: where it lives and, as its data card, what it is."""

    source: Annotated[str, AfterValidator(_location)] | SqlSource
    provenance: str | None = Field(default=None, min_length=1)
    description: str | None = Field(default=None, min_length=1)
    legal_basis: str | None = Field(default=None, min_length=1)
    # How long prediction records of models trained on it are kept (`make retention`).
    retention_days: int | None = Field(default=None, ge=1)
    personal_fields: list[str] = []
    # Whether training may keep a copy of the rows it used (`parquet`), or only their hash,
    # row count and schema (`hash-only`: data that may not be copied).
    snapshot: Literal["parquet", "hash-only"] = "parquet"

    @property
    def bundled(self) -> str | None:
        """The name of the scikit-learn dataset this entry reads, if it reads one."""
        if isinstance(self.source, str) and self.source.startswith(BUNDLED_PREFIX):
            return self.source.removeprefix(BUNDLED_PREFIX)
        return None

    @property
    def location(self) -> str | None:
        """The path or URL of a file source."""
        return self.source if isinstance(self.source, str) and not self.bundled else None

    @property
    def label(self) -> str:
        """The source as people read it, never with credentials."""
        if isinstance(self.source, str):
            return self.source
        sql = self.source.sql
        return f"sql {'table ' + sql.table if sql.table else 'query'} at ${sql.url_env}"

    def card_gaps(self) -> list[str]:
        """The data-card fields a governed project needs and this entry lacks."""
        card = ("description", "provenance", "legal_basis", "retention_days")
        return [field for field in card if getattr(self, field) is None]


def entry_for(name: str) -> DatasetEntry:
    """The entry of a bundled dataset that `models.yaml` names without describing it."""
    return DatasetEntry(source=BUNDLED_PREFIX + name)


@dataclass(frozen=True)
class Dataset:
    """A feature matrix and its target, with the names that describe them."""

    name: str
    source: str
    target: str
    features: tuple[str, ...]
    classes: tuple[str, ...]  # empty for regression
    x: np.ndarray
    y: np.ndarray
    location: str | None = None  # the path or URL, for a file source
    copyable: bool = True  # False when its card says `snapshot: hash-only`

    @cached_property
    def data_hash(self) -> str:
        """SHA-256 of the content: names, values and labels, independent of how it was loaded."""
        digest = hashlib.sha256()
        for name in (self.target, *self.features, "|", *self.classes, "|"):
            digest.update(name.encode() + b"\0")
        digest.update(np.ascontiguousarray(self.x, dtype="<f8").tobytes())
        digest.update(np.ascontiguousarray(self.y, dtype="<f8").tobytes())
        return digest.hexdigest()

    @property
    def rows(self) -> int:
        return len(self.y)

    def frame(self) -> pd.DataFrame:
        """The rows as one frame, the target last; a classification target holds the class
        names in this dataset's order, so the frame loads back to the same data hash."""
        frame = pd.DataFrame(self.x, columns=list(self.features))
        if self.classes:
            frame[self.target] = pd.Categorical.from_codes(self.y, categories=self.classes)
        else:
            frame[self.target] = self.y
        return frame

    def write_snapshot(self, path: Path) -> None:
        """The exact rows as Parquet: what `load` reads back to this dataset."""
        self.frame().to_parquet(path, index=False)


def load(name: str, entry: DatasetEntry, task: str, target: str, features: list[str]) -> Dataset:
    """The rows of `features` and `target`, checked: every column present, the features
    numeric and complete, the target complete, at least one row."""
    columns = [*features, target]
    where = f"dataset {name} ({entry.label})"
    try:
        frame = read(entry, columns)
    except DataError as error:
        raise DataError(where, error.problem) from None
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        others = ", ".join(str(column) for column in frame.columns[:12]) or "none"
        raise DataError(where, f"no column {', '.join(missing)}; its columns: {others}")
    if frame.empty:
        raise DataError(where, "no rows; point the source at data to train on")
    for column in columns:
        gaps = int(frame[column].isna().sum())
        if gaps:
            role = "target" if column == target else "feature"
            raise DataError(
                where,
                f"{role} {column} has {gaps} missing values; fill or drop those rows in the source",
            )
    for feature in features:
        column = frame[feature]
        if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
            raise DataError(
                where,
                f"feature {feature} is {column.dtype}, not numeric; "
                "encode it as numbers in the source or leave it out of `features`",
            )
    classes: tuple[str, ...] = ()
    labels = frame[target]
    if task == "classification":
        categorical = labels.astype("category")
        classes = tuple(str(value) for value in categorical.cat.categories)
        y = categorical.cat.codes.to_numpy()
    elif pd.api.types.is_numeric_dtype(labels):
        y = labels.to_numpy(dtype=float)
    else:
        raise DataError(where, f"target {target} is {labels.dtype}, not numeric, for regression")
    x = frame[features].to_numpy(dtype=float)
    return Dataset(name, entry.label, target, tuple(features), classes, x, y,
                   location=entry.location, copyable=entry.snapshot == "parquet")  # fmt: skip


def read(entry: DatasetEntry, columns: list[str]) -> pd.DataFrame:
    """The source's rows, with no more of its columns than `columns` where it can choose."""
    if entry.bundled:
        return bundled_frame(entry.bundled)
    if isinstance(entry.source, SqlSource):
        return _read_sql(entry.source.sql, columns, entry.label)
    return _read_file(entry.source, columns)


def bundled_frame(name: str) -> pd.DataFrame:
    """A bundled dataset as one frame, feature names made into identifiers; a classification
    target holds the class names, in scikit-learn's order."""
    loader, task, target = BUNDLED[name]
    bunch = loader()
    frame = pd.DataFrame(bunch.data, columns=[_identifier(f) for f in bunch.feature_names])
    if task == "classification":
        names = [str(c) for c in bunch.target_names]
        frame[target] = pd.Categorical.from_codes(bunch.target, categories=names)
    else:
        frame[target] = bunch.target
    return frame


def _identifier(feature: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", feature.lower()).strip("_")


def _read_file(location: str, columns: list[str]) -> pd.DataFrame:
    wanted = set(columns)
    try:
        filesystem, path = fsspec.core.url_to_fs(location)
        if isinstance(filesystem, LocalFileSystem):
            # A path pyarrow opens itself reads natively, not through a Python file object.
            filesystem = None
        if location.lower().endswith(".parquet"):
            names = pyarrow.parquet.read_schema(path, filesystem=filesystem).names
            present = [name for name in names if name in wanted]
            # read_table reads the columns in parallel, which ParquetFile.read does not.
            table = pyarrow.parquet.read_table(path, columns=present, filesystem=filesystem)
            return table.to_pandas()
        opener = filesystem.open if filesystem else open
        with opener(path, "rb") as handle:
            header = pd.read_csv(handle, nrows=0).columns
            handle.seek(0)
            present = [name for name in header if name in wanted]
            return pd.read_csv(handle, usecols=present, engine="pyarrow")
    except FileNotFoundError:
        hint = f" (relative to {os.getcwd()})" if "://" not in location else ""
        raise DataError(location, f"no such file{hint}; fix the path or URL") from None
    except (ImportError, ValueError) as error:
        if "protocol" in str(error).lower() or isinstance(error, ImportError):
            raise DataError(
                location,
                f"{_first_line(error)}; install the project's extra for this "
                "storage (s3, gcs or azure), e.g. pip install '.[s3]'",
            ) from None
        raise DataError(location, f"not a readable file ({_first_line(error)})") from None
    except (pyarrow.ArrowException, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DataError(location, f"not a readable file ({_first_line(error)})") from None
    except OSError as error:
        raise DataError(location, f"cannot be read ({_first_line(error)})") from None


def _read_sql(sql: SqlQuery, columns: list[str], label: str) -> pd.DataFrame:
    url = os.environ.get(sql.url_env)
    if not url:
        raise DataError(
            label,
            f"the environment variable {sql.url_env} is not set; "
            f"set it to a SQLAlchemy URL such as {SQL_EXAMPLE}",
        )
    try:
        parsed = sqlalchemy.make_url(url)
        timeout = {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
        engine = sqlalchemy.create_engine(
            parsed, connect_args=timeout if parsed.get_backend_name() == "postgresql" else {}
        )
    except (sqlalchemy.exc.NoSuchModuleError, ImportError) as error:  # before ArgumentError
        raise DataError(
            label,
            f"no driver for the URL in {sql.url_env} ({_first_line(error)}); "
            "for PostgreSQL install the project's postgres extra",
        ) from None
    except sqlalchemy.exc.ArgumentError:
        # Never quote the value: it holds the credentials.
        raise DataError(
            label, f"{sql.url_env} does not hold a SQLAlchemy URL (like {SQL_EXAMPLE})"
        ) from None
    try:
        with engine.connect() as connection:
            statement = _statement(sql, columns, connection)
            if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
                return _copy(connection, statement, label)
            return pd.read_sql_query(statement, connection)
    except sqlalchemy.exc.NoSuchTableError:
        raise DataError(label, f"the database has no table {sql.table}") from None
    except (sqlalchemy.exc.SQLAlchemyError, pd.errors.DatabaseError) as error:
        # pandas wraps the database's error, which SQLAlchemy wraps in turn; the driver's own
        # message says what is wrong without the statement around it.
        cause = error.__cause__ if isinstance(error, pd.errors.DatabaseError) else error
        cause = getattr(cause, "orig", None) or cause or error
        raise DataError(label, _first_line(cause)) from None
    finally:
        engine.dispose()


def _copy(connection: Any, statement: Any, label: str) -> pd.DataFrame:
    """PostgreSQL's rows through COPY, streamed as CSV into pyarrow: several times faster
    than fetching them row by row, and no copy of the text is held."""
    if isinstance(statement, sqlalchemy.TextClause):
        query = statement.text.strip().rstrip(";")
    else:
        query = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
    driver = connection.connection.driver_connection
    try:
        with driver.cursor().copy(f"COPY ({query}) TO STDOUT (FORMAT csv, HEADER)") as copy:
            return pyarrow.csv.read_csv(io.BufferedReader(_Stream(copy))).to_pandas()
    except connection.dialect.loaded_dbapi.Error as error:
        raise DataError(label, _first_line(error)) from None


class _Stream(io.RawIOBase):
    """A readable file over the blocks of a COPY, for pyarrow's CSV reader."""

    def __init__(self, blocks: Any) -> None:
        self._blocks, self._rest = iter(blocks), memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._rest:
            block = next(self._blocks, None)
            if block is None:
                return 0
            self._rest = memoryview(block)
        size = min(len(buffer), len(self._rest))
        buffer[:size], self._rest = self._rest[:size], self._rest[size:]
        return size


def _statement(sql: SqlQuery, columns: list[str], connection: Any) -> Any:
    if sql.query is not None:
        return sqlalchemy.text(sql.query)
    schema, _, name = sql.table.rpartition(".")
    table = sqlalchemy.Table(
        name, sqlalchemy.MetaData(), schema=schema or None, autoload_with=connection
    )
    present = [table.c[column] for column in columns if column in table.c]
    return sqlalchemy.select(*present) if present else sqlalchemy.select(table)


def _first_line(error: BaseException | None) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
