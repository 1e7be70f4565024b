/* This file is part of Zhizao.  The COPYRIGHT file at the top level of
 * this repository contains the full copyright notices and license terms.
 *
 * The floor app's service worker: keeps the app's own files so that it
 * opens without a network (installed to the home screen).  JSON-RPC calls
 * are never cached: the postings wait in the app's queue instead. */
'use strict';
var CACHE = 'zhizao-floor-1';
var FILES = ['./', 'index.html', 'app.js', 'app.css',
    'manifest.webmanifest', 'icon.svg'];

self.addEventListener('install', function(event) {
    event.waitUntil(caches.open(CACHE).then(function(cache) {
        return cache.addAll(FILES);
    }));
});

self.addEventListener('activate', function(event) {
    event.waitUntil(caches.keys().then(function(keys) {
        return Promise.all(keys.filter(function(key) {
            return key !== CACHE;
        }).map(function(key) { return caches.delete(key); }));
    }));
});

self.addEventListener('fetch', function(event) {
    var request = event.request;
    var url = new URL(request.url);
    if (request.method !== 'GET' || url.origin !== location.origin ||
            url.pathname.indexOf('/m/') !== 0) {
        return;
    }
    // network first (a new version shows at once), the cache when offline
    event.respondWith(fetch(request).then(function(response) {
        var copy = response.clone();
        caches.open(CACHE).then(function(cache) { cache.put(request, copy); });
        return response;
    }).catch(function() {
        return caches.match(request);
    }));
});
