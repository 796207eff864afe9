"""Running Shiftline on a developer's machine: embedded PostgreSQL and Redis under ./var/,
the `make run` supervisor and the `make test` runner. Not imported by the application."""
