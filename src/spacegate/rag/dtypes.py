"""Dataset types (``dtype``) and the configuration each accepts, as JSON schemas for clients."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from spacegate.errors import Unprocessable


class LocalFileConfig(BaseModel):
    """``local_file``: files uploaded into the dataset, or read from an allowed server folder."""

    model_config = ConfigDict(extra="forbid")

    connection_override: str | None = Field(
        default=None, max_length=2048, description="Kept for Syft Space clients; unused here."
    )
    embedding_model: str | None = Field(
        default=None,
        max_length=200,
        description="Alias of an embedding model entitled in the space. With one, chunks are "
        "embedded through the gateway and search is hybrid (lexical + vector); without, lexical.",
    )
    chunk_size: int = Field(default=256, ge=16, le=4096, description="Tokens per chunk.")
    chunk_overlap: int = Field(
        default=32, ge=0, le=1024, description="Tokens a chunk shares with the one before it."
    )
    folder: str | None = Field(
        default=None,
        max_length=4096,
        description="A server folder to read files from; it must lie under one of the roots "
        "the operator allows (SPACEGATE_DATASET_ROOTS).",
    )

    @model_validator(mode="after")
    def _overlap_below_size(self) -> LocalFileConfig:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        return self


DTYPES: dict[str, tuple[type[BaseModel], str]] = {
    "local_file": (
        LocalFileConfig,
        "Files (.pdf .docx .xlsx .html .md .csv .json .txt) uploaded or read from a server "
        "folder, chunked by tokens, searchable lexically and (with an embedding model) by vector.",
    ),
}

#: Fields whose change makes every document of the dataset be indexed again.
REINDEX_FIELDS = ("embedding_model", "chunk_size", "chunk_overlap")


def types() -> list[dict[str, Any]]:
    return [
        {"dtype": name, "description": text, "configuration_schema": model.model_json_schema()}
        for name, (model, text) in DTYPES.items()
    ]


def validated(dtype: str, configuration: dict[str, Any] | None) -> dict[str, Any]:
    """The configuration with its defaults filled in; a 422 naming the field otherwise."""
    if dtype not in DTYPES:
        raise Unprocessable(
            f"Unknown dtype '{dtype}'; one of: {', '.join(DTYPES)}.",
            code="unknown_dtype",
            extra={"param": "dtype"},
        )
    model = DTYPES[dtype][0]
    try:
        return model.model_validate(configuration or {}).model_dump()
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        param = f"configuration.{where}" if where else "configuration"
        raise Unprocessable(
            f"{param}: {err['msg']}", code="invalid_configuration", extra={"param": param}
        ) from None
