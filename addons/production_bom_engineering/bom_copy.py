# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The copy of the lines of new BOM versions in SQL: their inputs, outputs,
substitutes and product links, one INSERT … SELECT per table joined on
the previous version (Tryton's copy() validates every copied row though
only its parent changes), then what Tryton's create does after its
INSERT besides the validation: counters, caches and triggers"""
from sql import Column, Literal, Null, Window
from sql.conditionals import Case, Coalesce
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


def columns(Model, translated=False):
    """Return the names of the columns copy() copies as they are: none of
    them translatable unless translated (a translation needs its own
    copy)"""
    names = [n for n, f in Model._fields.items()
        if not hasattr(f, 'set') and n not in META]
    assert translated or not [n for n in names
        if getattr(Model._fields[n], 'translate', False)], Model.__name__
    return names


def insert_versions(BOM, boms, change, date):
    """INSERT … SELECT the new draft versions of boms for change from
    date (the values of copy_versions) with their names in the database
    language as create() saves them; return them in the order of boms"""
    table, source = BOM.__table__(), BOM.__table__()
    versions = {b.version for b in boms}
    values = {
        'previous_version': source.id,
        'family': Coalesce(source.family, source.id),
        'version': Case(*[(source.version == v, _next(v))
                for v in versions if v], else_=_next(None)),
        'start_date': Literal(date), 'change': Literal(change),
        'state': Literal('draft'), 'end_date': Literal(None),
        'code': Literal(None),
        }
    names = [n for n in columns(BOM, translated=True) if n not in values]
    check_create(BOM, names + list(values))
    ids = [b.id for b in boms]
    Transaction().connection.cursor().execute(*table.insert(
            [Column(table, n) for n in names + list(values)]
            + [table.create_uid, table.create_date],
            source.select(*[Column(source, n) for n in names],
                *values.values(), Literal(Transaction().user),
                CurrentTimestamp(),
                where=fields.SQL_OPERATORS['in'](source.id, ids),
                order_by=[source.id.asc])))
    new = _versions(BOM, ids, change)
    _insert_names(BOM, [new[i] for i in ids])
    created(BOM, [new[i] for i in ids])
    return BOM.browse([new[i] for i in ids])


def _next(version):
    from .change import _next_version
    return _next_version(version)


def _versions(BOM, ids, change):
    "Return {old: new} of the versions of ids made by change"
    table = BOM.__table__()
    cursor = Transaction().connection.cursor()
    cursor.execute(*table.select(table.previous_version, table.id,
            where=fields.SQL_OPERATORS['in'](table.previous_version, ids)
            & (table.change == change)))
    return dict(cursor)


def _insert_names(Model, ids):
    """The translations in the database language of the translatable
    columns of the rows ids, as create() saves them: value and source"""
    pool = Pool()
    Config = pool.get('ir.configuration')
    Translation = pool.get('ir.translation')
    table, translation = Model.__table__(), Translation.__table__()
    cursor = Transaction().connection.cursor()
    names = ['name', 'lang', 'type', 'res_id', 'src', 'value', 'fuzzy',
        'create_uid', 'create_date']
    for name, field in Model._fields.items():
        if not getattr(field, 'translate', False) or hasattr(field, 'set'):
            continue
        value = Column(table, name)
        cursor.execute(*translation.insert(
                [Column(translation, n) for n in names],
                table.select(Literal('%s,%s' % (Model.__name__, name)),
                    Literal(Config.get_language()), Literal('model'),
                    table.id, value, value, Literal(False),
                    Literal(Transaction().user), CurrentTimestamp(),
                    where=fields.SQL_OPERATORS['in'](table.id, ids)
                    & (value != Null) & (value != ''))))
    Translation._translation_cache.clear()


def check_create(Model, names):
    "Check the access to create rows of Model with the fields names"
    pool = Pool()
    pool.get('ir.model.access').check(Model.__name__, 'create')
    pool.get('ir.model.field.access').check(Model.__name__, names, 'write')


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
    check_create(Model, names + [parent])
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
    validating them: counters, record rules, the checks and hooks of the
    modules (the kitting's BOM graph cleared), triggers"""
    transaction = Transaction()
    if not ids:
        return
    transaction.counter += 1
    Model._count_cache.set(Model.__name__, None)
    Model._ModelSQL__check_domain_rule(ids, 'create')
    modified(Model, ids, 'create')
    transaction.create_records[Model.__name__].extend(ids)


def modified(Model, ids, mode, values=None):
    """Call the check_modification and on_modification hooks and queue the
    triggers of mode on the rows ids changed in SQL"""
    pool = Pool()
    Trigger = pool.get('ir.trigger')
    if mode == 'write':
        pool.get('ir.model.access').check(Model.__name__, 'write')
        pool.get('ir.model.field.access').check(
            Model.__name__, list(values), 'write')
        _forget(Model, ids)
    records = Model.browse(ids)
    external = bool(Transaction().user and Transaction().check_access)
    Model.check_modification(mode, records, values=values, external=external)
    Model.on_modification(mode, records,
        field_names=set(values) if values else None)
    for trigger in Trigger.get_triggers(Model.__name__, mode):
        trigger.queue_trigger_action(records)


def _forget(Model, ids):
    "Clean the transaction caches of the rows ids as write() does"
    transaction = Transaction()
    transaction.counter += 1
    for cache in transaction.cache.values():
        if Model.__name__ in cache:
            for id_ in ids:
                cache[Model.__name__].pop(id_, None)
