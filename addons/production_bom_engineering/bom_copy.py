# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The copy of the lines of new BOM versions in SQL: their inputs, outputs,
substitutes and product links, one INSERT … SELECT per table joined on
the previous version (Tryton's copy() validates every copied row though
only its parent changes), then what Tryton's create does after its
INSERT besides the validation: counters, caches and triggers"""
from sql import Column, Literal, Window
from sql.functions import CurrentTimestamp, RowNumber

from trytond.model import fields
from trytond.pool import Pool
from trytond.transaction import Transaction

# the fields copy() leaves to create
META = {'id', 'create_uid', 'create_date', 'write_uid', 'write_date'}


def children(Model):
    "Return {name: field} of the One2Many fields copy() copies"
    return {n: f for n, f in Model._fields.items()
        if f._type == 'one2many' and not f.readonly and not f.filter
        and not isinstance(f, fields.Function)
        and not callable(getattr(f.get_target(), 'table_query', None))}


def columns(Model):
    """Return the names of the columns copy() copies as they are: none of
    them translatable (a translation would need its own copy)"""
    names = [n for n, f in Model._fields.items()
        if not hasattr(f, 'set') and n not in META]
    assert not [n for n in names
        if getattr(Model._fields[n], 'translate', False)], Model.__name__
    return names


def copy_lines(BOM, copies):
    """Copy the children of the previous versions of copies (the new
    versions) and their product links to copies"""
    ProductBOM = Pool().get('product.product-production.bom')
    ids = [c.id for c in copies]

    def versions():
        "The query of (old, new) of the versions"
        bom = BOM.__table__()
        return bom.select(bom.previous_version.as_('old'), bom.id.as_('new'),
            where=fields.SQL_OPERATORS['in'](bom.id, ids))
    copy_children(BOM, versions)
    copy_rows(ProductBOM, 'bom', versions)


def copy_children(Model, pairs):
    "Copy the children of the records pairs() (old, new) to the new ones"
    for field in children(Model).values():
        Target = field.get_target()
        copy_rows(Target, field.field, pairs)
        copy_children(Target, _ranked_pairs(Target, field.field, pairs))


def copy_rows(Model, parent, pairs):
    """INSERT … SELECT the rows of Model under the old parents of pairs()
    under their new ones, in the order of their ids"""
    table, source = Model.__table__(), Model.__table__()
    parents = pairs()
    names = [n for n in columns(Model) if n != parent]
    Pool().get('ir.model.access').check(Model.__name__, 'create')
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.insert(
            [Column(table, n) for n in names + [parent]]
            + [table.create_uid, table.create_date],
            source.join(parents,
                condition=Column(source, parent) == parents.old
                ).select(*[Column(source, n) for n in names],
                parents.new, Literal(Transaction().user), CurrentTimestamp(),
                order_by=[source.id.asc])))
    created(Model, _ids(Model, parent, pairs))


def _ids(Model, parent, pairs):
    "Return the ids of the rows of Model under the new parents of pairs()"
    table = Model.__table__()
    parents = pairs()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(table.id,
            where=Column(table, parent).in_(parents.select(parents.new)),
            order_by=[table.id.asc]))
    return [i for i, in cursor]


def _ranked_pairs(Model, parent, pairs):
    """Return the function of the query (old, new) of the rows of Model
    copied under pairs(): the same rank by id under their parent (the copy
    inserts them in the order of their ids)"""
    def ranked(side):
        table = Model.__table__()
        parents = pairs()
        column = Column(table, parent)
        return table.select(table.id, column.as_('parent'),
            RowNumber(window=Window([column], order_by=[table.id.asc])
                ).as_('rank'),
            where=column.in_(parents.select(getattr(parents, side))))

    def query():
        parents = pairs()
        old, new = ranked('old'), ranked('new')
        return old.join(parents, condition=old.parent == parents.old
            ).join(new, condition=(new.parent == parents.new)
                & (new.rank == old.rank)
            ).select(old.id.as_('old'), new.id.as_('new'))
    return query


def created(Model, ids):
    """Do for the rows ids inserted what Tryton's create does besides
    validating them: counters, the caches cleared by the hooks of the
    modules (the kitting's BOM graph), triggers"""
    Trigger = Pool().get('ir.trigger')
    transaction = Transaction()
    if not ids:
        return
    transaction.counter += 1
    Model._count_cache.set(Model.__name__, None)
    records = Model.browse(ids)
    Model.on_modification('create', records)
    for trigger in Trigger.get_triggers(Model.__name__, 'create'):
        trigger.queue_trigger_action(records)
    transaction.create_records[Model.__name__].extend(ids)
