"""The JSON API, ``/api/v1``, over the five seed articles, on SQLite and on PostgreSQL.

The store is ingested once per backend (a module-scoped fixture) with three users: an editor
``ed``, a viewer ``vi`` and an admin ``boss``. Tests find what they need by name through the
API itself, never by guessing ids. Every request goes through ``Client``, which notes the
operation (method and path template) it exercised; the last test checks that every operation
in the OpenAPI document was exercised on each backend.

Corrections change the shared store: each test that makes one undoes it before it ends.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CAN_THO_SIGNING, CAN_THO_VISIT, CAO_BANG, HAI_PHONG, QUANG_NINH, SHARED, own_pg_database
from hoptac.store import users
from hoptac.store.db import connect
from hoptac.store.ingest import ingest
from hoptac.web.app import create_app

CAO_BANG_DEPARTMENT = "Sở Khoa học và Công nghệ tỉnh Cao Bằng"
INSTITUTE = "Viện Ứng dụng Công nghệ"  # the Cao Bằng department's partner
PASSWORDS = {"ed": "ed-password-1", "vi": "vi-password-1", "boss": "boss-password-1"}
V1 = "/api/v1"

# (method, path template) of every operation some test called, per backend.
COVERED: dict[str, set[tuple[str, str]]] = defaultdict(set)


class Client(TestClient):
    """A test client that notes which API operation each request exercised."""

    def __init__(self, app, backend: str, **kwargs) -> None:
        super().__init__(app, raise_server_exceptions=False, **kwargs)
        self.backend = backend
        self._templates = [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"), path, set(ops))
                           for path, ops in app.openapi()["paths"].items()]

    def request(self, method: str, url, *args, **kwargs):
        path = str(url).split("?", 1)[0]
        for pattern, template, methods in self._templates:
            if method.lower() in methods and pattern.match(path):
                COVERED[self.backend].add((method.lower(), template))
        return super().request(method, url, *args, **kwargs)


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request, tmp_path_factory) -> tuple[str, str]:
    """(backend, url) of a store holding the five seed articles and the users ed, vi and boss."""
    seeds = SHARED / "corpus" / "seeds"
    if not seeds.is_dir():
        pytest.skip(f"../shared is not beside the project ({SHARED}); the API tests read its seed articles")
    if request.param == "sqlite":
        url = str(tmp_path_factory.mktemp("api") / "store.db")
    else:
        if not os.environ.get("HOPTAC_TEST_PG"):
            pytest.skip("PostgreSQL store tests need HOPTAC_TEST_PG=postgresql://... (scripts/pg_test_server.sh DIR starts a server and prints it)")
        url = own_pg_database("api", os.environ["HOPTAC_TEST_PG"])
    engine = connect(url)
    summary = ingest(engine, [str(seeds)], jobs=1)
    assert (summary.added, summary.failed) == (5, [])
    with engine.begin() as conn:
        for name, role in (("ed", "editor"), ("vi", "viewer"), ("boss", "admin")):
            users.add_user(conn, name, PASSWORDS[name], role, actor="test_api")
    engine.dispose()
    return request.param, url


@pytest.fixture(scope="module")
def app(store):
    app = create_app(store[1])
    yield app
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def client(app, store) -> Iterator[Client]:
    with Client(app, store[0]) as c:
        yield c


@contextmanager
def fresh_client(store, **options) -> Iterator[Client]:
    """A client of a new app over the same store: a clean login throttle, or other options."""
    app = create_app(store[1], **options)
    try:
        with Client(app, store[0]) as c:
            yield c
    finally:
        app.state.engine.dispose()


@pytest.fixture(scope="module")
def tokens(client) -> dict[str, str]:
    out = {}
    for name, password in PASSWORDS.items():
        r = client.post(f"{V1}/auth/token", json={"name": name, "password": password, "label": "test_api"})
        assert r.status_code == 201, r.text
        out[name] = r.json()["token"]
    return out


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def ids(client) -> dict:
    """The ids of what the tests look at, found through the API by name."""
    docs = client.get(f"{V1}/documents", params={"limit": 200}).json()["items"]
    orgs = client.get(f"{V1}/organizations", params={"limit": 200}).json()["items"]
    people = client.get(f"{V1}/persons", params={"limit": 200}).json()["items"]
    org = {o["name"]: o["id"] for o in orgs}
    person = {p["name"]: p["id"] for p in people}
    document = {d["name"]: d["id"] for d in docs}
    (agreement,) = [a for a in client.get(f"{V1}/agreements", params={"limit": 200}).json()["items"]
                    if {p["name"] for p in a["parties"]} == {CAO_BANG_DEPARTMENT, INSTITUTE}]
    khoa = client.get(f"{V1}/persons/{person['Bế Đăng Khoa']}").json()
    (position,) = [p for p in khoa["positions"] if p["document_id"] == document[CAO_BANG]]
    return {"document": document, "org": org, "person": person, "agreement": agreement["id"], "position": position}


def error_of(r, status: int) -> dict:
    """The API's one error shape, with this status."""
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"].startswith("application/json")
    error = r.json()["error"]
    assert error["status"] == status
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], list)
    return error


def names(items: list[dict]) -> set[str]:
    return {i["name"] for i in items}


# ---------------------------------------------------------------------------- lists

LISTS = ["documents", "events", "agreements", "persons", "organizations"]


@pytest.mark.parametrize("kind", LISTS)
def test_a_list_answers_items_total_limit_and_offset(client, kind):
    r = client.get(f"{V1}/{kind}")
    assert r.status_code == 200
    page = r.json()
    assert set(page) == {"items", "total", "limit", "offset"}
    assert (page["limit"], page["offset"]) == (20, 0)
    assert page["items"] and page["total"] >= len(page["items"])


