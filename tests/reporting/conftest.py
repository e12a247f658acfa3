from tests.record_fixtures import world  # noqa: F401
