from record_fixtures import world  # noqa: F401
