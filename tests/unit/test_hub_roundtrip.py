"""The real hub client against the simulator in-process (httpx ASGITransport): EDXML.md §9.2–§9.5."""

from __future__ import annotations

import httpx
import pytest

from devservers.hub.directory import DirectoryEntry, demo_directory, qd20_code
from devservers.hub.simulator import create_app
from devservers.hub.store import HubStore
from models.exchange.hub_client import HubClient, HubRejected, HubUnavailable
from models.exchange.hub_systems import HubSystem

OFFICE = "000.00.01.H23"  # system A: Văn phòng UBND tỉnh
MINISTRY = "000.00.00.G09"  # system B: Bộ Nội vụ
PACKAGE = b'<?xml version="1.0" encoding="UTF-8"?><edXML>opaque to the transport</edXML>'


@pytest.fixture
def store(tmp_path):
    store = HubStore(tmp_path / "hub.db")
    store.register_system(HubSystem("sys-a", "secret-a", (OFFICE,)))
    store.register_system(HubSystem("sys-b", "secret-b", (MINISTRY,)))
    store.seed_directory([
        DirectoryEntry(OFFICE, "Văn phòng Ủy ban nhân dân tỉnh Hà Nam"),
        DirectoryEntry(MINISTRY, "Bộ Nội vụ", old_code="000.00.00.G99"),  # a demo old code
        DirectoryEntry("000.00.20.H23", "Ủy ban nhân dân thành phố Phủ Lý", deleted=True),
    ])
    return store


@pytest.fixture
async def hub(store):
    """A factory of clients for the simulator, each on its own in-process transport."""
    app = create_app(store)
    opened: list[httpx.AsyncClient] = []

    def client(system_id: str, secret: str) -> HubClient:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub.test")
        opened.append(http)
        return HubClient("http://hub.test", system_id, secret, http=http)

    yield client
    for http in opened:
        await http.aclose()


async def test_send_list_fetch_ack_and_the_senders_view(hub):
    a, b = hub("sys-a", "secret-a"), hub("sys-b", "secret-b")
    sent = await a.send_edoc(PACKAGE, from_code=OFFICE, to_codes=[MINISTRY])
    assert sent.doc_id

    [waiting] = await b.received("edoc")
    assert (waiting.from_code, waiting.to_code, waiting.status) == (OFFICE, MINISTRY, "pending")
    assert waiting.message_type == "edoc" and waiting.created_at is not None
    assert await b.count_received("edoc") == 1
    assert await b.received("status") == []
    assert await a.received("edoc") == []  # nothing for the sender

    assert await b.fetch(waiting.doc_id) == PACKAGE  # the exact bytes
    assert await b.download(waiting.doc_id) == PACKAGE
    await b.done(waiting.doc_id)
    await b.done(waiting.doc_id)  # a repeated acknowledgement is harmless
    assert await b.received("edoc") == []

    [row] = await a.sent("edoc")
    assert (row.sender_doc_id, row.receiver_doc_id) == (sent.doc_id, waiting.doc_id)
    assert (row.from_code, row.to_code, row.send_status, row.receive_status) == (OFFICE, MINISTRY, "done", "done")
    assert row.received_time


async def test_a_fail_acknowledgement_carries_its_reason(hub):
    a, b = hub("sys-a", "secret-a"), hub("sys-b", "secret-b")
    await a.send_edoc(PACKAGE, from_code=OFFICE, to_codes=[MINISTRY])
    [waiting] = await b.received()
    await b.fetch(waiting.doc_id)
    await b.fail(waiting.doc_id, "Gói tin không đúng định dạng edXML")
    [row] = await a.sent()
    assert (row.receive_status, row.receive_status_desc) == ("fail", "Gói tin không đúng định dạng edXML")
    with pytest.raises(HubRejected) as caught:
        await b.done(waiting.doc_id)  # a different acknowledgement after the first is refused
    assert "đã được xác nhận" in caught.value.message


async def test_status_packages_travel_on_their_own_list(hub):
    a, b = hub("sys-a", "secret-a"), hub("sys-b", "secret-b")
    await b.send_edoc(b"<edXML>status 01</edXML>", from_code=MINISTRY, to_codes=[OFFICE], message_type="status")
    assert await a.received("edoc") == []
    [status] = await a.received("status")
    assert status.message_type == "status" and await a.count_received("status") == 1


async def test_an_unknown_recipient_is_refused_and_nothing_is_stored(hub):
    a, b = hub("sys-a", "secret-a"), hub("sys-b", "secret-b")
    with pytest.raises(HubRejected) as caught:
        await a.send_edoc(PACKAGE, from_code=OFFICE, to_codes=[MINISTRY, "000.00.99.X99"])
    assert "000.00.99.X99" in caught.value.message and caught.value.error_code == "404"
    assert await b.received() == [] and await a.sent() == []


async def test_an_old_code_is_routed_through_the_directory(hub):
    a, b = hub("sys-a", "secret-a"), hub("sys-b", "secret-b")
    await a.send_edoc(PACKAGE, from_code=OFFICE, to_codes=["000.00.00.G99"])
    [waiting] = await b.received()
    assert waiting.to_code == MINISTRY


