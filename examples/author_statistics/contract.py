"""The Book module's published contract, as this service knows it: the schema files alone.

A service moved out of the repository keeps a copy of them (they never change under a
version; a new version is a new file) and points `--schemas` at it.
"""

import json
from pathlib import Path
from typing import Any

import jsonschema_rs

PUBLISHED_SCHEMAS = Path(__file__).resolve().parents[2] / "modules/book/integration_events/schemas"


class NotInTheContract(ValueError):
    pass


class PublishedContract:
    def __init__(self, schemas: Path = PUBLISHED_SCHEMAS) -> None:
        # One validator per "Type v<n>", from each schema's title.
        self._validators: dict[str, Any] = {}
        for file in schemas.glob("*.v*.json"):
            schema = json.loads(file.read_text())
            self._validators[schema["title"]] = jsonschema_rs.validator_for(
                schema, validate_formats=True)

    def check(self, message: Any) -> None:
        """Raise NotInTheContract unless `message` fits the schema of its type and version."""
        if not isinstance(message, dict):
            raise NotInTheContract("a message is a JSON object")
        validator = self._validators.get(f"{message.get('type')} v{message.get('version')}")
        if validator is None:
            raise NotInTheContract(f"no published schema for {message.get('type')!r} "
                                   f"version {message.get('version')!r}")
        errors = [error.message for error in validator.iter_errors(message)]
        if errors:
            raise NotInTheContract("; ".join(errors))
