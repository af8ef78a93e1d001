/* The service worker. `self.MATTRAN` ({version, precache, outbox}) is prepended by the server.
 * - Precaches the shell under a versioned cache; older caches are deleted on activation.
 * - Pages: network first (with a timeout for slow links), then the cached copy, then /offline.
 * - API reads: network first with a timeout; only public reference data (units) is kept for offline use.
 * - Replays the outbox on Background Sync; shows pushes and opens the right page on click. */
importScripts(self.MATTRAN.outbox + "?v=" + self.MATTRAN.version);

const VERSION = self.MATTRAN.version;
const SHELL = `mattran-shell-${VERSION}`;
const PAGES = `mattran-pages-${VERSION}`;
const API = `mattran-api-${VERSION}`;
const NETWORK_TIMEOUT_MS = 4000;
const OFFLINE_API = [/^\/api\/v1\/units(\/|\?|$)/];
// Pages whose query names one record: offline, a copy kept for another record would mislead, so without
// their own copy they answer /offline instead of the nearest match.
const RECORD_PAGES = new Set(["/household", "/household/new", "/household/edit", "/resident/edit", "/conflict"]);
const KEEP_PAGES_MAX = 60;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(self.MATTRAN.precache)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const current = new Set([SHELL, PAGES, API]);
    for (const key of await caches.keys()) if (!current.has(key)) await caches.delete(key);
    await self.clients.claim();
  })());
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); }, (error) => { clearTimeout(timer); reject(error); });
  });
}

async function networkFirst(request, cacheName, keep) {
  try {
    const response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
    if (response.ok && keep) {
      const cache = await caches.open(cacheName);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (offline) {
    const cached = await caches.match(request, { ignoreVary: true });
    if (cached) return cached;
    throw offline;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request, PAGES, !url.pathname.startsWith("/auth/") && !url.pathname.startsWith("/oauth/"))
      .catch(async () => (!RECORD_PAGES.has(url.pathname) && await caches.match(request, { ignoreSearch: true }))
        || caches.match("/offline")));
    return;
  }
  if (url.pathname === "/library/offline.js") { // the library's offline reader: kept, refreshed when online
    event.respondWith(networkFirst(request, SHELL, true));
    return;
  }
  if (url.pathname.startsWith("/api/")) {
    const keep = OFFLINE_API.some((pattern) => pattern.test(url.pathname + url.search));
    event.respondWith(networkFirst(request, API, keep));
    return;
  }
  if (url.pathname.startsWith("/static/") || url.pathname.startsWith("/_reactpy/assets/") || url.pathname === "/manifest.webmanifest") {
    event.respondWith(caches.match(request).then((cached) => cached || networkFirst(request, SHELL, true)));
  }
});

/* A page lists the pages a cadre will need at the door (an area's households, their forms): fetch the
 * ones not kept yet, while there is signal. */
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "keep-pages" && event.origin === self.location.origin) {
    event.waitUntil(keepPages(event.data.urls || []));
  }
  if (event.data && event.data.type === "refresh-kept" && event.origin === self.location.origin) {
    event.waitUntil(refreshKept(event.data.ids || []));
  }
});

/* The outbox's writes were answered: the kept pages about those records (the household, its forms, its
 * members' forms) are fetched again, so the next visit without signal shows what the server holds. */
async function refreshKept(ids) {
  const cache = await caches.open(PAGES);
  const requests = await cache.keys();
  const wanted = new Set(ids.map(String));
  const about = (request) => [...new URL(request.url).searchParams.values()].some((value) => wanted.has(value));
  // A member's form names its household: that household's page lists the member too.
  for (const request of requests.filter(about)) {
    const household = new URL(request.url).searchParams.get("household");
    if (household) wanted.add(household);
  }
  for (const request of requests.filter(about)) {
    try {
      const response = await withTimeout(fetch(request.url, { credentials: "same-origin" }), NETWORK_TIMEOUT_MS);
      if (response.ok && !response.redirected) await cache.put(request, response);
    } catch (offline) {
      return; // the signal went again: the copies stay as they are until the next answer or visit
    }
  }
}
self.MattranOutbox.onAnswered = refreshKept;

async function keepPages(urls) {
  const cache = await caches.open(PAGES);
  for (const path of urls.slice(0, KEEP_PAGES_MAX)) {
    const url = new URL(path, self.location.origin);
    if (url.origin !== self.location.origin || await cache.match(url, { ignoreVary: true })) continue;
    try {
      const response = await withTimeout(fetch(url, { credentials: "same-origin" }), NETWORK_TIMEOUT_MS);
      if (response.ok && !response.redirected) await cache.put(url, response);
    } catch (offline) {
      return; // the signal went: the rest waits for the next visit
    }
  }
}

self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") {
    event.waitUntil(self.MattranOutbox.replay().then(async () => {
      for (const client of await self.clients.matchAll()) client.postMessage({ type: "outbox-replayed" });
    }));
  }
});

self.addEventListener("push", (event) => {
  let message = {};
  try { message = event.data ? event.data.json() : {}; } catch (notJson) { message = { body: event.data.text() }; }
  const title = message.title || "Mặt trận số";
  event.waitUntil(self.registration.showNotification(title, {
    body: message.body || "",
    tag: message.tag || undefined,
    renotify: Boolean(message.tag),
    data: { url: message.url || "/" },
    icon: "/static/icons/icon-192.png",
    badge: "/static/icons/badge-96.png",
    lang: "vi",
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL(event.notification.data && event.notification.data.url || "/", self.location.origin).href;
  event.waitUntil((async () => {
    for (const client of await self.clients.matchAll({ type: "window", includeUncontrolled: true })) {
      if (client.url === target && "focus" in client) return client.focus();
    }
    return self.clients.openWindow(target);
  })());
});
