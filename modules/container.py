"""The application container: settings, the database, the event bus, and the modules."""

from dependency_injector import containers, providers

from modules.author.container import AuthorContainer
from modules.book.container import BookContainer
from modules.settings import Settings
from modules.shared_kernel.application.event_bus import EventBus
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
    )
    session_factory = providers.Singleton(create_session_factory, engine)
    event_bus = providers.Singleton(EventBus)

    author = providers.Container(
        AuthorContainer, session_factory=session_factory, publish=event_bus.provided.publish
    )
    book = providers.Container(
        BookContainer,
        session_factory=session_factory,
        publish=event_bus.provided.publish,
        author_directory=author.directory,
    )
