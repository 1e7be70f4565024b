# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""BOM mass modification (BOM批量修改): one change across every active BOM
using a component, previewed then submitted as an engineering change
order"""
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.wizard import Button, StateAction, StateView, Wizard

from .change import ACTIONS

# the actions of a mass change: on a component the BOMs already use
MASS_ACTIONS = [a for a in ACTIONS if a[0] not in {'add', 'output_quantity'}]


class MassChangeStart(ModelView):
    "BOM Mass Modification"
    __name__ = 'production.bom.change.mass.start'
    action = fields.Selection(MASS_ACTIONS, "Action", required=True)
    product = fields.Many2One(
        'product.product', "Component", required=True)
    new_product = fields.Many2One(
        'product.product', "New Product",
        states={
            'invisible': Eval('action') != 'replace',
            'required': Eval('action') == 'replace',
            })
    ratio = fields.Float(
        "Ratio", digits=(16, 4),
        states={
            'invisible': Eval('action') != 'replace',
            'required': Eval('action') == 'replace',
            })
    quantity = fields.Float(
        "Quantity",
        states={
            'invisible': Eval('action') != 'quantity',
            'required': Eval('action') == 'quantity',
            })
    loss_rate = fields.Numeric(
        "Loss Rate", digits=(16, 2),
        states={
            'invisible': Eval('action') != 'loss_rate',
            'required': Eval('action') == 'loss_rate',
            })
    effective_date = fields.Date("Effective Date", required=True)
    reason = fields.Text("Reason", required=True)

    @classmethod
    def default_action(cls):
        return 'replace'

    @classmethod
    def default_ratio(cls):
        return 1.0

    @classmethod
    def default_effective_date(cls):
        return Pool().get('ir.date').today()

    def _line_values(self):
        "Return the values of the change order line"
        values = {'action': self.action, 'product': self.product.id}
        if self.action == 'replace':
            values.update(new_product=self.new_product.id, ratio=self.ratio)
        elif self.action == 'quantity':
            values['quantity'] = self.quantity
        elif self.action == 'loss_rate':
            values['loss_rate'] = self.loss_rate
        return values


class MassChangePreview(ModelView):
    "BOM Mass Modification Preview"
    __name__ = 'production.bom.change.mass.preview'
    bom_count = fields.Integer("BOMs", readonly=True)
    production_count = fields.Integer("Orders", readonly=True)
    boms = fields.Many2Many(
        'production.bom', None, None, "BOMs Changed", readonly=True)
    parents = fields.Many2Many(
        'production.bom', None, None, "BOMs Above", readonly=True,
        help="The BOMs using the products of the changed BOMs, at any "
        "level: their own versions do not change.")
    productions = fields.Many2Many(
        'production', None, None, "Affected Orders", readonly=True)


class MassChange(Wizard):
    "BOM Mass Modification"
    __name__ = 'production.bom.change.mass'
    start = StateView('production.bom.change.mass.start',
        'production_bom_engineering.bom_change_mass_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Preview", 'preview', 'tryton-forward', default=True),
            ])
    preview = StateView('production.bom.change.mass.preview',
        'production_bom_engineering.bom_change_mass_preview_view_form', [
            Button("Back", 'start', 'tryton-back'),
            Button("Create Change Order", 'create_', 'tryton-ok',
                default=True),
            ])
    create_ = StateAction('production_bom_engineering.act_bom_change_form')

    def default_preview(self, fields):
        Change = Pool().get('production.bom.change')
        found = Change.preview(self.start.product.id,
            self.start.effective_date)
        return {
            'bom_count': len(found['boms']),
            'production_count': len(found['productions']),
            'boms': found['boms'],
            'parents': [b for b, _ in found['parents']],
            'productions': found['productions'],
            }

    def do_create_(self, action):
        Change = Pool().get('production.bom.change')
        change = Change.create_mass(self.start._line_values(),
            self.start.effective_date, self.start.reason,
            self.start.product.id)
        return action, {'res_id': [change.id]}

