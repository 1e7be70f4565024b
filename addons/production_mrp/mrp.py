# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
import datetime
import hashlib
import time

from sql import Null, Select
from sql.functions import CurrentTimestamp

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.modules.production_kitting.engine import CycleError
from trytond.modules.stock_quarantine import arguments
from trytond.modules.stock_quarantine.locking import write_rows
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.rpc import RPC
from trytond.tools import grouped_slice
from trytond.transaction import Transaction

from .engine import Firm, Planner
from .engine import Suggestion as EngineSuggestion
from .exceptions import MRPError, RunningError

KINDS = [
    ('purchase', "Purchase"),
    ('production', "Production"),
    ('subcontract', "Subcontract"),
    ]
ORIGINS = ['sale.line', 'stock.move', 'production', 'stock.forecast.line',
    'production.mrp.suggestion', 'purchase.request', 'purchase.line']


def lock_key(text):
    "The key of the advisory lock named text (a positive bigint)"
    return int(hashlib.sha256(text.encode('utf-8')).hexdigest(), 16) % (
        2 ** 62)


class Units:
    "Convert quantities between units of a category, from the unit table"

    def __init__(self, uoms):
        # {unit: (factor, rounding, category)}
        self.uoms = uoms

    def convert(self, quantity, from_unit, to_unit):
        if from_unit == to_unit or not from_unit or not to_unit:
            return quantity
        return round(
            quantity * self.uoms[from_unit][0] / self.uoms[to_unit][0], 9)


