def test_missing_token_is_401(client):
    r = client.get("/api/books")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"


def test_unknown_token_is_401(client):
    assert client.get("/api/books", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_member_lacks_write_scope(client, bob):
    r = client.post("/api/books", json={"title": "X", "author_id": 1}, headers=bob)
    assert r.status_code == 403
    assert "books:write" in r.json()["detail"]


def test_role_factory_blocks_member(client, bob, alice):
    assert client.get("/api/users", headers=bob).status_code == 403
    assert client.delete("/api/books/1", headers=bob).status_code == 403
    r = client.get("/api/users", headers=alice)
    assert r.status_code == 200
    assert [u["username"] for u in r.json()] == ["alice", "bob"]


def test_me_and_token(client, bob):
    r = client.get("/api/users/me", headers=bob)
    assert r.status_code == 200
    assert r.json()["user"]["role"] == "member"
    assert "server_time" in r.json()
    assert client.post("/token", json={"username": "alice"}).json()["access_token"] == "alice-token"
    assert client.post("/token", json={"username": "eve"}).status_code == 400
