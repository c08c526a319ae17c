// Sinergi's service worker, build {{ build }} (rendered by sinergi.offline.views.service_worker).
//
// What it does, and nothing more:
// - static files: cache first, in a cache named after the build (a new build drops the old one);
// - pages (navigations): network first; a good answer for the signed-in user is kept in that
//   user's cache, and offline the kept copy is shown, else the offline page;
// - after sign-in and whenever a page says the device is online, the pages listed by
//   GET /api/v1/sync/ are fetched and kept (only what changed since the last time);
// - queued forms are sent by Background Sync where the browser has it (the pages send them too).
// Never kept: API answers, other users' pages, answers marked no-store (personal numbers
// revealed, sign-in, health), downloads, uploads, anything but a plain 200 page.
"use strict";

importScripts("{{ queue_js|escapejs }}");

const BUILD = "{{ build }}";
const STATIC_CACHE = "sinergi-static-" + BUILD;
const PAGES_PREFIX = "sinergi-pages-u";
const SHELL = [{% for url in shell %}"{{ url|escapejs }}", {% endfor %}"{{ offline_url|escapejs }}"];
const OFFLINE_URL = "{{ offline_url|escapejs }}";
const QUEUE_URL = "{{ queue_url|escapejs }}";
const SYNC_URL = "{{ sync_url|escapejs }}";
const LOGIN_URL = "{{ login_url|escapejs }}";
const STATIC_URL = "{{ static_url|escapejs }}";
const KEEP_MS = {{ days }} * 24 * 3600 * 1000;
const REFRESH_MS = 10 * 60 * 1000; // a page load re-syncs at most this often
const NEVER_KEEP = [/^\/api\//, /^\/admin\//, /^\/akun\//, /^\/jsi18n\//, /^\/health\//, /\/ungkap\//, /\/berkas$/, /\/foto\//, /\.(pdf|csv|xlsx|docx)$/];
const Q = self.SinergiQueue;

self.addEventListener("install", (event) => {
  // The shell is fetched fresh (not from the HTTP cache) so a new build never keeps old files.
  // One file that fails on a weak connection does not stop the worker: it is fetched again
  // when a page asks for it (and the offline page at the next hello).
  event.waitUntil((async () => {
    const cache = await caches.open(STATIC_CACHE);
    await Promise.all(SHELL.map((url) =>
      cache.add(new Request(url, { cache: "reload" })).catch(() => null)));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("sinergi-static-") && name !== STATIC_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function pageKey(url) {
  const u = new URL(url);
  u.hash = "";
  return u.href;
}

async function wipePages() {
  for (const name of await caches.keys()) {
    if (name.startsWith(PAGES_PREFIX)) await caches.delete(name);
  }
  await Q.setMeta("since", null);
  await Q.setMeta("pages", []);
  await Q.setMeta("synced_at", 0);
}

// Another person signed in on this device: nothing of the previous one stays readable. One
// switch at a time: two pages kept at once must not wipe each other's copy.
let switching = Promise.resolve();
function ensureUser(user) {
  switching = switching.catch(() => null).then(async () => {
    if (String(await Q.getMeta("user")) !== String(user)) {
      await wipePages();
      await Q.setMeta("user", user);
    }
  });
  return switching;
}

// Signing out: from the page's "bye" on, nothing more is kept (a refresh still running must
// not write the person's pages back after the page has deleted them).
let closing = false;

async function keep(request, response) {
  if (closing) return false;
  const url = new URL(request.url);
  if (response.status !== 200 || response.redirected || response.type !== "basic") return false;
  if (NEVER_KEEP.some((rule) => rule.test(url.pathname))) return false;
  if (/no-store/i.test(response.headers.get("Cache-Control") || "")) return false;
  if (response.headers.get("Content-Disposition")) return false;
  const type = response.headers.get("Content-Type") || "";
  if (!type.startsWith("text/html")) return false;
  const text = await response.text();
  const user = Q.pageUser(text);
  if (!user || closing) return false;
  await ensureUser(user);
  // Signed out while the page was read: caches.open would create the deleted cache again.
  if (closing) return false;
  const cache = await caches.open(PAGES_PREFIX + user);
  await cache.put(pageKey(request.url), new Response(text, {
    status: 200,
    headers: { "Content-Type": type, "X-Sinergi-Kept": String(Date.now()) },
  }));
  return true;
}

async function keptPage(url) {
  const user = await Q.getMeta("user");
  if (!user || !(await caches.has(PAGES_PREFIX + user))) return null;
  const cache = await caches.open(PAGES_PREFIX + user);
  const key = pageKey(url);
  const kept = await cache.match(key);
  if (!kept) return null;
  if (Date.now() - Number(kept.headers.get("X-Sinergi-Kept") || 0) > KEEP_MS) {
    await cache.delete(key);
    return null;
  }
  return kept;
}

async function page(event) {
  try {
    const response = await fetch(event.request);
    event.waitUntil(keep(event.request, response.clone()).catch(() => false));
    return response;
  } catch (error) {
    const kept = await keptPage(event.request.url);
    if (kept) return kept;
    const offline = await caches.match(OFFLINE_URL, { cacheName: STATIC_CACHE });
    return offline || new Response("Offline / Tidak ada sambungan", {
      status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
}

async function staticFile(request) {
  const cache = await caches.open(STATIC_CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") await cache.put(request, response.clone());
  return response;
}

// A capture form sent the ordinary way while the phone believed it was online, and the
// connection failed on the way: the form is kept in the queue as the page would have kept it
// (the same key, so should the server have stored it after all, the resend changes nothing).
async function sendOrKeep(event) {
  const copy = event.request.clone();
  try {
    return await fetch(event.request);
  } catch (error) {
    const user = await Q.getMeta("user");
    if (!user || user === "null") throw error;
    const data = await copy.formData();
    const key = data.get("idempotency_key");
    if (!key) throw error;
    const url = new URL(event.request.url);
    const sending = (await Q.getMeta("sending")) || {};
    await Q.add({
      user: Number(user), url: url.pathname + url.search,
      label: sending.key === key ? sending.label : url.pathname,
      key, created: Date.now(), status: "waiting", tries: 0, entries: Q.entriesOf(data),
    });
    if (self.registration.sync) self.registration.sync.register("sinergi-queue").catch(() => null);
    return Response.redirect(QUEUE_URL, 303);
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" && Q.isCapturePath(url.pathname)) {
    event.respondWith(sendOrKeep(event));
    return;
  }
  if (request.method !== "GET") return; // other writes go to the network untouched
  if (url.pathname.startsWith(STATIC_URL)) {
    event.respondWith(staticFile(request));
  } else if (request.mode === "navigate") {
    event.respondWith(page(event));
  }
  // Everything else (API, htmx fragments, uploads) goes to the network untouched.
});

async function dropExpired() {
  const user = await Q.getMeta("user");
  if (!user || !(await caches.has(PAGES_PREFIX + user))) return;
  const cache = await caches.open(PAGES_PREFIX + user);
  for (const request of await cache.keys()) {
    const kept = await cache.match(request);
    if (!kept || Date.now() - Number(kept.headers.get("X-Sinergi-Kept") || 0) > KEEP_MS) {
      await cache.delete(request);
    }
  }
  const synced = Number((await Q.getMeta("synced_at")) || 0);
  if (synced && Date.now() - synced > KEEP_MS) await Q.setMeta("since", null);
}

// The pages the sync read lists, fetched and kept; a page is fetched again when it is not kept
// yet, when its group changed since the last sync, or every few hours (the task list always).
let refreshing = null;
function refresh(user, force) {
  // Pages opened one after another each say hello: one refresh at a time.
  if (!refreshing) refreshing = refreshPages(user, force).finally(() => { refreshing = null; });
  return refreshing;
}

async function refreshPages(user, force) {
  const last = Number((await Q.getMeta("synced_at")) || 0);
  if (!force && Date.now() - last < REFRESH_MS) return;
  const since = await Q.getMeta("since");
  const answer = await fetch(SYNC_URL + (since ? "?since=" + encodeURIComponent(since) : ""), {
    credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store",
  });
  // Without the sync read (a role it refuses, an older server) the task list and the queue
  // page are still kept.
  const listed = answer.ok && (answer.headers.get("Content-Type") || "").includes("json");
  const data = listed ? await answer.json() : { pages: [], groups: [], full: false };
  // The task list and the queue first: what a person opens first when the signal goes.
  const listedPages = Array.isArray(data.pages) ? data.pages : [];
  const pages = ["/tugas/", QUEUE_URL, ...listedPages.filter((p) => p !== "/tugas/" && p !== QUEUE_URL)];
  const changed = new Set((data.groups || []).map((group) => String(group.id)));
  const cache = await caches.open(PAGES_PREFIX + user);
  const previous = (await Q.getMeta("pages")) || [];
  for (const old of previous) {
    if (!pages.includes(old)) await cache.delete(pageKey(new URL(old, self.location.origin)));
  }
  for (const path of pages) {
    const url = new URL(path, self.location.origin);
    const kept = await cache.match(pageKey(url));
    const age = kept ? Date.now() - Number(kept.headers.get("X-Sinergi-Kept") || 0) : Infinity;
    const ids = url.pathname.match(/\/(\d+)\//g) || [];
    const stale = data.full || !kept || age > 6 * 3600 * 1000 || url.pathname === "/tugas/" ||
      ids.some((part) => changed.has(part.replace(/\//g, "")));
    if (!stale) continue;
    if (closing) return;
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      await keep(new Request(url), response);
    } catch (error) {
      return; // the connection went: the rest waits for the next time
    }
  }
  if (listed) await Q.setMeta("pages", pages);
  if (listed && data.server_time) await Q.setMeta("since", data.server_time);
  await Q.setMeta("synced_at", Date.now());
}

async function refreshOfflinePage(lang) {
  const cache = await caches.open(STATIC_CACHE);
  if (!lang || ((await Q.getMeta("lang")) === lang && (await cache.match(OFFLINE_URL)))) return;
  const response = await fetch(OFFLINE_URL, { credentials: "same-origin", cache: "no-store" });
  if (response.ok) {
    await cache.put(OFFLINE_URL, response);
    await Q.setMeta("lang", lang);
  }
}

// Sending without a page open (Background Sync): the queue page gives the signed-in user and
// a fresh CSRF token; signed out, nothing is sent.
const session = () => Q.freshSession(QUEUE_URL, LOGIN_URL);

async function tellPages(message) {
  for (const client of await self.clients.matchAll({ type: "window" })) client.postMessage(message);
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "bye") {
    closing = true;
    event.waitUntil((async () => {
      await Q.close();
      if (event.ports[0]) event.ports[0].postMessage("bye");
    })());
    return;
  }
  if (data.type === "hello") {
    if (!data.user) return;
    closing = false;
    Q.unseal();
    event.waitUntil((async () => {
      const user = data.user ? String(data.user) : null;
      await ensureUser(user);
      await dropExpired();
      if (user && data.online) {
        await refreshOfflinePage(data.lang).catch(() => null);
        // Pages deleted meanwhile (the sign-in page does it): kept again at once.
        const force = Boolean(data.force) || !(await caches.has(PAGES_PREFIX + user));
        await refresh(user, force).catch(() => null);
        await tellPages({ type: "synced" });
      }
    })());
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag !== "sinergi-queue") return;
  event.waitUntil((async () => {
    // A retry after sign-out (the queue deleted) must not create the database anew.
    if (indexedDB.databases && !(await indexedDB.databases()).some((db) => db.name === "sinergi-offline")) return;
    const done = await Q.sendAll(session);
    await tellPages({ type: "queue", done });
  })());
});
