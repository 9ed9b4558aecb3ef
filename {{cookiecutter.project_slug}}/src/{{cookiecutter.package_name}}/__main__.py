"""Serve the API: `python -m <package>` (host and port from `APP_HOST` and `APP_PORT`)."""

import uvicorn

from .logs import configure_logging
from .service.app import create_app
from .settings import Settings


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level, settings.redact_fields)
    uvicorn.run(create_app(), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
