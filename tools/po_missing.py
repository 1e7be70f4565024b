# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""List the strings of a module that its locale/zh_CN.po leaves empty.

    python -m tools.po_missing MODULE [--write]

Builds a scratch SQLite database with the module and exports its zh_CN
translations with trytond-admin --export-translations, which rewrites
locale/zh_CN.po with every string of the module (existing translations
kept, missing ones empty); then prints the entries without Chinese text, to
be filled in.  PO_KEEP_OLD=1 puts the previous file back.
"""
import argparse
import os
import re
import tempfile

import polib

from tools.server import ROOT, Server

CJK = re.compile('[\u4e00-\u9fff]')


def export(module):
    workdir = tempfile.mkdtemp(prefix='po-')
    server = Server('po', [module], workdir=workdir)
    server.build()
    server.admin('-u', module, '-l', 'zh_CN', '--export-translations')
    return os.path.join(ROOT, 'addons', module, 'locale', 'zh_CN.po')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('module')
    args = parser.parse_args()
    path = os.path.join(ROOT, 'addons', args.module, 'locale', 'zh_CN.po')
    with open(path, 'rb') as fp:
        before = fp.read()
    export(args.module)
    missing = [e for e in polib.pofile(path)
        if not CJK.search(e.msgstr or '') and e.msgid.strip()]
    for entry in missing:
        print('%s\t%s' % (entry.msgctxt, entry.msgid))
    print('%d missing' % len(missing))
    if os.environ.get('PO_KEEP_OLD'):
        with open(path, 'wb') as fp:
            fp.write(before)


if __name__ == '__main__':
    main()
