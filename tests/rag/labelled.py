"""A small labelled retrieval set, and an embedder that behaves like a real embedding model on
it: it knows words by meaning (synonyms share a direction) and knows nothing of rare codes.

Two kinds of query: paraphrases (no word in common with their document: lexical search misses
them, vectors find them) and exact codes (vectors cannot tell the documents apart, lexical
search finds them). Hybrid ranking should find both."""

from __future__ import annotations

import hashlib
import math
import re

#: Words that mean the same thing share a concept.
CONCEPTS: dict[str, str] = {}
for group in (
    "car automobile vehicle",
    "repair fix maintenance service servicing",
    "holiday vacation leave",
    "salary pay wage compensation payroll",
    "laptop notebook computer",
    "password credential passphrase",
    "reset change renew",
    "invoice bill receipt",
    "refund reimbursement repayment",
    "travel trip journey",
    "printer printing",
    "broken faulty failing",
    "office workplace premises",
    "parking garage",
    "meeting conference gathering",
    "room space",
    "book reserve",
    "coffee espresso",
    "machine appliance",
    "badge card pass",
    "lost missing misplaced",
    "phone mobile smartphone",
    "error fault code",
    "device unit",
    "screen display monitor",
    "doctor physician",
    "sick ill unwell",
    "insurance coverage",
):
    words = group.split()
    for w in words:
        CONCEPTS[w] = words[0]

DIM = 64


def _axis(concept: str) -> int:
    return int.from_bytes(hashlib.sha256(concept.encode()).digest()[:4], "big") % DIM


def embed(text: str) -> list[float]:
    v = [0.0] * DIM
    for word in re.findall(r"[a-z]+", text.lower()):
        concept = CONCEPTS.get(word)
        if concept is not None:
            v[_axis(concept)] += 1.0
    norm = math.sqrt(sum(x * x for x in v)) or 1.0
    return [x / norm for x in v]


#: name -> text; each is one chunk.
CORPUS: dict[str, str] = {
    "car": "Company car maintenance is booked through the fleet desk.",
    "leave": "Staff take twenty five holiday days each year.",
    "salary": "Salary is paid on the last working day of the month.",
    "laptop": "A laptop is issued to every new starter on day one.",
    "password": "To reset your password open the self service portal.",
    "invoice": "Send each invoice to accounts within thirty days.",
    "refund": "Travel refund claims need the original receipt.",
    "printer": "A broken printer is reported to the facilities team.",
    "parking": "Parking at the office is free after six.",
    "meeting": "Book a meeting room through the calendar.",
    "coffee": "The coffee machine on floor two is descaled weekly.",
    "badge": "A lost badge is replaced at reception.",
    "phone": "Every phone is enrolled in device management.",
    "screen": "A second screen can be requested for any desk.",
    "doctor": "Sick days need a doctor note after three days.",
    "insurance": "Health insurance starts after the probation period.",
}
for n in range(4000, 4016):
    CORPUS[f"code-{n}"] = f"Error code E{n} on the device means the unit needs attention."

#: query -> the documents that answer it.
QUERIES: dict[str, set[str]] = {
    # paraphrases
    "automobile servicing": {"car"},
    "how much vacation do I get": {"leave"},
    "when is my wage paid": {"salary"},
    "notebook computer for starters": {"laptop"},
    "change my credential": {"password"},
    "where do bills go": {"invoice"},
    "trip reimbursement": {"refund", "invoice"},
    "faulty printing": {"printer"},
    "garage at the workplace": {"parking"},
    "reserve a conference space": {"meeting"},
    "espresso appliance cleaning": {"coffee"},
    "misplaced pass": {"badge"},
    "smartphone enrolment": {"phone"},
    "extra monitor": {"screen"},
    "unwell physician": {"doctor"},
    "coverage start": {"insurance"},
    # exact codes
    "E4003": {"code-4003"},
    "E4007 meaning": {"code-4007"},
    "what is E4011": {"code-4011"},
    "E4014": {"code-4014"},
    "E4015 device": {"code-4015"},
}


def recall_at(k: int, ranked: dict[str, list[str]]) -> float:
    """Mean over the queries of the share of relevant documents in the top ``k``."""
    total = 0.0
    for query, relevant in QUERIES.items():
        total += len(relevant & set(ranked.get(query, [])[:k])) / len(relevant)
    return total / len(QUERIES)
