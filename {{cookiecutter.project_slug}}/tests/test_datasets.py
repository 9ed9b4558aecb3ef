"""Every kind of source `models.yaml` can name, and every way one can be wrong."""

import sqlite3

import pandas as pd
import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.datasets import (
    DataError,
    DatasetEntry,
    bundled_frame,
    load,
)

FEATURES = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"]


def iris(source, features=FEATURES, target="species"):
    return load("iris", DatasetEntry.model_validate({"source": source}), "classification",
                target, features)  # fmt: skip


@pytest.fixture
def frame():
    """The bundled iris rows as a team would export them: the species as text."""
    rows = bundled_frame("iris")
    return rows.assign(species=rows["species"].astype(str))


@pytest.fixture
def database(frame, tmp_path, monkeypatch):
    path = tmp_path / "flowers.db"
    with sqlite3.connect(path) as connection:
        frame.to_sql("flowers", connection, index=False)
        frame.head(0).to_sql("no_flowers", connection, index=False)
    monkeypatch.setenv("FLOWERS_DB_URL", f"sqlite:///{path}")


def test_the_same_rows_hash_alike_from_every_kind_of_source(frame, tmp_path, database):
    frame.to_csv(tmp_path / "iris.csv", index=False)
    frame.to_parquet(tmp_path / "iris.parquet")
    bundled = iris("bundled:iris")

    loaded = [
        iris("iris.csv"),  # relative to the working directory, the project's root
        iris((tmp_path / "iris.parquet").as_uri()),  # an fsspec URL
        iris({"sql": {"url_env": "FLOWERS_DB_URL", "table": "flowers"}}),
        iris({"sql": {"url_env": "FLOWERS_DB_URL", "query": "select * from flowers"}}),
    ]

    assert {data.data_hash for data in loaded} == {bundled.data_hash}
    assert loaded[0].classes == ("setosa", "versicolor", "virginica")
    assert loaded[2].source == "sql table flowers at $FLOWERS_DB_URL"
    assert bundled.rows == 150 and bundled.x.shape == (150, 4)


def test_a_changed_source_is_a_new_data_hash(frame):
    frame.to_csv("iris.csv", index=False)
    before = iris("iris.csv").data_hash
    frame.iloc[:-1].to_csv("iris.csv", index=False)

    assert iris("iris.csv").data_hash != before


def test_only_the_named_columns_are_used_in_the_named_order(frame):
    frame.assign(comment="free text").to_parquet("iris.parquet")

    data = iris("iris.parquet", features=["petal_width_cm", "sepal_length_cm"])

    assert data.features == ("petal_width_cm", "sepal_length_cm")
    assert data.x[0].tolist() == [0.2, 5.1]


@pytest.mark.parametrize(
    "source",
    ["data/iris.json", "bundled:mnist", {"sql": {"url_env": "URL"}}, {"sql": {"url_env": "url"}}],
)
def test_a_source_that_cannot_be_one_is_refused_with_the_config(source):
    with pytest.raises(ValidationError):
        DatasetEntry.model_validate({"source": source})


def problem(source, features=FEATURES, target="species"):
    with pytest.raises(DataError) as raised:
        iris(source, features, target)
    message = str(raised.value)
    assert "\n" not in message
    return message


def test_a_missing_file_says_where_it_was_looked_for():
    assert "(missing.csv): no such file (relative to" in problem("missing.csv")


def test_a_file_that_is_not_what_it_says_is_named(tmp_path):
    (tmp_path / "iris.parquet").write_text("sepal_length_cm,species\n1,a\n")

    assert "not a readable file" in problem("iris.parquet")


def test_a_missing_column_is_named_with_the_columns_there_are(frame):
    frame.drop(columns="petal_width_cm").to_csv("iris.csv", index=False)

    message = problem("iris.csv")

    assert "): no column petal_width_cm; its columns: sepal_length_cm" in message


def test_missing_values_in_the_target_or_a_feature_are_counted(frame):
    frame.assign(species=frame["species"].where(frame.index > 2)).to_csv("a.csv", index=False)
    frame.assign(sepal_width_cm=None).to_parquet("b.parquet")

    assert "target species has 3 missing values" in problem("a.csv")
    assert "feature sepal_width_cm has 150 missing values" in problem("b.parquet")


def test_a_text_feature_asks_to_be_encoded(frame):
    frame.assign(colour="purple").to_csv("iris.csv", index=False)

    message = problem("iris.csv", ["colour"])

    assert "feature colour is string, not numeric; encode it" in message


def test_a_column_named_twice_is_refused_before_reading(frame):
    assert "species named more than once" in problem("unread.csv", ["species"])
    assert "petal_width_cm named more than once" in problem(
        "unread.csv", ["petal_width_cm", "petal_width_cm"]
    )


def test_an_empty_table_or_query_result_has_no_rows(database):
    empty = {"sql": {"url_env": "FLOWERS_DB_URL", "table": "no_flowers"}}
    none = {"sql": {"url_env": "FLOWERS_DB_URL", "query": "select * from flowers where 0"}}

    assert "): no rows; point the source" in problem(empty)
    assert "): no rows; point the source" in problem(none)


def test_database_problems_name_the_variable_never_its_value(database, monkeypatch):
    table = {"sql": {"url_env": "FLOWERS_DB_URL", "table": "flowers"}}
    unset = {"sql": {"url_env": "UNSET_DB_URL", "table": "flowers"}}
    failing = {"sql": {"url_env": "FLOWERS_DB_URL", "query": "select * from nowhere"}}
    missing = {"sql": {"url_env": "FLOWERS_DB_URL", "table": "trees"}}

    assert "UNSET_DB_URL is not set; set it to a SQLAlchemy URL" in problem(unset)
    assert "no such table: nowhere" in problem(failing)
    assert "the database has no table trees" in problem(missing)
    monkeypatch.setenv("FLOWERS_DB_URL", "user:secret@host")
    assert "FLOWERS_DB_URL does not hold a SQLAlchemy URL" in problem(table)
    assert "secret" not in problem(table)
    monkeypatch.setenv("FLOWERS_DB_URL", "nosuchdb://user:secret@host/db")
    assert "no driver for the URL in FLOWERS_DB_URL" in problem(table)


def test_an_object_store_without_its_driver_names_the_extra():
    assert "install the project's extra" in problem("nosuchstore://bucket/iris.csv")


def test_the_bundled_frame_is_what_a_team_would_export():
    rows = bundled_frame("diabetes")

    assert list(rows.columns[:3]) == ["age", "sex", "bmi"]
    assert pd.api.types.is_float_dtype(rows["progression"])