@pytest.mark.parametrize("kind", LISTS)
def test_pages_follow_each_other_without_overlap(client, kind):
    whole = client.get(f"{V1}/{kind}", params={"limit": 200}).json()
    first = client.get(f"{V1}/{kind}", params={"limit": 2}).json()
    second = client.get(f"{V1}/{kind}", params={"limit": 2, "offset": 2}).json()
    assert whole["total"] >= 3
    assert first["total"] == second["total"] == whole["total"]
    assert (second["limit"], second["offset"]) == (2, 2)
    first_ids, second_ids = [i["id"] for i in first["items"]], [i["id"] for i in second["items"]]
    assert len(first_ids) == 2 and second_ids and not set(first_ids) & set(second_ids)
    assert first_ids + second_ids == [i["id"] for i in whole["items"]][: len(first_ids) + len(second_ids)]


def test_offset_past_the_end_is_an_empty_page_with_the_total(client):
    page = client.get(f"{V1}/documents", params={"offset": 100}).json()
    assert (page["items"], page["total"]) == ([], 5)


@pytest.mark.parametrize("province", ["Cần Thơ", "can tho", "CẦN THƠ"])
def test_documents_of_a_province_with_or_without_accents(client, province):
    page = client.get(f"{V1}/documents", params={"province": province}).json()
    assert names(page["items"]) == {CAN_THO_VISIT, CAN_THO_SIGNING}
    assert page["total"] == 2


def test_documents_by_event_type_and_dates(client):
    signings = client.get(f"{V1}/documents", params={"event_type": "signing"}).json()["items"]
    assert names(signings) == {CAO_BANG, HAI_PHONG, CAN_THO_SIGNING}
    june = client.get(f"{V1}/documents", params={"from": "2022-05-01", "to": "2022-12-31"}).json()["items"]
    assert names(june) == {CAN_THO_VISIT}


def test_events_of_a_type_are_only_that_type(client, ids):
    page = client.get(f"{V1}/events", params={"type": "signing"}).json()
    assert page["total"] == 3
    assert {e["type"] for e in page["items"]} == {"signing"}
    by_id = {v: k for k, v in ids["document"].items()}
    assert {by_id[e["document_id"]] for e in page["items"]} == {CAO_BANG, HAI_PHONG, CAN_THO_SIGNING}
    visits = client.get(f"{V1}/events", params={"type": "working_visit"}).json()["items"]
    assert visits and {e["type"] for e in visits} == {"working_visit"}


def test_agreements_of_a_party_give_the_cao_bang_program(client, ids):
    page = client.get(f"{V1}/agreements", params={"party": ids["org"][CAO_BANG_DEPARTMENT]}).json()
    (program,) = page["items"]
    assert page["total"] == 1
    assert program["signed_on"] == "2022-04-25"
    assert program["period"] == {"start": 2022, "end": 2025}
    assert program["content_items"] == 8
    assert {p["name"] for p in program["parties"]} == {CAO_BANG_DEPARTMENT, INSTITUTE}
    assert program["document_id"] == ids["document"][CAO_BANG]


def test_agreements_by_province_and_year(client):
    assert client.get(f"{V1}/agreements", params={"province": "Hải Phòng"}).json()["total"] == 3
    assert client.get(f"{V1}/agreements", params={"year": 2022}).json()["total"] == 5
    assert client.get(f"{V1}/agreements", params={"year": 2019}).json()["total"] == 0


def test_persons_by_name_without_accents(client):
    (giang,) = client.get(f"{V1}/persons", params={"name": "giang"}).json()["items"]
    assert giang["name"] == "Nguyễn Hoàng Giang"
    assert giang["documents"] == 2


def test_organizations_by_full_name_province_and_kind(client):
    (department,) = client.get(f"{V1}/organizations", params={"name": CAO_BANG_DEPARTMENT}).json()["items"]
    assert department["name"] == CAO_BANG_DEPARTMENT
    can_tho = client.get(f"{V1}/organizations", params={"province": "can tho"}).json()["items"]
    assert can_tho and {o["province"] for o in can_tho} == {"Cần Thơ"}
    departments = client.get(f"{V1}/organizations", params={"kind": "provincial_department"}).json()["items"]
    assert {o["org_kind"] for o in departments} == {"provincial_department"}
    assert CAO_BANG_DEPARTMENT in names(departments)


# ---------------------------------------------------------------------------- one thing


@pytest.mark.parametrize("name", [CAO_BANG, HAI_PHONG, CAN_THO_VISIT, CAN_THO_SIGNING, QUANG_NINH])
def test_a_documents_facts_have_evidence_that_slices_its_text_to_the_sentence(client, ids, name):
    document = client.get(f"{V1}/documents/{ids['document'][name]}").json()
    assert document["name"] == name and document["text"]
    assert document["facts"]
    for fact in document["facts"]:
        assert fact["evidence"], fact
        for start, end in fact["evidence"]:
            quoted = document["text"][start:end]
            assert quoted.strip(), (fact["id"], start, end)
            assert quoted in fact["sentence"] or fact["sentence"] in quoted, (fact["id"], quoted, fact["sentence"])


def test_a_person_has_positions_history_and_documents(client, ids):
    giang = client.get(f"{V1}/persons/{ids['person']['Nguyễn Hoàng Giang']}").json()
    assert giang["name"] == "Nguyễn Hoàng Giang"
    assert giang["positions"] and all(p["title"] and p["document_id"] for p in giang["positions"])
    assert "Thứ trưởng Bộ Khoa học và Công nghệ" in {p["title"] for p in giang["positions"]}
    assert giang["history"] and all(h["first_seen"] <= h["last_seen"] for h in giang["history"] if h["first_seen"])
    assert names(giang["documents"]) == {CAO_BANG, CAN_THO_VISIT}


