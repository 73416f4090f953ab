"""Turning a keyset slice into the page a client sees, with the link to the next one."""

from typing import Any, TypeVar

from fastapi import Request

from modules.shared_kernel.application.pages import Page, Slice

T = TypeVar("T")


def page_of(found: Slice[Any], request: Request, item_type: type[T]) -> Page[T]:
    """The page of `found`; `next` repeats the request's filters, after the last id shown."""
    next_url = None
    if found.more:
        next_url = str(request.url.include_query_params(after=str(found.items[-1].id)))
    return Page[item_type](items=found.items, next=next_url)  # type: ignore[valid-type]
