"""Use cases. The only callers of the store from the UI and the CLI."""


class ServiceError(ValueError):
    """Bad input to a use case; the message names the field and is safe to show as is."""
