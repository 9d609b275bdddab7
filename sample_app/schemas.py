"""Pydantic request/response models."""

from pydantic import BaseModel, ConfigDict


class AuthorIn(BaseModel):
    name: str


class AuthorOut(AuthorIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class BookIn(BaseModel):
    title: str
    author_id: int


class BookOut(BookIn):
    model_config = ConfigDict(from_attributes=True)
    id: int


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    email: str
    role: str


class TokenRequest(BaseModel):
    username: str


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
