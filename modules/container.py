"""The application container: settings, the database, the event bus, and the modules."""

from dependency_injector import containers, providers

from modules.author.container import AuthorContainer
from modules.book.container import BookContainer
from modules.settings import Settings
from modules.shared_kernel.application.event_bus import EventBus
from modules.shared_kernel.infrastructure.event_publications import EventPublications
from modules.shared_kernel.infrastructure.event_relay import EventRelay
from modules.shared_kernel.infrastructure.outbox import Outbox
from persistence.database import create_engine, create_session_factory


class ApplicationContainer(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings)

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

    # Events: who listens (the bus), the publication log, delivery, and the relay.
    event_bus = providers.Singleton(EventBus)
    event_publications = providers.Singleton(
        EventPublications, engine=engine, bus=event_bus, settings=settings
    )
    outbox = providers.Singleton(Outbox, publications=event_publications, bus=event_bus,
                                 settings=settings)
    event_relay = providers.Singleton(EventRelay, outbox=outbox,
                                      publications=event_publications, settings=settings)

    author = providers.Container(AuthorContainer, engine=engine, session_factory=session_factory,
                                 outbox=outbox)
    book = providers.Container(
        BookContainer,
        engine=engine,
        session_factory=session_factory,
        outbox=outbox,
        author_directory=author.directory,
    )