def test_an_organization_has_its_people_and_agreements(client, ids):
    department = client.get(f"{V1}/organizations/{ids['org'][CAO_BANG_DEPARTMENT]}").json()
    assert department["name"] == CAO_BANG_DEPARTMENT
    assert "Bế Đăng Khoa" in names(department["people"])
    assert [a["id"] for a in department["agreements"]] == [ids["agreement"]]
    assert names(department["documents"]) == {CAO_BANG}


def test_an_agreement_has_its_parties_resolved_to_organizations(client, ids):
    agreement = client.get(f"{V1}/agreements/{ids['agreement']}").json()
    assert agreement["signed_on"] == "2022-04-25"
    assert agreement["deleted"] is False
    assert {p["name"] for p in agreement["parties_resolved"]} == {CAO_BANG_DEPARTMENT, INSTITUTE}
    for party in agreement["parties_resolved"]:
        assert client.get(f"{V1}/organizations/{party['id']}").json()["name"] == party["name"]
    assert agreement["document"]["name"] == CAO_BANG


@pytest.mark.parametrize("depth", [1, 2])
def test_an_entitys_network_includes_its_agreement_partner(client, ids, depth):
    department, institute = ids["org"][CAO_BANG_DEPARTMENT], ids["org"][INSTITUTE]
    graph = client.get(f"{V1}/entities/{department}/network", params={"depth": depth}).json()
    assert graph["center"] == department
    assert {department, institute} <= {n["id"] for n in graph["nodes"]}
    assert any(e["kind"] == "agreement" and {e["source"], e["target"]} == {department, institute} for e in graph["edges"])


def test_the_network_links_organizations_by_agreements(client, ids):
    graph = client.get(f"{V1}/network").json()
    agreements = [e for e in graph["edges"] if e["kind"] == "agreement"]
    assert len(agreements) == 5
    pair = {ids["org"][CAO_BANG_DEPARTMENT], ids["org"][INSTITUTE]}
    assert any({e["source"], e["target"]} == pair for e in agreements)
    node_ids = {n["id"] for n in graph["nodes"]}
    assert all(e["source"] in node_ids and e["target"] in node_ids for e in graph["edges"])
    in_can_tho = client.get(f"{V1}/network", params={"province": "Cần Thơ"}).json()
    assert 0 < len(in_can_tho["edges"]) < len(graph["edges"])


def test_stats_count_documents_by_province(client):
    stats = client.get(f"{V1}/stats").json()
    assert stats["by_province"]["legacy"] == {"Cần Thơ": 2, "Cao Bằng": 1, "Hải Phòng": 1, "Quảng Ninh": 1}
    assert stats["totals"]["document"] == 5
    assert stats["totals"]["agreement"] == 5


@pytest.mark.parametrize("path", [
    "/documents/999999", "/persons/999999", "/organizations/999999", "/agreements/999999",
    "/entities/999999/network", "/corrections/999999",
])
def test_an_unknown_id_is_a_404(client, path):
    assert error_of(client.get(V1 + path), 404)["code"] == "not_found"


def test_a_thing_of_another_kind_is_a_404(client, ids):
    error_of(client.get(f"{V1}/persons/{ids['org'][CAO_BANG_DEPARTMENT]}"), 404)
    error_of(client.get(f"{V1}/organizations/{ids['person']['Nguyễn Hoàng Giang']}"), 404)
    error_of(client.get(f"{V1}/agreements/{ids['position']['fact_id']}"), 404)


# ---------------------------------------------------------------------------- search


def kinds_and_ids(items: list[dict]) -> list[tuple[str, int]]:
    return [(i["kind"], i["id"]) for i in items]


def test_search_can_tho_ranks_both_can_tho_articles_first_as_the_cli_does(client, store):
    r = client.get(f"{V1}/search", params={"q": "can tho"})
    found = r.json()
    assert set(found) == {"query", "items", "limit", "offset"} and found["query"] == "can tho"
    first_two = found["items"][:2]
    assert {i["kind"] for i in first_two} == {"document"}
    assert {i["extra"]["name"] for i in first_two} == {CAN_THO_VISIT, CAN_THO_SIGNING}
    cli = subprocess.run([sys.executable, "-m", "hoptac", "search", "can tho", "--db", store[1], "--json"],
                         capture_output=True, text=True, check=False)
    assert cli.returncode == 0, cli.stderr
    assert kinds_and_ids(found["items"]) == kinds_and_ids(json.loads(cli.stdout)["results"])


def test_search_pages_with_limit_and_offset(client):
    whole = client.get(f"{V1}/search", params={"q": "can tho"}).json()["items"]
    assert len(whole) >= 5
    first = client.get(f"{V1}/search", params={"q": "can tho", "limit": 2}).json()
    second = client.get(f"{V1}/search", params={"q": "can tho", "limit": 2, "offset": 2}).json()
    assert (first["limit"], second["offset"]) == (2, 2)
    assert kinds_and_ids(first["items"]) == kinds_and_ids(whole[:2])
    assert kinds_and_ids(second["items"]) == kinds_and_ids(whole[2:4])


def test_search_by_type(client):
    people = client.get(f"{V1}/search", params={"q": "nguyen", "type": "person"}).json()["items"]
    assert people and {i["kind"] for i in people} == {"person"}
    assert "Nguyễn Hoàng Giang" in {i["title"] for i in people}
    mixed = client.get(f"{V1}/search", params=[("q", "can tho"), ("type", "document"), ("type", "organization")]).json()["items"]
    assert {i["kind"] for i in mixed} == {"document", "organization"}


