"""Turning a keyset slice into the page a client sees, with the link to the next one."""

from typing import Any, TypeVar

from fastapi import Request

from modules.shared_kernel.application.pages import Page, Slice

T = TypeVar("T")


def page_of(found: Slice[Any], request: Request, item_type: type[T]) -> Page[T]:
    """The page of `found`; `next` repeats the request's filters, after the last id shown."""
    next_link = next_page_link(request, after=found.items[-1].id) if found.more else None
    return Page[item_type](items=found.items, next=next_link)  # type: ignore[valid-type]


def next_page_link(request: Request, *, after: int) -> str:
    """This request's path and query with `after` set: a relative link, never a full URL.

    A full URL would be built from the request's scheme and Host: behind a TLS proxy those are
    the proxy's (http://internal-host), and the Host header is the client's to spoof, so a
    link built from it could send the next request anywhere.
    """
    url = request.url.include_query_params(after=str(after))
    return f"{url.path}?{url.query}"
