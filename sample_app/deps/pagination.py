"""Callable-instance dependency: ``Depends(pagination)`` calls ``pagination.__call__``."""

from dataclasses import dataclass

from fastapi import HTTPException, Query


@dataclass
class Page:
    offset: int
    limit: int


class Paginator:
    def __init__(self, max_limit: int) -> None:
        self.max_limit = max_limit

    def __call__(self, offset: int = Query(0, ge=0), limit: int = Query(20, ge=1)) -> Page:
        if limit > self.max_limit:
            raise HTTPException(422, detail=f"limit must be <= {self.max_limit}")
        return Page(offset=offset, limit=limit)


pagination = Paginator(max_limit=100)
