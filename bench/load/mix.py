"""What the simulated people do, and how often: the request mix of the load benchmark.

Every arrival (one ticket of ``schedule``) is one HTTP request by one person. The person is one of
four personas, dealt to the Locust users in the cycle ``CYCLE`` (a văn thư, an agency leader, two
unit leaders and four chuyên viên in every eight), each with an agency of its own, so the load is
spread over many agencies and units and the visibility rules of each role are in force. A persona
picks its request by the weights below; they follow a working day's clicks:

- the inbox page and its badges dominate: an open tab polls ``/inbox/_counts`` and
  ``/notifications/_count`` and people come back to Hộp công việc between steps (≈ 47 %);
- then document pages, reached from the inbox, the lists and search results (≈ 22 %);
- searches (≈ 11 %): words with and without diacritics and số/ký hiệu like ``125/QĐ``;
- the văn bản đến list (≈ 7 %), registers (the văn thư), the task list API of a client program;
- writes (≈ 4 %): a văn thư registering an upload (the real intake workflow: signature check,
  số đến, the leader's step), the agency leader deciding that step (``luu_tham_khao``, through the
  workflow), a unit leader claiming a task of the unit's queue and releasing it again.

``overall_mix`` gives the share of each route over all personas; ``bench/load/run.py`` prints it.
"""

from __future__ import annotations

import random

# Route names, as the report shows them.
INBOX = "inbox /"
COUNTS = "badges /inbox/_counts"
NOTIFICATIONS = "badges /notifications/_count"
DOCUMENT = "document /documents/{id}"
DOCUMENT_LIST = "list /documents"
SEARCH = "search /search"
API_TASKS = "api /api/v1/tasks"
REGISTERS = "registers /registers"
REGISTER_PAGE = "register /registers/{id}"
UPLOAD = "upload POST /documents/new"
DECIDE = "decide POST /tasks/{id}/act"
CLAIM = "claim POST /tasks/{id}/claim"
RELEASE = "release POST /tasks/{id}/release"
LOGIN = "login POST /login"
TOKEN = "token POST /api/v1/auth/token"

# Goals of issue 15 (p95 in milliseconds at the rate measured); the badges are part of the inbox
# page. Every other route has no latency goal but counts for "no errors".
GOALS_MS = {INBOX: 100, COUNTS: 100, NOTIFICATIONS: 100, DOCUMENT: 150, SEARCH: 200}

CLERK, LEADER, UNIT_LEADER, OFFICER = "van_thu", "lanh_dao_co_quan", "lanh_dao_don_vi", "chuyen_vien"
CYCLE = (CLERK, LEADER, UNIT_LEADER, OFFICER, OFFICER, UNIT_LEADER, OFFICER, OFFICER)

# What each persona does: a route's weight (a decision, a claim/release or an upload is one
# request; a person with nothing to decide or claim opens the inbox instead).
WEIGHTS: dict[str, dict[str, int]] = {
    CLERK: {INBOX: 20, COUNTS: 12, NOTIFICATIONS: 10, DOCUMENT: 15, DOCUMENT_LIST: 15, SEARCH: 10,
            REGISTERS: 5, REGISTER_PAGE: 3, UPLOAD: 10},
    LEADER: {INBOX: 25, COUNTS: 15, NOTIFICATIONS: 10, DOCUMENT: 22, DOCUMENT_LIST: 5, SEARCH: 10,
             API_TASKS: 5, DECIDE: 8},
    UNIT_LEADER: {INBOX: 25, COUNTS: 15, NOTIFICATIONS: 10, DOCUMENT: 22, DOCUMENT_LIST: 5, SEARCH: 10,
                  API_TASKS: 5, CLAIM: 8},
    OFFICER: {INBOX: 25, COUNTS: 15, NOTIFICATIONS: 10, DOCUMENT: 25, DOCUMENT_LIST: 5, SEARCH: 14,
              API_TASKS: 6},
}

# The search box: words with and without diacritics, a phrase, số/ký hiệu, and a filter.
SEARCHES = (
    "quyết định", "quyet dinh", "ngân sách", "ngan sach", "đào tạo bồi dưỡng", "dao tao",
    "chuyển đổi số", "chuyen doi so", "cải cách hành chính", "thiên tai", "125/QĐ", "45/UBND",
    "12/KH", "tuyen dung vien chuc",
)
SEARCH_FILTERS = ({}, {}, {}, {"type_name": "Kế hoạch"}, {"urgency": "khan"})


def persona_of(index: int) -> str:
    """The persona of the ``index``-th simulated person."""
    return CYCLE[index % len(CYCLE)]


def choose(persona: str, rng: random.Random) -> str:
    """One request of ``persona``, drawn by its weights."""
    weights = WEIGHTS[persona]
    return rng.choices(list(weights), list(weights.values()))[0]


def search_params(rng: random.Random) -> dict[str, str]:
    """The query string of one search."""
    return {"q": rng.choice(SEARCHES), **rng.choice(SEARCH_FILTERS)}


def overall_mix(cycle: tuple[str, ...] = CYCLE) -> dict[str, float]:
    """Each route's share of all requests when every persona of ``cycle`` sends as often."""
    shares: dict[str, float] = {}
    for persona in cycle:
        weights = WEIGHTS[persona]
        total = sum(weights.values())
        for route, weight in weights.items():
            shares[route] = shares.get(route, 0.0) + weight / total / len(cycle)
    return dict(sorted(shares.items(), key=lambda item: -item[1]))


def deal(people: list[dict], count: int) -> list[dict]:
    """``count`` people to play (or fewer, when the corpus has too few): a group of ``CYCLE``'s
    personas from each agency, the agencies spread evenly over all of them. ``people`` are the
    corpus's (``id``, ``username``, ``agency_id``, ``role``); each one chosen gets its ``persona``."""
    by_agency: dict[int, dict[str, list[dict]]] = {}
    for person in sorted(people, key=lambda p: (p["agency_id"], p["id"])):
        by_agency.setdefault(person["agency_id"], {}).setdefault(person["role"], []).append(person)
    agencies = sorted(by_agency)
    groups = min(len(agencies), -(-count // len(CYCLE)))
    dealt: list[dict] = []
    for group in range(groups):
        roles = by_agency[agencies[group * len(agencies) // groups]]
        taken: dict[str, int] = {}
        for persona in CYCLE:
            candidates = roles.get(persona, [])
            if taken.get(persona, 0) < len(candidates) and len(dealt) < count:
                dealt.append({**candidates[taken.get(persona, 0)], "persona": persona})
                taken[persona] = taken.get(persona, 0) + 1
    return dealt