def test_search_with_filters(client):
    found = client.get(f"{V1}/search", params={"q": "ky ket", "province": "Cao Bằng", "type": "document"}).json()["items"]
    assert {i["extra"]["name"] for i in found} == {CAO_BANG}
    visits = client.get(f"{V1}/search", params={"event_type": "working_visit"}).json()["items"]
    assert {i["extra"]["name"] for i in visits} == {CAN_THO_VISIT, QUANG_NINH}


# ---------------------------------------------------------------------------- bad parameters

BAD = [
    "/documents?limit=0", "/documents?limit=abc", "/documents?limit=201", "/documents?limit=", "/documents?offset=-1",
    "/documents?offset=1.5", "/documents?from=2022-13-45", "/documents?from=2022-02-30", "/documents?from=yesterday",
    "/documents?to=2022-1-1", "/documents?event_type=bogus", "/documents?province=Atlantis", "/documents?org=Atlantis",
    "/documents?name=%00", "/events?type=bogus", "/events?from=2022-13-45", "/events?province=Atlantis",
    "/agreements?province=Atlantis", "/agreements?year=1800", "/agreements?party=0", "/agreements?party=99999999999999999999",
    "/persons?province=Atlantis", "/persons?limit=-5", "/organizations?province=Atlantis", "/organizations?kind=%00",
    "/search?type=bogus", "/search?q=" + "a" * 501, "/search?province=Atlantis", "/search?limit=0", "/search?from=2022-13-45",
    "/search?q=%00", "/network?province=Atlantis", "/network?year_from=abc", "/network?limit=0",
    "/entities/1/network?depth=9", "/entities/1/network?depth=0", "/corrections?status=bogus", "/corrections?limit=abc",
    "/documents/0", "/documents/-1", "/documents/abc", "/documents/99999999999999999999", "/documents/3000000000",
    "/persons/3000000000", "/organizations/99999999999999999999", "/agreements/1.5", "/corrections/99999999999999999999",
    "/entities/3000000000/network", "/programs?province=Atlantis", "/programs?year=1800", "/programs/0", "/programs/1?as_of=2022-02-30",
    "/alerts?rule=bogus", "/alerts?severity=extreme", "/alerts?as_of=yesterday",
]


@pytest.mark.parametrize("path", BAD)
def test_a_bad_parameter_is_a_400_never_a_500(client, path):
    assert error_of(client.get(V1 + path), 400)["code"] == "bad_request"


@pytest.mark.parametrize("value", ["99999999999999999999", "²"])
def test_an_impossible_org_or_person_id_is_not_a_500(client, value):
    for key in ("org", "person"):
        for endpoint in ("documents", "search"):
            r = client.get(f"{V1}/{endpoint}", params={key: value})
            assert r.status_code < 500, (endpoint, key, r.text)


QUERY_VALUES = st.one_of(
    st.text(max_size=25),
    st.integers(min_value=-10**22, max_value=10**22).map(str),
    st.dates().map(str),
    st.sampled_from(["", " ", "\x00", "a\x00b", "2022-13-45", "2022-02-30", "Cần Thơ", "can tho", "Atlantis", "signing", "bogus", "1e9",
                     "%", "_", "\\", "'", '"', "*", "NEAR", "a OR b", "-1", "0", "1", "200", "201", "person", "applied", "high",
                     "final_review_missing", "true"]),
)
QUERY_KEYS = st.sampled_from(["limit", "offset", "q", "province", "org", "person", "event_type", "type", "from", "to",
                              "party", "year", "name", "kind", "year_from", "year_to", "status", "depth", "unknown", "as_of", "rule",
                              "severity", "include_resolved"])
