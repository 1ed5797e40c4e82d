"""The one exception the rules raise for a user's mistake (bad parameter file, bad input)."""


class RulesError(ValueError):
    """Carries one or more Chinese messages, each naming the file/key or household/field.

    The rules refuse to run rather than guess: callers print `str(exc)` and exit non-zero.
    """

    def __init__(self, messages: str | list[str]):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))
