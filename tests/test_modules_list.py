# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""One owner for the list of modules.

Our modules are the folders addons/*/tryton.cfg and the stack is what their
tryton.cfg depend on (tools/modules.py).  pyproject.toml keeps a static
list of trytond_* dependencies for pip: it must name exactly the stack.
locale_zh_cn must depend on every module whose strings it translates, and
on nothing pip does not install.
"""
import os
import re
import tomllib

from data import demo as demo_data
from tools import demo, modules, runtests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pyproject_stack():
    "The Tryton modules pyproject.toml makes pip install"
    with open(os.path.join(ROOT, 'pyproject.toml'), 'rb') as fp:
        project = tomllib.load(fp)['project']
    result = set()
    for requirement in project['dependencies']:
        name = re.match(r'[A-Za-z0-9_.-]+', requirement).group(0)
        name = re.sub(r'[-.]+', '_', name).lower()
        if name.startswith('trytond_'):
            result.add(name[len('trytond_'):])
    return result


def translated_modules():
    "The modules whose strings locale_zh_cn/locale/zh_CN.po translates"
    path = os.path.join(
        modules.ADDONS, 'locale_zh_cn', 'locale', 'zh_CN.po')
    with open(path, encoding='utf-8') as fp:
        text = fp.read()
    result = set()
    for match in re.finditer(r'^msgctxt ((?:"[^\n]*"\n)+)', text, re.M):
        context = ''.join(re.findall(r'"(.*)"', match.group(1)))
        # type:model,name:module.xml_id or type:model,field:module.
        module = context.rsplit(':', 1)[-1].split('.', 1)[0]
        if module:
            result.add(module)
    return result


def test_pyproject_names_the_stack():
    stack, listed = set(modules.stack()), pyproject_stack()
    assert not stack - listed, (
        "tryton.cfg of addons/ depend on modules pyproject.toml does not "
        "install: %s" % ', '.join(
            'trytond_%s' % n for n in sorted(stack - listed)))
    assert not listed - stack, (
        "pyproject.toml installs modules no tryton.cfg of addons/ depends "
        "on: %s" % ', '.join(
            'trytond_%s' % n for n in sorted(listed - stack)))


def test_locale_zh_cn_depends():
    depends = set(modules.depends('locale_zh_cn'))
    translated = translated_modules()
    assert not translated - depends, (
        "locale_zh_cn translates modules it does not depend on: %s"
        % ', '.join(sorted(translated - depends)))
    assert not depends - translated, (
        "locale_zh_cn depends on modules it translates nothing of: %s"
        % ', '.join(sorted(depends - translated)))
    absent = depends - set(modules.CORE) - pyproject_stack()
    assert not absent, (
        "locale_zh_cn depends on modules pyproject.toml does not install: "
        "%s" % ', '.join(sorted(absent)))


def test_our_modules():
    ours = modules.ours()
    assert ours == sorted(
        name for name in os.listdir(modules.ADDONS)
        if os.path.isfile(
            os.path.join(modules.ADDONS, name, 'tryton.cfg')))
    ordered = modules.ordered()
    assert sorted(ordered) == ours
    for name in ordered:
        for depend in modules.depends(name):
            if depend in ours:
                assert ordered.index(depend) < ordered.index(name), (
                    name, depend)
    assert not set(modules.stack()) & set(ours)


def test_users_of_the_list():
    "The demo, the test runner and the plug-ins use the one list"
    assert demo.modules() == modules.stack() + modules.ordered()
    assert set(runtests.modules()) <= set(modules.ours())
    # every plug-in belongs to one of our modules, in dependency order
    plugins = demo_data.plugins()
    ordered = modules.ordered()
    assert plugins == [name for name in ordered if name in plugins]
    assert plugins == [name for name in ordered if os.path.exists(
                os.path.join(ROOT, 'data', 'demo_%s.py' % name))]
