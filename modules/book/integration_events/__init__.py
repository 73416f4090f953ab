"""The Book module's published language: the integration events another service (or a
module moved out of this process) may follow on a broker.

    schemas/    one JSON schema per event and version: the contract itself. A published
                version never changes; a change is a new version (published.json holds the
                digest of every version published, and a test fails when a file drifts)
    contract    which integration events exist, their versions and channels
    mapping     domain event -> integration event: the domain's events stay internal

Ids are strings of digits, as in the HTTP API. Nothing here imports a framework: a consumer
needs only the schema files.
"""
