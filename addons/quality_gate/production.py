# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from decimal import Decimal

from trytond.model import fields
from trytond.modules.product import round_price
from trytond.pool import Pool, PoolMeta


class Production(metaclass=PoolMeta):
    __name__ = 'production'

    quality_dispositions = fields.One2Many(
        'quality.disposition', 'production', "Rework Dispositions",
        readonly=True)

    @classmethod
    def _get_origin(cls):
        return super()._get_origin() | {'quality.disposition'}

    def quality_inspection_moves(self):
        "The outputs held until decided"
        return [m for m in self.outputs if m.state in {'staging', 'draft'}]

    def quality_inspections_failed(self):
        return [i for i in super().quality_inspections_failed()
            if not i.decided]

    def quality_controlled_for(self, operation):
        control = self.quality_rework_control
        return super().quality_controlled_for(operation) or bool(
            operation == 'do' and control
            and any(i.control == control for i in self.quality_inspections))

    @property
    def quality_rework_disposition(self):
        "The disposition that created the rework production"
        pool = Pool()
        Disposition = pool.get('quality.disposition')
        if isinstance(self.origin, Disposition):
            return self.origin

    def get_cost(self, name):
        cost = super().get_cost(name)
        disposition = self.quality_rework_disposition
        if disposition and disposition.rework_labour_cost:
            cost = round_price(cost + disposition.rework_labour_cost)
        return cost

    @classmethod
    def set_cost(cls, productions):
        pool = Pool()
        Move = pool.get('stock.move')
        Uom = pool.get('product.uom')
        super().set_cost(productions)
        # The output of a rework is also its input: the rework carries
        # the whole cost, extra materials and labour included
        moves = []
        for production in productions:
            if not production.quality_rework_disposition:
                continue
            outputs = [o for o in production.outputs
                if o.state != 'cancelled'
                and o.to_location.type != 'lost_found'
                and o.internal_quantity]
            quantity = sum(
                Decimal(str(o.internal_quantity)) for o in outputs)
            if not quantity:
                continue
            cost_price = production.cost / quantity
            for output in outputs:
                unit_price = round_price(Uom.compute_price(
                        output.product.default_uom, cost_price, output.unit))
                if output.unit_price != unit_price:
                    output.unit_price = unit_price
                    output.currency = production.company.currency
                    moves.append(output)
        Move.save(moves)

    @property
    def quality_rework_control(self):
        "The control of the inspection that sent the product to rework"
        Disposition = Pool().get('quality.disposition')
        if (isinstance(self.origin, Disposition)
                and self.origin.inspection_line):
            return self.origin.inspection_line.inspection.control
