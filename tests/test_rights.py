# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""A6: the written role × method matrix (doc/RIGHTS.md) against the demo.

1. Every RPC method, button and wizard of our modules (the models they
   define, the methods they add to or override on Tryton's models, the
   buttons their XML declares or grants) and the create / write / delete
   of their models are listed from the running database's pool (in a
   subprocess on the demo's own database file); the test fails when one is
   missing from doc/RIGHTS.md or when the matrix lists one the server does
   not have (Tryton's buttons listed there must exist on the server).
2. Each demo role logs in over JSON-RPC and calls each line; the outcome is
   told by the message: Tryton's access texts (model, field, button,
   wizard) or our "only inspectors" text mean "refused for access"; success
   or any other user error (a business rule: state, quantity) means
   "allowed".  Every disagreement is collected and asserted at once.

Run as a script (``python tests/test_rights.py WORKDIR DATABASE``) it
prints the introspected methods as JSON.
"""
import json
import os
import subprocess
import sys

from tools import modules

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MATRIX = os.path.join(ROOT, 'doc', 'RIGHTS.md')
ROLES = ['planner', 'storekeeper', 'qc', 'manager', 'accountant', 'sales']
KINDS = {'button', 'rpc', 'wizard', 'create', 'write', 'delete',
    'field-write', 'helper'}
# our modules with models and wizards (locale_zh_cn has none)
OURS = [m for m in modules.ours() if m != 'locale_zh_cn']
# Words that only access refusals carry (zh_CN as the demo users read
# them, English as fallback): Tryton's model / field access
# (msg_access_rule_error, msg_access_rule_field_error), button groups
# (msg_access_button_error), wizard access (msg_access_wizard_error,
# msg_access_wizard_model_error), quality_gate's inspector check and
# server-only log, production_kitting's planning check
ACCESS = ['没有访问', '点击按钮', '运行向导程序', '只有质检员',
    '只有生产计划员', '只由系统', 'is written only by the server',
    'You are not allowed to access', 'is not allowed.',
    'You are not allowed to execute wizard', 'Only quality inspectors',
    'Only production planners']


def read_matrix(path=MATRIX):
    "{(model, method): (kind, {role: 'yes'|'no'|'-'})} from the tables"
    matrix, duplicates = {}, []
    with open(path, encoding='utf-8') as fp:
        for line in fp:
            cells = [c.strip() for c in line.strip().strip('|').split('|')]
            if (not line.startswith('|') or len(cells) != 10
                    or cells[2] not in KINDS):
                continue
            model, method, kind = cells[:3]
            rights = dict(zip(ROLES, cells[3:9]))
            assert set(rights.values()) <= {'yes', 'no', '-'}, line
            if (model, method) in matrix:
                duplicates.append((model, method))
            matrix[model, method] = (kind, rights)
    assert not duplicates, "listed twice in %s: %s" % (path, duplicates)
    return matrix


def introspect(workdir, database):
    "{(model, method): kind} of our modules, from the database's pool"
    os.environ['TRYTOND_DATABASE__URI'] = 'sqlite://'
    os.environ['TRYTOND_DATABASE__PATH'] = workdir
    from trytond.model import ModelStorage
    from trytond.pool import Pool
    from trytond.transaction import Transaction
    prefixes = tuple('trytond.modules.%s.' % m for m in OURS)

    def ours(cls):
        return cls.__module__.startswith(prefixes)
    Pool.start()
    pool = Pool(database)
    found = {}
    with Transaction().start(database, 0, readonly=True):
        pool.init()
        for type_ in ['model', 'wizard']:
            for name, cls in pool.iterobject(type_):
                mro = cls.__mro__
                base = [c for c in mro
                    if c.__dict__.get('__name__') == name][-1]
                extensions = [c for c in mro if ours(c)]
                if not extensions:
                    continue
                if type_ == 'wizard':
                    found['wizard ' + name, 'create'] = 'wizard'
                    continue
                for method in cls.__rpc__:
                    if any(method in c.__dict__ for c in extensions):
                        found[name, method] = (
                            'button' if method in getattr(cls, '_buttons', {})
                            else 'rpc')
                if ours(base) and issubclass(cls, ModelStorage):
                    for method in ['create', 'write', 'delete']:
                        found[name, method] = method
        found.update(granted_buttons(pool))
        buttons = {(name, button)
            for name, cls in pool.iterobject('model')
            for button in getattr(cls, '_buttons', {})}
    return found, buttons


def granted_buttons(pool):
    "Buttons (of any model) that our modules' XML declares or grants"
    ModelData = pool.get('ir.model.data')
    Button = pool.get('ir.model.button')
    ButtonGroup = pool.get('ir.model.button-res.group')
    data = ModelData.search([
            ('module', 'in', OURS),
            ('model', 'in', ['ir.model.button', 'ir.model.button-res.group']),
            ])
    buttons = Button.browse(
        [d.db_id for d in data if d.model == 'ir.model.button'])
    buttons += [g.button for g in ButtonGroup.browse(
            [d.db_id for d in data if d.model != 'ir.model.button'])]
    return {(getattr(b.model, 'model', b.model), b.name): 'button'
        for b in buttons}


def server_methods(server):
    output = subprocess.run(
        [sys.executable, os.path.abspath(__file__), server.workdir,
            server.database],
        cwd=ROOT, env=dict(server.env(), PYTHONOPTIMIZE='1'),
        capture_output=True, text=True)
    assert output.returncode == 0, output.stderr
    found, buttons = json.loads(output.stdout)
    return ({tuple(k.split('\t')): v for k, v in found.items()},
        {tuple(b) for b in buttons})


def outcome(call, *args, **kwargs):
    "('allowed' | 'refused' | 'error', message) of an RPC call"
    from urllib.error import HTTPError

    from tests.checks import error_parts
    from tools.server import RPCError
    try:
        call(*args, **kwargs)
    except HTTPError as error:
        # 403: the method is not in the model's __rpc__
        return 'error', "HTTP %s %s" % (error.code, error.reason)
    except RPCError as error:
        kind, message = error_parts(error)
        if kind == 'On table_query':
            # Tryton refuses to write an SQL view, whoever asks
            return 'refused', kind
        if kind in {'UserError', 'UserWarning'}:
            if kind == 'UserError' and any(a in message for a in ACCESS):
                return 'refused', message
            return 'allowed', message
        return 'error', message[:300]
    return 'allowed', None


class Probe:
    "Calls that check a right and change nothing"

    def __init__(self, admin):
        self.admin = admin
        warehouses = admin('model.stock.location.search',
            [('type', '=', 'warehouse')], 0, 1, None)
        products = admin('model.product.product.search',
            [('producible', '=', True)], 0, 1, None)
        goods = admin('model.product.product.search',
            [('type', '=', 'goods')], 0, 1, None)
        self.warehouse, self.product = warehouses[0], products[0]
        self.lot, = admin('model.stock.lot.create',
            [{'number': 'RIGHTS-PROBE', 'product': goods[0]}])
        self.lot_status = self.quality_status()
        self.arguments = {
            ('production.kitting', 'buildable'): [[], self.warehouse],
            ('production.kitting', 'explain'): [
                self.product, self.warehouse, 1],
            ('production.kitting', 'shortage'): [[]],
            ('production.kitting', 'sale_atp'): [[]],
            ('stock.lot', 'set_quality_status'): [
                [], 'released', "rights probe"],
            ('stock.integrity', 'problems'): [],
            # a horizon out of range: refused after the access check, so
            # nothing is planned
            ('production.mrp.run', 'plan'): [self.warehouse, -1],
            ('production.bom', 'where_used'): [[]],
            ('production.bom', 'cost_rollup'): [[]],
            ('production.bom.input', 'tree_write'): [[]],
            }

    def quality_status(self):
        lot, = self.admin('model.stock.lot.read', [self.lot],
            ['quality_status'])
        return lot['quality_status']

    def wizard_model(self, wizard):
        actions = self.admin('model.ir.action.wizard.search_read',
            [('wiz_name', '=', wizard)], 0, 1, None, ['model'])
        return actions[0]['model'] if actions else None

    def __call__(self, rpc, model, method, kind):
        if kind == 'button':
            return outcome(rpc, 'model.%s.%s' % (model, method), [])
        if kind == 'rpc':
            if (model, method) not in self.arguments:
                return 'error', "no probe arguments in tests/test_rights.py"
            return outcome(rpc, 'model.%s.%s' % (model, method),
                *self.arguments[model, method])
        if kind == 'wizard':
            return self.wizard(rpc, model.split()[1])
        if kind == 'create':
            return outcome(rpc, 'model.%s.create' % model, [])
        if kind == 'write':
            return outcome(rpc, 'model.%s.write' % model, [], {})
        if kind == 'delete':
            return outcome(rpc, 'model.%s.delete' % model, [])
        if kind == 'field-write':
            return self.field_write(rpc, model, method)
        raise AssertionError(kind)

    def wizard(self, rpc, wizard):
        model = self.wizard_model(wizard)
        context = {'active_model': model, 'active_ids': [],
            'active_id': None} if model else {}
        sessions = []
        result = outcome(lambda: sessions.append(
                rpc('wizard.%s.create' % wizard, context=context)))
        for session_id, _, _ in sessions:
            rpc('wizard.%s.delete' % wizard, session_id, context=context)
        return result

    def field_write(self, rpc, model, field):
        assert (model, field) == ('stock.lot', 'quality_status')
        got, message = outcome(rpc, 'model.stock.lot.write', [self.lot],
            {'quality_status': self.lot_status})
        if got == 'allowed' and message is not None:
            # a business rule refusing the write refuses it too
            got = 'refused'
        assert self.quality_status() == self.lot_status
        return got, message


def test_rights_matrix(demo_server):
    from data.demo import DEMO_PASSWORD
    matrix = read_matrix()
    methods, buttons = server_methods(demo_server)
    problems = []
    for key, kind in sorted(methods.items()):
        if key not in matrix:
            problems.append("not in doc/RIGHTS.md: %s.%s (%s)" % (
                    key[0], key[1], kind))
        elif (matrix[key][0] != kind
                and not (kind == 'rpc' and matrix[key][0] == 'helper')):
            problems.append("%s.%s is a %s, listed as %s" % (
                    key[0], key[1], kind, matrix[key][0]))
    for key, (kind, _) in sorted(matrix.items()):
        if key in methods or kind == 'field-write':
            continue
        if kind == 'button' and key in buttons:
            # a button of Tryton's that a role's job depends on
            methods[key] = kind
        else:
            problems.append("listed in doc/RIGHTS.md, not on the server: "
                "%s.%s" % key)

    admin = demo_server.jsonrpc()
    probe = Probe(admin)
    try:
        counts = probe_roles(demo_server, DEMO_PASSWORD, matrix, methods,
            probe, problems)
        # the probes changed nothing and both answers were seen
        assert probe.quality_status() == probe.lot_status
    finally:
        admin('model.stock.lot.delete', [probe.lot])
    assert counts['allowed'] and counts['refused'], counts
    assert not problems, "%d mismatches with doc/RIGHTS.md:\n%s" % (
        len(problems), '\n'.join(problems))


def probe_roles(server, password, matrix, methods, probe, problems):
    "Call each line of the matrix as each role; add the disagreements"
    counts = {'allowed': 0, 'refused': 0}
    for role in ROLES:
        rpc = server.jsonrpc(role, password)
        for (model, method), (kind, rights) in sorted(matrix.items()):
            expected = rights[role]
            if expected == '-':
                continue
            if (model, method) not in methods and kind != 'field-write':
                continue
            got, message = probe(rpc, model, method, kind)
            counts[got] = counts.get(got, 0) + 1
            wanted = {'yes': 'allowed', 'no': 'refused'}[expected]
            if got != wanted:
                problems.append("%s %s.%s (%s): expected %s, got %s%s" % (
                        role, model, method, kind, wanted, got,
                        ': ' + message.splitlines()[0] if message else ''))
    return counts


if __name__ == '__main__':
    found, buttons = introspect(*sys.argv[1:3])
    print(json.dumps([{'\t'.join(k): v for k, v in found.items()},
                sorted(buttons)]))
