"""``POST /v1/similar``: the library's answer over HTTP, and clean refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from engine import similar
from service.app import create_app
from service.settings import Settings


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings()), base_url="http://127.0.0.1") as test_client:
        yield test_client


def test_similar_answers_what_the_library_answers(client: TestClient) -> None:
    body = {"sentence": "对用户发布的评论进行内容安全审核", "top": 3, "form": "app"}
    response = client.post("/v1/similar", json=body)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.content == similar(body["sentence"], top=3, form="app").model_dump_json().encode()
    result = response.json()
    assert result["suggested"]["subtype"] == "content_filtering" and len(result["matches"]) == 3


@pytest.mark.parametrize("sentence", ["", "x" * 10_000, "the weather is nice today"])
def test_a_sentence_matching_nothing(client: TestClient, sentence: str) -> None:
    response = client.post("/v1/similar", json={"sentence": sentence})
    assert response.status_code == 200
    result = response.json()
    assert (result["matches"], result["suggested"], result["query"]) == ([], None, sentence)


def test_an_english_sentence(client: TestClient) -> None:
    result = client.post("/v1/similar", json={"sentence": "Recommends products based on browsing history"}).json()
    assert result["suggested"]["type"] == "personalized_push"
    assert result["behaviours"][0]["behaviour"] == "recommend_by_profile"


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"sentence": "搜索", "type": "content_filterng"}, "type", "did you mean 'content_filtering'?"),
    ({"sentence": "搜索", "form": "ap"}, "form", "unknown form 'ap'"),
    ({"sentence": "搜索", "top": 0}, "top", "greater than or equal to 1"),
    ({"sentence": "搜索", "topp": 3}, "topp", "Extra inputs are not permitted"),
    ({}, "sentence", "Field required"),
    (["搜索"], None, "valid dictionary"),
])
def test_bad_requests_are_422_naming_the_field(client: TestClient, body: object, field: str | None,
                                               message: str) -> None:
    response = client.post("/v1/similar", json=body)
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert problem["field"] == field and message in problem["message"]


def test_the_route_is_in_the_openapi_document_and_behind_the_token(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    operation = document["paths"]["/v1/similar"]["post"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SimilarResult"}
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SimilarRequest"}
    assert document["components"]["schemas"]["SimilarRequest"]["required"] == ["sentence"]
    with TestClient(create_app(Settings(token=SecretStr("t" * 32))), base_url="http://127.0.0.1") as guarded:
        assert guarded.post("/v1/similar", json={"sentence": "搜索"}).status_code == 401
        ok = guarded.post("/v1/similar", json={"sentence": "搜索"}, headers={"Authorization": "Bearer " + "t" * 32})
        assert ok.status_code == 200
