"""The one exception type that reaches the user as a single line (exit code 2 from the CLI)."""


class UserError(Exception):
    """Bad input from the user: an unknown deck or card, a malformed file, a wrong parameter.

    The message is one line naming what is wrong and where (file:line, card id, parameter).
    """