LIST_ENDPOINTS = ["documents", "events", "agreements", "persons", "organizations", "search", "network", "corrections", "programs", "alerts"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(endpoint=st.sampled_from(LIST_ENDPOINTS), params=st.lists(st.tuples(QUERY_KEYS, QUERY_VALUES), max_size=4))
def test_fuzzed_query_parameters_never_crash_the_api(client, endpoint, params):
    r = client.get(f"{V1}/{endpoint}", params=params)
    assert r.status_code < 500, (endpoint, params, r.text)
    if r.status_code >= 400:
        error_of(r, r.status_code)
    else:
        assert r.status_code == 200 and isinstance(r.json(), dict)


# ---------------------------------------------------------------------------- sign-in and tokens


def test_right_credentials_give_a_token(client):
    r = client.post(f"{V1}/auth/token", json={"name": "vi", "password": PASSWORDS["vi"], "label": "laptop"})
    assert r.status_code == 201
    body = r.json()
    assert body["user"] == "vi" and body["role"] == "viewer" and len(body["token"]) >= 32 and body["expires_at"]
    assert client.get(f"{V1}/documents", headers=bearer(body["token"])).status_code == 200


def test_wrong_credentials_are_a_401(store):
    with fresh_client(store) as c:
        error_of(c.post(f"{V1}/auth/token", json={"name": "ed", "password": "not-her-password"}), 401)
        error_of(c.post(f"{V1}/auth/token", json={"name": "nobody", "password": "whatever-it-is"}), 401)
        error_of(c.post(f"{V1}/auth/token", json={"name": "ed"}), 400)
        error_of(c.post(f"{V1}/auth/token", json={"name": "", "password": "x"}), 400)


def test_five_failures_lock_the_name_out_with_retry_after(store):
    with fresh_client(store) as c:
        for _ in range(5):
            error_of(c.post(f"{V1}/auth/token", json={"name": "ed", "password": "guess-guess"}), 401)
        locked = c.post(f"{V1}/auth/token", json={"name": "ed", "password": PASSWORDS["ed"]})
        assert error_of(locked, 429)["code"] == "too_many_requests"
        assert int(locked.headers["Retry-After"]) > 0
        # The name as sign-in reads it: spaces around it do not make a new name to guess for.
        error_of(c.post(f"{V1}/auth/token", json={"name": " ed ", "password": "guess-guess"}), 429)
        # Other users are not locked out.
        assert c.post(f"{V1}/auth/token", json={"name": "vi", "password": PASSWORDS["vi"]}).status_code == 201


def test_a_revoked_token_no_longer_works(client):
    token = client.post(f"{V1}/auth/token", json={"name": "ed", "password": PASSWORDS["ed"]}).json()["token"]
    assert client.get(f"{V1}/documents", headers=bearer(token)).status_code == 200
    r = client.delete(f"{V1}/auth/token", headers=bearer(token))
    assert r.status_code == 204 and r.content == b""
    error_of(client.get(f"{V1}/documents", headers=bearer(token)), 401)
    error_of(client.delete(f"{V1}/auth/token", headers=bearer(token)), 401)


def test_revoking_needs_a_token(client):
    error_of(client.delete(f"{V1}/auth/token"), 401)


def test_a_bogus_bearer_token_is_a_401_even_for_reading(client):
    r = client.get(f"{V1}/documents", headers=bearer("not-a-token"))
    error_of(r, 401)
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_a_private_server_needs_a_login_to_read(store, tokens):
    with fresh_client(store, private=True) as c:
        r = c.get(f"{V1}/documents")
        assert error_of(r, 401)["code"] == "unauthorized"
        assert r.headers["WWW-Authenticate"] == "Bearer"
        error_of(c.get(f"{V1}/search", params={"q": "can tho"}), 401)
        page = c.get(f"{V1}/documents", headers=bearer(tokens["vi"]))
        assert page.status_code == 200 and page.json()["total"] == 5


# ---------------------------------------------------------------------------- corrections


def document_fact(client, document_id: int, fact_id: int, **headers) -> tuple[dict, str]:
    r = client.get(f"{V1}/documents/{document_id}", headers=headers)
    assert r.status_code == 200
    (fact,) = [f for f in r.json()["facts"] if f["id"] == fact_id]
    return fact, r.headers["ETag"]


def test_corrections_need_an_editor(client, tokens, ids):
    body = {"action": "set", "fact_id": ids["position"]["fact_id"], "values": {"title": "Phó Giám đốc"}, "reason": "press release"}
    r = client.post(f"{V1}/corrections", json=body)
    error_of(r, 401)
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert error_of(client.post(f"{V1}/corrections", json=body, headers=bearer(tokens["vi"])), 403)["code"] == "forbidden"
    error_of(client.post(f"{V1}/corrections/1/undo", json={"reason": "no"}), 401)
    error_of(client.post(f"{V1}/corrections/1/undo", json={"reason": "no"}, headers=bearer(tokens["vi"])), 403)


def test_an_editors_correction_shows_at_once_and_undo_puts_it_back(client, tokens, ids):
    position, document_id = ids["position"], ids["document"][CAO_BANG]
    original, etag_before = document_fact(client, document_id, position["fact_id"])
    assert original["label"] == position["title"] and original["corrected"] is False
    new_title = "Phó Giám đốc Sở Khoa học và Công nghệ tỉnh Cao Bằng"

    r = client.post(f"{V1}/corrections", headers=bearer(tokens["ed"]), json={
        "action": "set", "fact_id": position["fact_id"], "values": {"title": new_title}, "reason": "checked the press release"})
    assert r.status_code == 201, r.text
    correction = r.json()
    assert correction["status"] == "applied"
    assert r.headers["Location"] == f"{V1}/corrections/{correction['id']}"

    corrected, etag_after = document_fact(client, document_id, position["fact_id"])
    assert (corrected["label"], corrected["data"]["title"], corrected["corrected"]) == (new_title, new_title, True)
    assert etag_after != etag_before
    khoa = client.get(f"{V1}/persons/{ids['person']['Bế Đăng Khoa']}").json()
    assert new_title in {p["title"] for p in khoa["positions"]}

    listed = client.get(f"{V1}/corrections", params={"status": "applied"}).json()
    (mine,) = [c for c in listed["items"] if c["id"] == correction["id"]]
    assert (mine["author"], mine["action"], mine["reason"]) == ("ed", "set", "checked the press release")
    assert listed["total"] >= 1 and set(listed) == {"items", "total", "limit", "offset"}
    assert client.get(f"{V1}/corrections/{correction['id']}").json()["author"] == "ed"

    undone = client.post(f"{V1}/corrections/{correction['id']}/undo", headers=bearer(tokens["ed"]), json={"reason": "wrong person"})
    assert undone.status_code == 200, undone.text
    assert undone.json()["status"] == "undone"
    restored, etag_restored = document_fact(client, document_id, position["fact_id"])
    assert (restored["label"], restored["corrected"]) == (position["title"], False)
    assert etag_restored != etag_after
    assert correction["id"] in {c["id"] for c in client.get(f"{V1}/corrections", params={"status": "undone"}).json()["items"]}
    # Undoing twice is refused, not a crash.
    error_of(client.post(f"{V1}/corrections/{correction['id']}/undo", headers=bearer(tokens["ed"]), json={"reason": "again"}), 400)


def test_an_admin_may_correct_too(client, tokens, ids):
    giang = ids["person"]["Nguyễn Hoàng Giang"]
    r = client.post(f"{V1}/corrections", headers=bearer(tokens["boss"]),
                    json={"action": "rename", "entity_id": giang, "name": "Nguyễn Hoàng Giang (Thứ trưởng)", "reason": "disambiguation"})
    assert r.status_code == 201, r.text
    assert client.get(f"{V1}/persons/{giang}").json()["name"] == "Nguyễn Hoàng Giang (Thứ trưởng)"
    client.post(f"{V1}/corrections/{r.json()['id']}/undo", headers=bearer(tokens["boss"]), json={"reason": "test over"})
    assert client.get(f"{V1}/persons/{giang}").json()["name"] == "Nguyễn Hoàng Giang"


def test_undoing_an_unknown_correction_is_a_404(client, tokens):
    error_of(client.post(f"{V1}/corrections/999999/undo", headers=bearer(tokens["ed"]), json={"reason": "x"}), 404)
    error_of(client.post(f"{V1}/corrections/99999999999999999999/undo", headers=bearer(tokens["ed"]), json={"reason": "x"}), 400)
    error_of(client.post(f"{V1}/corrections/1/undo", headers=bearer(tokens["ed"]), json={}), 400)


def bad_bodies(ids) -> list[dict]:
    fact = ids["position"]["fact_id"]
    giang, department = ids["person"]["Nguyễn Hoàng Giang"], ids["org"][CAO_BANG_DEPARTMENT]
    return [
        {},
        {"action": "set", "fact_id": fact, "values": {"title": "x"}},  # no reason
        {"action": "set", "fact_id": fact, "values": {"title": "x"}, "reason": ""},
        {"action": "set", "reason": "r"},  # no fact_id, no values
        {"action": "set", "fact_id": fact, "reason": "r"},  # no values
        {"action": "frobnicate", "fact_id": fact, "reason": "r"},
        {"action": "set", "fact_id": fact, "values": {"colour": "red"}, "reason": "r"},  # no such field
        {"action": "set", "fact_id": "abc", "values": {"title": "x"}, "reason": "r"},
        {"action": "set", "fact_id": 0, "values": {"title": "x"}, "reason": "r"},
        {"action": "set", "fact_id": 2147483647, "values": {"title": "x"}, "reason": "r"},  # no such fact
        {"action": "set", "fact_id": 99999999999999999999, "values": {"title": "x"}, "reason": "r"},
        {"action": "set", "fact_id": fact, "values": ["title", "x"], "reason": "r"},
        {"action": "set", "fact_id": fact, "values": {"title": "x\x00y"}, "reason": "r"},
        {"action": "delete", "reason": "r"},
        {"action": "delete", "fact_id": 2147483647, "reason": "r"},
        {"action": "add", "document_id": ids["document"][CAO_BANG], "reason": "r"},  # no kind, no data
        {"action": "add", "document_id": 2147483647, "kind": "event", "data": {"label": "x"}, "reason": "r"},
        {"action": "add", "document_id": ids["document"][CAO_BANG], "kind": "rumour", "data": {}, "reason": "r"},
        {"action": "merge", "entity_id": giang, "into_id": department, "reason": "r"},  # a person into an organization
        # values a fact of its kind cannot hold: each would break the pages that read it
        {"action": "set", "fact_id": fact, "values": {"title": {"vi": "x"}}, "reason": "r"},
        {"action": "set", "fact_id": fact, "values": {"title": ["x"]}, "reason": "r"},
        {"action": "set", "fact_id": fact, "values": {"title": "x" * 5000}, "reason": "r"},
        {"action": "set", "fact_id": fact, "values": {"title": "   "}, "reason": "r"},
        {"action": "set", "fact_id": ids["agreement"], "values": {"period": "2024"}, "reason": "r"},
        {"action": "set", "fact_id": ids["agreement"], "values": {"content_items": "many"}, "reason": "r"},
        {"action": "set", "fact_id": ids["agreement"], "values": {"signed_on": "9999-12-31"}, "reason": "r"},
        {"action": "add", "document_id": ids["document"][CAO_BANG], "kind": "legal_ref", "data": {"number": {"x": 1}}, "reason": "r"},
        {"action": "add", "document_id": ids["document"][CAO_BANG], "kind": "commitment", "data": {"text": "x"}, "reason": "r"},  # no kind
        {"action": "add", "document_id": ids["document"][CAO_BANG], "kind": "event", "data": {"type": "signing", "colour": "red"}, "reason": "r"},
        {"action": "add", "document_id": ids["document"][CAO_BANG], "kind": "agreement", "data": "many", "reason": "r"},
        {"action": "merge", "entity_id": giang, "reason": "r"},
        {"action": "merge", "entity_id": giang, "into_id": 2147483647, "reason": "r"},
        {"action": "split", "fact_id": ids["agreement"], "reason": "r"},  # only mentions of people and organizations split
        {"action": "rename", "entity_id": giang, "name": "", "reason": "r"},
        {"action": "rename", "entity_id": giang, "name": "   ", "reason": "r"},
        {"action": "rename", "entity_id": giang, "name": "Giang\x00", "reason": "r"},
        {"action": "rename", "entity_id": giang, "name": "Giang", "reason": "r\x00"},
        {"action": "rename", "entity_id": giang, "name": "x" * 501, "reason": "r"},
    ]


def test_bad_correction_bodies_are_400s_and_change_nothing(client, tokens, ids):
    total = client.get(f"{V1}/corrections").json()["total"]
    for body in bad_bodies(ids):
        r = client.post(f"{V1}/corrections", json=body, headers=bearer(tokens["ed"]))
        assert error_of(r, 400)["code"] == "bad_request", body
    for raw in (b"not json", b"[]", b"null", b'"set"'):
        r = client.post(f"{V1}/corrections", content=raw, headers=bearer(tokens["ed"]) | {"Content-Type": "application/json"})
        error_of(r, 400)
    assert client.get(f"{V1}/corrections").json()["total"] == total
    assert client.get(f"{V1}/persons/{ids['person']['Nguyễn Hoàng Giang']}").json()["name"] == "Nguyễn Hoàng Giang"


def test_the_400_for_a_bad_value_names_the_field(client, tokens, ids):
    body = {"action": "set", "fact_id": ids["agreement"], "values": {"content_items": "many"}, "reason": "r"}
    assert "content_items" in error_of(client.post(f"{V1}/corrections", json=body, headers=bearer(tokens["ed"])), 400)["message"]


def test_an_agreement_an_editor_adds_without_a_title_has_its_pages(client, tokens, ids):
    body = {"action": "add", "document_id": ids["document"][CAO_BANG], "kind": "agreement", "reason": "r",
            "data": {"kind": "cooperation_agreement", "parties": ["Sở Khoa học và Công nghệ tỉnh Cao Bằng"], "signed_on": "2022-04-25",
                     "period": {"start": 2022, "end": 2025}}}
    r = client.post(f"{V1}/corrections", json=body, headers=bearer(tokens["ed"]))
    assert r.status_code == 201, r.text
    try:
        facts = client.get(f"{V1}/documents/{ids['document'][CAO_BANG]}").json()["facts"]
        (added,) = [f for f in facts if f["kind"] == "agreement" and f["origin"] == "analyst"]
        assert client.get(f"{V1}/agreements/{added['id']}").status_code == 200
        assert client.get(f"/agreements/{added['id']}").status_code == 200
        assert client.get(f"/documents/{ids['document'][CAO_BANG]}").status_code == 200
        assert client.get(f"{V1}/agreements", params={"limit": 200}).status_code == 200
    finally:
        client.post(f"{V1}/corrections/{r.json()['id']}/undo", json={"reason": "test over"}, headers=bearer(tokens["ed"]))


def test_a_cookie_session_must_send_its_csrf_token_to_change(app, store, ids):
    with app.state.engine.begin() as conn:
        token, session = users.open_session(conn, users.get_user(conn, "ed"), "web")
    body = {"action": "set", "fact_id": ids["position"]["fact_id"], "values": {"title": "Phó Giám đốc"}, "reason": "from the site"}
    with Client(app, store[0], cookies={"hoptac_session": token}) as c:
        assert error_of(c.post(f"{V1}/corrections", json=body), 403)["code"] == "forbidden"
        error_of(c.post(f"{V1}/corrections", json=body, headers={"X-CSRF-Token": "forged"}), 403)
        r = c.post(f"{V1}/corrections", json=body, headers={"X-CSRF-Token": session.csrf})
        assert r.status_code == 201, r.text
        undone = c.post(f"{V1}/corrections/{r.json()['id']}/undo", json={"reason": "test over"}, headers={"X-CSRF-Token": session.csrf})
        assert undone.json()["status"] == "undone"
        # A cookie is not a token: it cannot be revoked through the API.
        error_of(c.delete(f"{V1}/auth/token"), 401)


# ---------------------------------------------------------------------------- caching and headers


def every_get(ids) -> list[str]:
    department = ids["org"][CAO_BANG_DEPARTMENT]
    return [f"{V1}/{kind}" for kind in LISTS] + [
        f"{V1}/documents/{ids['document'][CAO_BANG]}", f"{V1}/persons/{ids['person']['Nguyễn Hoàng Giang']}",
        f"{V1}/organizations/{department}", f"{V1}/agreements/{ids['agreement']}", f"{V1}/entities/{department}/network",
        f"{V1}/network", f"{V1}/stats", f"{V1}/search?q=can%20tho", f"{V1}/corrections", "/api/openapi.json",
    ]


def test_every_successful_get_has_an_etag_that_spares_the_body(client, ids):
    for url in every_get(ids):
        r = client.get(url)
        assert r.status_code == 200, url
        etag = r.headers["ETag"]
        assert re.fullmatch(r'"[0-9a-f]+"', etag), (url, etag)
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304, url
        assert again.content == b"" and again.headers["ETag"] == etag
        assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_errors_carry_no_etag(client):
    assert "ETag" not in client.get(f"{V1}/documents/999999").headers
    assert "ETag" not in client.get(f"{V1}/documents?limit=0").headers


@pytest.mark.parametrize("path", ["/documents", "/documents/999999", "/documents?limit=0", "/corrections/1/undo"])
def test_api_responses_carry_the_security_headers(client, path):
    r = client.post(V1 + path, json={}) if path.endswith("undo") else client.get(V1 + path)
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"


def test_a_304_carries_the_security_headers_too(client):
    etag = client.get(f"{V1}/stats").headers["ETag"]
    r = client.get(f"{V1}/stats", headers={"If-None-Match": etag})
    assert r.status_code == 304
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["X-Frame-Options"] == "DENY"


def test_an_unknown_api_path_or_method_keeps_the_error_shape(client):
    assert error_of(client.get(f"{V1}/nothing-here"), 404)["code"] == "not_found"
    assert error_of(client.post(f"{V1}/documents", json={}), 405)["code"] == "method_not_allowed"


# ---------------------------------------------------------------------------- follow-up of programs (in depth: test_track_web.py)


@pytest.fixture(scope="module")
def program_ids(client) -> dict[str, int]:
    return {province: client.get(f"{V1}/programs", params={"province": province}).json()["items"][0]["id"] for province in ("Cao Bằng", "Cần Thơ")}


def test_programs_a_program_and_its_alerts(client, program_ids):
    page = client.get(f"{V1}/programs").json()
    assert set(page) == {"items", "total", "limit", "offset"} and page["total"] == 5
    program = client.get(f"{V1}/programs/{program_ids['Cao Bằng']}", params={"as_of": "2026-11-22"}).json()
    assert {p["name"] for p in program["parties"]} == {CAO_BANG_DEPARTMENT, INSTITUTE}
    assert {"action_plan_missing", "interim_review_missing", "final_review_missing"} <= {a["rule"] for a in program["alerts"]}
    alerts = client.get(f"{V1}/alerts", params={"as_of": "2022-05-01", "province": "Cao Bằng"}).json()
    assert (alerts["as_of"], alerts["items"], alerts["total"]) == ("2022-05-01", [], 0)


def follow_up_changes(program_id: int, commitment_id: int, link_id: int, document_id: int) -> list[tuple[str, str, dict]]:
    """Each change an editor can make to a program, and one that takes it back where there is one."""
    reason = {"reason": "test_api"}
    return [
        ("post", f"/programs/{program_id}/action-items", {"title": "Kế hoạch thử", "status": "cancelled", **reason}),
        ("patch", f"/commitments/{commitment_id}", {"status": "fulfilled", "evidence": "Báo cáo số 1", **reason}),
        ("patch", f"/commitments/{commitment_id}", {"status": "open", **reason}),
        ("post", f"/programs/{program_id}/commitments", {"kind": "other", "text": "Cam kết thử", **reason}),
        ("put", f"/programs/{program_id}/points/1", {"status": "unknown", **reason}),
        ("post", f"/programs/{program_id}/notes", {"text": "Ghi chú thử", **reason}),
        ("post", f"/program-links/{link_id}/decision", {"decision": "confirmed", **reason}),
        ("post", f"/programs/{program_id}/links", {"document_id": document_id, "role": "visit", **reason}),
        ("post", "/alerts/decision", {"key": f"final_review_missing/{program_id}/program", "decision": "resolved", **reason}),
        ("post", "/alerts/decision", {"key": f"final_review_missing/{program_id}/program", "decision": "reopened", **reason}),
    ]


def test_follow_up_changes_need_an_editor_and_then_land(client, tokens, ids, program_ids):
    program_id = program_ids["Cần Thơ"]
    program = client.get(f"{V1}/programs/{program_id}").json()
    requests = follow_up_changes(program_id, program["commitments"][0]["id"], program["links"][0]["id"], ids["document"][CAN_THO_VISIT])
    for method, path, body in requests:
        error_of(client.request(method, V1 + path, json=body), 401)
        error_of(client.request(method, V1 + path, json=body, headers=bearer(tokens["vi"])), 403)
    assert client.get(f"{V1}/programs/{program_id}").json() == program
    for method, path, body in requests:
        r = client.request(method, V1 + path, json=body, headers=bearer(tokens["ed"]))
        assert r.status_code in (200, 201), (path, r.text)
    changed = client.get(f"{V1}/programs/{program_id}").json()
    assert [n["text"] for n in changed["notes"]] == ["Ghi chú thử"] and "Cam kết thử" in {c["text"] for c in changed["commitments"]}
    assert CAN_THO_VISIT in {x["document_key"] for x in changed["links"]} and [i["status"] for i in changed["action_items"]] == ["cancelled"]
    item = changed["action_items"][0]["id"]
    r = client.patch(f"{V1}/action-items/{item}", json={"title": "Kế hoạch thử (sửa)", "reason": "test_api"}, headers=bearer(tokens["ed"]))
    assert r.status_code == 200 and client.get(f"{V1}/programs/{program_id}").json()["action_items"][0]["title"] == "Kế hoạch thử (sửa)"
    error_of(client.patch(f"{V1}/commitments/{program['commitments'][0]['id']}", json={"status": "fulfilled", "reason": "no evidence"},
                          headers=bearer(tokens["ed"])), 400)


# ---------------------------------------------------------------------------- the API's own description


def test_the_openapi_document_lists_the_endpoints(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    paths = json.loads(r.text)["paths"]
    assert {f"{V1}/documents", f"{V1}/documents/{{document_id}}", f"{V1}/search", f"{V1}/corrections", f"{V1}/auth/token"} <= set(paths)
    assert set(paths["/api/v1/corrections"]) == {"get", "post"}


def swagger_assets(client) -> list[str]:
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    return re.findall(r'(?:src|href)="([^"]+)"', page.text)


def test_the_docs_page_loads_swagger_from_this_site(client):
    assets = swagger_assets(client)
    assert {"/static/swagger/swagger-ui-bundle.js", "/static/swagger/swagger-ui.css"} <= set(assets)
    assert all(a.startswith("/") and not a.startswith("//") for a in assets), assets  # no CDN


def test_the_docs_pages_swagger_files_are_served(client):
    for asset in swagger_assets(client):
        assert client.get(asset).status_code == 200, asset


# ---------------------------------------------------------------------------- every operation is exercised


def test_every_operation_in_the_openapi_document_is_exercised(request, client, store):
    """Keep last: the other tests of this backend have run and noted what they called."""
    module_tests = {name for name in dir(request.module) if name.startswith("test_")}
    selected = {item.originalname for item in request.session.items if item.module is request.module}
    if selected != module_tests:
        pytest.skip("needs the whole of test_api.py to have run")
    operations = {(method, path) for path, ops in client.app.openapi()["paths"].items() for method in ops}
    assert len(operations) >= 19
    assert operations - COVERED[store[0]] == set()


@pytest.mark.parametrize("depth", [40, 500, 999, 100_000])
def test_a_body_nested_deep_is_a_400_not_a_crash(client, tokens, depth):
    nested = "[" * depth + "]" * depth
    for path, body in ((f"{V1}/auth/token", f'{{"name": {nested}, "password": "x"}}'),
                       (f"{V1}/corrections", f'{{"action": "set", "reason": "r", "fact_id": 1, "values": {{"title": {nested}}}}}')):
        r = client.post(path, content=body, headers={"content-type": "application/json", **bearer(tokens["ed"])})
        assert error_of(r, 400)["message"]


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, tokens):
    huge = json.dumps({"action": "set", "reason": "r" * (2 << 20), "fact_id": 1, "values": {"title": "x"}})
    r = client.post(f"{V1}/corrections", content=huge, headers={"content-type": "application/json", **bearer(tokens["ed"])})
    assert error_of(r, 413)["code"] == "too_large"
    assert r.headers["x-content-type-options"] == "nosniff"
