# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
from trytond.model import fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Id

DEFAULT_HORIZON = 90


class Configuration(metaclass=PoolMeta):
    __name__ = 'production.configuration'
    mrp_horizon = fields.Integer("MRP Horizon",
        domain=['OR',
            ('mrp_horizon', '=', None),
            [('mrp_horizon', '>=', 0), ('mrp_horizon', '<=', 3660)],
            ],
        help="In days: the default horizon of an MRP run.")
    mrp_run_sequence = fields.Many2One('ir.sequence', "MRP Run Sequence",
        domain=[
            ('sequence_type', '=',
                Id('production_mrp', 'sequence_type_mrp_run')),
            ])

    @classmethod
    def default_mrp_horizon(cls):
        return DEFAULT_HORIZON

    def get_mrp_horizon(self):
        return self.mrp_horizon if self.mrp_horizon is not None else (
            DEFAULT_HORIZON)

    def get_mrp_run_number(self):
        return self._mrp_run_sequence().get()

    def _mrp_run_sequence(self):
        "Return the sequence of the runs: the configured one or the module's"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Sequence = pool.get('ir.sequence')
        return self.mrp_run_sequence or Sequence(
            ModelData.get_id('production_mrp', 'sequence_mrp_run'))
