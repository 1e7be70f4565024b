# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The multi-level BOM (多级BOM) of a product, editable at any level"""
from decimal import Decimal

from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.wizard import Button, StateTransition, StateView, Wizard

from .bom_query import MAX_LEVELS
from .exceptions import TreeError

EDITABLE = ['quantity', 'unit', 'loss_rate']


class BOMInput(metaclass=PoolMeta):
    __name__ = 'production.bom.input'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.__rpc__.update({
                'tree_write': RPC(readonly=False, instantiate=None),
                })

    @classmethod
    def tree_write(cls, changes):
        """Write the changes [{'input': id, 'quantity', 'unit',
        'loss_rate'}] made in the multi-level tree, all or nothing

        Each change is checked first: the line still exists, its BOM can
        be changed (a draft version), quantity > 0, loss rate in [0, 1000)
        and the unit in the category of the product's unit."""
        ModelAccess = Pool().get('ir.model.access')
        ModelAccess.check(cls.__name__, 'write')
        to_write = []
        for input_, change in zip(cls._tree_inputs(changes), changes):
            values = input_._tree_values(change)
            if values:
                to_write.extend(([input_], values))
        if to_write:
            cls.write(*to_write)
        return len(to_write) // 2

    def _tree_values(self, change):
        "Return the values of change that differ from the line, checked"
        Uom = Pool().get('product.uom')
        values = {k: change[k] for k in EDITABLE if k in change}
        if 'unit' in values:
            values['unit'] = Uom(int(values['unit']))
        self._tree_check(values)
        return self._tree_changed(values)

    @classmethod
    def _tree_inputs(cls, changes):
        "Return the lines of the changes, refusing a line deleted since"
        ids = [int(c['input']) for c in changes]
        inputs = {i.id: i for i in cls.search([('id', 'in', ids)])}
        for id_ in ids:
            if id_ not in inputs:
                raise TreeError(gettext(
                        'production_bom_engineering.msg_tree_line_gone',
                        line=id_))
        return [inputs[i] for i in ids]

    def _tree_changed(self, values):
        "Return the values that differ from the line, as write wants them"
        changed = {}
        for name, value in values.items():
            if getattr(self, name) != value:
                changed[name] = getattr(value, 'id', value)
        return changed

    def _tree_check(self, values):
        names = {'product': self.rec_name, 'bom': self.bom.rec_name}
        self._tree_check_bom(self.bom, names)
        self._tree_check_quantity(
            values.get('quantity', self.quantity), names)
        self._tree_check_loss_rate(
            values.get('loss_rate', self.loss_rate), names)
        self._tree_check_unit(values.get('unit', self.unit), names)

    @staticmethod
    def _tree_check_quantity(quantity, names):
        if quantity is None or quantity <= 0:
            raise TreeError(gettext(
                    'production_bom_engineering.msg_tree_quantity',
                    quantity=quantity, **names))

    @staticmethod
    def _tree_check_loss_rate(loss_rate, names):
        if loss_rate is not None and not (0 <= loss_rate < 1000):
            raise TreeError(gettext(
                    'production_bom_engineering.msg_tree_loss_rate',
                    loss_rate=loss_rate, **names))

    def _tree_check_unit(self, unit, names):
        default = (self.product.default_uom if self.product
            else self.phantom_bom.phantom_unit)
        if not unit or unit.category != default.category:
            raise TreeError(gettext(
                    'production_bom_engineering.msg_tree_unit',
                    unit=unit.rec_name if unit else '',
                    default=default.rec_name, **names))

    @classmethod
    def _tree_check_bom(cls, bom, names):
        "Refuse a BOM that is a version no longer in draft"
        state = getattr(bom, 'state', None)
        if state not in {None, 'draft'}:
            raise TreeError(gettext(
                    'production_bom_engineering.msg_tree_bom_state',
                    state=getattr(bom, 'state_string', state), **names))


class TreeLine(ModelView):
    "Multi-level BOM line (多级BOM)"
    __name__ = 'production.bom.tree.edit.line'
    input = fields.Many2One(
        'production.bom.input', "BOM Line", readonly=True)
    bom = fields.Many2One('production.bom', "BOM", readonly=True)
    level = fields.Integer("Level", readonly=True)
    path = fields.Char("Path", readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True)
    phantom_bom = fields.Many2One(
        'production.bom', "Phantom BOM", readonly=True)
    quantity = fields.Float("Quantity", digits='unit', required=True)
    uom_category = fields.Many2One(
        'product.uom.category', "Unit Category", readonly=True)
    unit = fields.Many2One('product.uom', "Unit", required=True,
        domain=[('category', '=', Eval('uom_category', -1))])
    loss_rate = fields.Numeric("Loss Rate", digits=(16, 2),
        help="In %: the quantity issued is increased by this rate.")


class TreeShow(ModelView):
    "Multi-level BOM (多级BOM)"
    __name__ = 'production.bom.tree.edit.show'
    product = fields.Many2One('product.product', "Product", readonly=True)
    bom = fields.Many2One('production.bom', "BOM", readonly=True)
    lines = fields.One2Many('production.bom.tree.edit.line', None, "Lines")


class TreeWizard(Wizard):
    "Multi-level BOM (多级BOM)"
    __name__ = 'production.bom.tree.edit'
    start_state = 'show'
    show = StateView('production.bom.tree.edit.show',
        'production_bom_engineering.tree_show_view_form', [
            Button("Close", 'end', 'tryton-close'),
            Button("Save", 'save', 'tryton-save', default=True),
            ])
    save = StateTransition()

    def default_show(self, fields):
        product = self.record
        bom = self._bom(product) if product else None
        return {
            'product': product.id if product else None,
            'bom': bom.id if bom else None,
            'lines': list(self._lines(bom, 1, '', ())) if bom else [],
            }

    def _lines(self, bom, level, prefix, seen):
        "Yield the lines of bom and, below each, those of its BOM"
        for i, input_ in enumerate(bom.inputs, 1):
            path = '%s%s' % (prefix, i)
            yield self._line(input_, level, path)
            below = self._below(input_)
            if below and below not in seen and level < MAX_LEVELS:
                yield from self._lines(
                    below, level + 1, path + '.', seen + (bom,))

    @staticmethod
    def _line(input_, level, path):
        return {
            'input': input_.id, 'bom': input_.bom.id, 'level': level,
            'path': path,
            'product': input_.product.id if input_.product else None,
            'phantom_bom': (
                input_.phantom_bom.id if input_.phantom_bom else None),
            'quantity': input_.quantity, 'unit': input_.unit.id,
            'uom_category': input_.unit.category.id,
            'loss_rate': input_.loss_rate,
            }

    @classmethod
    def _below(cls, input_):
        "The BOM that makes the line: its phantom BOM or the product's"
        if input_.phantom_bom:
            return input_.phantom_bom
        if input_.product:
            return cls._bom(input_.product)

    @staticmethod
    def _bom(product):
        """The BOM of product shown in the tree: its draft version (the
        one an engineer changes) if any, else the version in use"""
        for product_bom in product.boms:
            if getattr(product_bom.bom, 'state', 'draft') == 'draft':
                return product_bom.bom
        product_bom = product.get_bom()
        return product_bom.bom if product_bom else None

    def transition_save(self):
        BOMInput = Pool().get('production.bom.input')
        BOMInput.tree_write([{
                    'input': l.input.id, 'quantity': l.quantity,
                    'unit': l.unit.id,
                    'loss_rate': (l.loss_rate if l.loss_rate is not None
                        else Decimal(0)),
                    } for l in self.show.lines])
        return 'show'
