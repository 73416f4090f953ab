"""Author statistics: a separate service that follows the Book module's integration events on
the broker and keeps, in a database of its own, how many books credit each author.

    python -m examples.author_statistics --broker amqp://guest:guest@127.0.0.1:5672/

    statistics   its own tables (SQLite): what it received, once per message id, and the credits
    contract     the published schemas: every message is checked against its own
    follower     the subscription to the broker (RabbitMQ or NATS JetStream), through FastStream
"""
