# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Health check of the app image.

    health.py        web: the server answers GET / (the web client) on :8000
    health.py db     cron, worker: PostgreSQL answers and the database exists
"""
import os
import sys
import urllib.request


def web():
    with urllib.request.urlopen('http://127.0.0.1:8000/', timeout=25) as r:
        return r.status == 200


def db():
    import psycopg
    uri = os.environ['TRYTOND_DATABASE__URI'].rstrip('/')
    database = os.environ.get('ZHIZAO_DATABASE', 'zhizao')
    with psycopg.connect('%s/%s' % (uri, database), connect_timeout=25) as c:
        return c.execute('SELECT 1').fetchone() == (1,)


if __name__ == '__main__':
    check = db if sys.argv[1:] == ['db'] else web
    try:
        sys.exit(0 if check() else 1)
    except Exception as error:
        print(error)
        sys.exit(1)
