# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Method length of Tryton modules, measured the way issue 14 states it.

For each module folder (files under ``tests/`` excluded) it collects every
function defined directly in a class body, from its ``def`` line to its
``end_lineno`` (decorators excluded), and prints per module and for ALL:
the count, the median, the 90th percentile and the longest (with its name).
Top-level functions of the modules are measured apart, then both together,
so that code moved out of classes still counts.

Run it from the repository root::

    python -m tools.method_lengths                  # addons/*
    python -m tools.method_lengths PATH [PATH ...]  # any module folders
"""
import ast
import math
import statistics
import sys
from pathlib import Path


def percentile(values, fraction):
    "Return the percentile of values by the nearest rank"
    values = sorted(values)
    if not values:
        return 0
    return values[max(math.ceil(fraction * len(values)) - 1, 0)]


def sources(module):
    "Yield the Python files of a module folder, tests excluded"
    for path in sorted(Path(module).rglob('*.py')):
        if 'tests' not in path.relative_to(module).parts:
            yield path


def functions(path):
    "Yield (kind, name, lines) of the methods and top-level functions"
    tree = ast.parse(path.read_text(), str(path))
    kinds = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in tree.body:
        if isinstance(node, kinds):
            yield 'function', node.name, node.end_lineno - node.lineno + 1
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, kinds):
                    name = '%s.%s' % (node.name, item.name)
                    lines = item.end_lineno - item.lineno + 1
                    yield 'method', name, lines


def measure(module):
    "Return the measures of a module by kind"
    measures = {'method': [], 'function': []}
    for path in sources(module):
        for kind, name, lines in functions(path):
            measures[kind].append((lines, '%s:%s' % (path.name, name)))
    measures['both'] = measures['method'] + measures['function']
    return measures


def row(label, measures):
    "Return one line of the table"
    if not measures:
        return '%-28s %5d' % (label, 0)
    lengths = [lines for lines, _ in measures]
    longest = max(measures)
    return '%-28s %5d %6g %6g %4d  %s' % (
        label, len(lengths), statistics.median(lengths),
        percentile(lengths, 0.9), longest[0], longest[1])


def report(modules):
    "Print the table of the modules and of ALL"
    total = {'method': [], 'function': [], 'both': []}
    for kind in ['method', 'function', 'both']:
        print('%s: module                   count median    p90  max' % kind)
        for module in modules:
            measures = measure(module)[kind]
            total[kind].extend(measures)
            print(row(Path(module).name, measures))
        print(row('ALL', total[kind]))
        print()


def main(argv):
    "Measure the modules of argv, or every module of addons/"
    modules = argv or sorted(
        str(p) for p in Path('addons').iterdir()
        if p.is_dir() and any(p.glob('*.py')))
    report(modules)


if __name__ == '__main__':
    main(sys.argv[1:])
