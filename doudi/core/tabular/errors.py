"""Row-level import errors in Chinese, naming file, sheet, row and column."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class RowError:
    file: str
    sheet: str
    row: int | None  # spreadsheet row number, header = 1; None for whole-file problems
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.sheet:
            where.append(f"工作表「{self.sheet}」")
        if self.row:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"「{self.column}」列")
        value = f"（值：{self.value}）" if self.value else ""
        return f"{' '.join(where)}：{self.message}{value}"


class ImportRejected(Exception):
    """The file cannot be imported; nothing was written."""

    def __init__(self, errors: list[RowError], total: int | None = None):
        self.errors = errors
        self.total = total if total is not None else len(errors)
        super().__init__(f"导入被拒绝：共{self.total}处错误")

    def as_dict(self) -> dict:
        """For `--json`: each listed error's place and its sentence; `total` counts the
        ones beyond the list too."""
        return {"status": "rejected", "total": self.total, "errors": [{**asdict(e), "text": str(e)} for e in self.errors]}


class ErrorList:
    """Collects errors, keeping the first `limit` in full and counting the rest."""

    def __init__(self, limit: int = 2000):
        self.items: list[RowError] = []
        self.total = 0
        self.limit = limit

    def add(self, error: RowError) -> None:
        self.total += 1
        if len(self.items) < self.limit:
            self.items.append(error)

    def add_first(self, error: RowError) -> None:
        """For the one message that says what to do about many rows: shown before them."""
        self.total += 1
        self.items.insert(0, error)
        del self.items[self.limit :]

    def __bool__(self) -> bool:
        return self.total > 0

    def raise_if_any(self) -> None:
        if self.total:
            raise ImportRejected(self.items, self.total)
