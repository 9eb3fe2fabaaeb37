"""``python -m bench --only X`` rewrites X's section of bench/results.md and keeps the others."""

from __future__ import annotations

from bench.__main__ import merge_sections

HEADER = "# Benchmarks\n\nMachine: test.\n"


def test_only_one_benchmark_keeps_the_other_sections() -> None:
    full = merge_sections(
        "", HEADER, {"gateway": "## Gateway\n\nold gateway\n", "rag": "## RAG\n\nold rag\n"}
    )

    merged = merge_sections(full, HEADER, {"rag": "## RAG\n\nnew rag\n"})

    assert "old gateway" in merged
    assert "new rag" in merged
    assert "old rag" not in merged
    assert merged.index("## Gateway") < merged.index("## RAG")


def test_a_new_section_is_added_in_the_benchmarks_order() -> None:
    only_rag = merge_sections("", HEADER, {"rag": "## RAG\n\nrag\n"})

    merged = merge_sections(only_rag, HEADER, {"control-plane": "## Control plane\n\ncp\n"})

    assert merged.startswith(HEADER)
    assert merged.index("## Control plane") < merged.index("## RAG")
    assert merged.count("<!-- bench:rag -->") == 1
