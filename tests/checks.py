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
"""
import pytest

from tools.server import RPCError

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
