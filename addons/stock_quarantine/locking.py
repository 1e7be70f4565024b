# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Locks that serialise a check and its write

Tryton 8.0 takes the locks of ``Model.lock`` at the start of a retried
transaction, and PostgreSQL runs it in REPEATABLE READ: its snapshot is
taken by the first lock statement.  When the lock of a row that nobody
writes is released between that snapshot and the lock (another transaction
committed in between), the transaction holds the lock but reads the
quantities as they were before the other one committed: two returns of the
same order could then both see 1 returnable.

``lock_written`` locks the rows and writes them (the same values): a
transaction whose snapshot is older than the last holder's commit fails to
lock them ("could not serialize access due to concurrent update") and
Tryton retries it with a fresh snapshot.
"""
from trytond import backend
from trytond.tools import grouped_slice, reduce_ids
from trytond.transaction import Transaction


def lock_written(Model, records):
    "Lock the rows of records and mark them written by this transaction"
    ids = sorted({int(r) for r in records if int(r) >= 0})
    if not ids:
        return
    Model.lock(Model.browse(ids))
    write_rows(Model, ids)


def write_rows(Model, ids):
    """Write the rows of ids (their own write date): a transaction whose
    snapshot is older than the commit of the last writer fails to write
    them and is retried by Tryton"""
    table = Model.__table__()
    cursor = Transaction().connection.cursor()
    for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
        cursor.execute(*table.update(
                [table.write_date], [table.write_date],
                where=reduce_ids(table.id, list(sub_ids))))

