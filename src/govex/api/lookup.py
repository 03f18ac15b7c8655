"""The answer to "which treatment does this customer get in this journey?", encoded once and served raw.

An answer is the customer's id plus fields that depend only on the snapshot, the journey and the
customer's segment combination (or on the customer being unknown). Those fields are encoded to
JSON bytes the first time a (journey, combination) is asked for and kept with the snapshot, so a
lookup is a binary search, a dict read and a byte concatenation. `Lookup`, an ASGI layer inside
the guard, answers a well-formed `GET /v1/customers/{id}/treatment?journey=J` that way without
FastAPI's routing, parameter solving and response classes (about two thirds of the CPU of a
lookup); anything else, malformed requests included, goes on to FastAPI, which validates,
answers 422 and serves the other endpoints with the same encoding.
"""
from __future__ import annotations

import json
import re

from govex.api.snapshot import Snapshot
from govex.contract.schema import JOURNEYS

CUSTOMER_ID = r"^[A-Za-z0-9_.:-]{1,64}$"
UNKNOWN_NOTE = ("customer not in the segment snapshot: the policy's documented default for new and unknown "
                "customers (unknown_customer_tier) applies")
GAP_NOTE = ("no rule of the policy covers this customer's segments in this journey: the policy's "
            "unknown_customer_tier applies (GET /readyz lists the policy gaps)")

# Only this exact shape takes the raw path; the id alphabet needs no JSON escaping.
_TREATMENT_PATH = re.compile(r"/v1/customers/([A-Za-z0-9_.:-]{1,64})/treatment")
_JOURNEY_QUERY = {f"journey={journey}".encode(): journey for journey in JOURNEYS}


def answer_fields(snap: Snapshot, journey: str, combination: int | None) -> dict:
    """Everything in an answer but the request and customer ids, for one journey and combination (None: unknown)."""
    decision = snap.decision(journey, combination)
    out = {"journey": journey, "known_customer": decision.known_customer, "tier": decision.tier,
           "rule": decision.rule, "treatment": snap.tier_json[decision.tier], "policy_version": snap.policy_version,
           "segments_as_of": snap.segments_as_of, "snapshot": snap.snapshot_id}
    if not decision.known_customer:
        out["note"] = UNKNOWN_NOTE
    elif decision.gap:
        out["policy_gap"], out["note"] = True, GAP_NOTE
    return out


def _encoded(snap: Snapshot, journey: str, combination: int | None) -> tuple[bytes, str, bool]:
    """The answer's fields as JSON object members (no braces), its tier and whether the customer is known."""
    key = (journey, combination)
    hit = snap.encoded.get(key)
    if hit is None:
        fields = answer_fields(snap, journey, combination)
        members = json.dumps(fields, separators=(",", ":"))[1:-1].encode()
        hit = snap.encoded[key] = (members, fields["tier"], fields["known_customer"])
    return hit


def treatment_item(snap: Snapshot, customer_id: str, journey: str) -> dict:
    """One decision as a dict (a batch's result)."""
    return {"customer_id": customer_id, **answer_fields(snap, journey, snap.combination_of(customer_id))}


def audit_row(item: dict) -> tuple:
    return (item["customer_id"], item["journey"], item["tier"], item["policy_version"], item["known_customer"])


def treatment_answer(snap: Snapshot, request_id: str, customer_id: str, journey: str) -> tuple[bytes, tuple]:
    """The JSON body of a single lookup and its audit row; `customer_id` must match CUSTOMER_ID."""
    members, tier, known = _encoded(snap, journey, snap.combination_of(customer_id))
    body = b'{"request_id":"%s","customer_id":"%s",%s}' % (request_id.encode(), customer_id.encode(), members)
    return body, (customer_id, journey, tier, snap.policy_version, known)


class Lookup:
    """ASGI layer: answers well-formed single lookups from encoded bytes; passes every other request on."""

    def __init__(self, app, service):
        self.app, self.service = app, service

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "GET":
            journey = _JOURNEY_QUERY.get(scope["query_string"])
            found = journey and _TREATMENT_PATH.fullmatch(scope["path"])
            if found:
                state = scope["state"]  # the guard admitted the request and opened its audit record
                snap = self.service.snapshot
                body, row = treatment_answer(snap, state["audit"]["request_id"], found[1], journey)
                state["snapshot"], state["decisions"] = snap.snapshot_id, [row]
                await send({"type": "http.response.start", "status": 200,
                            "headers": [(b"content-length", b"%d" % len(body)),
                                        (b"content-type", b"application/json")]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
