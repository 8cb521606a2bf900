"""The load benchmark's pure parts (bench/load): the mix, the open-loop tickets, the figures and goals,
the multipart body of an upload."""

from __future__ import annotations

import random
from email.parser import BytesParser
from email.policy import HTTP

import pytest

from bench.load import mix
from bench.load.multipart import encode_multipart
from bench.load.report import Sample, figures, highest_kept
from bench.load.schedule import Step, Tickets, parse_steps


def test_each_persona_draws_its_routes_by_their_weights():
    rng = random.Random(7)
    for persona, weights in mix.WEIGHTS.items():
        draws = [mix.choose(persona, rng) for _ in range(20_000)]
        total = sum(weights.values())
        for route, weight in weights.items():
            assert abs(draws.count(route) / len(draws) - weight / total) < 0.015, (persona, route)
        assert set(draws) == set(weights)


def test_the_overall_mix_adds_up_and_is_mostly_reads():
    shares = mix.overall_mix()
    assert sum(shares.values()) == pytest.approx(1.0)
    writes = sum(shares[route] for route in (mix.UPLOAD, mix.DECIDE, mix.CLAIM))
    inbox = shares[mix.INBOX] + shares[mix.COUNTS] + shares[mix.NOTIFICATIONS]
    assert 0.02 < writes < 0.08 and 0.4 < inbox < 0.6
    # Only the văn thư uploads and reads registers, only agency leaders decide, only unit leaders claim.
    assert [p for p, w in mix.WEIGHTS.items() if mix.UPLOAD in w or mix.REGISTERS in w] == [mix.CLERK]
    assert [p for p, w in mix.WEIGHTS.items() if mix.DECIDE in w] == [mix.LEADER]
    assert [p for p, w in mix.WEIGHTS.items() if mix.CLAIM in w] == [mix.UNIT_LEADER]
    assert set(mix.GOALS_MS) <= set(shares)


def test_search_words_come_with_and_without_diacritics_and_as_codes():
    asked = {mix.search_params(random.Random(seed))["q"] for seed in range(300)}
    assert {"quyết định", "quyet dinh", "125/QĐ"} <= asked


def _people(agencies: int) -> list[dict]:
    people, next_id = [], 1
    for agency in range(1, agencies + 1):
        for role, count in ((mix.CLERK, 1), (mix.LEADER, 1), (mix.UNIT_LEADER, 4), (mix.OFFICER, 11)):
            for _ in range(count):
                people.append(dict(id=next_id, username=f"p{next_id}", agency_id=agency, role=role))
                next_id += 1
    return people


def test_people_are_dealt_in_groups_of_one_agency_spread_over_all():
    dealt = mix.deal(_people(300), 80)
    assert len(dealt) == 80 and len({person["id"] for person in dealt}) == 80
    groups = [dealt[start:start + len(mix.CYCLE)] for start in range(0, 80, len(mix.CYCLE))]
    assert all(len({person["agency_id"] for person in group}) == 1 for group in groups)
    agencies = [group[0]["agency_id"] for group in groups]
    assert agencies == sorted(agencies) and agencies[0] == 1 and agencies[-1] > 250
    assert all(person["persona"] == person["role"] == mix.CYCLE[index % len(mix.CYCLE)]
               for index, person in enumerate(dealt))


def test_a_small_corpus_gives_fewer_people_than_asked():
    dealt = mix.deal(_people(2), 100)
    assert len(dealt) == 16 and {person["agency_id"] for person in dealt} == {1, 2}


def test_tickets_come_at_the_rate_of_each_step_from_the_clock_alone():
    tickets = Tickets([Step(10, 2), Step(4, 1)], start=1000.0)
    issued = []
    while (ticket := tickets.next()) is not None:
        issued.append(ticket)
    assert [t.number for t in issued] == list(range(24))
    first, second = [t for t in issued if t.step == 0], [t for t in issued if t.step == 1]
    assert len(first) == 20 and len(second) == 4
    assert [t.due for t in first] == pytest.approx([1000.0 + k / 10 for k in range(20)])
    assert [t.due for t in second] == pytest.approx([1002.0, 1002.25, 1002.5, 1002.75])
    assert tickets.next() is None and tickets.end == 1003.0


def test_steps_are_read_from_the_command_line_or_refused_in_vietnamese():
    assert parse_steps("10x60, 25x30") == [Step(10, 60), Step(25, 30)]
    for wrong in ("10", "10x", "ax60", "0x60", "10x-1"):
        with pytest.raises(ValueError, match="bước tải không hợp lệ"):
            parse_steps(wrong)


def _samples(step: int, route: str, start: float, rate: float, seconds: float, ms, late: float = 0.0,
             failed: int = 0) -> list[Sample]:
    count = int(rate * seconds)
    return [Sample(step, route, start + k / rate, start + k / rate + late, ms(k), ok=k >= failed,
                   error="" if k >= failed else "HTTP 500") for k in range(count)]


def test_figures_give_percentiles_rates_errors_and_the_goals():
    start = 0.0
    steps = [Step(10, 20), Step(20, 20), Step(40, 20)]
    samples = (_samples(0, mix.INBOX, 0.0, 10, 20, lambda k: 20.0 + k % 50)
               + _samples(1, mix.INBOX, 20.0, 20, 20, lambda k: 150.0 if k % 10 == 0 else 30.0)
               + _samples(2, mix.SEARCH, 40.0, 40, 20, lambda k: 50.0, late=0.5, failed=3))
    low, middle, high = figures(samples, steps, start, settle=5.0)
    inbox = low.routes[0]
    assert inbox.count == 150 and inbox.errors == 0  # the first 5 s are left out
    assert 60 <= inbox.p95 <= 69 and inbox.goal_ms == 100 and low.keeps_goals
    assert low.achieved_rate == pytest.approx(10.0) and low.late_share == 0.0
    assert middle.routes[0].p95 == 150.0 and not middle.keeps_goals  # one in ten at 150 ms
    assert middle.failures() == [f"{mix.INBOX} p95 150 ≥ 100 ms"]
    assert high.errors == 3 and high.late_share == 1.0 and not high.keeps_goals
    assert high.routes[0].p95_from_due == pytest.approx(550.0)
    assert highest_kept([low, middle, high]) == 10


def test_a_rate_the_load_tool_could_not_offer_is_not_kept():
    steps = [Step(50, 20)]
    samples = _samples(0, mix.INBOX, 0.0, 30, 20, lambda k: 10.0)  # only 30 of 50 per second left
    (only,) = figures(samples, steps, 0.0)
    assert only.achieved_rate == pytest.approx(30.0, abs=0.5) and not only.on_rate
    assert not only.keeps_goals and highest_kept([only]) is None


def test_the_upload_body_is_a_form_a_parser_reads_back():
    pdf = b"%PDF-1.7\n\x00\xff binary\r\n--not-a-boundary\r\n"
    body, content_type = encode_multipart({"subject": "Kế hoạch tiêm chủng", "csrf_token": "abc"},
                                          {"file": ("kh.pdf", pdf, "application/pdf")})
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    parts = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
    assert parts["subject"].get_payload(decode=True).decode("utf-8") == "Kế hoạch tiêm chủng"
    assert parts["csrf_token"].get_payload(decode=True) == b"abc"
    assert parts["file"].get_filename() == "kh.pdf" and parts["file"].get_payload(decode=True) == pdf
    assert parts["file"].get_content_type() == "application/pdf"
