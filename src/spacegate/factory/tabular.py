"""Tabular files (CSV, Parquet) read into frames, and the schema a scan reports."""

from __future__ import annotations

import io
import math
from typing import Any

from spacegate.errors import Unprocessable

SAMPLE_ROWS = 5


def file_format(key: str) -> str:
    lower = key.lower()
    if lower.endswith((".parquet", ".pq")):
        return "parquet"
    if lower.endswith((".csv", ".csv.gz", ".txt")):
        return "csv"
    raise Unprocessable(
        f"'{key}' is neither CSV (.csv) nor Parquet (.parquet).",
        code="unsupported_file_format",
        extra={"param": "files"},
    )


def read_table(data: bytes, key: str) -> Any:
    """A ``pyarrow.Table`` of the file; an unreadable file is a 422 naming it."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    fmt = file_format(key)
    try:
        if fmt == "parquet":
            return pq.read_table(io.BytesIO(data))
        return pacsv.read_csv(io.BytesIO(data))
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError) as exc:
        raise Unprocessable(
            f"'{key}' could not be read as {fmt}: {str(exc).splitlines()[0]}",
            code="unreadable_file",
            extra={"param": "files"},
        ) from None


def _kind(arrow_type: Any) -> str:
    import pyarrow.types as t

    if t.is_boolean(arrow_type):
        return "boolean"
    if t.is_integer(arrow_type):
        return "integer"
    if t.is_floating(arrow_type) or t.is_decimal(arrow_type):
        return "float"
    if t.is_timestamp(arrow_type) or t.is_date(arrow_type):
        return "datetime"
    if t.is_null(arrow_type):
        return "null"
    return "string"


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def schema_of(data: bytes, key: str) -> dict[str, Any]:
    """``{format, columns[{name, type, nullable}], row_count, sample[]}`` of one file."""
    table = read_table(data, key)
    columns = [
        {
            "name": field.name,
            "type": _kind(field.type),
            "nullable": table.column(field.name).null_count > 0,
        }
        for field in table.schema
    ]
    sample = [
        {k: _plain(v) for k, v in row.items()} for row in table.slice(0, SAMPLE_ROWS).to_pylist()
    ]
    return {
        "format": file_format(key),
        "columns": columns,
        "row_count": table.num_rows,
        "sample": sample,
    }


def frame_of(tables: list[Any]) -> Any:
    """One pandas frame of several files of the same columns."""
    import pyarrow as pa

    try:
        table = pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise Unprocessable(
            f"The files do not share their columns: {exc}",
            code="mismatched_files",
            extra={"param": "connectors"},
        ) from None
    return table.to_pandas()
