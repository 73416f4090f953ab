"""Reading a scrape of /metrics: every sample by name and labels, and what changed between two."""

from collections import Counter

from prometheus_client.parser import text_string_to_metric_families

Sample = tuple[str, frozenset[tuple[str, str]]]


def samples(text: str) -> dict[Sample, float]:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(scraped: dict[Sample, float], name: str, **labels: str) -> float:
    return scraped.get((name, frozenset(labels.items())), 0.0)


def requests_counted(before: dict[Sample, float],
                     after: dict[Sample, float]) -> Counter[tuple[str, str, str]]:
    """Requests answered between two scrapes, by (method, route, status)."""
    counted: Counter[tuple[str, str, str]] = Counter()
    for (name, labels), count in after.items():
        if name == "bookshelf_http_request_duration_seconds_count":
            shown = dict(labels)
            key = (shown["method"], shown["route"], shown["status"])
            counted[key] = int(count - before.get((name, labels), 0.0))
    return +counted  # only those that changed
