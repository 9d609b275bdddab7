"""Create tables and seed the toy users (alice = admin, bob = member) plus a few books."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from sample_app.db import Base, SessionLocal, engine
from sample_app.models import Author, Book, User

USERS = [
    ("alice", "alice@example.com", "alice-token", "admin"),
    ("bob", "bob@example.com", "bob-token", "member"),
]


def seed(session: Session) -> None:
    if session.scalar(select(User).limit(1)) is not None:
        return
    for username, email, token, role in USERS:
        session.add(User(username=username, email=email, token=token, role=role))
    le_guin = Author(name="Ursula K. Le Guin")
    session.add_all([
        Book(title="A Wizard of Earthsea", author=le_guin),
        Book(title="The Dispossessed", author=le_guin),
    ])
    session.commit()


def init_db() -> None:
    Base.metadata.create_all(engine)
    with SessionLocal() as session:
        seed(session)
