"""Book endpoints. Mounted at /api/books by routers.api (nested include with its own dependencies)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from sample_app.deps import CurrentUser, WriterUser, api_version, audit_trail, pagination, require_role
from sample_app.deps.pagination import Page
from sample_app.schemas import BookIn, BookOut
from sample_app.services.books import BookRepository, BookService

router = APIRouter(tags=["books"], dependencies=[Depends(api_version)])


@router.get("", response_model=list[BookOut])
def list_books(
    service: Annotated[BookService, Depends()],
    page: Annotated[Page, Depends(pagination)],
    user: CurrentUser,
):
    return service.list_books(page)


@router.post("", response_model=BookOut, status_code=status.HTTP_201_CREATED)
async def create_book(
    payload: BookIn,
    user: WriterUser,
    service: Annotated[BookService, Depends()],
    audit: Annotated[list[str], Depends(audit_trail)],
):
    book = service.create_book(payload.title, payload.author_id)
    audit.append(f"{user.username} created book {book.id}")
    return book


@router.delete(
    "/{book_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(require_role("admin"))],
)
def delete_book(book_id: int, service: Annotated[BookService, Depends()]) -> Response:
    service.delete_book(book_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.api_route("/{book_id}/availability", methods=["GET"])
def book_availability(
    book_id: int,
    repo: Annotated[BookRepository, Depends(BookRepository.for_session)],
) -> dict:
    return {"book_id": book_id, "available": repo.get(book_id) is not None}


def get_book(book_id: int, service: Annotated[BookService, Depends()], user: CurrentUser):
    return service.get_book(book_id)


router.add_api_route("/{book_id}", get_book, methods=["GET"], response_model=BookOut)
