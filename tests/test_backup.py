# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""``./zhizao backup`` and ``./zhizao restore`` on a plain PostgreSQL
install and on the SQLite demo (the compose set-up: tests/test_docker.py).

A database with rows and a file store with an attachment are backed up;
a restore over them is refused; dropped, they come back the same; a
restore under another name (-d) leaves the original alone."""
import os
import sqlite3
import subprocess
import tarfile

from tools.server import ROOT, _pg_connect


def zhizao(*args):
    "The command, with no TRYTOND_* setting of this process"
    env = {k: v for k, v in os.environ.items()
        if not k.startswith('TRYTOND_')}
    return subprocess.run([os.path.join(ROOT, 'zhizao')] + list(args),
        capture_output=True, text=True, timeout=300, env=env)


def make_store(data, database):
    folder = os.path.join(data, database, 'a1', 'b2')
    os.makedirs(folder)
    with open(os.path.join(folder, 'a1b2c3'), 'w') as fp:
        fp.write("附件 attachment")


def read_store(data, database):
    with open(os.path.join(data, database, 'a1', 'b2', 'a1b2c3')) as fp:
        return fp.read()


def pg_rows(uri, database):
    with _pg_connect(uri, database) as conn:
        return conn.execute('SELECT id, name, amount FROM item '
            'ORDER BY id').fetchall()


def test_postgresql(pg_uri, tmp_path):
    database, data = 'test_backup_pg', str(tmp_path / 'data')
    with _pg_connect(pg_uri) as conn:
        for name in [database, database + '_copy']:
            conn.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % name)
        conn.execute('CREATE DATABASE "%s"' % database)
    with _pg_connect(pg_uri, database) as conn:
        conn.execute('CREATE TABLE item (id serial PRIMARY KEY, name text, '
            'amount numeric(16, 4))')
        conn.execute("INSERT INTO item (name, amount) VALUES "
            "('钢管 Φ25', 18.5), ('网布 3D', 21)")
    make_store(data, database)
    before = pg_rows(pg_uri, database)
    where = ['--uri', pg_uri, '--data', data, '-d', database]
    path = str(tmp_path / 'pg.backup')

    result = zhizao('backup', *where, path)
    assert result.returncode == 0, result.stderr
    with tarfile.open(path) as tar:
        assert sorted(tar.getnames()) == [
            'database.dump', 'filestore.tar', 'manifest.json']
        assert tar.extractfile('database.dump').read(5) == b'PGDMP'

    result = zhizao('restore', *where, path)
    assert result.returncode == 1
    assert "exists" in result.stderr and "--force" in result.stderr

    with _pg_connect(pg_uri) as conn:
        conn.execute('DROP DATABASE "%s" WITH (FORCE)' % database)
    os.rename(os.path.join(data, database), str(tmp_path / 'gone'))
    result = zhizao('restore', *where, path)
    assert result.returncode == 0, result.stderr
    assert pg_rows(pg_uri, database) == before
    assert read_store(data, database) == "附件 attachment"

    copy = ['--uri', pg_uri, '--data', data, '-d', database + '_copy']
    result = zhizao('restore', *copy, path)
    assert result.returncode == 0, result.stderr
    assert pg_rows(pg_uri, database + '_copy') == before
    assert read_store(data, database + '_copy') == "附件 attachment"
    with _pg_connect(pg_uri) as conn:
        for name in [database, database + '_copy']:
            conn.execute('DROP DATABASE "%s" WITH (FORCE)' % name)


def test_sqlite(tmp_path):
    data, database = str(tmp_path / 'db'), 'zhizao_demo'
    os.makedirs(data)
    path = os.path.join(data, database + '.sqlite')
    with sqlite3.connect(path) as conn:
        conn.execute('CREATE TABLE item (name text)')
        conn.execute("INSERT INTO item VALUES ('钢管 Φ25')")
    make_store(data, database)
    backup = str(tmp_path / 'demo.backup')
    env_free = ['--data', data]

    result = zhizao('backup', *env_free, backup)
    assert result.returncode == 0, result.stderr
    result = zhizao('restore', *env_free, backup)
    assert result.returncode == 1 and "--force" in result.stderr

    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM item")
    with open(os.path.join(data, database, 'a1', 'b2', 'a1b2c3'), 'w') \
            as fp:
        fp.write("changed")
    result = zhizao('restore', '--force', *env_free, backup)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(path) as conn:
        assert conn.execute('SELECT name FROM item').fetchall() == [
            ('钢管 Φ25',)]
    assert read_store(data, database) == "附件 attachment"

    result = zhizao('restore', '--uri', 'postgresql://x@127.0.0.1:1/',
        backup)
    assert result.returncode == 1
    assert "holds a sqlite database" in result.stderr
