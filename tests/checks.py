# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Assertions shared by the repository tests.

- ``refused(call, *args, kind=..., says=[...])``: the call is refused by the
  server with an error of that kind and a message containing every text of
  ``says``; returns the message.  Over RPC Tryton sends every user error
  (``UserError``, ``AccessError``, ``ValidationError`` …) as kind
  ``UserError`` and warnings as ``UserWarning``; an unexpected exception
  comes as its text and a traceback and never passes.  The message is what
  tells an access refusal from a business rule: say the words that only
  the expected error has.
- ``assert_integrity(server)``: the integrity check (model
  ``stock.integrity``) finds nothing wrong; run after every round of a
  concurrency test.

And the set-up the RPC tests share:

- ``admin_company(server)``: proteus logged in as admin over XML-RPC, with
  Tryton's test company made: ``(config, company)``.
- ``xml_refused(call, *args, says=[...])``: the same over XML-RPC (a
  ``Fault`` of code 1, a user error).
- ``other_company(company)``: a second company in the same currency.
- ``make_user(login, groups, company, ...)``: a user of the named groups in
  the company (in zh_CN unless told), optionally with an employee; its id.
- ``session(server, login)``: a JSON-RPC session of the user (admin's own
  for ``'admin'``).
- ``at_once(calls)``: run ``(rpc, method, args)`` calls at the same moment
  from threads; their errors' messages.  ``run_threads(targets)`` runs
  callables in threads, bounded by ``DEADLINE``.
"""
import threading

import pytest

from tools.server import RPCError

PASSWORD = 'zhizao2026'
DEADLINE = 120  # seconds for any concurrent phase


def error_parts(error):
    "(kind, message) of an RPC error payload"
    if isinstance(error, RPCError):
        error = error.error
    if isinstance(error, (list, tuple)) and error:
        kind = error[0]
        args = error[1] if len(error) > 1 else []
        if isinstance(args, (list, tuple)):
            message = ' '.join(str(a) for a in args if isinstance(a, str))
        else:
            message = str(args)
        return str(kind), message
    return type(error).__name__, str(error)


def xml_refused(call, *args, says=()):
    "Assert an XML-RPC call is refused as a user error saying says"
    import xmlrpc.client
    with pytest.raises(xmlrpc.client.Fault) as info:
        call(*args)
    fault = info.value
    # code 1: a UserError (255 would be an unexpected exception)
    assert fault.faultCode == 1, (fault.faultCode, fault.faultString)
    assert 'Traceback' not in fault.faultString, fault.faultString
    for text in says:
        assert str(text) in fault.faultString, (text, fault.faultString)
    return fault.faultString


def refused(call, *args, kind='UserError', says=(), **kwargs):
    "Assert that call(*args) is refused with kind and messages; return it"
    with pytest.raises(RPCError) as info:
        call(*args, **kwargs)
    got_kind, message = error_parts(info.value)
    assert got_kind == kind, (got_kind, message)
    assert 'Traceback' not in message and 'File "' not in message, message
    for text in ([says] if isinstance(says, str) else says):
        assert str(text) in message, (text, message)
    return message


def assert_integrity(server, login='admin', password=None):
    "The integrity check of the server's database finds no broken invariant"
    rpc = (server.jsonrpc() if password is None
        else server.jsonrpc(login, password))
    problems = rpc('model.stock.integrity.problems')
    assert problems == [], '\n'.join(problems)


def admin_company(server):
    "proteus as admin over XML-RPC and the test company: (config, company)"
    # server.proteus() misses the /rpc/ path (PLATFORM.md trap 5)
    from proteus import config as pconfig
    from trytond.modules.company.tests.tools import (
        create_company, get_company)
    config = pconfig.set_xmlrpc(
        'http://admin:admin@127.0.0.1:%s/%s/rpc/' % (
            server.port, server.database))
    create_company(config=config)
    return config, get_company(config=config)


def make_user(login, groups, company, language='zh_CN', employee=False,
        password=PASSWORD):
    "The id of a new user of the groups (names) in company (a record)"
    from proteus import Model
    Company, Group, Lang, User = [Model.get(name) for name in [
            'company.company', 'res.group', 'ir.lang', 'res.user']]
    user = User(name=login, login=login, password=password)
    for name in groups:
        user.groups.append(Group.find([('name', '=', name)])[0])
    user.companies.append(Company(company.id))
    user.company = Company(company.id)
    if language:
        user.language, = Lang.find([('code', '=', language)])
    if employee:
        Employee = Model.get('company.employee')
        employee = _employee(login, Company(company.id))
        user.employees.append(Employee(employee))
        user.employee = Employee(employee)
    user.save()
    return user.id


def other_company(company, name="Second Factory"):
    "A new company (record) in the currency of company"
    from proteus import Model
    Company, Party = Model.get('company.company'), Model.get('party.party')
    party = Party(name=name)
    party.save()
    other = Company(party=party, currency=company.currency)
    other.save()
    return other


def _employee(name, company):
    "The id of a new employee (with its party) of company"
    from proteus import Model
    Employee, Party = Model.get('company.employee'), Model.get('party.party')
    party = Party(name=name)
    party.save()
    employee = Employee(party=party, company=company)
    employee.save()
    return employee.id


def session(server, login):
    "A JSON-RPC session of login (admin's own for 'admin')"
    if login == 'admin':
        return server.jsonrpc()
    return server.jsonrpc(login, PASSWORD)


def run_threads(targets):
    "Run the callables in threads; each must end within DEADLINE"
    threads = [threading.Thread(target=t, daemon=True) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE)
        assert not thread.is_alive(), "a client did not finish in time"


def at_once(calls):
    "Run the calls (rpc, method, args) at once; return their errors"
    errors = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(calls), timeout=DEADLINE)

    def call(rpc, method, args):
        barrier.wait()
        try:
            rpc(method, args)
        except RPCError as error:
            with lock:
                errors.append(error_parts(error)[1])
    run_threads([lambda c=c: call(*c) for c in calls])
    return errors
