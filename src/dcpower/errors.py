"""Exceptions raised by dcpower.

Every message is one line that says what is wrong and what to do next; the CLI prints it
as ``Error: <message>`` and exits with status 2.
"""


class DcpowerError(ValueError):
    """Base class of every error dcpower raises on purpose.

    It is a :class:`ValueError`: every expected failure comes from a value (an option, a
    field, a file's content) that dcpower cannot use, so ``except ValueError`` catches it too.
    """


class InputError(DcpowerError):
    """A user-supplied value (option, scenario field, --set) is invalid."""


class SpecError(DcpowerError):
    """A spec file or spec entry is malformed, incomplete or inconsistent."""


class WeatherError(DcpowerError):
    """A weather file cannot be read or holds values outside physical limits."""


class DcpowerWarning(UserWarning):
    """A result that holds but needs the reader's attention (a plant that misses its supply
    temperature, a design load above the grid allocation...). The library issues it through
    :mod:`warnings`; the CLI prints it on stderr, JSON lists it under ``warnings``."""