class Run(Workflow, ModelSQL, ModelView):
    "MRP Run"
    __name__ = 'production.mrp.run'
    _rec_name = 'number'
    number = fields.Char("Number", readonly=True)
    company = fields.Many2One('company.company', "Company", required=True,
        states={'readonly': Eval('state') != 'draft'})
    warehouse = fields.Many2One('stock.location', "Warehouse", required=True,
        domain=[('type', '=', 'warehouse')],
        states={'readonly': Eval('state') != 'draft'})
    date = fields.Date("Date", required=True,
        states={'readonly': Eval('state') != 'draft'},
        help="The day the plan starts from; earlier demand counts on it.")
    horizon = fields.Integer("Horizon", required=True,
        domain=[('horizon', '>=', 0), ('horizon', '<=', 3660)],
        states={'readonly': Eval('state') != 'draft'},
        help="In days: demand and receipts after the date plus the horizon "
        "are not planned.")
    state = fields.Selection([
            ('draft', "Draft"),
            ('running', "Running"),
            ('done', "Done"),
            ], "State", readonly=True, required=True, sort=False)
    progress = fields.Float("Progress", readonly=True, digits=(1, 2))
    duration = fields.Float("Duration", readonly=True, digits=(16, 3),
        help="In seconds.")
    suggestions = fields.One2Many('production.mrp.suggestion', 'run',
        "Suggestions", readonly=True)
    exceptions = fields.One2Many('production.mrp.exception', 'run',
        "Exceptions", readonly=True)
    balances = fields.One2Many('production.mrp.balance', 'run',
        "Time-Phased Plan", readonly=True)
    purchase_count = fields.Integer("Purchase Suggestions", readonly=True)
    production_count = fields.Integer(
        "Production Suggestions", readonly=True)
    subcontract_count = fields.Integer(
        "Subcontract Suggestions", readonly=True)
    late_count = fields.Integer("Late Suggestions", readonly=True)
    exception_count = fields.Integer("Exception Count", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'running'),
            ('running', 'done'),
            ('draft', 'done'),
            }
        cls._buttons.update({
                'compute': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                })
        cls.__rpc__.update({
                'plan': RPC(readonly=False, instantiate=None),
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    @classmethod
    def default_date(cls):
        return Pool().get('ir.date').today()

    @classmethod
    def default_horizon(cls):
        Configuration = Pool().get('production.configuration')
        return Configuration(1).get_mrp_horizon()

    @classmethod
    def default_warehouse(cls):
        return Pool().get('stock.location').get_default_warehouse()

    @classmethod
    def default_progress(cls):
        return 0.0

    @classmethod
    def create(cls, vlist):
        pool = Pool()
        Configuration = pool.get('production.configuration')
        vlist = [v.copy() for v in vlist]
        config = Configuration(1)
        for values in vlist:
            if not values.get('number'):
                values['number'] = config.get_mrp_run_number()
        return super().create(vlist)

    @classmethod
    def copy(cls, runs, default=None):
        default = default.copy() if default is not None else {}
        for name in ['number', 'suggestions', 'exceptions', 'balances',
                'duration', 'progress']:
            default.setdefault(name, None)
        return super().copy(runs, default=default)

    @classmethod
    def check_modification(cls, mode, runs, values=None, external=False):
        super().check_modification(
            mode, runs, values=values, external=external)
        if mode == 'write' and external:
            cls.check_draft(runs)

    @classmethod
    def check_draft(cls, runs):
        "Refuse the runs no longer a draft"
        for run in runs:
            if run.state != 'draft':
                raise MRPError(gettext('production_mrp.msg_run_done',
                        run=run.rec_name))

    @classmethod
    def plan(cls, warehouse_id, horizon=None, date=None):
        """Create the run of the warehouse and compute it; return its id

        horizon in days (the configuration's by default), date the first
        day (today by default)"""
        cls._check_planner()
        warehouse_id = arguments.record_id('warehouse_id', warehouse_id)
        warehouses = arguments.records('stock.location', 'warehouse_id',
            [warehouse_id], domain=[('type', '=', 'warehouse')])
        values = {
            'warehouse': warehouses[0].id,
            'company': arguments.context_company(),
            }
        if horizon is not None:
            values['horizon'] = cls._check_horizon(horizon)
        if date is not None:
            values['date'] = arguments.date('date', date)
        run, = cls.create([values])
        cls._compute(run)
        return run.id

    @classmethod
    def _check_planner(cls):
        "Refuse plan to a user without create access to the runs"
        ModelAccess = Pool().get('ir.model.access')
        if Transaction().user and Transaction().check_access:
            ModelAccess.check(cls.__name__, 'create')

    @staticmethod
    def _check_horizon(horizon):
        if (isinstance(horizon, bool) or not isinstance(horizon, int)
                or not 0 <= horizon <= 3660):
            raise MRPError(gettext('production_mrp.msg_horizon',
                    horizon=arguments.show(horizon)))
        return horizon

    @classmethod
    @ModelView.button
    def compute(cls, runs):
        "Compute the runs (in the queue when a worker serves it)"
        for run in runs:
            cls._lock_warehouse(run)
        cls.write(runs, {'state': 'running', 'progress': 0.0})
        cls.__queue__.run_compute(runs)

    @classmethod
    def run_compute(cls, runs):
        for run in runs:
            if run.state == 'running':
                cls._compute(run)

    @classmethod
    def _compute(cls, run):
        start = time.monotonic()
        cls._lock_warehouse(run)
        cls._replace_proposed(run)
        planner = run.build_planner()
        planner.plan()
        run.write_plan(planner)
        counts = {k: 0 for k, _ in KINDS}
        late = 0
        for suggestion in planner.suggestions:
            counts[suggestion.kind] += 1
            late += suggestion.late
        cls.write([run], {
                'state': 'done', 'progress': 1.0,
                'duration': round(time.monotonic() - start, 3),
                'purchase_count': counts['purchase'],
                'production_count': counts['production'],
                'subcontract_count': counts['subcontract'],
                'late_count': late,
                'exception_count': len(planner.shortages),
                })

    @classmethod
    def _lock_warehouse(cls, run):
        """Refuse a second run of the warehouse while one computes

        An advisory lock of the warehouse is tried without waiting: a second
        run fails at once with a clear error instead of writing its
        suggestions beside the first's (no row lock: sales, productions and
        requests of the warehouse go on).  Then the warehouse's row is
        written (its own write date): a run whose snapshot is older than the
        last run's commit fails to write it and is retried by Tryton with a
        fresh snapshot (as stock_quarantine.locking does)."""
        pool = Pool()
        Location = pool.get('stock.location')
        transaction = Transaction()
        database = transaction.database
        if not database.has_select_for():
            # SQLite serialises the writing transactions
            return
        cursor = transaction.connection.cursor()
        cursor.execute(*Select([database.lock_id(lock_key(
                            '%s,%s' % (cls.__name__, run.warehouse.id)))]))
        locked, = cursor.fetchone()
        if not locked:
            raise RunningError(gettext('production_mrp.msg_running',
                    warehouse=run.warehouse.rec_name))
        write_rows(Location, [run.warehouse.id])

    @classmethod
    def _replace_proposed(cls, run):
        """Delete the proposed suggestions of the earlier runs of the
        warehouse (firm and released ones stay) and the pegs of the firm
        ones (pegged again by this run)"""
        pool = Pool()
        Suggestion = pool.get('production.mrp.suggestion')
        Peg = pool.get('production.mrp.peg')
        suggestion = Suggestion.__table__()
        peg = Peg.__table__()
        cursor = Transaction().connection.cursor()

        def of_warehouse(states):
            return suggestion.select(suggestion.id,
                where=suggestion.state.in_(states)
                & (suggestion.warehouse == run.warehouse.id)
                & (suggestion.company == run.company.id))
        cursor.execute(*peg.delete(
                where=peg.suggestion.in_(of_warehouse(['proposed', 'firm']))))
        # the pegs of released suggestions keep their demand, not a parent
        # that is gone
        cursor.execute(*peg.update([peg.parent], [Null],
                where=peg.parent.in_(of_warehouse(['proposed']))))
        cursor.execute(*suggestion.delete(
                where=suggestion.id.in_(of_warehouse(['proposed']))))

    def build_planner(self):
        "Return the planner loaded with what the run reads"
        # the stock of the run's company, whatever the user's current one
        with Transaction().set_context(company=self.company.id):
            return self._build_planner()

    def _build_planner(self):
        "Return the planner of the run with its demands and receipts"
        pool = Pool()
        Kitting = pool.get('production.kitting')
        loaded = self._load_demands()
        products = set(loaded.demands) | set(loaded.receipts)
        products |= self._safety_products()
        if not products:
            # nothing to plan (and no empty IN () for PostgreSQL)
            loaded.units = {}
            return loaded
        boms, info = Kitting.load_boms(products)
        planner = self._new_planner(boms, info, set(info) | products)
        planner.demands, planner.receipts = loaded.demands, loaded.receipts
        planner.held = Kitting.held_pools(
            {d.top for ds in loaded.demands.values() for d in ds}, info)
        planner.units = Kitting._by_product(info, 'uom')
        return planner

    def _load_demands(self):
        "Return a planner holding the demands and the receipts of the run"
        pool = Pool()
        Kitting = pool.get('production.kitting')
        units = Units(Kitting._uoms())
        loaded = Planner({}, {}, {}, {}, self.date, self.horizon)
        forecasts = self.create_forecast_moves()
        self.load_moves(loaded)
        self.delete_forecast_moves(forecasts)
        self.load_production_needs(loaded)
        self.load_requests(loaded, units)
        self.load_firm(loaded, units)
        self.load_sales(loaded, units)
        return loaded

    def _new_planner(self, boms, info, products):
        "Return the planner of the BOMs, settings and stock of the products"
        pool = Pool()
        Kitting = pool.get('production.kitting')
        items = self.load_items(products, boms, info)
        on_hand = Kitting.load_stock(products, self.warehouse.id,
            assigned=False, whole=True)
        codes = Kitting._by_product(info, 'code')
        try:
            return Planner(boms, items, on_hand,
                Kitting._by_product(info, 'rounding'), self.date,
                self.horizon, codes=codes)
        except CycleError as exception:
            raise MRPError(gettext('production_mrp.msg_cyclic_bom',
                    cycle=Kitting._cycle_text(exception.cycle, codes)))

    def _safety_products(self):
        "The products that keep a safety stock"
        pool = Pool()
        Product = pool.get('product.product')
        Template = pool.get('product.template')
        product = Product.__table__()
        template = Template.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*product.join(template,
                condition=product.template == template.id
                ).select(product.id,
                where=(template.mrp_safety_stock > 0)
                & (product.active == True)))  # noqa: E712
        return {p for p, in cursor}

    def write_plan(self, planner):
        "Insert the suggestions, their pegs, the shortages and the buckets"
        ids = self._insert_suggestions(planner)
        self._insert_pegs(planner, ids)
        self._insert_exceptions(planner)
        self._insert_balances(planner)

    def _insert(self, Model, columns, rows):
        """Insert rows in the table of Model: PostgreSQL's COPY where the
        driver has it (psycopg 3), else python-sql INSERTs by slices"""
        table = Model.__table__()
        cursor = Transaction().connection.cursor()
        user = Transaction().user
        if hasattr(cursor, 'copy'):
            self._copy(cursor, table, columns, rows, user)
            return
        columns = [getattr(table, c) for c in columns] + [
            table.create_uid, table.create_date]
        for sub in grouped_slice(rows, 1000):
            values = [list(r) + [user, CurrentTimestamp()] for r in sub]
            if values:
                cursor.execute(*table.insert(columns, values))

    @staticmethod
    def _copy(cursor, table, columns, rows, user):
        """COPY rows into table: about ten times faster than INSERT for the
        tens of thousands of rows of a large run (python-sql has no COPY:
        the statement is composed by psycopg's sql module, the values are
        sent as data)"""
        from psycopg import sql
        # the creation time as CURRENT_TIMESTAMP gives it (UTC)
        now = datetime.datetime.now(datetime.timezone.utc).replace(
            tzinfo=None)
        statement = sql.SQL('COPY {} ({}) FROM STDIN').format(
            sql.Identifier(table._name),
            sql.SQL(', ').join(map(sql.Identifier,
                    list(columns) + ['create_uid', 'create_date'])))
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(list(row) + [user, now])

    def _insert_suggestions(self, planner):
        "Return {index: id} of the inserted suggestions"
        Suggestion = Pool().get('production.mrp.suggestion')
        table = Suggestion.__table__()
        rows = [(self.id, self.company.id, self.warehouse.id, s.index,
                s.kind, s.product, s.quantity, planner.units[s.product],
                s.supplier, s.bom, s.start_date, s.need_date, s.late,
                'proposed', s.shortfall)
            for s in planner.suggestions]
        self._insert(Suggestion, ['run', 'company', 'warehouse', 'sequence',
                'kind', 'product', 'quantity', 'unit', 'supplier', 'bom',
                'start_date', 'need_date', 'late', 'state', 'shortfall'],
            rows)
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.select(table.sequence, table.id,
                where=table.run == self.id))
        return dict(cursor)

    def _insert_pegs(self, planner, ids):
        "Insert the pegs of the suggestions and of the firm ones"
        Peg = Pool().get('production.mrp.peg')
        rows = []
        supplies = [(ids[s.index], s) for s in planner.suggestions]
        supplies += [(f.id, f) for f in planner.firms]
        for id_, supply in supplies:
            for demand, quantity in supply.pegs:
                rows.append((id_, self.id,
                        self._origin(demand.origin, ids),
                        self._origin(demand.top, ids),
                        self._parent(demand.parent, ids),
                        quantity, demand.date))
        self._insert(Peg, ['suggestion', 'run', 'origin', 'top_origin',
                'parent', 'quantity', 'date'], rows)

    @staticmethod
    def _origin(origin, ids):
        """The reference of origin: a suggestion of this run is named by its
        index in the planner, made its id"""
        if origin.startswith(EngineSuggestion.PREFIX):
            index = int(origin[len(EngineSuggestion.PREFIX):])
            return 'production.mrp.suggestion,%s' % ids[index]
        return origin

    @staticmethod
    def _parent(parent, ids):
        if parent is None:
            return None
        if isinstance(parent, Firm):
            return parent.id
        return ids[parent.index]

    def _insert_exceptions(self, planner):
        Exception_ = Pool().get('production.mrp.exception')
        rows = [(self.id, s.product, s.quantity, planner.units[s.product],
                s.date, s.reason) for s in planner.shortages]
        self._insert(Exception_, ['run', 'product', 'quantity', 'unit',
                'date', 'reason'], rows)

    def _insert_balances(self, planner):
        Balance = Pool().get('production.mrp.balance')
        rows = [(self.id, b.product, b.date, b.demand, b.receipts,
                b.suggestions, b.projected) for b in planner.buckets]
        self._insert(Balance, ['run', 'product', 'date', 'demand',
                'receipts', 'suggestions', 'projected'], rows)


