# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Release (投放) of suggestions as purchase requests and production orders,
merged or not"""
import datetime
from collections import defaultdict

from trytond.model import ModelView, fields
from trytond.modules.stock_quarantine.locking import write_rows
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval
from trytond.wizard import Button, StateTransition, StateView, Wizard


class SuggestionRelease(metaclass=PoolMeta):
    __name__ = 'production.mrp.suggestion'

    @classmethod
    def release_documents(cls, suggestions, merge_days=None):
        "Return the documents made of the open suggestions, one per group"
        cls._lock_released(suggestions)
        suggestions = cls._open_suggestions(suggestions)
        return [cls._release_group(group)
            for group in cls._release_groups(suggestions, merge_days)]

    @classmethod
    def _open_suggestions(cls, suggestions):
        "Return the suggestions as stored, those still proposed or firm"
        return [s for s in cls.browse([s.id for s in suggestions])
            if s.state in {'proposed', 'firm'}]

    @classmethod
    def _lock_released(cls, suggestions):
        """Write the rows of the suggestions (their own write date): a
        second release waits for the first and, its snapshot being older
        than the first's commit, is retried by Tryton and finds them
        released.  Not Model.lock: the suggestions are written by COPY in
        the run's transaction, and Tryton's lock of rows it did not create
        restarts the transaction."""
        write_rows(cls, sorted({s.id for s in suggestions}))

    @classmethod
    def _release_groups(cls, suggestions, merge_days):
        """Group the suggestions of one product, kind, source and warehouse
        whose need date is within merge_days of the group's first"""
        if merge_days is None:
            return [[s] for s in suggestions]
        keys = defaultdict(list)
        for suggestion in sorted(suggestions,
                key=lambda s: (s.need_date, s.id)):
            keys[suggestion._release_key()].append(suggestion)
        groups = []
        span = datetime.timedelta(days=merge_days)
        for members in keys.values():
            current = []
            for suggestion in members:
                if current and suggestion.need_date > (
                        current[0].need_date + span):
                    groups.append(current)
                    current = []
                current.append(suggestion)
            groups.append(current)
        return groups

    def _release_key(self):
        return (self.company.id, self.warehouse.id, self.kind,
            self.product.id, self.unit.id,
            self.supplier.id if self.supplier else None,
            self.bom.id if self.bom else None)

    @classmethod
    def _release_group(cls, group):
        "Create the document of the group and link the suggestions to it"
        first = group[0]
        quantity = first.unit.round(sum(s.quantity for s in group))
        start = min(s.start_date for s in group)
        need = min(s.need_date for s in group)
        if first.kind == 'purchase':
            document = first._release_request(quantity, start, need)
        else:
            document = first._release_production(quantity, start, need)
        cls.write(group, {
                'state': 'released',
                'document': str(document),
                })
        return document

    def _release_request(self, quantity, start, need):
        Request = Pool().get('purchase.request')
        request = Request(
            product=self.product, quantity=quantity, unit=self.unit,
            computed_quantity=quantity, computed_unit=self.unit,
            purchase_date=start, supply_date=need, party=self.supplier,
            warehouse=self.warehouse, company=self.company, origin=self,
            state='draft')
        request.save()
        return request

    def _release_production(self, quantity, start, need):
        pool = Pool()
        Production = pool.get('production')
        production = Production(
            company=self.company, warehouse=self.warehouse,
            location=self.warehouse.production_location,
            product=self.product, bom=self.bom, unit=self.unit,
            quantity=quantity, planned_date=need, planned_start_date=start,
            origin=self, state='request')
        if 'routing' in Production._fields:
            production.routing = self._release_routing()
        production.save()
        Production.set_moves([production])
        return production

    def _release_routing(self):
        "The routing of the product's BOM (production_routing)"
        for product_bom in self.product.boms:
            if product_bom.bom == self.bom:
                return getattr(product_bom, 'routing', None)


class ProductionOrigin(metaclass=PoolMeta):
    __name__ = 'production'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() | {'production.mrp.suggestion'}


class PurchaseRequestOrigin(metaclass=PoolMeta):
    __name__ = 'purchase.request'

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() | {'production.mrp.suggestion'}


class ReleaseStart(ModelView):
    "Release MRP Suggestions"
    __name__ = 'production.mrp.release.start'
    merge = fields.Boolean("Merge",
        help="Suggestions of the same product, source and warehouse become "
        "one document at the earliest date.")
    merge_days = fields.Integer("Within Days",
        domain=['OR',
            ('merge_days', '=', None),
            ('merge_days', '>=', 0),
            ],
        states={
            'invisible': ~Eval('merge'),
            'required': Bool(Eval('merge')),
            })

    @classmethod
    def default_merge(cls):
        return True

    @classmethod
    def default_merge_days(cls):
        return 7


class Release(Wizard):
    "Release MRP Suggestions"
    __name__ = 'production.mrp.release'
    start = StateView('production.mrp.release.start',
        'production_mrp.release_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Release", 'release', 'tryton-ok', default=True),
            ])
    release = StateTransition()

    def transition_release(self):
        Suggestion = Pool().get('production.mrp.suggestion')
        merge_days = self.start.merge_days if self.start.merge else None
        Suggestion.release_documents(self.records, merge_days=merge_days)
        return 'end'
