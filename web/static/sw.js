/* QLVB service worker, served as /sw.js so that its scope is the whole site (web/pwa.py).
 *
 * What it keeps: the static files (/static/…) and the offline page, nothing else. Pages, API
 * answers and files of documents are never stored: documents are confidential, and a shared or
 * lost phone must not hold them. Pages always come from the network; when it is gone the offline
 * page is shown instead. Static files come from the network too (their names are not versioned,
 * so a stored copy could be older than the page using it) and the stored copy serves only offline.
 *
 * It also shows the push notifications of urgent documents (models/push/): the payload holds a
 * title, one line, a path of this site and a tag, never the document's content. When the browser
 * renews a subscription by itself (pushsubscriptionchange), it subscribes again with the same key and
 * reports the new subscription to /push/renew with the old one's endpoint and auth secret, which prove
 * it (web/push.py): it cannot read a page's CSRF token, and the session cookie goes with the request.
 */
'use strict';

const CACHE = 'qlvb-static-v1';
const OFFLINE = '/offline';
// What the offline page needs (tests/web/test_pwa.py checks it links nothing else).
const PRECACHE = ['/static/vendor/simple-2.3.7.min.css', '/static/app.css', '/static/icons/favicon.svg',
  '/static/icons/icon-192.png'];

function stored(cache, url) {
  // Without cookies: the offline page is the same for everyone and names nobody.
  return cache.add(new Request(url, { credentials: 'omit' }));
}

self.addEventListener('install', (event) => {
  // The offline page must be stored; a static file missing after an upgrade only costs its look.
  event.waitUntil(caches.open(CACHE)
    .then((cache) => Promise.all([stored(cache, OFFLINE),
      ...PRECACHE.map((url) => stored(cache, url).catch(() => undefined))]))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

function isStaticFile(url) {
  return url.origin === self.location.origin && url.pathname.startsWith('/static/');
}

function fromNetworkKeepingStatic(request) {
  return fetch(request).then((response) => {
    if (response.ok && response.type === 'basic' && !response.headers.has('Content-Range')) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(request, copy));
    }
    return response;
  }).catch(() => caches.match(request).then((stored) => stored || Response.error()));
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE).then((page) => page || Response.error())));
    return;
  }
  if (isStaticFile(url) && !request.headers.has('Range')) {
    event.respondWith(fromNetworkKeepingStatic(request));
  }
  // Anything else (API, fragments, document files) goes to the network untouched and is never stored.
});

function localPath(value) {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') ? value : '/notifications';
}

self.addEventListener('push', (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = {};
  }
  const title = typeof message.title === 'string' ? message.title : 'QLVB';
  const options = {
    body: typeof message.body === 'string' ? message.body : 'Có văn bản khẩn cần xử lý.',
    icon: '/static/icons/icon-192.png',
    lang: 'vi',
    requireInteraction: true,
    data: { url: localPath(message.url) },
  };
  if (typeof message.tag === 'string') options.tag = message.tag; // the same notification pushed twice shows once
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL(localPath(event.notification.data && event.notification.data.url), self.location.origin).href;
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
    const open = windows.find((client) => client.url === target && 'focus' in client);
    return open ? open.focus() : self.clients.openWindow(target);
  }));
});

function base64Url(buffer) {
  if (!buffer) return '';
  const text = btoa(String.fromCharCode(...new Uint8Array(buffer)));
  return text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function renewSubscription(old) {
  // Without the old subscription (some browsers do not give it) there is nothing to prove the
  // renewal with: the settings page records the new one when it is next opened.
  const key = old && old.options && old.options.applicationServerKey;
  const oldAuth = old && base64Url(old.getKey('auth'));
  if (!key || !oldAuth) return;
  const renewed = await self.registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  await fetch('/push/renew', {
    method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      old_endpoint: old.endpoint, old_auth: oldAuth, endpoint: renewed.endpoint,
      p256dh: base64Url(renewed.getKey('p256dh')), auth: base64Url(renewed.getKey('auth')),
    }),
  });
}

self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil(renewSubscription(event.oldSubscription).catch(() => undefined));
});