class Suggestion(Workflow, ModelSQL, ModelView):
    "MRP Suggestion"
    __name__ = 'production.mrp.suggestion'
    run = fields.Many2One('production.mrp.run', "Run", readonly=True,
        ondelete='CASCADE')
    sequence = fields.Integer("Sequence", readonly=True)
    company = fields.Many2One('company.company', "Company", required=True,
        readonly=True)
    warehouse = fields.Many2One('stock.location', "Warehouse", required=True,
        readonly=True)
    kind = fields.Selection(KINDS, "Kind", required=True, readonly=True)
    product = fields.Many2One('product.product', "Product", required=True,
        readonly=True, context={'company': Eval('company', -1)},
        depends={'company'})
    quantity = fields.Float("Quantity", digits='unit', required=True,
        domain=[('quantity', '>', 0)],
        states={'readonly': ~Eval('state').in_(['proposed', 'firm'])})
    unit = fields.Many2One('product.uom', "Unit", required=True,
        readonly=True)
    shortfall = fields.Float("Net Requirement", digits='unit', readonly=True,
        help="What was short before lot sizing.")
    supplier = fields.Many2One('party.party', "Supplier",
        context={'company': Eval('company', -1)}, depends={'company'},
        states={
            'readonly': ~Eval('state').in_(['proposed', 'firm']),
            'invisible': Eval('kind') == 'production',
            })
    bom = fields.Many2One('production.bom', "BOM", readonly=True,
        states={'invisible': Eval('kind') == 'purchase'})
    start_date = fields.Date("Start Date", required=True,
        states={'readonly': ~Eval('state').in_(['proposed', 'firm'])},
        help="The day to order or to start making.")
    need_date = fields.Date("Need Date", required=True,
        states={'readonly': ~Eval('state').in_(['proposed', 'firm'])},
        help="The day the quantity must be in stock.")
    late = fields.Boolean("Late", readonly=True,
        help="The lead time starts before the run date: expedite it.")
    state = fields.Selection([
            ('proposed', "Proposed"),
            ('firm', "Firm"),
            ('released', "Released"),
            ('cancelled', "Cancelled"),
            ], "State", required=True, readonly=True, sort=False)
    state_string = state.translated('state')
    pegs = fields.One2Many('production.mrp.peg', 'suggestion', "Pegs",
        readonly=True)
    plan = fields.Function(fields.One2Many(
            'production.mrp.balance', None, "Time-Phased Plan",
            help="The product's demand, receipts, suggestions and "
            "projected stock by date in the run."),
        'get_plan', setter='set_plan')
    document = fields.Reference("Document", selection=[
            (None, ''),
            ('purchase.request', "Purchase Request"),
            ('production', "Production"),
            ], readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('need_date', 'ASC'), ('product', 'ASC'),
            ('id', 'ASC')]
        cls._transitions |= {
            ('proposed', 'firm'),
            ('firm', 'proposed'),
            ('proposed', 'released'),
            ('firm', 'released'),
            ('proposed', 'cancelled'),
            ('firm', 'cancelled'),
            }
        cls._buttons.update({
                'firm': {
                    'invisible': Eval('state') != 'proposed',
                    'depends': ['state'],
                    },
                'unfirm': {
                    'invisible': Eval('state') != 'firm',
                    'depends': ['state'],
                    },
                'release': {
                    'invisible': ~Eval('state').in_(['proposed', 'firm']),
                    'depends': ['state'],
                    },
                'cancel': {
                    'invisible': ~Eval('state').in_(['proposed', 'firm']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_state(cls):
        return 'proposed'

    @classmethod
    def check_modification(cls, mode, suggestions, values=None,
            external=False):
        super().check_modification(
            mode, suggestions, values=values, external=external)
        if mode == 'create' and external:
            raise MRPError(gettext('production_mrp.msg_suggestion_create'))
        if mode == 'write' and external and (
                {'state', 'document'} & set(values or {})):
            # the buttons and the release wizard write them, not clients
            raise MRPError(gettext('production_mrp.msg_suggestion_state'))
        if mode in {'write', 'delete'} and external:
            fields_ = set(values or {}) - {'state', 'document'}
            for suggestion in suggestions:
                if suggestion.state not in {'proposed', 'firm'} and (
                        mode == 'delete' or fields_):
                    raise MRPError(gettext(
                            'production_mrp.msg_suggestion_closed',
                            suggestion=suggestion.rec_name,
                            state=suggestion.state_string))

    def get_rec_name(self, name):
        return '%s %s %s' % (self.product.rec_name,
            self.quantity, self.need_date)

    @classmethod
    def set_plan(cls, suggestions, name, value):
        "The plan is computed by the run"
        pass

    @classmethod
    def get_plan(cls, suggestions, name):
        "The buckets of the suggestion's product in its run"
        Balance = Pool().get('production.mrp.balance')
        result = {s.id: [] for s in suggestions}
        keys = {(s.run.id, s.product.id): s.id for s in suggestions if s.run}
        if not keys:
            return result
        runs = list({r for r, _ in keys})
        products = list({p for _, p in keys})
        for balance in Balance.search([
                    ('run', 'in', runs),
                    ('product', 'in', products),
                    ], order=[('date', 'ASC'), ('id', 'ASC')]):
            suggestion = keys.get((balance.run.id, balance.product.id))
            if suggestion is not None:
                result[suggestion].append(balance.id)
        return result

    @classmethod
    @ModelView.button
    @Workflow.transition('firm')
    def firm(cls, suggestions):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('proposed')
    def unfirm(cls, suggestions):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('cancelled')
    def cancel(cls, suggestions):
        pass

    @classmethod
    @ModelView.button
    def release(cls, suggestions, merge_days=None):
        """Create the documents of the suggestions: purchase requests and
        production orders; with merge_days, suggestions of the same product,
        source and warehouse within that many days of the first become one
        document"""
        cls.release_documents(suggestions, merge_days=merge_days)


class Peg(ModelSQL, ModelView):
    "MRP Peg"
    __name__ = 'production.mrp.peg'
    suggestion = fields.Many2One('production.mrp.suggestion', "Suggestion",
        required=True, ondelete='CASCADE', readonly=True)
    run = fields.Many2One('production.mrp.run', "Run", readonly=True,
        ondelete='CASCADE')
    origin = fields.Reference("Demand", selection='get_origins',
        readonly=True, help="The document that asks for the quantity.")
    top_origin = fields.Reference("Top Demand", selection='get_origins',
        readonly=True,
        help="The sales line, forecast or production order at the top of "
        "the levels.")
    parent = fields.Many2One('production.mrp.suggestion', "Parent",
        readonly=True, ondelete='SET NULL',
        help="The suggestion whose BOM asks for the quantity.")
    quantity = fields.Float("Quantity", digits=(16, 4), readonly=True)
    date = fields.Date("Date", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'ASC'), ('id', 'ASC')]

    @classmethod
    def get_origins(cls):
        pool = Pool()
        IrModel = pool.get('ir.model')
        selection = [(None, '')]
        for model in ORIGINS:
            try:
                pool.get(model)
            except KeyError:
                # sale and stock_forecast may be missing
                continue
            selection.append((model, IrModel.get_name(model)))
        return selection


class Exception_(ModelSQL, ModelView):
    "MRP Exception"
    __name__ = 'production.mrp.exception'
    run = fields.Many2One('production.mrp.run', "Run", required=True,
        ondelete='CASCADE', readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True)
    quantity = fields.Float("Quantity Short", digits='unit', readonly=True)
    unit = fields.Many2One('product.uom', "Unit", readonly=True)
    date = fields.Date("Date", readonly=True)
    reason = fields.Selection([
            ('no_source', "No source of supply"),
            ], "Reason", readonly=True)


class Balance(ModelSQL, ModelView):
    "MRP Time-Phased Plan"
    __name__ = 'production.mrp.balance'
    run = fields.Many2One('production.mrp.run', "Run", required=True,
        ondelete='CASCADE', readonly=True)
    product = fields.Many2One('product.product', "Product", readonly=True)
    date = fields.Date("Date", readonly=True)
    demand = fields.Float("Demand", digits=(16, 4), readonly=True)
    receipts = fields.Float("Receipts", digits=(16, 4), readonly=True)
    suggestions = fields.Float("Suggested", digits=(16, 4), readonly=True)
    projected = fields.Float("Projected", digits=(16, 4), readonly=True,
        help="On hand at the end of the day, with the suggestions.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('product', 'ASC'), ('date', 'ASC'), ('id', 'ASC')]
