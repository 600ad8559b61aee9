"""One exception type for bad user input.

The CLI turns it into exactly one line on stderr and exit code 2, so every message must name the
file, column or parameter at fault and what was expected.
"""


class UserError(Exception):
    """Bad input from the user (file, column, parameter). Message is shown as-is, on one line."""

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))
