"""Swagger UI in a real browser (Debian's Chromium, driven by Playwright), offline: create an
author and a book through "Try it out"; the ids it shows are the API's exact strings."""

import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, async_playwright

from tests.system.databases import fresh_database
from tests.system.servers import ROOT, running_service

CHROMIUM = shutil.which("chromium")
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture
async def docs_page(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[Page, str]]:
    if CHROMIUM is None:
        pytest.skip("needs Chromium (Debian: apt-get install chromium); CI installs it")
    async with fresh_database(database_url, tmp_path) as url:
        with running_service(url, log=tmp_path / "uvicorn.log") as base_url:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=[
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
                page = await browser.new_page(viewport={"width": 1280, "height": 2400})
                await page.goto(f"{base_url}/docs")
                await page.wait_for_selector(".opblock", timeout=20_000)
                yield page, base_url
                await browser.close()


async def try_it_out(page: Page, operation: str, body: dict) -> dict:
    """Open an operation, fill its body, execute it; the response body Swagger UI shows."""
    block = page.locator(f"#operations-{operation}")
    await block.locator(".opblock-summary").click()
    await block.locator("button.try-out__btn").click()
    await block.locator("textarea.body-param__text").fill(json.dumps(body))
    await block.locator("button.execute").click()
    shown = block.locator(".live-responses-table .response-col_description pre").first
    await shown.wait_for(timeout=15_000)
    return dict(json.loads(await shown.inner_text()))


async def test_swagger_ui_creates_an_author_and_a_book_with_exact_ids(
    docs_page: tuple[Page, str],
) -> None:
    page, base_url = docs_page

    author = await try_it_out(page, "authors-add_author_authors_post",
                              {"first_name": "Han", "last_name": "Kang"})
    book = await try_it_out(page, "books-add_book_books_post", {
        "title": "The Vegetarian", "isbn": "978-89-364-3401-4", "pages": 192,
        "price": {"amount": 13500, "currency": "KRW"}, "publication_year": 2007,
        "author_ids": [author["id"]],
    })
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "swagger-try-it-out.png"), full_page=True)

    async with httpx.AsyncClient(base_url=base_url) as client:
        stored_author = (await client.get("/authors", params={"name": "Kang"})).json()["items"][0]
        stored_book = (await client.get("/books", params={"title": "Veget"})).json()["items"][0]
    assert author["id"] == stored_author["id"]  # the exact digits, not a rounded number
    assert book["id"] == stored_book["id"]
    assert book["authors"][0]["id"] == author["id"]
    assert int(author["id"]) > 2**53  # an id JavaScript would have rounded as a number
