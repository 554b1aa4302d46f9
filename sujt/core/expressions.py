"""SQL expressions the ORM lacks."""

from collections.abc import Iterable

from django.db.models import BooleanField, Expression, F


class InIds(Expression):
    """`field IN (ids)` for a long list of integer ids, usable in filter() and When().

    On PostgreSQL the list is one array parameter (`field = ANY(%s)`): Django's `__in` writes a
    placeholder per id, and for thousands of ids (a search's matching institutions) building and
    converting that statement costs more than running it. Elsewhere it is a plain IN list."""

    output_field = BooleanField()

    def __init__(self, field: str, ids: Iterable[int]) -> None:
        super().__init__()
        self.source = F(field)
        self.ids = sorted({int(pk) for pk in ids})

    def get_source_expressions(self) -> list:
        return [self.source]

    def set_source_expressions(self, exprs: list) -> None:
        (self.source,) = exprs

    def as_sql(self, compiler, connection, **extra):
        column, params = compiler.compile(self.source)
        if not self.ids:
            return "1 = 0", []
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s::bigint[])", [*params, self.ids]
        placeholders = ", ".join(["%s"] * len(self.ids))
        return f"{column} IN ({placeholders})", [*params, *self.ids]
