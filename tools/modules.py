# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Our modules and the Tryton stack they run on: the one place they are
found.

- our modules are the folders ``addons/<name>`` that hold a ``tryton.cfg``
  (a new module needs no edit anywhere else);
- the stack is every module the ``tryton.cfg`` of our modules name in
  ``depends`` or ``extras_depend`` that is not ours and not ``ir`` or
  ``res`` (they are in trytond itself).

setup.py, tools/runtests.py, tools/demo.py and data/demo.py read them from
here.  pyproject.toml keeps its static list of ``trytond_*`` dependencies
for pip; tests/test_modules_list.py checks that it names exactly the stack.

Standard library only: setup.py imports it before anything is installed.
"""
import configparser
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADDONS = os.path.join(ROOT, 'addons')
# the modules of trytond itself, never a dependency to install
CORE = ('ir', 'res')


def _cfg(name):
    parser = configparser.ConfigParser()
    with open(os.path.join(ADDONS, name, 'tryton.cfg'), encoding='utf-8') \
            as fp:
        parser.read_file(fp)
    return parser


def _names(parser, option):
    return parser.get('tryton', option, fallback='').split()


def ours():
    "Our modules: the folders of addons/ with a tryton.cfg, by name"
    if not os.path.isdir(ADDONS):
        return []
    return sorted(name for name in os.listdir(ADDONS)
        if os.path.isfile(os.path.join(ADDONS, name, 'tryton.cfg')))


def depends(name, extras=True):
    "The modules the tryton.cfg of our module ``name`` names"
    parser = _cfg(name)
    result = _names(parser, 'depends')
    if extras:
        result += _names(parser, 'extras_depend')
    return result


def ordered():
    """Our modules in dependency order (depends and extras_depend), the
    modules that may come next taken by name"""
    names = ours()
    before = {name: {d for d in depends(name) if d in names}
        for name in names}
    result = []
    while before:
        ready = sorted(name for name, deps in before.items()
            if not deps - set(result))
        if not ready:
            raise ValueError("cyclic dependencies among %s"
                % ', '.join(sorted(before)))
        result.append(ready[0])
        del before[ready[0]]
    return result


def stack():
    """The Tryton modules our modules depend on (depends and extras_depend),
    without ir and res, by name"""
    names = set(ours())
    return sorted({d for name in names for d in depends(name)}
        - names - set(CORE))
