/* This file is part of Zhizao.  The COPYRIGHT file at the top level of
 * this repository contains the full copyright notices and license terms.
 *
 * 扫码作业: the floor app.  Plain JavaScript, served by trytond at /m/.
 * Every scan goes to production.floor.scan, every confirmed piece of work
 * to production.floor.post with a client-made id; postings wait in
 * localStorage while the phone is offline and are sent in order when the
 * connection is back (the server answers a repeated id with the first
 * result, so a posting is never made twice).  A posting the server refuses
 * stays listed as a conflict; a posting it warns about waits for the
 * worker's confirmation and is sent again with the warning skipped, the
 * way sao does (res.user.warning.skip).  The documents scanned online are
 * remembered, so that the worker can scan them again offline. */
(function() {
    'use strict';

    var EPSILON = 1e-9;
    var TASKS = {
        pick: {title: "领料", hint: "请扫生产任务单二维码"},
        stock: {title: "查库存", hint: "请扫物料、批次或库位"},
        'return': {title: "生产退料", hint: "请扫生产任务单或退料单"},
        output: {title: "完工汇报", hint: "请扫生产中的任务单"},
        inspect: {title: "质检", hint: "请扫检验单或送货单"},
        receive: {title: "收料", hint: "请扫供应商送货单"},
    };
    var $ = function(id) { return document.getElementById(id); };
    var state = {task: null, doc: null, kind: null, rows: [], cart: [],
        points: [], extra: null};
    var session = load('floor_session', null);
    var queue = load('floor_queue', []);
    var conflicts = load('floor_conflicts', []);
    var known = load('floor_known', {});
    var KNOWN = 40;
    var stalled = false;
    var confirming = false;
    var scans = [];
    var scanning = false;
    var flushing = false;
    var rpcId = 0;

    // Storage and helpers

    function load(key, fallback) {
        try {
            var value = localStorage.getItem(key);
            return value ? JSON.parse(value) : fallback;
        } catch (e) {
            return fallback;
        }
    }

    function save(key, value) {
        localStorage.setItem(key, JSON.stringify(value));
    }

    function h(tag, attrs) {
        var node = document.createElement(tag);
        Object.keys(attrs || {}).forEach(function(name) {
            var value = attrs[name];
            if (value === null || value === undefined || value === false) {
                return;
            }
            if (name.slice(0, 2) === 'on') {
                node.addEventListener(name.slice(2), value);
            } else if (name === 'text') {
                node.textContent = value;
            } else {
                node.setAttribute(name, value === true ? '' : value);
            }
        });
        for (var i = 2; i < arguments.length; i++) {
            var child = arguments[i];
            if (child === null || child === undefined || child === false) {
                continue;
            }
            node.appendChild(typeof child === 'string' ?
                document.createTextNode(child) : child);
        }
        return node;
    }

    function fmt(value, digits) {
        var number = Number(value || 0);
        var text = number.toFixed(digits === undefined ? 2 : digits);
        return text.indexOf('.') >= 0 ?
            text.replace(/0+$/, '').replace(/\.$/, '') : text;
    }

    function clientId() {
        if (window.crypto && crypto.randomUUID) {
            return crypto.randomUUID();
        }
        var bytes = new Uint8Array(16);
        (window.crypto || window.msCrypto).getRandomValues(bytes);
        return Array.prototype.map.call(bytes, function(b) {
            return ('0' + b.toString(16)).slice(-2);
        }).join('');
    }

    function b64(text) {
        return btoa(unescape(encodeURIComponent(text)));
    }

    // JSON-RPC as sao does it: login, then a session key in each call

    function RPCError(message, kind) {
        this.message = message;
        this.kind = kind;
    }

    function post(url, method, params, auth) {
        var headers = {'Content-Type': 'application/json'};
        if (auth) {
            headers.Authorization = 'Session ' + b64(session.login + ':' +
                session.user_id + ':' + session.session);
        }
        var body = JSON.stringify({id: ++rpcId, method: method,
            params: params});
        return fetch(url, {method: 'POST', headers: headers, body: body,
            cache: 'no-store'}).catch(function() {
            throw new RPCError("网络不通", 'offline');
        }).then(function(response) {
            if (response.status === 401 || response.status === 403) {
                throw new RPCError("登录已过期，请重新登录", 'auth');
            }
            if (!response.ok) {
                throw new RPCError("服务器错误 " + response.status,
                    'server');
            }
            return response.json();
        }).then(function(data) {
            if (data.error) {
                throw errorOf(data.error);
            }
            return data.result;
        });
    }

    function errorOf(error) {
        var kind = Array.isArray(error) ? error[0] : 'error';
        var args = Array.isArray(error) ? error[1] : error;
        var texts = [];
        if (Array.isArray(args)) {
            args.forEach(function(arg) {
                if (typeof arg === 'string' && arg) {
                    texts.push(arg);
                }
            });
            if (kind === 'UserWarning' && texts.length > 1) {
                texts.shift();
            }
        } else if (args) {
            texts.push(String(args));
        }
        if (kind === 'LoginException' || kind === '403') {
            return new RPCError("登录已过期，请重新登录", 'auth');
        }
        var result = new RPCError(texts.join(' ') || String(kind), kind);
        if (kind === 'UserWarning') {
            // the name of the warning, to skip it as sao does
            result.warning = args[0];
        }
        return result;
    }

    function rpc(method, params) {
        var url = '/' + encodeURIComponent(session.database) + '/rpc/';
        return post(url, method, params.concat([session.context || {}]),
            true);
    }

    // Feedback: banner, sound, vibration

    var audio = null;

    function beep(ok) {
        try {
            audio = audio || new (window.AudioContext ||
                window.webkitAudioContext)();
            var tones = ok ? [[1320, 0, 0.09]] :
                [[220, 0, 0.18], [180, 0.22, 0.25]];
            tones.forEach(function(tone) {
                var oscillator = audio.createOscillator();
                var gain = audio.createGain();
                oscillator.type = ok ? 'sine' : 'square';
                oscillator.frequency.value = tone[0];
                gain.gain.value = 0.2;
                oscillator.connect(gain);
                gain.connect(audio.destination);
                var start = audio.currentTime + tone[1];
                oscillator.start(start);
                oscillator.stop(start + tone[2]);
            });
        } catch (e) {
            // no sound on this device
        }
    }

    function banner(kind, text) {
        var node = $('banner');
        node.className = 'banner ' + kind;
        node.textContent = text;
        node.dataset.count = String(Number(node.dataset.count || 0) + 1);
    }

    function ok(text) {
        banner('ok', text);
        beep(true);
        if (navigator.vibrate) {
            navigator.vibrate(60);
        }
    }

    function bad(text) {
        banner('bad', text);
        beep(false);
        if (navigator.vibrate) {
            navigator.vibrate([200, 100, 200]);
        }
    }

    // Screens

    function show(screen) {
        ['login', 'home', 'task'].forEach(function(name) {
            $(name).hidden = name !== screen;
        });
        $('back').hidden = screen !== 'task';
        $('title').textContent = screen === 'task' ?
            TASKS[state.task].title : "扫码作业";
        focusWedge();
    }

    function showLogin(message) {
        var params = new URLSearchParams(location.search);
        $('database').value = params.get('db') ||
            (session && session.database) || load('floor_database', '');
        $('user').value = (session && session.login) || '';
        $('password').value = '';
        $('login-error').hidden = !message;
        $('login-error').textContent = message || '';
        show('login');
        if (!$('database').value) {
            post('/', 'common.db.list', [], false).then(function(names) {
                if (names && names.length === 1 && !$('database').value) {
                    $('database').value = names[0];
                }
            }, function() {});
        }
    }

    function login() {
        var database = $('database').value.trim();
        var user = $('user').value.trim();
        var password = $('password').value;
        if (!database || !user || !password) {
            $('login-error').hidden = false;
            $('login-error').textContent = "请填写数据库、用户名和密码";
            return;
        }
        $('login-button').disabled = true;
        var url = '/' + encodeURIComponent(database) + '/rpc/';
        post(url, 'common.db.login', [user, {password: password}, 'zh_CN'],
            false).then(function(result) {
            if (!result) {
                throw new RPCError("用户名或密码错误", 'login');
            }
            session = {database: database, login: user,
                user_id: result[0], session: result[1]};
            return rpc('model.res.user.get_preferences', [true]);
        }).then(function(context) {
            session.context = context;
            return rpc('model.res.user.get_preferences', [false]);
        }).then(function(preferences) {
            session.name = preferences.name || user;
            save('floor_session', session);
            save('floor_database', database);
            showHome();
            flush();
        }).catch(function(error) {
            $('login-error').hidden = false;
            $('login-error').textContent = error.kind === 'auth' ?
                "用户名或密码错误" : error.message;
        }).then(function() {
            $('login-button').disabled = false;
        });
    }

    function logout() {
        if (session) {
            fetch('/' + encodeURIComponent(session.database) +
                '/session/logout', {method: 'POST', body: '{}',
                headers: {'Content-Type': 'application/json'}})
                .catch(function() {});
        }
        session = null;
        localStorage.removeItem('floor_session');
        showLogin();
    }

    function showHome() {
        state.task = null;
        $('who').textContent = session.name + " · " + session.database;
        show('home');
    }

    function openTask(task) {
        state = {task: task, doc: null, kind: null, rows: [], cart: [],
            points: [], extra: null};
        $('banner').className = 'banner idle';
        $('banner').textContent = TASKS[task].hint;
        $('code').value = '';
        render();
        show('task');
    }

    // Input: keyboard wedge, typing, camera

    function focusWedge() {
        var active = document.activeElement;
        if (active && active !== document.body && active !== $('wedge') &&
                /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName)) {
            return;
        }
        if (!$('task').hidden && active !== $('wedge')) {
            $('wedge').focus({preventScroll: true});
        }
    }

    function onWedgeKey(event) {
        if (event.key === 'Enter' || event.key === 'Tab') {
            event.preventDefault();
            var code = $('wedge').value;
            $('wedge').value = '';
            enqueue(code);
        }
    }

    function enqueue(code) {
        code = (code || '').trim();
        if (!code || !state.task) {
            return;
        }
        scans.push({task: state.task, code: code});
        pump();
    }

    function pump() {
        if (scanning) {
            return;
        }
        var next = scans.shift();
        if (!next) {
            return;
        }
        scanning = true;
        handleScan(next).catch(function(error) {
            bad(error.message || String(error));
        }).then(function() {
            scanning = false;
            pump();
        });
    }

    function handleScan(scan) {
        if (scan.task !== state.task) {
            return Promise.resolve();
        }
        var documentId = (state.doc && state.kind === 'production') ?
            state.doc.id : null;
        return rpc('model.production.floor.scan',
            [scan.task, scan.code, documentId]).then(function(result) {
            remember(scan.task, scan.code, result);
            onScan(result);
        }, function(error) {
            if (error.kind === 'offline') {
                offlineScan(scan.code);
            } else if (error.kind === 'auth') {
                showLogin(error.message);
            } else {
                bad(error.message);
            }
        });
    }

    var camera = {stream: null, timer: null, last: '', at: 0, busy: false};

    function loadScript(src) {
        return new Promise(function(resolve, reject) {
            var script = h('script', {src: src});
            script.onload = resolve;
            script.onerror = reject;
            document.head.appendChild(script);
        });
    }

    function nativeDetector() {
        // the browser's own detector (Android Chrome, Safari, ChromeOS)
        return window.BarcodeDetector.getSupportedFormats().then(
            function(formats) {
                var wanted = ['qr_code', 'code_128', 'ean_13'].filter(
                    function(f) { return formats.indexOf(f) >= 0; });
                if (!wanted.length) {
                    throw new Error('no format');
                }
                var detector = new window.BarcodeDetector({formats: wanted});
                return function(video) {
                    return detector.detect(video).then(function(codes) {
                        return codes.map(function(c) { return c.rawValue; });
                    });
                };
            });
    }

    function zxingDetector() {
        // the decoder installed from npm by ./zhizao setup
        var ready = window.ZXing ? Promise.resolve() :
            loadScript('vendor/zxing.min.js');
        return ready.then(function() {
            var ZXing = window.ZXing;
            var hints = new Map();
            hints.set(ZXing.DecodeHintType.POSSIBLE_FORMATS, [
                ZXing.BarcodeFormat.QR_CODE, ZXing.BarcodeFormat.CODE_128,
                ZXing.BarcodeFormat.EAN_13]);
            hints.set(ZXing.DecodeHintType.TRY_HARDER, true);
            var reader = new ZXing.MultiFormatReader();
            reader.setHints(hints);
            var canvas = document.createElement('canvas');
            return function(video) {
                var width = video.videoWidth;
                var height = video.videoHeight;
                if (!width || !height) {
                    return Promise.resolve([]);
                }
                canvas.width = width;
                canvas.height = height;
                canvas.getContext('2d', {willReadFrequently: true})
                    .drawImage(video, 0, 0, width, height);
                try {
                    var source = new ZXing.HTMLCanvasElementLuminanceSource(
                        canvas);
                    var bitmap = new ZXing.BinaryBitmap(
                        new ZXing.HybridBinarizer(source));
                    return Promise.resolve([reader.decode(bitmap).getText()]);
                } catch (e) {
                    return Promise.resolve([]);
                } finally {
                    reader.reset();
                }
            };
        });
    }

    function detector() {
        var native = 'BarcodeDetector' in window ? nativeDetector() :
            Promise.reject(new Error('none'));
        return native.catch(zxingDetector);
    }

    function onCodes(codes) {
        var now = Date.now();
        codes.forEach(function(code) {
            // a code held in front of the camera is one scan
            if (code && (code !== camera.last || now - camera.at > 2000)) {
                camera.last = code;
                camera.at = now;
                enqueue(code);
            }
        });
    }

    function startCamera() {
        if (camera.stream) {
            stopCamera();
            return;
        }
        if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
            bad("此浏览器不能使用相机（需要 HTTPS）：请用扫码枪或手动输入");
            return;
        }
        Promise.all([detector(), navigator.mediaDevices.getUserMedia({
            video: {facingMode: 'environment'}, audio: false})]).then(
            function(results) {
                var detect = results[0];
                camera.stream = results[1];
                $('video').srcObject = camera.stream;
                $('video-box').hidden = false;
                $('video').play();
                banner('idle', "相机已打开：对准二维码或条码");
                camera.timer = setInterval(function() {
                    if (camera.busy) {
                        return;
                    }
                    camera.busy = true;
                    detect($('video')).then(onCodes, function() {})
                        .then(function() { camera.busy = false; });
                }, 250);
            }, function() {
                bad("无法打开相机：请允许使用相机，或用扫码枪、手动输入");
            });
    }

    function stopCamera() {
        clearInterval(camera.timer);
        if (camera.stream) {
            camera.stream.getTracks().forEach(function(t) { t.stop(); });
        }
        camera.stream = null;
        $('video-box').hidden = true;
        focusWedge();
    }

    // Answers of the server

    function onScan(result) {
        var kind = result.kind;
        if (kind === 'line') {
            addLine(result.line, 1, result.message);
            return;
        }
        if (kind !== 'stock' && (!state.doc || !result.document ||
                state.doc.id !== result.document.id || state.kind !== kind)) {
            state.cart = [];
        }
        state.doc = result.document;
        state.kind = kind;
        state.rows = result.rows || [];
        state.points = result.points || [];
        state.extra = null;
        allow(result);
        render();
        if (result.ok === false) {
            bad(result.message);
        } else {
            ok(result.message);
        }
    }

    function allow(result) {
        // what the document on screen allows
        var doc = state.doc;
        var open = result.open !== undefined ? result.open :
            result.ok !== false;
        state.pendingInspection = state.kind === 'inspection' && open;
        if (doc) {
            doc.running = state.task === 'output' && open;
            doc.receivable = state.task === 'receive' && open;
            doc.approvable = state.kind === 'material_return' && open;
        }
    }

    // Offline: what the phone knows

    function remember(task, code, result) {
        // a document scanned online, to be scanned again offline
        if (!result || !result.document || result.kind === 'line' ||
                result.kind === 'stock') {
            return;
        }
        [code, result.document.number].forEach(function(key) {
            if (key) {
                key = task + '\n' + key;
                delete known[key];
                known[key] = result;
            }
        });
        var keys = Object.keys(known);
        keys.slice(0, Math.max(keys.length - KNOWN, 0)).forEach(
            function(key) { delete known[key]; });
        save('floor_known', known);
    }

    function offlineScan(code) {
        var line = state.doc && OFFLINE_LINES[state.task] &&
            state.kind === 'production' ?
            OFFLINE_LINES[state.task](code) : null;
        if (line) {
            return;
        }
        var cached = known[state.task + '\n' + code];
        if (cached) {
            onScan(Object.assign({}, cached, {message:
                "离线 · 联网时的数据：" + cached.message}));
            return;
        }
        bad(line === false ?
            "离线：“" + code + "”不在本任务单的" + (state.task === 'pick' ?
                "待领清单" : "已发物料") + "中" :
            "离线：无法查询“" + code + "”，联网后再扫");
    }

    function offlineRow(code, lotsOf) {
        // the row (and lot) of the order on screen that code names
        var found = null;
        state.rows.forEach(function(row) {
            if (row.code && row.code === code && !found) {
                found = {row: row, lot: null};
            }
            lotsOf(row).forEach(function(lot) {
                if (lot.number && lot.number === code) {
                    found = {row: row, lot: lot};
                }
            });
        });
        return found;
    }

    var OFFLINE_LINES = {
        // true: answered; false: not a line of the order on screen
        pick: function(code) {
            var found = offlineRow(code, function(row) {
                return row.lots || [];
            });
            if (!found) {
                return false;
            }
            var row = found.row;
            if (!found.lot && row.lot_required) {
                bad("离线：物料“" + row.name + "”按批次领料，请扫批次标签");
            } else if (found.lot && !found.lot.released) {
                bad("离线：批次“" + found.lot.number + "”质量状态为“" +
                    found.lot.status + "”，不能领用");
            } else {
                addLine({product: row.product, name: row.name,
                    lot: found.lot ? found.lot.lot : null,
                    lot_number: found.lot ? found.lot.number : '',
                    remaining: row.remaining,
                    available: found.lot ? found.lot.quantity :
                        row.available,
                    unit: row.unit, digits: row.digits, offline: true},
                    1, null);
            }
            return true;
        },
        'return': function(code) {
            // a row per product and lot issued to the order
            var found = offlineRow(code, function(row) {
                return row.lot_number ? [{number: row.lot_number,
                    lot: row.lot}] : [];
            });
            if (!found) {
                return false;
            }
            var row = found.row;
            var rows = state.rows.filter(function(r) {
                return r.product === row.product &&
                    (found.lot ? r.lot === found.lot.lot : true);
            });
            addLine({product: row.product, name: row.name,
                lot: found.lot ? found.lot.lot : null,
                lot_number: found.lot ? found.lot.number : '',
                remaining: rows.reduce(function(total, r) {
                    return total + r.issued;
                }, 0),
                unit: row.unit, digits: row.digits, offline: true}, 1, null);
            return true;
        },
    };

    function cartTotal(product) {
        return state.cart.reduce(function(total, item) {
            return total + (item.product === product ? item.quantity : 0);
        }, 0);
    }

    function addLine(line, step, message) {
        var key = line.product + ':' + (line.lot || '');
        var item = state.cart.filter(function(i) { return i.key === key; })[0];
        var total = cartTotal(line.product) + step;
        var unit = line.unit;
        if (total > line.remaining + EPSILON) {
            bad(line.name + " 本次 " + fmt(total, line.digits) + " " + unit +
                "，超过" + (state.task === 'return' ? "已发数量 " : "待领数量 ") +
                fmt(line.remaining, line.digits) + " " + unit);
            return;
        }
        var quantity = (item ? item.quantity : 0) + step;
        if (line.available !== undefined &&
                quantity > line.available + EPSILON) {
            bad(line.name + " 批次 " + (line.lot_number || '-') + " 库存只有 " +
                fmt(line.available, line.digits) + " " + unit);
            return;
        }
        if (!item) {
            item = Object.assign({key: key, quantity: 0}, line);
            state.cart.push(item);
        }
        item.remaining = line.remaining;
        item.available = line.available;
        item.quantity = quantity;
        render();
        ok((line.offline ? "离线 · " : "") + line.name + " 批次 " +
            (line.lot_number || '-') + "：本次 " + fmt(item.quantity,
                line.digits) + " " + unit + "（" +
            (state.task === 'return' ? "已发 " : "待领 ") +
            fmt(line.remaining, line.digits) + " " + unit + "）");
        if (message) {
            $('banner').title = message;
        }
    }

    function setQuantity(item, value) {
        var quantity = Number(value);
        if (!isFinite(quantity) || quantity < 0) {
            bad("数量必须是不小于 0 的数字");
            render();
            return;
        }
        var others = cartTotal(item.product) - item.quantity;
        var limit = Math.min(item.remaining - others,
            item.available === undefined ? Infinity : item.available);
        if (quantity > limit + EPSILON) {
            bad(item.name + " 最多可填 " + fmt(limit, item.digits) + " " +
                item.unit);
            quantity = Math.max(limit, 0);
        }
        item.quantity = quantity;
        if (!quantity) {
            state.cart = state.cart.filter(function(i) { return i !== item; });
        }
        render();
    }

    // Postings: queued with a client id, sent in order

    function submit(task, values, label, apply) {
        var item = {client_id: clientId(), task: task, values: values,
            label: label, at: Date.now()};
        queue.push(item);
        save('floor_queue', queue);
        if (apply) {
            apply();
        }
        renderPending();
        banner('wait', "正在提交：" + label);
        return flush();
    }

    function flush() {
        if (flushing || confirming || !session || !queue.length ||
                queue[0].warning) {
            renderPending();
            return Promise.resolve();
        }
        flushing = true;
        var item = queue[0];
        return rpc('model.production.floor.post',
            [item.task, item.client_id, item.values]).then(function(result) {
            stalled = false;
            queue.shift();
            save('floor_queue', queue);
            onPosted(item, result);
            return true;
        }, function(error) {
            return onRefused(item, error);
        }).then(function(more) {
            flushing = false;
            renderPending();
            if (more && queue.length) {
                return flush();
            }
        });
    }

    function onRefused(item, error) {
        // true: go on with the next posting
        stalled = error.kind === 'offline';
        if (stalled) {
            banner('wait', "离线：" + queue.length +
                " 条待发送，联网后自动发送");
            return false;
        }
        if (error.kind === 'auth') {
            showLogin(error.message);
            return false;
        }
        if (error.kind === 'UserWarning') {
            // sent again once the worker confirms
            item.warning = {name: error.warning, message: error.message};
            save('floor_queue', queue);
            banner('wait', "请确认：" + item.label + "：" + error.message);
            beep(false);
            return false;
        }
        queue.shift();
        save('floor_queue', queue);
        conflicts.push({client_id: item.client_id, label: item.label,
            message: error.message, at: Date.now()});
        save('floor_conflicts', conflicts);
        bad(item.label + "：" + error.message);
        if (state.task === 'inspect' && state.doc) {
            state.pendingInspection = true;
            render();
        }
        return true;
    }

    function confirmWarning(item) {
        // the Tryton way: skip this warning once, then post again
        confirming = true;
        return rpc('model.res.user.warning.skip',
            [item.warning.name, false]).then(function() {
            delete item.warning;
            save('floor_queue', queue);
            banner('wait', "已确认，正在提交：" + item.label);
        }, function(error) {
            bad(item.label + "：" + error.message);
        }).then(function() {
            confirming = false;
            return flush();
        });
    }

    function cancelWarning(item) {
        queue = queue.filter(function(i) { return i !== item; });
        save('floor_queue', queue);
        banner('idle', "已取消：" + item.label);
        return flush();
    }

    function onPosted(item, result) {
        var same = state.task === item.task && state.doc && result.document &&
            state.doc.id === result.document.id;
        remember(item.task, null, result);
        if (same && !scans.length) {
            state.doc = result.document;
            state.rows = result.rows || state.rows;
            state.kind = result.kind || state.kind;
            allow(result);
            render();
        }
        ok(result.message + (result.repeated ? "（重复提交，按第一次结果）" : ""));
    }

    function renderPending() {
        var node = $('pending');
        node.hidden = !queue.length;
        node.textContent = "待发送 " + queue.length;
        $('net').className = navigator.onLine ? 'net' : 'net off';
        $('net').textContent = navigator.onLine ? "在线" : "离线";
        renderQueue();
    }

    function renderQueue() {
        // what waits on the phone: pending, to confirm, refused
        var node = clear($('queue'));
        var waiting = stalled || !navigator.onLine;
        queue.forEach(function(item) {
            if (item.warning) {
                node.appendChild(h('div', {'class': 'row qitem warn',
                        'data-client': item.client_id},
                    h('div', {'class': 'name', text: "需确认 · " + item.label}),
                    h('div', {'class': 'message', text: item.warning.message}),
                    h('div', {'class': 'choice'},
                        action("确认继续", function() {
                            confirmWarning(item);
                        }),
                        action("取消提交", function() {
                            cancelWarning(item);
                        }, 'secondary'))));
            } else if (waiting) {
                node.appendChild(h('div', {'class': 'row qitem pend',
                        'data-client': item.client_id},
                    h('div', {'class': 'name', text: "待发送 · " + item.label}),
                    h('div', {'class': 'message', text: "已存在手机上，" +
                        new Date(item.at).toLocaleTimeString('zh-CN') +
                        "，联网后自动发送"})));
            }
        });
        conflicts.forEach(function(conflict) {
            node.appendChild(h('div', {'class': 'row qitem conflict',
                    'data-client': conflict.client_id},
                h('div', {'class': 'name', text: "未入账 · " + conflict.label}),
                h('div', {'class': 'message', text: conflict.message}),
                action("知道了", function() {
                    conflicts = conflicts.filter(function(c) {
                        return c !== conflict;
                    });
                    save('floor_conflicts', conflicts);
                    renderQueue();
                }, 'secondary')));
        });
        node.hidden = !node.firstChild;
    }

    // Drawing the task screen

    function render() {
        renderDoc();
        renderCart();
        renderRows();
        renderActions();
    }

    function clear(node) {
        while (node.firstChild) {
            node.removeChild(node.firstChild);
        }
        return node;
    }

    function renderDoc() {
        var node = clear($('doc'));
        var doc = state.doc;
        node.hidden = !doc || state.kind === 'stock';
        if (node.hidden) {
            return;
        }
        var sub = [];
        if (doc.product) {
            sub.push(doc.product + " × " + fmt(doc.quantity) + " " + doc.unit);
        }
        ['supplier', 'origin', 'production', 'location'].forEach(function(n) {
            if (doc[n]) {
                sub.push(doc[n]);
            }
        });
        if (doc.reported !== undefined) {
            sub.push("已汇报 " + fmt(doc.reported) + "，还差 " + fmt(doc.left) +
                " " + doc.unit);
        }
        node.appendChild(h('div', {'class': 'number', text: doc.number}));
        node.appendChild(h('div', {'class': 'sub',
            text: (doc.state ? "【" + doc.state + "】" : '') + sub.join(" · ")}));
    }

    function renderCart() {
        var node = clear($('cart'));
        node.hidden = !state.cart.length;
        if (node.hidden) {
            return;
        }
        node.appendChild(h('h3', {text: state.task === 'return' ?
            "本次退料" : "本次领料"}));
        state.cart.forEach(function(item) {
            var input = h('input', {type: 'number', inputmode: 'decimal',
                value: fmt(item.quantity, item.digits), step: 'any',
                'aria-label': "数量",
                onchange: function() { setQuantity(item, input.value); }});
            var limit = Math.min(item.remaining - (cartTotal(item.product) -
                item.quantity), item.available === undefined ? Infinity :
                item.available);
            node.appendChild(h('div', {'class': 'row cartline' +
                    (item.offline ? ' offline' : '')},
                h('div', {'class': 'name', text: item.name}),
                h('div', {'class': 'nums'},
                    h('span', {text: "批次 " + (item.lot_number || '-')}),
                    h('span', {text: (state.task === 'return' ? "已发 " :
                        "待领 ") + fmt(item.remaining, item.digits) + " " +
                        item.unit})),
                h('div', {'class': 'stepper'},
                    h('button', {type: 'button', 'aria-label': "减一",
                        onclick: function() {
                            setQuantity(item, item.quantity - 1);
                        }}, "−"),
                    input,
                    h('button', {type: 'button', 'aria-label': "加一",
                        onclick: function() {
                            setQuantity(item, item.quantity + 1);
                        }}, "+"),
                    h('button', {type: 'button', 'class': 'all',
                        onclick: function() { setQuantity(item, limit); }},
                        "全部 " + fmt(limit, item.digits)))));
        });
    }

    function nums(pairs) {
        var node = h('div', {'class': 'nums'});
        pairs.forEach(function(pair) {
            if (pair) {
                node.appendChild(h('span', {}, pair[0] + " ",
                    h('b', {text: pair[1]})));
            }
        });
        return node;
    }

    function tag(text, good) {
        return text ? h('span', {'class': 'tag ' + (good ? 'ok' : 'bad'),
            text: text}) : null;
    }

    var RENDER_ROWS = {
        pick: function(row) {
            var lots = (row.lots || []).map(function(lot) {
                return h('div', {'class': 'nums'},
                    h('span', {text: (lot.number ? "批次 " + lot.number :
                        "无批次") + "：" +
                        fmt(lot.quantity, row.digits) + " " + row.unit}),
                    lot.status ? tag(lot.status, lot.released) : null);
            });
            var node = h('div', {'class': 'row' +
                    (row.remaining <= EPSILON ? ' done' : '')},
                h('div', {'class': 'name', text: row.name}),
                nums([["待领", fmt(row.remaining, row.digits) + " " + row.unit],
                    ["库存", fmt(row.available, row.digits) + " " + row.unit],
                    row.lot_required ? ["", "按批次"] : null]));
            lots.forEach(function(lot) { node.appendChild(lot); });
            return node;
        },
        stock: function(row) {
            return h('div', {'class': 'row' + (row.released &&
                    !row.quarantine ? '' : ' held')},
                h('div', {'class': 'name', text: row.product}),
                h('div', {'class': 'nums'},
                    h('span', {text: row.location}),
                    row.lot ? h('span', {text: "批次 " + row.lot}) : null,
                    tag(row.status, row.released),
                    row.quarantine ? tag("隔离区", false) : null),
                nums([["在库", fmt(row.quantity) + " " + row.unit],
                    ["预留", fmt(row.reserved) + " " + row.unit],
                    ["可用", fmt(row.free) + " " + row.unit]]));
        },
        'return': function(row) {
            if (state.kind === 'material_return') {
                return h('div', {'class': 'row'},
                    h('div', {'class': 'name', text: row.name}),
                    nums([["批次", row.lot_number || '-'],
                        ["数量", fmt(row.quantity) + " " + row.unit]]));
            }
            return h('div', {'class': 'row'},
                h('div', {'class': 'name', text: row.name}),
                nums([["批次", row.lot_number || '-'],
                    ["已发", fmt(row.issued, row.digits) + " " + row.unit]]));
        },
        output: function(row) {
            // a report of the order that waits for its inspection
            var node = h('div', {'class': 'row' + (row.decided ? '' :
                    ' held')},
                h('div', {'class': 'name', text: "完工汇报 " + row.number}),
                nums([["数量", fmt(row.quantity) + " " + row.unit],
                    ["检验单", row.inspections || '-']]),
                h('div', {'class': 'nums'}, tag(row.decided ? "已判定" :
                    "待质检", row.decided)));
            if (row.decided && state.doc && state.doc.running) {
                node.appendChild(h('button', {type: 'button',
                    'class': 'primary big', 'data-report': row.id,
                    onclick: function() {
                        submit('output', {report: row.id},
                            "完工汇报入账 " + row.number);
                    }}, "入账 " + row.number));
            }
            return node;
        },
        receive: function(row) {
            return h('div', {'class': 'row'},
                h('div', {'class': 'name', text: row.name}),
                nums([["批次", row.lot || '-'],
                    ["数量", fmt(row.quantity) + " " + row.unit]]));
        },
        inspect: function(row) {
            var pending = state.pendingInspection;
            var node = h('div', {'class': 'row'},
                h('div', {'class': 'name', text: row.name}),
                nums([["批次", row.lot || '-'],
                    ["检验数量", fmt(row.quantity) + " " + row.unit]]));
            if (!pending) {
                node.appendChild(nums([["合格", fmt(row.accepted)],
                    ["不合格", fmt(row.rejected)], ["让步", fmt(row.concession)]]));
                return node;
            }
            row.decision = row.decision || {accepted: row.quantity,
                rejected: 0, concession: 0};
            var grid = h('div', {'class': 'decide'});
            [['accepted', "合格"], ['rejected', "不合格"],
                ['concession', "让步"]].forEach(function(pair) {
                var input = h('input', {type: 'number', inputmode: 'decimal',
                    step: 'any', value: fmt(row.decision[pair[0]]),
                    'data-line': row.id, 'data-name': pair[0],
                    onchange: function() {
                        row.decision[pair[0]] = Number(input.value || 0);
                        if (pair[0] !== 'accepted') {
                            row.decision.accepted = Math.max(row.quantity -
                                row.decision.rejected -
                                row.decision.concession, 0);
                            renderRows();
                        }
                    }});
                grid.appendChild(h('label', {}, pair[1], input));
            });
            node.appendChild(grid);
            return node;
        },
    };

    function pointsBox() {
        var box = h('div', {'class': 'row points'},
            h('div', {'class': 'name', text: "检验项"}));
        state.points.forEach(function(point) {
            if (point.type === 'boolean') {
                if (point.value === null || point.value === undefined) {
                    point.value = true;
                }
                var pass = h('button', {type: 'button',
                    'class': point.value ? 'primary' : 'secondary',
                    'data-point': point.name, 'aria-pressed': String(
                        !!point.value),
                    onclick: function() {
                        point.value = !point.value;
                        renderRows();
                    }}, point.value ? "合格" : "不合格");
                box.appendChild(h('div', {'class': 'point'},
                    h('span', {text: point.string}), pass));
                return;
            }
            var range = [point.lower, point.upper].map(function(v) {
                return v === null || v === undefined ? '' : fmt(v, 4);
            }).join('–');
            var input = h('input', {type: 'number', inputmode: 'decimal',
                step: 'any', 'data-point': point.name,
                value: point.value === null || point.value === undefined ?
                    '' : String(point.value),
                onchange: function() {
                    point.value = input.value === '' ? null :
                        Number(input.value);
                }});
            box.appendChild(h('label', {'class': 'point'},
                point.string + (range !== '–' ? "（" + range + "）" : ''),
                input));
        });
        return box;
    }

    function renderRows() {
        var node = clear($('rows'));
        var draw = RENDER_ROWS[state.task];
        if (state.task === 'inspect' && state.pendingInspection &&
                (state.points || []).length) {
            node.appendChild(pointsBox());
        }
        if (state.task === 'pick' && state.rows.length) {
            node.appendChild(h('h3', {text: "待领清单"}));
        }
        if (draw) {
            state.rows.forEach(function(row) {
                node.appendChild(draw(row));
            });
        }
        if (state.task === 'output' && state.doc &&
                state.kind === 'production' && state.doc.running) {
            node.appendChild(outputFields());
        }
    }

    function outputFields() {
        var doc = state.doc;
        var box = h('div', {'class': 'row fields'});
        var quantity = h('input', {id: 'output-quantity', type: 'number',
            inputmode: 'decimal', step: 'any',
            value: fmt(state.extra && state.extra.quantity !== undefined ?
                state.extra.quantity : doc.left)});
        var lot = h('input', {id: 'output-lot', autocapitalize: 'off',
            placeholder: doc.lot_required ? "必填：扫或输入批次号" : "可不填",
            value: (state.extra && state.extra.lot) || ''});
        var keep = function() {
            state.extra = {quantity: Number(quantity.value), lot: lot.value};
        };
        quantity.addEventListener('change', keep);
        lot.addEventListener('change', keep);
        box.appendChild(h('label', {}, "本次完工数量（" + doc.unit + "）",
            quantity));
        box.appendChild(h('label', {}, "批次号", lot));
        return box;
    }

    function action(text, handler, style) {
        return h('button', {type: 'button', 'class': (style || 'primary') +
            ' big', onclick: handler}, text);
    }

    function renderActions() {
        var node = clear($('actions'));
        var doc = state.doc;
        var buttons = [];
        if (state.task === 'pick' && doc && state.cart.length) {
            buttons.push(action("确认领料（" + state.cart.length + " 行）",
                postPick));
        } else if (state.task === 'return' && doc) {
            if (state.kind === 'material_return' && state.doc.approvable) {
                buttons.push(action("审批通过", postApprove));
            } else if (state.kind === 'production' && state.cart.length) {
                buttons.push(action("提交退料（" + state.cart.length + " 行）",
                    postReturn));
            }
        } else if (state.task === 'output' && doc &&
                state.kind === 'production' && doc.running) {
            buttons.push(action("确认汇报", postOutput));
        } else if (state.task === 'inspect' && state.pendingInspection) {
            buttons.push(action("确认判定", postInspect));
        } else if (state.task === 'receive' && doc && doc.receivable) {
            buttons.push(action("确认收料", postReceive));
        }
        if (state.cart.length) {
            buttons.push(action("清空本次", function() {
                state.cart = [];
                render();
            }, 'secondary'));
        }
        buttons.forEach(function(b) { node.appendChild(b); });
        node.hidden = !buttons.length;
    }

    // The postings of each task

    function postPick() {
        var doc = state.doc;
        var lines = state.cart.map(function(item) {
            return {product: item.product, lot: item.lot,
                quantity: item.quantity};
        });
        var cart = state.cart;
        submit('pick', {production: doc.id, lines: lines},
            "领料 " + doc.number + " " + cartText(), function() {
                // what the phone knows until the server answers
                cart.forEach(function(item) {
                    state.rows.forEach(function(row) {
                        if (row.product !== item.product) {
                            return;
                        }
                        row.remaining = Math.max(row.remaining -
                            item.quantity, 0);
                        row.available -= item.quantity;
                        (row.lots || []).forEach(function(lot) {
                            if (lot.lot === item.lot) {
                                lot.quantity -= item.quantity;
                            }
                        });
                    });
                });
                state.cart = [];
                render();
            });
    }

    function cartText() {
        // what a posting of the cart takes, for its pending line
        return state.cart.map(function(item) {
            return item.name + " " + fmt(item.quantity, item.digits) + " " +
                item.unit;
        }).join("、");
    }

    function postReturn() {
        var doc = state.doc;
        var lines = state.cart.map(function(item) {
            return {product: item.product, lot: item.lot,
                quantity: item.quantity};
        });
        submit('return', {production: doc.id, lines: lines},
            "退料 " + doc.number + " " + cartText(), function() {
                state.cart = [];
                render();
            });
    }

    function postApprove() {
        submit('return', {material_return: state.doc.id},
            "审批退料 " + state.doc.number);
    }

    function postOutput() {
        var doc = state.doc;
        var quantity = Number($('output-quantity').value);
        var lot = $('output-lot').value.trim();
        if (!(quantity > 0)) {
            bad("完工数量必须大于 0");
            return;
        }
        if (doc.lot_required && !lot) {
            bad("完工产品“" + doc.product + "”按批次入库：请填写批次号");
            return;
        }
        state.extra = null;
        submit('output', {production: doc.id, quantity: quantity, lot: lot},
            "完工汇报 " + doc.number + " " + fmt(quantity) + " " + doc.unit);
    }

    function postInspect() {
        var lines = [];
        for (var i = 0; i < state.rows.length; i++) {
            var row = state.rows[i];
            var d = row.decision || {accepted: row.quantity, rejected: 0,
                concession: 0};
            var total = d.accepted + d.rejected + d.concession;
            if (Math.abs(total - row.quantity) > EPSILON) {
                bad(row.name + "：合格 " + fmt(d.accepted) + " + 不合格 " +
                    fmt(d.rejected) + " + 让步 " + fmt(d.concession) + " = " +
                    fmt(total) + "，不等于检验数量 " + fmt(row.quantity));
                return;
            }
            lines.push({id: row.id, accepted: d.accepted,
                rejected: d.rejected, concession: d.concession});
        }
        var points = {};
        var missing = [];
        (state.points || []).forEach(function(point) {
            if (point.value === null || point.value === undefined) {
                missing.push(point.string);
            }
            points[point.name] = point.value;
        });
        if (missing.length) {
            bad("请填写检验项：" + missing.join("、"));
            return;
        }
        state.pendingInspection = false;
        render();
        submit('inspect', {inspection: state.doc.id, lines: lines,
            points: points},
            "质检 " + state.doc.number);
    }

    function postReceive() {
        state.doc.receivable = false;
        submit('receive', {shipment: state.doc.id},
            "收料 " + state.doc.number);
        render();
    }

    // Wiring

    function init() {
        $('login-form').addEventListener('submit', function(event) {
            event.preventDefault();
            login();
        });
        $('logout').addEventListener('click', logout);
        $('back').addEventListener('click', function() {
            stopCamera();
            showHome();
        });
        Array.prototype.forEach.call(document.querySelectorAll('.tile'),
            function(tile) {
                tile.addEventListener('click', function() {
                    openTask(tile.dataset.task);
                });
            });
        $('typed').addEventListener('submit', function(event) {
            event.preventDefault();
            var code = $('code').value;
            $('code').value = '';
            $('code').blur();
            enqueue(code);
        });
        $('wedge').addEventListener('keydown', onWedgeKey);
        $('camera').addEventListener('click', startCamera);
        $('camera-stop').addEventListener('click', stopCamera);
        $('pending').addEventListener('click', flush);
        document.addEventListener('click', function() {
            setTimeout(focusWedge, 0);
        });
        document.addEventListener('focusout', function() {
            setTimeout(focusWedge, 0);
        });
        window.addEventListener('online', function() {
            renderPending();
            flush();
        });
        window.addEventListener('offline', renderPending);
        setInterval(function() {
            if (navigator.onLine && queue.length && !flushing) {
                flush();
            }
        }, 3000);
        if ('serviceWorker' in navigator && window.isSecureContext) {
            navigator.serviceWorker.register('sw.js').catch(function() {});
        }
        renderPending();
        if (session && session.session) {
            showHome();
            flush();
        } else {
            showLogin();
        }
    }

    window.floorApp = {
        state: function() { return state; },
        queue: function() { return queue; },
        busy: function() {
            return scanning || scans.length > 0 || flushing || confirming;
        },
        conflicts: function() { return conflicts; },
    };
    init();
}());
