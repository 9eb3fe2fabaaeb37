"""An expert's dataset references (``file_context[].dataset_id``): the passages of the space's
dataset most relevant to the turn's last user message are retrieved into the expert's system
message, through the datasets' search (lexical, vector or hybrid as the dataset is set up; a
query embedding is a ``source_query`` call as the caller)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from spacegate.rag import endpoint_datasets
from spacegate.rag.search import search_dataset

if TYPE_CHECKING:
    from spacegate.copilot.turns import Turn
    from spacegate.runtime import Runtime

#: Passages retrieved per referenced dataset.
PASSAGES = 4


async def retrieve(runtime: Runtime, turn: Turn) -> None:
    """Fill ``turn.passages`` for the answering expert (nothing for a refused turn)."""
    expert = turn.expert
    if expert is None or (turn.guard and not turn.guard.get("safe", True)):
        return
    refs = [item for item in expert.file_context or [] if item.get("dataset_id")]
    query = turn.last_user_text().strip()
    if not refs or not query:
        return
    scope = turn.scope
    async with runtime.read_sessions() as session:
        for item in refs:
            dataset = await endpoint_datasets.get(
                session, scope, uuid.UUID(str(item["dataset_id"]))
            )
            if dataset is None:  # deleted since the expert named it: nothing to retrieve
                continue
            hits = await search_dataset(session, dataset, query, limit=PASSAGES, models=turn.client)
            title = item.get("name") or dataset.name
            turn.passages.extend(_passage(title, hit) for hit in hits)


def _passage(title: str, hit: Any) -> dict[str, Any]:
    return {"name": title, "text": hit.content, "document_id": str(hit.document_id)}
