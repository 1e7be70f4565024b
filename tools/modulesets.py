# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Module sets of test databases: which cached database a new one can be
built from by activating the modules it lacks.

A database with the modules ``base`` can become one with ``wanted`` (both
with all their dependencies) when base is a strict part of wanted: the
modules missing are activated as a user adds modules to a live database.
A module of base with an ``extras_depend`` among them is upgraded with
them (trytond's module graph makes it their child), so its optional parts
(``depends=`` in its XML and classes) are loaded too.
"""


def closure(modules):
    "The modules with everything they depend on (tryton.cfg depends)"
    from trytond.modules import get_module_info
    result, todo = set(), list(modules)
    while todo:
        name = todo.pop()
        if name not in result:
            result.add(name)
            todo.extend(get_module_info(name).get('depends', []))
    return result


def can_extend(base, wanted):
    "Whether activating wanted - base on base gives wanted"
    return set(base) < set(wanted)


def layers(wanted):
    """The sets, smallest first, a new database of wanted is best built
    through when nothing cached is larger: Tryton's production with what it
    needs (every set of our modules has it), then all of wanted's Tryton
    modules (sets of our modules share them more often than ours)"""
    from tools.modules import ours
    result = []
    if 'production' in wanted:
        result.append(closure(['production']))
    result.append(wanted - set(ours()))
    return [layer for i, layer in enumerate(result)
        if layer < wanted and layer not in result[:i]]


def best_base(candidates, wanted):
    """The name of the largest candidate ({name: modules}) wanted can be
    built from, else None"""
    usable = sorted((len(modules), name)
        for name, modules in candidates.items()
        if can_extend(modules, wanted))
    return usable[-1][1] if usable else None