async def test_sending_for_an_agency_the_system_does_not_serve_is_refused(hub):
    a = hub("sys-a", "secret-a")
    with pytest.raises(HubRejected) as caught:
        await a.send_edoc(PACKAGE, from_code=MINISTRY, to_codes=[OFFICE])
    assert caught.value.http_status == 403


async def test_a_wrong_secret_gets_401_with_a_clear_message(hub):
    intruder = hub("sys-a", "not-the-secret")
    with pytest.raises(HubRejected) as caught:
        await intruder.received()
    assert caught.value.http_status == 401
    assert "Chữ ký HMAC không đúng" in caught.value.message


async def test_an_unsigned_request_gets_401(hub, store):
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(store)), base_url="http://hub.test")
    async with http:
        response = await http.post("/getReceivedEdocList", headers={"XroadVnpt-messagetype": "edoc"})
    assert response.status_code == 401
    assert response.json()["status"] == "FAIL" and "thiếu chữ ký" in response.json()["ErrorDesc"]


async def test_a_retried_send_is_not_duplicated(hub):
    a, b = hub("sys-a", "secret-a"), hub("sys-b", "secret-b")
    first = await a.send_edoc(PACKAGE, from_code=OFFICE, to_codes=[MINISTRY])
    again = await a.send_edoc(PACKAGE, from_code=OFFICE, to_codes=[MINISTRY])  # content-derived key
    assert again.doc_id == first.doc_id
    keyed = await a.send_edoc(b"<edXML>2</edXML>", from_code=OFFICE, to_codes=[MINISTRY], idempotency_key="k-1")
    assert (await a.send_edoc(b"<edXML>2</edXML>", from_code=OFFICE, to_codes=[MINISTRY],
                              idempotency_key="k-1")).doc_id == keyed.doc_id
    with pytest.raises(HubRejected):  # the same key for other bytes is a client bug, not a retry
        await a.send_edoc(b"<edXML>3</edXML>", from_code=OFFICE, to_codes=[MINISTRY], idempotency_key="k-1")
    assert len(await b.received()) == 2 and len(await a.sent()) == 2


async def test_a_fetched_but_unacknowledged_package_is_offered_again(hub):
    """At-least-once delivery: a receiver that crashed before ``done`` sees the package again (§9.5)."""
    a, b = hub("sys-a", "secret-a"), hub("sys-b", "secret-b")
    await a.send_edoc(PACKAGE, from_code=OFFICE, to_codes=[MINISTRY])
    [first] = await b.received()
    await b.fetch(first.doc_id)
    [again] = await b.received()
    assert again.doc_id == first.doc_id and again.status == "fetched"
    assert await b.fetch(again.doc_id) == PACKAGE


async def test_another_systems_package_is_not_found(hub):
    a, b = hub("sys-a", "secret-a"), hub("sys-b", "secret-b")
    await a.send_edoc(PACKAGE, from_code=OFFICE, to_codes=[MINISTRY])
    [waiting] = await b.received()
    with pytest.raises(HubRejected) as caught:
        await a.fetch(waiting.doc_id)
    assert caught.value.http_status == 404


async def test_the_directory_lists_both_code_schemes_and_old_codes(hub):
    a = hub("sys-a", "secret-a")
    by_code = {agency.code: agency for agency in await a.agencies()}
    assert set(by_code) == {OFFICE, MINISTRY}  # closed units are left out of the plain list
    assert by_code[MINISTRY].old_code == "000.00.00.G99"
    qd20 = {agency.code102: agency for agency in await a.agencies_qd20()}
    assert qd20[OFFICE].code == "H23.01" and qd20[MINISTRY].code == "G09"
    units = {unit.code: unit for unit in await a.synchronize_units()}
    assert units["000.00.20.H23"].deleted and not units[OFFICE].deleted
    assert units[OFFICE].version == 1


def test_qd20_code_reverses_the_levels():
    assert qd20_code("000.00.00.H23") == "H23"
    assert qd20_code("000.01.20.H23") == "H23.20.01"
    assert qd20_code("001.02.03.G22") == "G22.03.02.001"


def test_demo_directory_has_a_rename_an_old_code_and_closed_units():
    entries = {entry.code102: entry for entry in demo_directory()}
    assert entries["000.00.05.H23"].version == 2
    assert entries["000.00.44.H23"].old_code == "000.00.21.H23"
    assert entries["000.00.20.H23"].deleted and entries[MINISTRY].name == "Bộ Nội vụ"


async def test_an_unreachable_hub_is_retryable():
    async with HubClient("http://127.0.0.1:9", "sys-a", "secret-a", timeout=2) as client:
        with pytest.raises(HubUnavailable):
            await client.received()


async def test_server_errors_are_retryable_and_fail_answers_are_rejections():
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("getSentEdocList"):
            return httpx.Response(503, text="bảo trì")
        return httpx.Response(200, json={"status": "FAIL", "ErrorCode": "17", "ErrorDesc": "Trục bận"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    async with http:
        client = HubClient("http://hub.test", "sys-a", "secret-a", http=http)
        with pytest.raises(HubUnavailable) as unavailable:
            await client.sent()
        assert unavailable.value.http_status == 503
        with pytest.raises(HubRejected) as rejected:
            await client.received()
        assert (rejected.value.error_code, rejected.value.message) == ("17", "Trục bận")
