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
import pyarrow.compute
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
HASH_BLOCK_ROWS = 65_536


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
        # Row-major bytes, a block of rows at a time: the matrix is column-major and never
        # copied whole.
        for start in range(0, len(self.x), HASH_BLOCK_ROWS):
            digest.update(np.ascontiguousarray(self.x[start : start + HASH_BLOCK_ROWS], "<f8"))
        digest.update(np.ascontiguousarray(self.y, dtype="<f8"))
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
    numeric and complete, the target complete, at least one row.

    The feature matrix is filled from the source's Arrow columns one at a time, without a
    frame in between; a Parquet file is read a column at a time too, so loading it holds
    little more than the matrix itself."""
    columns = [*features, target]
    where = f"dataset {name} ({entry.label})"
    repeated = sorted({column for column in columns if columns.count(column) > 1})
    if repeated:
        named = ", ".join(repeated)
        raise DataError(where, f"{named} named more than once as target or feature; name each once")
    try:
        source = _columns(entry, columns)
        missing = [column for column in columns if column not in source.types]
        if missing:
            others = ", ".join(list(source.types)[:12]) or "none"
            raise DataError(where, f"no column {', '.join(missing)}; its columns: {others}")
        if not source.rows:
            raise DataError(where, "no rows; point the source at data to train on")
        # Column-major, so that each feature is one contiguous copy.
        x = np.empty((len(features), source.rows)).T
        for index, feature in enumerate(features):
            column = source.take(feature)
            _complete(column, f"feature {feature}", where)
            if not _numeric(column.type):
                raise DataError(
                    where,
                    f"feature {feature} is {column.type}, not numeric; "
                    "encode it as numbers in the source or leave it out of `features`",
                )
            _fill(x[:, index], column)
            del column  # released before the next is read
        classes, y = _target(source.take(target), task, target, where)
    except (pyarrow.ArrowException, OSError) as error:  # a file that breaks partway through
        raise DataError(where, f"cannot be read ({_first_line(error)})") from None
    except DataError as error:
        raise DataError(where, error.problem) from None
    return Dataset(name, entry.label, target, tuple(features), classes, x, y,
                   location=entry.location, copyable=entry.snapshot == "parquet")  # fmt: skip


def _target(
    labels: pyarrow.ChunkedArray, task: str, target: str, where: str
) -> tuple[tuple[str, ...], np.ndarray]:
    """The target as numbers, and for classification the class names its codes index: in
    the order a categorical column keeps, or else sorted, as pandas orders categories."""
    _complete(labels, f"target {target}", where)
    if task == "classification":
        if pyarrow.types.is_dictionary(labels.type):
            categorical = labels.to_pandas().astype("category")  # the codes only, no labels
            return tuple(map(str, categorical.cat.categories)), categorical.cat.codes.to_numpy()
        values = sorted(pyarrow.compute.unique(labels).to_pylist())
        codes = pyarrow.compute.index_in(labels, value_set=pyarrow.array(values, labels.type))
        return tuple(map(str, values)), codes.to_numpy().astype(np.int32)
    if not _numeric(labels.type):
        raise DataError(where, f"target {target} is {labels.type}, not numeric, for regression")
    y = np.empty(len(labels))
    _fill(y, labels)
    return (), y


def _numeric(kind: pyarrow.DataType) -> bool:
    """Integers and floats; not booleans, text, decimals or dates."""
    return pyarrow.types.is_integer(kind) or pyarrow.types.is_floating(kind)


def _complete(column: pyarrow.ChunkedArray, role: str, where: str) -> None:
    """Refuse nulls, and NaN in a float column: what pandas would count as missing."""
    gaps = column.null_count
    if pyarrow.types.is_floating(column.type):
        gaps += pyarrow.compute.sum(pyarrow.compute.is_nan(column)).as_py() or 0
    if gaps:
        raise DataError(
            where, f"{role} has {gaps} missing values; fill or drop those rows in the source"
        )


def _fill(into: np.ndarray, column: pyarrow.ChunkedArray) -> None:
    """Copy a complete numeric column into `into`, chunk by chunk."""
    start = 0
    for chunk in column.chunks:
        into[start : start + len(chunk)] = chunk.to_numpy(zero_copy_only=False)
        start += len(chunk)


class _Columns:
    """A source's columns as Arrow reads them, handed over one at a time: a Parquet file
    reads each when it is taken, a table drops each it hands over, so that memory is
    released as the feature matrix fills."""

    def __init__(self, rows: pyarrow.Table | pyarrow.parquet.ParquetFile, wanted: list[str]):
        self._file = rows if isinstance(rows, pyarrow.parquet.ParquetFile) else None
        self._table = None if self._file else rows
        self.rows = self._file.metadata.num_rows if self._file else rows.num_rows
        schema = self._file.schema_arrow if self._file else rows.schema
        self.types = {field.name: field.type for field in schema}
        self.wanted = [name for name in self.types if name in set(wanted)]

    def take(self, name: str) -> pyarrow.ChunkedArray:
        if self._file:
            return self._file.read(columns=[name]).column(0)
        column = self._table.column(name)
        self._table = self._table.drop_columns([name])
        return column

    def table(self) -> pyarrow.Table:
        """All the wanted columns at once."""
        if self._file:
            return self._file.read(columns=self.wanted)
        return self._table.select(self.wanted)


def read(entry: DatasetEntry, columns: list[str]) -> pd.DataFrame:
    """The source's rows as a frame, with no more of its columns than `columns` where it can
    choose."""
    return _columns(entry, columns).table().to_pandas()


def _columns(entry: DatasetEntry, columns: list[str]) -> _Columns:
    if entry.bundled:
        frame = bundled_frame(entry.bundled)
        return _Columns(pyarrow.Table.from_pandas(frame, preserve_index=False), columns)
    if isinstance(entry.source, SqlSource):
        return _Columns(_read_sql(entry.source.sql, columns, entry.label), columns)
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


def _read_csv(stream: Any, **convert: Any) -> pyarrow.Table:
    """CSV as Arrow, block by block: `read_csv` would read the whole input ahead, several
    times the memory of the table. pandas counts an empty field, NA, null and their kin as
    missing in a text column too, and so does this."""
    options = pyarrow.csv.ConvertOptions(strings_can_be_null=True, **convert)
    return pyarrow.csv.open_csv(stream, convert_options=options).read_all()


def _read_file(location: str, columns: list[str]) -> _Columns:
    wanted = set(columns)
    try:
        filesystem, path = fsspec.core.url_to_fs(location)
        if isinstance(filesystem, LocalFileSystem):
            # A path pyarrow opens itself reads natively, not through a Python file object.
            filesystem = None
        if location.lower().endswith(".parquet"):
            # Read only when checked, a column at a time (see `_Columns`).
            return _Columns(pyarrow.parquet.ParquetFile(path, filesystem=filesystem), columns)
        opener = filesystem.open if filesystem else open
        with opener(path, "rb") as handle:
            header = pd.read_csv(handle, nrows=0).columns
            handle.seek(0)
            present = [name for name in header if name in wanted]
            return _Columns(_read_csv(handle, include_columns=present), columns)
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


def _read_sql(sql: SqlQuery, columns: list[str], label: str) -> pyarrow.Table:
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
            frame = pd.read_sql_query(statement, connection)
        return pyarrow.Table.from_pandas(frame, preserve_index=False)
    except sqlalchemy.exc.NoSuchTableError:
        raise DataError(label, f"the database has no table {sql.table}") from None
    except (sqlalchemy.exc.SQLAlchemyError, pd.errors.DatabaseError) as error:
        # pandas wraps the database's error, which SQLAlchemy wraps in turn; the driver's own
        # message says what is wrong without the statement around it.
        cause = error.__cause__ if isinstance(error, pd.errors.DatabaseError) else error
        cause = getattr(cause, "orig", None) or cause or error
        raise DataError(label, _first_line(cause)) from None
    except pyarrow.ArrowException as error:  # a column of mixed values
        raise DataError(label, f"rows Arrow cannot hold ({_first_line(error)})") from None
    finally:
        engine.dispose()


def _copy(connection: Any, statement: Any, label: str) -> pyarrow.Table:
    """PostgreSQL's rows through COPY, streamed as CSV into pyarrow: several times faster
    than fetching them row by row, and no copy of the text is held."""
    if isinstance(statement, sqlalchemy.TextClause):
        query = statement.text.strip().rstrip(";")
    else:
        query = str(statement.compile(connection, compile_kwargs={"literal_binds": True}))
    driver = connection.connection.driver_connection
    try:
        with driver.cursor().copy(f"COPY ({query}) TO STDOUT (FORMAT csv, HEADER)") as copy:
            return _read_csv(io.BufferedReader(_Stream(copy)))
    except connection.dialect.loaded_dbapi.Error as error:
        raise DataError(label, _first_line(error)) from None


class _Stream(io.RawIOBase):
    """A readable file over the blocks of a COPY, for pyarrow's CSV reader."""

    def __init__(self, blocks: Any) -> None:
        self._blocks, self._rest = iter(blocks), memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        # A block is one row: fill the whole buffer, rather than return once per row.
        view, filled = memoryview(buffer).cast("B"), 0
        while filled < len(view):
            if not self._rest:
                block = next(self._blocks, None)
                if block is None:
                    break
                self._rest = memoryview(block)
            size = min(len(view) - filled, len(self._rest))
            view[filled : filled + size], self._rest = self._rest[:size], self._rest[size:]
            filled += size
        return filled


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
