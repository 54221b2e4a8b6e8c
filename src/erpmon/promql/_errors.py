"""Query errors, typed as Prometheus's API reports them (errorType)."""

from __future__ import annotations


class QueryError(Exception):
    """A query that cannot be answered; `error_type` is the API's errorType."""

    error_type = "execution"


class QueryBadData(QueryError):
    error_type = "bad_data"


class QueryTimeout(QueryError):
    error_type = "timeout"


class TooManySamples(QueryError):
    def __init__(self, where: str = "query execution") -> None:
        super().__init__(f"query processing would load too many samples into memory in {where}")


class DuplicateLabelset(QueryError):
    def __init__(self) -> None:
        super().__init__("vector cannot contain metrics with the same labelset")
