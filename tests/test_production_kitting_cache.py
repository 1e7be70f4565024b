# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""production_kitting's BOM graph cache across processes (PostgreSQL)

Two gunicorn application hosts of the README's scale-out set-up
(config/trytond-multiprocess.conf, ``[cache] clean_timeout = 0``) with
``[production_kitting] graph_in_max = 0``: every call reads the BOM graph
whole and keeps it, as a call over more than 1,000 products does.  A
change of the graph through one host must change the numbers of the other
(cleared by LISTEN/NOTIFY); a refused change must change nothing."""
import os
import time

import pytest

from tests.kitting_lamp import create_lamp
from tools.scaleout import ScaleOut
from tools.server import ROOT, RPCError, Server

CONFIG = os.path.join(ROOT, 'config', 'trytond-multiprocess.conf')


@pytest.fixture(scope='module')
def cluster(pg_uri, tmp_path_factory):
    server = Server('test_kitting_cache', ['production_kitting'],
        uri=pg_uri, workdir=str(tmp_path_factory.mktemp('kitting_cache')),
        config_file=CONFIG,
        extra_env={'TRYTOND_PRODUCTION_KITTING__GRAPH_IN_MAX': '0'})
    server.build(base_template=True)
    scaleout = ScaleOut(server, hosts=2, workers=1, cron=False, worker=False)
    try:
        scaleout.start()
        scaleout.ids = _setup(scaleout)
        yield scaleout
    finally:
        scaleout.stop()
        server.drop()


def _setup(scaleout):
    "The lamp of addons/production_kitting/doc/index.rst: 1 bulb and 4 screws"
    server = scaleout.server
    first = scaleout.hosts[0]
    from proteus import config
    config.set_xmlrpc('http://admin:admin@127.0.0.1:%s/%s/rpc/' % (
            first.port, server.database))
    records = create_lamp()
    screw_input, = [i for i in records['bom'].inputs
        if i.product == records['screw']]
    return {
        'lamp': records['lamp'].id, 'warehouse': records['warehouse'].id,
        'screw_input': screw_input.id,
        }


def _buildable(session, ids):
    return session('model.production.kitting.buildable',
        [ids['lamp']], ids['warehouse'])[str(ids['lamp'])]


def _until(function, expected, seconds=5):
    """Return the value of function once it is expected (or after seconds)

    The other processes clear their cache when PostgreSQL notifies them of
    the commit, a few milliseconds later."""
    end = time.monotonic() + seconds
    tries = 0
    while True:
        tries += 1
        value = function()
        if value == expected or time.monotonic() > end:
            print('%s after %s call(s)' % (value, tries))
            return value
        time.sleep(0.05)


def test_change_on_one_host_seen_on_the_other(cluster):
    ids = cluster.ids
    first, second = [h.url for h in cluster.hosts]
    on_first = cluster.jsonrpc(url=first)
    on_second = cluster.jsonrpc(url=second)
    # 30 screws / 4 → 7 lamps, on both hosts (each keeps the graph)
    assert _buildable(on_first, ids) == 7
    assert _buildable(on_second, ids) == 7
    assert _buildable(on_second, ids) == 7

    # 3 screws per lamp, written through the first host: 10 lamps
    on_first('model.production.bom.input.write',
        [ids['screw_input']], {'quantity': 3})
    value = _until(lambda: _buildable(on_second, ids), 10)
    assert value == 10

    # and back: 5 screws per lamp through the second host, 6 lamps on the
    # first
    assert _buildable(on_first, ids) == 10
    on_second('model.production.bom.input.write', [ids['screw_input']],
        {'quantity': 5})
    value = _until(lambda: _buildable(on_first, ids), 6)
    assert value == 6


def test_refused_change_changes_nothing(cluster):
    ids = cluster.ids
    first, second = [h.url for h in cluster.hosts]
    on_first = cluster.jsonrpc(url=first)
    on_second = cluster.jsonrpc(url=second)
    before = _buildable(on_first, ids)
    assert _buildable(on_second, ids) == before
    # a negative quantity is refused by the BOM's domain after the row is
    # written: the transaction is rolled back, the graph stays
    with pytest.raises(RPCError):
        on_first('model.production.bom.input.write',
            [ids['screw_input']], {'quantity': -1})
    assert _buildable(on_first, ids) == before
    assert _buildable(on_second, ids) == before
    quantity, = on_second('model.production.bom.input.read',
        [ids['screw_input']], ['quantity'])
    assert quantity['quantity'] > 0
