"""The application container: settings, the database, the outbox, and the modules."""

import asyncio

from dependency_injector import containers, providers

from modules.author.container import AuthorContainer
from modules.book.container import BookContainer
from modules.settings import Settings
from modules.shared_kernel.application.listeners import Listeners
from modules.shared_kernel.infrastructure.broker.publisher import BrokerPublisher
from modules.shared_kernel.infrastructure.error_reports import ErrorReports
from modules.shared_kernel.infrastructure.metrics.service_metrics import metrics_for_this_process
from modules.shared_kernel.infrastructure.outbox.claims import PublicationClaims
from modules.shared_kernel.infrastructure.outbox.delivery import EventDelivery
from modules.shared_kernel.infrastructure.outbox.operations import PublicationOperations
from modules.shared_kernel.infrastructure.outbox.publication_log import PublicationLog
from modules.shared_kernel.infrastructure.outbox.relay import EventRelay
from modules.shared_kernel.infrastructure.tracing import Tracing
from modules.shared_kernel.infrastructure.unit_of_work import SqlAlchemyUnitOfWork
from persistence.database import create_engine, create_session_factory, read_pool_share
from persistence.reads import Reads
from persistence.turns import Turns


class ApplicationContainer(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)
    tracing = providers.Singleton(Tracing.from_environment)
    error_reports = providers.Singleton(ErrorReports, dsn=settings.provided.sentry_dsn)

    # Sync providers on purpose: an async Resource would make every dependant async too.
    # The app's lifespan disposes of the engine.
    engine = providers.Singleton(
        create_engine,
        url=settings.provided.database_url,
        echo=settings.provided.database_echo,
        pool_size=settings.provided.database_pool_size,
        connect_timeout_s=settings.provided.database_connect_timeout_s,
        statement_timeout_s=settings.provided.database_statement_timeout_s,
    )
    session_factory = providers.Singleton(create_session_factory, engine)
    # Units of work take their turn at the writers' pool in order (persistence/turns.py); as
    # many at once as the pool holds, its overflow left to the relay and the leases.
    write_turns = providers.Singleton(Turns, size=settings.provided.database_pool_size,
                                      wait_s=settings.provided.database_connect_timeout_s)
    # Queries' single-statement reads; on PostgreSQL a pool of their own (the lifespan closes it).
    reads = providers.Singleton(
        Reads, engine,
        pool_size=providers.Callable(read_pool_share, settings.provided.database_pool_size),
        connect_timeout_s=settings.provided.database_connect_timeout_s,
        statement_timeout_s=settings.provided.database_statement_timeout_s,
    )

    # None while METRICS_ENABLED is off: then nothing counts, and nothing is imported for it.
    metrics = providers.Singleton(metrics_for_this_process, settings)

    # The outbox: who listens, recording, claiming, delivering, the relay, operations.
    listeners = providers.Singleton(Listeners)
    publication_log = providers.Singleton(PublicationLog, listeners=listeners, settings=settings)
    publication_claims = providers.Singleton(PublicationClaims, engine=engine,
                                             listeners=listeners, settings=settings)
    relay_wakeup = providers.Singleton(asyncio.Event)
    event_delivery = providers.Singleton(EventDelivery, listeners=listeners,
                                         claims=publication_claims, settings=settings,
                                         relay_wakeup=relay_wakeup, tracing=tracing,
                                         error_reports=error_reports, metrics=metrics)
    publication_operations = providers.Singleton(PublicationOperations, engine=engine,
                                                 settings=settings)
    event_relay = providers.Singleton(EventRelay, claims=publication_claims,
                                      delivery=event_delivery,
                                      operations=publication_operations, settings=settings,
                                      wakeup=relay_wakeup, error_reports=error_reports)

    # Integration events out to BROKER_URL (only subscribed when it is set): one connection
    # per process. The outbound listeners' unit of work stores nothing of its own.
    broker_publisher = providers.Singleton(BrokerPublisher, url=settings.provided.broker_url)
    outbound_unit_of_work = providers.Factory(SqlAlchemyUnitOfWork,
                                              session_factory=session_factory,
                                              publication_log=publication_log,
                                              turns=write_turns)

    author = providers.Container(
        AuthorContainer, engine=engine, reads=reads, session_factory=session_factory,
        write_turns=write_turns,
        publication_log=publication_log, deliver=event_delivery.provided.after_commit,
    )
    book = providers.Container(
        BookContainer, reads=reads, session_factory=session_factory, write_turns=write_turns,
        publication_log=publication_log, deliver=event_delivery.provided.after_commit,
        author_directory=author.directory,
    )
