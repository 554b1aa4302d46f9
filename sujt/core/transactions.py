"""`run_on_rollback`: the counterpart of `transaction.on_commit` that Django does not have.

A rollback undoes rows, not what a transaction did outside the database (a file written to storage).
`run_on_rollback(func)` registers that undoing: `func` runs as soon as the atomic block that was open at
registration, or any block around it, rolls back; it is forgotten when the outermost transaction
commits. The bookkeeping is `on_commit`'s: each callback remembers the savepoints of the atomic blocks
open when it was registered, so

- a nested block that rolls back (an exception leaving `atomic()`, caught further out) runs the
  callbacks registered inside it, and only those;
- a nested block that succeeds keeps its callbacks pending for the blocks around it: a later rollback
  of any of them, or of the outermost transaction, runs them;
- the outermost commit drops them all without running them.

Django offers no hook at the end of a transaction, so the first registration on a connection wraps four
methods of that connection object — `savepoint_rollback`, `rollback`, `commit` and `close`, the only ways
`atomic()` ends a block — to run or drop the callbacks after Django has done its own work. Like
`on_commit`, it knows only atomic blocks: a manual `transaction.savepoint()` rolled back runs nothing.
"""

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.transaction import TransactionManagementError

logger = logging.getLogger(__name__)

# The attribute on a connection holding its pending callbacks: [(savepoint ids at registration, func)].
_PENDING = "_sujt_run_on_rollback"


def run_on_rollback(func: Callable[[], Any], *, using: str | None = None) -> None:
    """Runs `func` if the current transaction (or the atomic block open now) rolls back.

    Outside any atomic block, in autocommit, there is nothing that could roll back: nothing is registered.
    A failing callback is logged and does not stop the others, nor hide the error that caused the rollback.
    """
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        if not connection.get_autocommit():
            raise TransactionManagementError("run_on_rollback() needs an atomic block or autocommit")
        return
    _install(connection)
    getattr(connection, _PENDING).append((set(connection.savepoint_ids), func))


def pending_rollback_callbacks(*, using: str | None = None) -> int:
    """How many callbacks wait on the current transaction (for tests and diagnostics)."""
    return len(getattr(transaction.get_connection(using), _PENDING, ()))


def _run(connection: Any, *, savepoint: str | None = None) -> None:
    """Runs (and forgets) the callbacks of `savepoint`, or all of them when it is None."""
    pending = getattr(connection, _PENDING)
    due = [func for sids, func in pending if savepoint is None or savepoint in sids]
    pending[:] = [(sids, func) for sids, func in pending if savepoint is not None and savepoint not in sids]
    for func in due:
        try:
            func()
        except Exception:  # the others must still run, and the rollback's own cause must surface
            logger.exception("run_on_rollback callback %r failed", func)


def _install(connection: Any) -> None:
    if hasattr(connection, _PENDING):
        return
    setattr(connection, _PENDING, [])
    savepoint_rollback, rollback = connection.savepoint_rollback, connection.rollback
    commit, close = connection.commit, connection.close

    def savepoint_rollback_and_undo(sid: str) -> None:
        savepoint_rollback(sid)
        _run(connection, savepoint=sid)

    def rollback_and_undo() -> None:
        rollback()  # if it fails, atomic() closes the connection: close_and_undo runs them then
        _run(connection)

    def commit_and_forget() -> None:
        commit()
        getattr(connection, _PENDING).clear()

    def close_and_undo() -> None:
        try:
            close()
        finally:
            # Closed for real (SQLite ignores closing an in-memory database): whatever is still pending
            # belongs to a transaction that never committed and is lost with the connection.
            if connection.connection is None or connection.closed_in_transaction:
                _run(connection)

    connection.savepoint_rollback = savepoint_rollback_and_undo
    connection.rollback = rollback_and_undo
    connection.commit = commit_and_forget
    connection.close = close_and_undo
