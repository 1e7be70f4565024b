# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Map every addons/<name> to trytond.modules.<name>.

pyproject.toml holds the metadata; this file only maps the modules that
tools/modules.py finds under addons/ so that a new module needs no edit
here (re-run ``pip install -e .``).
"""
import os
import sys

from setuptools import setup

HERE = os.path.dirname(os.path.abspath(__file__))
ADDONS = os.path.join(HERE, 'addons')
sys.path.insert(0, HERE)

from tools.modules import ours  # noqa: E402


def packages(name):
    root = os.path.join(ADDONS, name)
    for path, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(('.', '__'))]
        if '__init__.py' in files:
            rel = os.path.relpath(path, root)
            yield 'trytond.modules.%s%s' % (
                name, '' if rel == '.' else '.' + rel.replace(os.sep, '.'))


names = ours()
setup(
    packages=[p for n in names for p in packages(n)],
    package_dir={'trytond.modules.%s' % n: 'addons/%s' % n for n in names},
    package_data={'trytond.modules.%s' % n: [
                '*.cfg', '*.xml', '*.fodt', '*.odt', 'view/*.xml',
                'locale/*.po', 'tests/*.rst', 'icons/*.svg']
            for n in names},
    entry_points={
        'trytond.modules': [
            '%s = trytond.modules.%s' % (n, n) for n in names],
        },
    )
