from sample_app.db import SessionLocal
from sample_app.models import Book


def test_book_crud(client, alice, bob):
    author = client.post("/api/authors", json={"name": "Octavia Butler"}, headers=alice)
    assert author.status_code == 201
    author_id = author.json()["id"]

    created = client.post("/api/books", json={"title": " Kindred ", "author_id": author_id}, headers=alice)
    assert created.status_code == 201
    book = created.json()
    assert book["title"] == "Kindred"

    assert client.get(f"/api/books/{book['id']}", headers=bob).json() == book
    assert client.get(f"/api/authors/{author_id}/books", headers=bob).json() == [book]
    assert client.get(f"/api/books/{book['id']}/availability").json()["available"] is True

    assert client.delete(f"/api/books/{book['id']}", headers=alice).status_code == 204
    assert client.get(f"/api/books/{book['id']}", headers=bob).status_code == 404
    with SessionLocal() as db:
        assert db.get(Book, book["id"]) is None


def test_create_book_unknown_author(client, alice):
    assert client.post("/api/books", json={"title": "T", "author_id": 999}, headers=alice).status_code == 404


def test_pagination_instance_dependency(client, bob):
    r = client.get("/api/books", params={"limit": 1, "offset": 1}, headers=bob)
    assert [b["title"] for b in r.json()] == ["The Dispossessed"]
    assert client.get("/api/books", params={"limit": 101}, headers=bob).status_code == 422


def test_authors_listing_and_admin_only_create(client, bob):
    assert [a["name"] for a in client.get("/api/authors", headers=bob).json()] == ["Ursula K. Le Guin"]
    assert client.post("/api/authors", json={"name": "X"}, headers=bob).status_code == 403
