"""The one error type a user sees: where the problem is and what was expected."""

from __future__ import annotations

__all__ = ["DrugkgError"]


class DrugkgError(Exception):
    """A problem the user can act on. `exit_code` follows the CLI convention (2: could not run)."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        where: str | None = None,
        expected: str | None = None,
        exit_code: int = 2,
    ) -> None:
        self.message = message
        self.file = file
        self.where = where
        self.expected = expected
        self.exit_code = exit_code
        super().__init__(str(self))

    def __str__(self) -> str:
        place = ":".join(p for p in (self.file, self.where) if p)
        text = f"{place}: {self.message}" if place else self.message
        if self.expected:
            text += f" (expected {self.expected})"
        return text
