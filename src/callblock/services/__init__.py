"""Use cases. The only callers of the store from the UI and the CLI."""


class ServiceError(ValueError):
    """Bad input to a use case; the message names the field and is safe to show as is."""


def checked_line(value: object, field: str, max_len: int | None = None) -> str:
    """One line of outside text, cleaned; longer than its limit is refused naming `field`."""
    from callblock.domain.text import FIELD_MAX, TooLongError, fit_line

    try:
        return fit_line(value, FIELD_MAX if max_len is None else max_len, field=field)
    except TooLongError as error:
        raise ServiceError(str(error)) from None


def checked_block(value: object, field: str, max_len: int | None = None) -> str:
    """Multi-line outside text (notes), cleaned; longer than its limit is refused."""
    from callblock.domain.text import NOTE_MAX, TooLongError, fit_block

    try:
        return fit_block(value, NOTE_MAX if max_len is None else max_len, field=field)
    except TooLongError as error:
        raise ServiceError(str(error)) from None


def checked_email(value: object, field: str = "email") -> str:
    """An email address as every entry point checks it (the import's check): '' or valid."""
    from callblock.domain.contacts import email_problem

    text = checked_line(value, field)
    if problem := email_problem(text):
        raise ServiceError(f"{field}: {problem}")
    return text
