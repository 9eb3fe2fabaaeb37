"""The ``pii_filter`` policy: typed placeholders for what the detectors find (checksums
verified), in the answer and, where configured, the references and the question; optionally a
pass by the endpoint's own model for people's names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spacegate.models import RagPolicy
from spacegate.rag.policies import Entry
from spacegate.rag.policies.detectors import mask


@dataclass
class PiiPlan:
    """The union of an endpoint's pii_filter policies."""

    policies: list[RagPolicy]
    targets: set[str] = field(default_factory=set)
    kinds: list[str] = field(default_factory=list)
    names: bool = False

    @classmethod
    def of(cls, policies: list[RagPolicy]) -> PiiPlan:
        plan = cls(policies)
        for p in policies:
            conf = p.configuration
            plan.targets |= set(conf.get("apply_to") or ["answer"])
            for k in conf.get("detectors") or []:
                if k not in plan.kinds:
                    plan.kinds.append(k)
            plan.names = plan.names or bool(conf.get("detect_names"))
        return plan

    def covers(self, target: str) -> bool:
        return bool(self.policies) and target in self.targets

    def entries(self, counts: dict[str, dict[str, int]]) -> list[Entry]:
        out = []
        for p in self.policies:
            mine = set(p.configuration.get("apply_to") or ["answer"])
            found = {t: c for t, c in counts.items() if t in mine}
            total = sum(sum(c.values()) for c in found.values())
            out.append(
                Entry(
                    p.id,
                    p.name,
                    "pii_filter",
                    "post",
                    "applied",
                    f"{total} item(s) masked",
                    {"masked": found},
                )
            )
        return out


def mask_text(
    plan: PiiPlan, text: str, names: list[str] | None = None
) -> tuple[str, dict[str, int]]:
    masked, counts = mask(text, plan.kinds)
    for name in names or []:
        if len(name) >= 2 and name in masked:
            counts["name"] = counts.get("name", 0) + masked.count(name)
            masked = masked.replace(name, "[NAME]")
    return masked, counts


def merge(into: dict[str, int], more: dict[str, int]) -> None:
    for k, v in more.items():
        into[k] = into.get(k, 0) + v


def mask_documents(plan: PiiPlan, documents: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for doc in documents:
        doc["content"], found = mask_text(plan, str(doc.get("content") or ""))
        merge(counts, found)
    return counts
