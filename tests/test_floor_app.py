# This file is part of Zhizao.  The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""The floor app 扫码作业 (issue 17) on a phone: Debian's Chromium at
390×844 with touch, served by trytond at /m/ on a copy of the demo.

- 领料 end to end: login as the storekeeper, scan the order and a burst of
  20 scans as fast key events of a keyboard wedge (none dropped or merged),
  confirm, then the slip, the order's remaining and the lot's stock are
  read back from the server;
- the same client id posted twice posts once;
- a storekeeper is refused on 质检 (the inspector's decision) and nothing
  changes; the inspector decides;
- offline → online: the posting waits on the phone, shown as pending, and
  is posted once when the network is back, for 领料, 完工汇报 and 生产退料
  (the order scanned offline from what the phone remembers); a posting the
  server refuses meanwhile is shown as a conflict;
- the camera reads a QR code, a Code 128 and an EAN-13;
- a server warning (a backflush into negative stock) is shown on the phone
  and confirmed there, then posted with the warning skipped;
- screenshots of each screen in test-artifacts/floor_*.png.
"""
import contextlib
import os
import shutil
import sqlite3
import time
import uuid
from decimal import Decimal

import pytest

from data.demo import DEMO_PASSWORD
from tests.checks import error_parts
from tests.test_rights import ACCESS
from tools.server import RPCError, Server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PHONE = {'width': 390, 'height': 844}


@pytest.fixture(scope='module')
def floor(demo_server, tmp_path_factory):
    """A server of its own on a copy of the demo database: the postings of
    these tests never change the demo the other tests read"""
    from tools import demo
    web = os.path.join(ROOT, 'var', 'sao', 'm')
    # what ./zhizao setup copies (cp -rf web/* var/sao/)
    shutil.copytree(os.path.join(ROOT, 'web', 'm'), web, dirs_exist_ok=True)
    workdir = str(tmp_path_factory.mktemp('floor'))
    source = os.path.join(demo_server.workdir,
        demo_server.database + '.sqlite')
    # SQLite's backup: what the demo's write-ahead log holds comes too
    with sqlite3.connect(source) as src, sqlite3.connect(
            os.path.join(workdir, 'floor_app.sqlite')) as dst:
        src.backup(dst)
    server = Server('floor_app', demo.modules(), workdir=workdir,
        config_file=os.path.join(ROOT, 'config', 'trytond.conf'))
    server.start()
    yield server
    server.stop()


def phone(browser):
    context = browser.new_context(viewport=PHONE, has_touch=True,
        is_mobile=True, locale='zh-CN', device_scale_factor=1)
    return context, context.new_page()


def login(page, server, user):
    page.goto('%s/m/?db=%s' % (server.base_url, server.database))
    page.fill('#user', user)
    page.fill('#password', DEMO_PASSWORD)
    page.tap('#login-button')
    page.wait_for_selector('#home:not([hidden])', timeout=30000)


def open_task(page, text):
    page.locator('.tile', has_text=text).tap()
    page.wait_for_selector('#task:not([hidden])')


def idle(page, timeout=30):
    "Wait until every scan and posting of the app is answered"
    end = time.monotonic() + timeout
    while page.evaluate('window.floorApp.busy()'):
        assert time.monotonic() < end, "the app is still busy"
        time.sleep(0.05)


def banner(page):
    return page.inner_text('#banner')


def wedge(page, codes):
    "A keyboard-wedge scanner: each code typed as key events and Enter"
    start = time.monotonic()
    for code in codes:
        page.keyboard.type(code)
        page.keyboard.press('Enter')
    return time.monotonic() - start


def fits(page):
    "Nothing of the screen is wider than the phone"
    width = page.evaluate('document.documentElement.scrollWidth')
    assert width <= PHONE['width'], width


def shot(page, artifacts, name):
    fits(page)
    page.screenshot(path=os.path.join(artifacts, 'floor_%s.png' % name),
        full_page=True)


def pick_candidate(rpc):
    """(order number, order id, row, lot) of a waiting order picked by
    slips with a released lot in stock of a component left to pick"""
    ids = rpc('model.production.search', [
            ('picking_method', '=', 'slip'),
            ('state', 'in', ['waiting', 'assigned', 'running']),
            ], 0, None, [('id', 'ASC')])
    for production in rpc('model.production.read', ids, ['number']):
        order = rpc('model.production.floor.scan', 'pick',
            production['number'], None)
        for row in order['rows']:
            for lot in row['lots']:
                if (lot['released'] and lot['number']
                        and min(lot['quantity'], row['remaining']) >= 2):
                    return production['number'], production['id'], row, lot
    raise AssertionError("no order of the demo to pick by lot")


def slips(rpc, production_id):
    ids = rpc('model.production.picking.line.search',
        [('production', '=', production_id)], 0, None, None)
    return {l['picking'] for l in rpc('model.production.picking.line.read',
            ids, ['picking'])}


def lot_stock(rpc, lot):
    result = rpc('model.production.floor.scan', 'stock', lot, None)
    return sum(r['quantity'] for r in result['rows'])


def test_floor_served_and_login(floor, browser, artifacts):
    "/m/ and its files are served by trytond; login and the six tasks"
    import urllib.request
    for path in ['/m/', '/m/app.js', '/m/app.css', '/m/sw.js',
            '/m/manifest.webmanifest']:
        with urllib.request.urlopen(floor.base_url + path) as response:
            assert response.status == 200, path
    context, page = phone(browser)
    page.goto('%s/m/?db=%s' % (floor.base_url, floor.database))
    page.wait_for_selector('#login:not([hidden])')
    shot(page, artifacts, '0_login')
    page.fill('#user', 'storekeeper')
    page.fill('#password', 'wrong')
    page.tap('#login-button')
    page.wait_for_selector('#login-error:not([hidden])')
    assert '错误' in page.inner_text('#login-error')
    login(page, floor, 'storekeeper')
    assert '仓管员 李强' in page.inner_text('#who')
    tiles = page.locator('.tile')
    assert tiles.all_inner_texts()[0].startswith('领料')
    assert [t.split('\n')[0] for t in tiles.all_inner_texts()] == [
        '领料', '查库存', '生产退料', '完工汇报', '质检', '收料']
    for box in [tiles.nth(i).bounding_box() for i in range(6)]:
        assert box['height'] >= 100 and box['width'] >= 150, box
    shot(page, artifacts, '1_home')
    context.close()


def test_floor_pick_wedge_burst(floor, browser, artifacts):
    "领料: order, a burst of 20 wedge scans, confirm; read back the slip"
    rpc = floor.jsonrpc('storekeeper', DEMO_PASSWORD)
    number, production_id, row, lot = pick_candidate(rpc)
    take = int(min(lot['quantity'], row['remaining'], 4))
    before_slips = slips(rpc, production_id)
    before_stock = lot_stock(rpc, lot['number'])
    context, page = phone(browser)
    login(page, floor, 'storekeeper')
    open_task(page, '领料')
    shot(page, artifacts, '2_pick_empty')
    wedge(page, [number])
    idle(page)
    assert number in page.inner_text('#doc')
    assert '待领' in banner(page)
    # 20 scans: the lot `take` times, then the order again and the product
    # code (refused: it is picked by lot) and one lot too many (refused
    # with the numbers); each one answered, none merged
    burst = [lot['number']] * take
    burst += [number, row['code'] or row['name']] * ((20 - take - 1) // 2)
    burst += [lot['number']]
    burst += [number] * (20 - len(burst))
    assert len(burst) == 20
    count = int(page.get_attribute('#banner', 'data-count'))
    # typed as fast as the browser takes keys (no timed assertion: the
    # answers below count, whatever the machine's load)
    wedge(page, burst)
    idle(page)
    assert int(page.get_attribute('#banner', 'data-count')) == count + 20
    cart = page.evaluate('window.floorApp.state().cart')
    assert [(c['lot_number'], c['quantity']) for c in cart] == [
        (lot['number'], take)]
    shot(page, artifacts, '3_pick_cart')
    page.locator('#actions button', has_text='确认领料').tap()
    idle(page)
    text = banner(page)
    assert '领料单' in text and number in text, text
    assert 'ok' in page.get_attribute('#banner', 'class')
    shot(page, artifacts, '4_pick_done')
    context.close()

    new = slips(rpc, production_id) - before_slips
    assert len(new) == 1
    slip, = rpc('model.production.picking.read', list(new),
        ['state', 'lines'])
    assert slip['state'] == 'done'
    lines = rpc('model.production.picking.line.read', slip['lines'],
        ['lot', 'quantity'])
    assert [(l['lot'], l['quantity']) for l in lines] == [(lot['lot'], take)]
    order = rpc('model.production.floor.scan', 'pick', number, None)
    left = {r['product']: r['remaining'] for r in order['rows']}
    assert left.get(row['product'], 0) == pytest.approx(
        row['remaining'] - take)
    # the lot left the picking location into production
    assert lot_stock(rpc, lot['number']) == pytest.approx(
        before_stock - take)


def test_floor_same_client_id_posts_once(floor):
    "A retry or a double tap with the same client id posts once"
    rpc = floor.jsonrpc('storekeeper', DEMO_PASSWORD)
    number, production_id, row, lot = pick_candidate(rpc)
    before = slips(rpc, production_id)
    values = {'production': production_id, 'lines': [{
                'product': row['product'], 'lot': lot['lot'],
                'quantity': 1}]}
    client_id = str(uuid.uuid4())
    first = rpc('model.production.floor.post', 'pick', client_id, values)
    second = rpc('model.production.floor.post', 'pick', client_id, values)
    assert not first.get('repeated') and second['repeated']
    assert second['posted'] == first['posted']
    assert len(slips(rpc, production_id) - before) == 1
    order = rpc('model.production.floor.scan', 'pick', number, None)
    left = {r['product']: r['remaining'] for r in order['rows']}
    assert left.get(row['product'], 0) == pytest.approx(row['remaining'] - 1)
    # above what is left: refused with the numbers, nothing written
    with pytest.raises(RPCError) as info:
        rpc('model.production.floor.post', 'pick', str(uuid.uuid4()), {
                'production': production_id, 'lines': [{
                        'product': row['product'], 'lot': lot['lot'],
                        'quantity': row['remaining'] + 100}]})
    kind, message = error_parts(info.value)
    assert kind == 'UserError' and '超过' in message, message
    assert len(slips(rpc, production_id) - before) == 1


def _pending_inspection(floor):
    "A pending inspection of a received supplier shipment"
    admin = floor.jsonrpc()
    ids = admin('model.quality.inspection.search', [
            ('state', '=', 'pending'), ('decided', '=', False),
            ('lines', '!=', None)], 0, 1, [('id', 'ASC')])
    if ids:
        inspection, = admin('model.quality.inspection.read', ids,
            ['number', 'lines'])
        return inspection
    pytest.skip("the demo has no pending inspection with lines")


def test_floor_storekeeper_refused_on_inspection(floor, browser, artifacts):
    "质检 is the inspector's: the storekeeper is refused, nothing changes"
    inspection = _pending_inspection(floor)
    context, page = phone(browser)
    login(page, floor, 'storekeeper')
    open_task(page, '质检')
    wedge(page, [inspection['number']])
    idle(page)
    assert 'bad' in page.get_attribute('#banner', 'class')
    assert any(a in banner(page) for a in ACCESS), banner(page)
    assert page.locator('#actions button').count() == 0
    shot(page, artifacts, '5_inspect_refused')
    context.close()
    rpc = floor.jsonrpc('storekeeper', DEMO_PASSWORD)
    lines = floor.jsonrpc()('model.quality.inspection.line.read',
        inspection['lines'], ['quantity'])
    with pytest.raises(RPCError) as info:
        rpc('model.production.floor.post', 'inspect', str(uuid.uuid4()), {
                'inspection': inspection['id'], 'lines': [
                    {'id': l['id'], 'accepted': l['quantity'],
                        'rejected': 0, 'concession': 0} for l in lines]})
    kind, message = error_parts(info.value)
    assert kind == 'UserError' and any(a in message for a in ACCESS), message
    state, = floor.jsonrpc()('model.quality.inspection.read',
        [inspection['id']], ['state', 'decided'])
    assert (state['state'], state['decided']) == ('pending', False)


def test_floor_inspector_decides(floor, browser, artifacts):
    "质检 by the inspector: all accepted but one unit rejected"
    inspection = _pending_inspection(floor)
    context, page = phone(browser)
    login(page, floor, 'qc')
    open_task(page, '质检')
    wedge(page, [inspection['number']])
    idle(page)
    assert 'ok' in page.get_attribute('#banner', 'class'), banner(page)
    shot(page, artifacts, '6_inspect')
    for point in page.evaluate('window.floorApp.state().points'):
        if point['type'] != 'boolean':
            field = page.locator('input[data-point="%s"]' % point['name'])
            field.fill(str(point['lower'] if point['lower'] is not None
                    else point['upper'] or 0))
            field.dispatch_event('change')
    first = page.locator('input[data-name=rejected]').first
    first.fill('1')
    first.dispatch_event('change')
    page.locator('#actions button', has_text='确认判定').tap()
    idle(page)
    assert '已判定' in banner(page), banner(page)
    shot(page, artifacts, '7_inspect_done')
    context.close()
    state, = floor.jsonrpc()('model.quality.inspection.read',
        [inspection['id']], ['state', 'decided'])
    assert state['decided']


def test_floor_offline_posts_once(floor, browser, artifacts):
    "Offline: the posting waits as pending, then is posted once"
    rpc = floor.jsonrpc('storekeeper', DEMO_PASSWORD)
    number, production_id, row, lot = pick_candidate(rpc)
    before = slips(rpc, production_id)
    context, page = phone(browser)
    login(page, floor, 'storekeeper')
    open_task(page, '领料')
    wedge(page, [number])
    idle(page)
    context.set_offline(True)
    wedge(page, [lot['number']])
    idle(page)
    assert '离线' in banner(page)
    page.locator('#actions button', has_text='确认领料').tap()
    page.wait_for_selector('#pending:not([hidden])')
    assert page.inner_text('#pending') == '待发送 1'
    assert page.evaluate('navigator.onLine') is False
    shot(page, artifacts, '8_offline_pending')
    assert slips(rpc, production_id) == before
    context.set_offline(False)
    page.wait_for_selector('#pending', state='hidden', timeout=20000)
    idle(page)
    assert '领料单' in banner(page)
    assert len(slips(rpc, production_id) - before) == 1
    # the queue is empty: a reload posts nothing more
    page.reload()
    page.wait_for_selector('#home:not([hidden])')
    time.sleep(1)
    assert len(slips(rpc, production_id) - before) == 1
    context.close()


def test_floor_stock_and_other_screens(floor, browser, artifacts):
    "查库存 by lot, and the screens of 完工汇报, 生产退料 and 收料"
    rpc = floor.jsonrpc('storekeeper', DEMO_PASSWORD)
    _, _, _, lot = pick_candidate(rpc)
    context, page = phone(browser)
    login(page, floor, 'manager')
    open_task(page, '查库存')
    wedge(page, [lot['number']])
    idle(page)
    assert lot['number'] in page.inner_text('#rows')
    assert '可用' in page.inner_text('#rows')
    shot(page, artifacts, '9_stock')
    admin = floor.jsonrpc()
    running = admin('model.production.search',
        [('state', '=', 'running')], 0, 1, [('id', 'ASC')])
    number, = [p['number'] for p in admin('model.production.read',
            running, ['number'])]
    page.tap('#back')
    open_task(page, '完工汇报')
    wedge(page, [number])
    idle(page)
    assert '已汇报' in page.inner_text('#doc')
    shot(page, artifacts, '10_output')
    page.tap('#back')
    open_task(page, '生产退料')
    wedge(page, [number])
    idle(page)
    assert '已发' in page.inner_text('#rows')
    shot(page, artifacts, '11_return')
    page.tap('#back')
    open_task(page, '收料')
    wedge(page, ['NO-SUCH-CODE'])
    idle(page)
    assert 'NO-SUCH-CODE' in banner(page)
    assert 'bad' in page.get_attribute('#banner', 'class')
    shot(page, artifacts, '12_receive_refused')
    context.close()


def test_floor_output_posted(floor, browser, artifacts):
    "完工汇报: the manager reports 1 unit of a running order"
    admin = floor.jsonrpc()
    running = admin('model.production.search', [('state', '=', 'running')],
        0, 1, [('id', 'ASC')])
    before, = admin('model.production.read', running,
        ['number', 'reported_quantity', 'output_reports'])
    context, page = phone(browser)
    login(page, floor, 'manager')
    open_task(page, '完工汇报')
    wedge(page, [before['number']])
    idle(page)
    page.fill('#output-quantity', '1')
    page.locator('#output-quantity').dispatch_event('change')
    page.locator('#actions button', has_text='确认汇报').tap()
    idle(page)
    assert '完工汇报' in banner(page) and before['number'] in banner(page)
    shot(page, artifacts, '13_output_done')
    context.close()
    after, = admin('model.production.read', running,
        ['reported_quantity', 'output_reports'])
    assert after['reported_quantity'] == pytest.approx(
        (before['reported_quantity'] or 0) + 1)
    new = set(after['output_reports']) - set(before['output_reports'])
    report, = admin('model.production.output.report.read', list(new),
        ['state', 'quantity'])
    assert (report['state'], report['quantity']) == ('done', 1)


def test_floor_return_submitted_then_approved(floor, browser, artifacts):
    "生产退料: the planner submits, the manager approves on the phone"
    admin = floor.jsonrpc()
    running = admin('model.production.search', [('state', '=', 'running')],
        0, 1, [('id', 'ASC')])
    number, = [p['number'] for p in admin('model.production.read', running,
            ['number'])]
    issued = admin('model.production.floor.scan', 'return', number,
        None)['rows']
    row = [r for r in issued if not r['lot_number']
        and r['issued'] >= 1][0]
    code = row['name'].split(']')[0].strip('[')
    context, page = phone(browser)
    login(page, floor, 'planner')
    open_task(page, '生产退料')
    wedge(page, [number, code])
    idle(page)
    page.locator('#actions button', has_text='提交退料').tap()
    idle(page)
    text = banner(page)
    assert '退料单' in text, text
    returns = admin('model.production.material.return.search',
        [('production', '=', running[0]), ('state', '=', 'submitted')],
        0, None, [('id', 'DESC')])
    material_return, = admin('model.production.material.return.read',
        returns[:1], ['number', 'lines'])
    context.close()

    context, page = phone(browser)
    login(page, floor, 'manager')
    open_task(page, '生产退料')
    wedge(page, [material_return['number']])
    idle(page)
    shot(page, artifacts, '14_return_approve')
    page.locator('#actions button', has_text='审批通过').tap()
    idle(page)
    context.close()
    state, = admin('model.production.material.return.read',
        [material_return['id']], ['state'])
    assert state['state'] in {'approved', 'inspecting'}, state


def test_floor_receive(floor, browser, artifacts):
    "收料: a delivery of a confirmed purchase received into the input"
    admin = floor.jsonrpc()
    moves = admin('model.stock.move.search', [
            ('shipment', '=', None), ('state', '=', 'draft'),
            ('from_location.type', '=', 'supplier'),
            ('origin', 'like', 'purchase.line,%')], 0, None, [('id', 'ASC')])
    assert moves, "the demo has a confirmed purchase not delivered"
    read = admin('model.stock.move.read', moves,
        ['product', 'to_location', 'purchase'])
    purchase = read[0]['purchase']
    moves = [m for m in read if m['purchase'] == purchase]
    warehouse, = admin('model.purchase.purchase.read', [purchase],
        ['warehouse', 'party'])
    location, = admin('model.stock.location.read', [warehouse['warehouse']],
        ['input_location', 'storage_location'])
    for move in moves:
        lot, = admin('model.stock.lot.create', [{
                    'number': 'FLOOR-%s' % move['id'],
                    'product': move['product']}])
        admin('model.stock.move.write', [move['id']], {'lot': lot})
    shipment, = admin('model.stock.shipment.in.create', [{
                'supplier': warehouse['party'],
                'warehouse': warehouse['warehouse'],
                'warehouse_input': location['input_location'],
                'warehouse_storage': location['storage_location'],
                'reference': 'DN-FLOOR-1',
                'incoming_moves': [('add', [m['id'] for m in moves])]}])
    context, page = phone(browser)
    login(page, floor, 'storekeeper')
    open_task(page, '收料')
    wedge(page, ['DN-FLOOR-1'])
    idle(page)
    assert 'ok' in page.get_attribute('#banner', 'class'), banner(page)
    shot(page, artifacts, '15_receive')
    page.locator('#actions button', has_text='确认收料').tap()
    idle(page)
    assert '已收料' in banner(page), banner(page)
    context.close()
    state, = admin('model.stock.shipment.in.read', [shipment], ['state'])
    assert state['state'] == 'received'
    done = admin('model.stock.move.read', [m['id'] for m in moves],
        ['state', 'to_location'])
    assert {(m['state'], m['to_location']) for m in done} == {
        ('done', location['input_location'])}


def code_video(path, codes, frames=10):
    """A Y4M video (Chromium's fake camera plays it in a loop) showing each
    of codes, (kind, text) with kind 'qr', 'code128' or 'ean13', for frames
    frames:
    640×480 grey, the code in the middle"""
    import barcode
    import qrcode
    from barcode.writer import ImageWriter
    from PIL import Image
    width, height = 640, 480
    chroma = bytes([128]) * (width * height // 4)
    with open(path, 'wb') as fp:
        fp.write(b'YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n'
            % (width, height))
        for kind, text in codes:
            if kind == 'qr':
                image = qrcode.make(text, border=4, box_size=8)
            else:
                # an EAN-13 has fewer, wider modules than a Code 128
                image = barcode.get(kind, text, writer=ImageWriter()).render(
                    {'module_width': 0.5 if kind == 'ean13' else 0.3,
                        'module_height': 12, 'dpi': 200, 'quiet_zone': 4,
                        'write_text': False})
            image = image.convert('L')
            image.thumbnail((width - 40, height - 40))
            frame = Image.new('L', (width, height), 255)
            frame.paste(image, ((width - image.size[0]) // 2,
                    (height - image.size[1]) // 2))
            for _ in range(frames):
                fp.write(b'FRAME\n' + frame.tobytes() + chroma + chroma)


@contextlib.contextmanager
def camera_phone(browser, video):
    "A phone whose camera films video (Chromium's fake capture)"
    from tests.conftest import CHROMIUM, FLAGS
    camera = browser.browser_type.launch(executable_path=CHROMIUM,
        args=FLAGS + ['--use-fake-device-for-media-stream',
            '--use-fake-ui-for-media-stream',
            '--use-file-for-fake-video-capture=%s' % video])
    try:
        context = camera.new_context(viewport=PHONE, has_touch=True,
            is_mobile=True, locale='zh-CN', permissions=['camera'])
        yield context.new_page()
        context.close()
    finally:
        camera.close()


def test_floor_camera_reads_a_qr_code(floor, browser, artifacts,
        tmp_path):
    """The camera: Chromium's fake video capture plays the QR of an order
    and the Code 128 of a lot; without BarcodeDetector (Chromium on Linux)
    the @zxing/library decoder installed by ./zhizao setup reads them"""
    from tests.conftest import CHROMIUM, FLAGS
    vendor = os.path.join(ROOT, 'var', 'sao', 'm', 'vendor', 'zxing.min.js')
    assert os.path.exists(vendor), "./zhizao setup installs the decoder"
    rpc = floor.jsonrpc('storekeeper', DEMO_PASSWORD)
    number, _, _, lot = pick_candidate(rpc)
    video = str(tmp_path / 'order.y4m')
    # the order's QR on the 生产任务单, then the lot's Code 128 label
    code_video(video, [('qr', number), ('code128', lot['number'])])
    camera = browser.browser_type.launch(executable_path=CHROMIUM,
        args=FLAGS + ['--use-fake-device-for-media-stream',
            '--use-fake-ui-for-media-stream',
            '--use-file-for-fake-video-capture=%s' % video])
    try:
        context = camera.new_context(viewport=PHONE, has_touch=True,
            is_mobile=True, locale='zh-CN', permissions=['camera'])
        page = context.new_page()
        login(page, floor, 'storekeeper')
        open_task(page, '领料')
        page.tap('#camera')
        page.wait_for_function(
            'document.querySelector("#doc").innerText.includes(%r)'
            % number, timeout=30000)
        page.wait_for_function(
            'window.floorApp.state().cart.some(c => c.lot_number == %r)'
            % lot['number'], timeout=30000)
        page.tap('#camera-stop')
        idle(page)
        assert page.evaluate('"BarcodeDetector" in window') or \
            page.evaluate('!!window.ZXing')
        shot(page, artifacts, '16_camera')
        context.close()
    finally:
        camera.close()


def test_floor_output_at_quality_gate(floor, browser, artifacts):
    """完工汇报 of a product under a "Production Done" control: the report
    waits for its inspection (the inspector decides it on the phone), then
    the manager posts it (入账)"""
    admin = floor.jsonrpc()
    running = admin('model.production.search', [('state', '=', 'running')],
        0, 1, [('id', 'DESC')])
    order, = admin('model.production.read', running,
        ['number', 'product', 'reported_quantity'])
    admin('model.quality.control.create', [{
                'name': "成品检验（扫码作业测试）", 'frequency': 1,
                'operations': ['production:do'], 'product': order['product'],
                'points': [('create', [{'name': 'look', 'string': "外观",
                                'type_': 'boolean'}])]}])
    context, page = phone(browser)
    login(page, floor, 'manager')
    open_task(page, '完工汇报')
    wedge(page, [order['number']])
    idle(page)
    page.fill('#output-quantity', '1')
    page.locator('#output-quantity').dispatch_event('change')
    page.locator('#actions button', has_text='确认汇报').tap()
    idle(page)
    assert '待质检' in banner(page), banner(page)
    number = page.evaluate('window.floorApp.state().rows[0].inspections')
    context.close()

    context, page = phone(browser)
    login(page, floor, 'qc')
    open_task(page, '质检')
    wedge(page, [number])
    idle(page)
    page.locator('#actions button', has_text='确认判定').tap()
    idle(page)
    assert '已判定' in banner(page), banner(page)
    context.close()

    context, page = phone(browser)
    login(page, floor, 'manager')
    open_task(page, '完工汇报')
    wedge(page, [order['number']])
    idle(page)
    shot(page, artifacts, '17_output_inspected')
    page.locator('button[data-report]').first.tap()
    idle(page)
    assert '已入账' in banner(page), banner(page)
    context.close()
    after, = admin('model.production.read', running, ['reported_quantity'])
    assert after['reported_quantity'] == pytest.approx(
        (order['reported_quantity'] or 0) + 1)


def test_floor_camera_reads_an_ean13(floor, browser, artifacts, tmp_path):
    """查库存 through the camera: the EAN-13 on a material's box (the
    product's identifier of type EAN) filmed by Chromium's fake capture;
    the stock of that material answers"""
    import barcode
    rpc = floor.jsonrpc('storekeeper', DEMO_PASSWORD)
    _, _, row, _ = pick_candidate(rpc)
    ean = barcode.get('ean13', '69%010d' % row['product']).get_fullcode()
    assert len(ean) == 13
    floor.jsonrpc()('model.product.identifier.create', [{
                'product': row['product'], 'type': 'ean', 'code': ean}])
    video = str(tmp_path / 'ean13.y4m')
    code_video(video, [('ean13', ean)])
    with camera_phone(browser, video) as page:
        login(page, floor, 'storekeeper')
        open_task(page, '查库存')
        page.tap('#camera')
        page.wait_for_function(
            'window.floorApp.state().rows.length > 0', timeout=30000)
        page.tap('#camera-stop')
        idle(page)
        state = page.evaluate('window.floorApp.state()')
        assert state['doc']['title'] == row['name'], state['doc']
        assert {r['product'] for r in state['rows']} == {row['name']}
        assert sum(r['quantity'] for r in state['rows']) > 0
        assert 'ok' in page.get_attribute('#banner', 'class')
        shot(page, artifacts, '18_camera_ean13')


def returned(admin, production_id, product_id):
    "The quantity of product counted as returned from the order"
    ids = admin('model.production.material.return.line.search', [
            ('material_return.production', '=', production_id),
            ('product', '=', product_id),
            ('material_return.state', 'in',
                ['submitted', 'approved', 'inspecting', 'done']),
            ], 0, None, None)
    return sum(l['quantity'] for l in admin(
            'model.production.material.return.line.read', ids, ['quantity']))


def pending(page, count):
    page.wait_for_selector('#pending:not([hidden])')
    assert page.inner_text('#pending') == '待发送 %s' % count


def test_floor_offline_output_and_return_post_once(floor, browser,
        artifacts):
    """Offline, 完工汇报 (manager) and 生产退料 (planner) on two phones: the
    order scanned again without network (the phone remembers it), the
    material scanned from the order's rows, confirmed, kept as pending;
    back online each posting is made once, and the return above what is
    left to return is listed as a conflict with the server's reason"""
    admin = floor.jsonrpc()
    running = admin('model.production.search', [('state', '=', 'running')],
        0, 1, [('id', 'ASC')])
    before, = admin('model.production.read', running,
        ['number', 'reported_quantity', 'output_reports'])
    number = before['number']
    row = [r for r in admin('model.production.floor.scan', 'return', number,
            None)['rows'] if not r['lot_number'] and r['code']][0]
    left = row['issued'] - returned(admin, running[0], row['product'])
    assert left >= 1, (row, left)
    returns = set(admin('model.production.material.return.search',
            [('production', '=', running[0])], 0, None, None))

    out_context, out = phone(browser)
    login(out, floor, 'manager')
    open_task(out, '完工汇报')
    wedge(out, [number])
    idle(out)
    out.tap('#back')
    out_context.set_offline(True)
    open_task(out, '完工汇报')
    wedge(out, [number])
    idle(out)
    assert '离线' in banner(out) and number in out.inner_text('#doc')
    out.fill('#output-quantity', '1')
    out.locator('#output-quantity').dispatch_event('change')
    out.locator('#actions button', has_text='确认汇报').tap()
    pending(out, 1)
    assert '待发送 · 完工汇报 %s' % number in out.inner_text('#queue')
    shot(out, artifacts, '19_offline_output')

    return_context, ret = phone(browser)
    login(ret, floor, 'planner')
    open_task(ret, '生产退料')
    wedge(ret, [number])
    idle(ret)
    ret.tap('#back')
    return_context.set_offline(True)
    open_task(ret, '生产退料')
    wedge(ret, [number, row['code']])
    idle(ret)
    cart = ret.evaluate('window.floorApp.state().cart')
    assert [(c['product'], c['quantity'], c['offline']) for c in cart] == [
        (row['product'], 1, True)]
    ret.locator('#actions button', has_text='提交退料').tap()
    # a second return of all that was issued: more than is left
    wedge(ret, [row['code']])
    idle(ret)
    field = ret.locator('#cart input[aria-label="数量"]')
    field.fill(str(row['issued']))
    field.dispatch_event('change')
    ret.locator('#actions button', has_text='提交退料').tap()
    pending(ret, 2)
    shot(ret, artifacts, '20_offline_return')
    assert set(admin('model.production.material.return.search',
            [('production', '=', running[0])], 0, None, None)) == returns
    after, = admin('model.production.read', running, ['output_reports'])
    assert after['output_reports'] == before['output_reports']

    out_context.set_offline(False)
    return_context.set_offline(False)
    for page in [out, ret]:
        page.wait_for_selector('#pending', state='hidden', timeout=20000)
        idle(page)
    conflicts = ret.evaluate('window.floorApp.conflicts()')
    assert len(conflicts) == 1 and conflicts[0]['label'].startswith('退料')
    assert ret.locator('.qitem.conflict').count() == 1
    shot(ret, artifacts, '21_return_conflict')
    ret.locator('.qitem.conflict button', has_text='知道了').tap()
    assert ret.locator('#queue').is_hidden()
    # a reload sends nothing more
    for page in [out, ret]:
        page.reload()
        page.wait_for_selector('#home:not([hidden])')
    time.sleep(1)
    out_context.close()
    return_context.close()

    after, = admin('model.production.read', running,
        ['reported_quantity', 'output_reports'])
    assert after['reported_quantity'] == pytest.approx(
        (before['reported_quantity'] or 0) + 1)
    new = set(after['output_reports']) - set(before['output_reports'])
    report, = admin('model.production.output.report.read', list(new),
        ['state', 'quantity'])
    assert (report['state'], report['quantity']) == ('done', 1)
    new = set(admin('model.production.material.return.search',
            [('production', '=', running[0])], 0, None, None)) - returns
    material_return, = admin('model.production.material.return.read',
        list(new), ['state', 'lines'])
    assert material_return['state'] == 'submitted'
    lines = admin('model.production.material.return.line.read',
        material_return['lines'], ['product', 'quantity'])
    assert [(l['product'], l['quantity']) for l in lines] == [
        (row['product'], 1)]


def backflush_order(floor, quantity):
    """A running order of a new product whose only component, a screw
    with no stock, is backflushed 2 per unit"""
    from proteus import Model
    floor.proteus()
    BOM = Model.get('production.bom')
    Production = Model.get('production')
    Template = Model.get('product.template')
    unit = Production.find([('state', '=', 'running')], limit=1)[0].unit

    def product(name, **values):
        template = Template(name=name, default_uom=unit, type='goods',
            list_price=Decimal(2), **values)
        template.products[0].cost_price = Decimal(1)
        template.save()
        return template.products[0]
    bracket = product("扫码测试支架", producible=True)
    screw = product("扫码测试倒冲螺钉")
    bom = BOM(name="扫码测试支架")
    bom.inputs.new(product=screw, quantity=2, backflush=True)
    bom.outputs.new(product=bracket, quantity=1)
    bom.save()
    production = Production(product=bracket, bom=bom, quantity=quantity,
        picking_method='run')
    production.click('wait')
    production.click('assign_force')
    production.click('run')
    assert production.state == 'running'
    return production, screw


def test_floor_output_warning_confirmed(floor, browser, artifacts):
    """A warning of the server on the phone: with the configuration
    consuming into negative stock, 完工汇报 of 3 brackets whose 6 screws
    are not in stock warns; 取消提交 posts nothing, 确认继续 skips the
    warning the Tryton way (res.user.warning.skip) and posts once"""
    admin = floor.jsonrpc()
    production, screw = backflush_order(floor, 5)
    configuration, = admin('model.production.configuration.read', [1],
        ['backflush_negative'])
    admin('model.production.configuration.write', [1],
        {'backflush_negative': True})
    try:
        context, page = phone(browser)
        login(page, floor, 'manager')
        open_task(page, '完工汇报')
        for answer in ['取消提交', '确认继续']:
            wedge(page, [production.number])
            idle(page)
            page.fill('#output-quantity', '3')
            page.locator('#output-quantity').dispatch_event('change')
            page.locator('#actions button', has_text='确认汇报').tap()
            page.wait_for_selector('.qitem.warn')
            idle(page)
            text = page.inner_text('.qitem.warn')
            assert '负库存' in text and '扫码测试倒冲螺钉' in text, text
            assert 'wait' in page.get_attribute('#banner', 'class')
            reports = admin('model.production.output.report.search',
                [('production', '=', production.id)], 0, None, None)
            assert reports == []
            if answer == '取消提交':
                shot(page, artifacts, '22_output_warning')
            page.locator('.qitem.warn button', has_text=answer).tap()
            idle(page)
            assert page.locator('.qitem.warn').count() == 0
        page.wait_for_selector('#pending', state='hidden')
        assert '完工汇报' in banner(page), banner(page)
        assert 'ok' in page.get_attribute('#banner', 'class')
        shot(page, artifacts, '23_output_confirmed')
        context.close()
    finally:
        admin('model.production.configuration.write', [1],
            {'backflush_negative': configuration['backflush_negative']})
    reports = admin('model.production.output.report.search',
        [('production', '=', production.id)], 0, None, None)
    report, = admin('model.production.output.report.read', reports,
        ['state', 'quantity'])
    assert (report['state'], report['quantity']) == ('done', 3)
    order, = admin('model.production.read', [production.id],
        ['reported_quantity'])
    assert order['reported_quantity'] == 3
    moves = admin('model.stock.move.search', [
            ('production_input', '=', production.id),
            ('product', '=', screw.id), ('state', '=', 'done')],
        0, None, None)
    assert sum(m['quantity'] for m in admin('model.stock.move.read', moves,
                ['quantity'])) == 6
