# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""What the benchmarks of a dataset share: the load average, the revision
measured and a throwaway PostgreSQL with the dataset loaded."""
import os
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load():
    "The load average (1, 5, 15 min), rounded"
    return [round(x, 2) for x in os.getloadavg()]


def revision():
    "The short commit id measured"
    return subprocess.run(['git', 'rev-parse', '--short', 'HEAD'],
        cwd=ROOT, capture_output=True, text=True).stdout.strip()


def build(size, database, modules, log):
    """A throwaway PostgreSQL (fsync on) with the modules activated and the
    dataset of size loaded: (cluster, uri, server, seconds of the load)"""
    from data import dataset
    from tools.pgcluster import Cluster
    from tools.server import Server
    cluster = Cluster(fsync=True)
    uri = cluster.start()
    os.environ['TRYTOND_DATABASE__URI'] = uri
    server = Server(database, modules, uri=uri, languages=('en',))
    start = time.monotonic()
    server.build()
    log("built in %.0f s" % (time.monotonic() - start))
    start = time.monotonic()
    dataset.load(size, database, uri=uri)
    loaded = time.monotonic() - start
    log("dataset %s loaded in %.0f s" % (size, loaded))
    return cluster, uri, server, loaded
