"""The README's pictures are drawn from the code: a committed one that no longer matches fails.

Only the DOT text is compared (redrawn in-process, no Graphviz needed); the SVGs are rendered
from it by the same command.
"""

import pytest

from images.generate import IMAGES, PICTURES, pictures

REGENERATE = "run `poetry run python images/generate.py` and commit images/"


@pytest.fixture(scope="module")
def drawn() -> dict[str, str]:
    return pictures()


@pytest.mark.parametrize("name", PICTURES)
def test_the_committed_picture_matches_the_code(drawn: dict[str, str], name: str) -> None:
    committed = IMAGES / f"{name}.dot"

    assert committed.is_file(), f"images/{name}.dot is missing: {REGENERATE}"
    assert committed.read_text(encoding="utf-8") == drawn[name], (
        f"images/{name}.dot no longer matches the code: {REGENERATE}"
    )


@pytest.mark.parametrize("name", PICTURES)
def test_the_picture_is_rendered(name: str) -> None:
    assert (IMAGES / f"{name}.svg").is_file(), f"images/{name}.svg is missing: {REGENERATE}"


def test_no_stale_picture_is_left_behind() -> None:
    committed = sorted(path.stem for path in IMAGES.glob("*.dot"))

    assert committed == sorted(PICTURES), "images/ holds a .dot that generate.py no longer draws"
