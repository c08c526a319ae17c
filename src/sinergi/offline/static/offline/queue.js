// The device's queue of forms recorded offline, in IndexedDB; shared by the pages (offline.js)
// and the service worker (sw.js, Background Sync), so both send the same way.
//
// An item: {id, user, url, label, key, created, status, tries, last, result, refusal, entries}
// - entries: the form's fields as [name, value] pairs; a file is {blob, name, type};
// - status: "waiting" → "sent" (result = the page the server went to) | "refused" (refusal =
//   the server's answer, read by the page) | "failed" (no connection, a server error, signed
//   out: kept and tried again). Items are sent one by one, oldest first, only for the user who
//   recorded them; the idempotency key makes a repeat harmless (the server answers the first
//   result again). Nothing leaves the queue except by being sent or by the person's "Discard".
"use strict";

(function (root) {
  const DB = "sinergi-offline";
  const VERSION = 1;
  let opened = null;
  // Sealed at sign-out: a read or write still under way (a page refresh in the worker, a
  // Background Sync) must not open the database again after it was deleted, which would
  // create it anew. A later sign-in's "hello" unseals it.
  let sealed = false;

  function open() {
    if (sealed) return Promise.reject(new Error("signed out"));
    if (!opened) {
      opened = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB, VERSION);
        request.onupgradeneeded = () => {
          const db = request.result;
          if (!db.objectStoreNames.contains("queue")) {
            db.createObjectStore("queue", { keyPath: "id", autoIncrement: true });
          }
          if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
        };
        request.onsuccess = () => {
          const db = request.result;
          // Another tab upgrading, or Clear-Site-Data: let go, open again next time.
          db.onversionchange = () => { db.close(); opened = null; };
          db.onclose = () => { opened = null; };
          resolve(db);
        };
        request.onerror = () => { opened = null; reject(request.error); };
        request.onblocked = () => { opened = null; reject(new Error("blocked")); };
      });
    }
    return opened;
  }

  // Let go of the database (before it is deleted at sign-out) and keep it shut.
  async function close() {
    sealed = true;
    if (!opened) return;
    const pending = opened;
    opened = null;
    try {
      (await pending).close();
    } catch (error) { /* never opened */ }
  }

  async function run(store, mode, work) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      let result;
      Promise.resolve(work(tx.objectStore(store), (value) => { result = value; }));
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error || new Error("aborted"));
    });
  }

  function request(req, done) {
    req.onsuccess = () => done(req.result);
  }

  const getMeta = (key) => run("meta", "readonly", (s, done) => request(s.get(key), done));
  const setMeta = (key, value) => run("meta", "readwrite", (s) => s.put(value, key));
  const all = () => run("queue", "readonly", (s, done) => request(s.getAll(), done));
  const get = (id) => run("queue", "readonly", (s, done) => request(s.get(Number(id)), done));
  const add = (item) => run("queue", "readwrite", (s, done) => request(s.add(item), done));
  const put = (item) => run("queue", "readwrite", (s) => s.put(item));
  const remove = (id) => run("queue", "readwrite", (s) => s.delete(Number(id)));

  function entriesOf(formData) {
    const entries = [];
    for (const [name, value] of formData.entries()) {
      if (typeof value === "string") entries.push([name, value]);
      else if (value.size > 0) entries.push([name, { blob: value, name: value.name, type: value.type }]);
    }
    return entries;
  }

  function formDataOf(entries) {
    const data = new FormData();
    for (const [name, value] of entries) {
      if (typeof value === "string") data.append(name, value);
      else data.append(name, new File([value.blob], value.name, { type: value.type }));
    }
    return data;
  }

  function sizeOf(entries) {
    return entries.reduce((total, [name, value]) =>
      total + name.length + (typeof value === "string" ? value.length * 2 : value.blob.size), 0);
  }

  // The forms a field user fills in a village, by their address (the action of the form).
  const CAPTURE = [
    /^\/pendampingan\/kelompok\/\d+\/sesi\/baru\/$/, // mentoring session (photos)
    /^\/pendampingan\/kelompok\/\d+\/laporan\/[^/]+\/$/, // facilitator's monthly report
    /^\/pendampingan\/tindak-lanjut\/\d+\/$/, // action item progress
    /^\/pantau\/kube\/\d+\/laporan\/[^/]+\/$/, // monthly group report with incomes
    /^\/pasar\/penjualan\/$/, // a sale
    /^\/bantuan\/usulan\/\d+\/lpj\/$/, // LPJ receipt
    /^\/kube\/\d+\/iks\/$/, // IKS entry
  ];
  const isCapturePath = (path) => CAPTURE.some((rule) => rule.test(path));

  const pending = (item) => item.status === "waiting" || item.status === "failed";

  async function answerText(response) {
    try {
      return (await response.text()).slice(0, 300000);
    } catch (error) {
      return "";
    }
  }

  // Send one item and say what became of it (the item is changed, not stored).
  async function sendOne(item, session) {
    const body = formDataOf(item.entries);
    body.set("csrfmiddlewaretoken", session.token);
    item.tries = (item.tries || 0) + 1;
    item.last = Date.now();
    let response;
    try {
      response = await fetch(item.url, {
        method: "POST",
        body,
        credentials: "same-origin",
        cache: "no-store",
        headers: { "X-CSRFToken": session.token, "Idempotency-Key": item.key },
      });
    } catch (error) {
      item.status = "failed";
      item.problem = { kind: "network" };
      return item;
    }
    const landed = new URL(response.url, root.location.href);
    const type = response.headers.get("Content-Type") || "";
    if (landed.pathname.startsWith(session.login)) {
      item.status = "failed";
      item.problem = { kind: "signin" };
      return item;
    }
    const text = await answerText(response);
    const isJson = type.includes("json");
    const marksError = /class="[^"]*(msg-error|field-error)/.test(text) || /aria-invalid="true"/.test(text);
    if (response.ok && (response.redirected || isJson || !marksError)) {
      item.status = "sent";
      item.result = response.redirected || !isJson ? landed.pathname + landed.search : null;
      item.problem = null;
      item.refusal = null;
      item.sentAt = Date.now();
      return item;
    }
    const busy = response.status === 409 && text.includes("idempotency_key_in_progress");
    const csrf = response.status === 403 && /CSRF/i.test(text);
    if (busy || csrf || response.status >= 500 || response.status === 429 || response.status === 408) {
      item.status = "failed";
      item.problem = { kind: busy ? "busy" : "server", status: response.status };
      return item;
    }
    item.status = "refused";
    item.problem = null;
    item.refusal = { status: response.status, json: isJson, body: text };
    return item;
  }

  // The user a page was rendered for: the first key of its offline config (offline_tags).
  const PAGE_USER = /id="sinergi-offline-config" type="application\/json">\{"user": (\d+|null)/;
  function pageUser(html) {
    const found = PAGE_USER.exec(html);
    return found && found[1] !== "null" ? found[1] : null;
  }

  // Who is signed in now and a fresh CSRF token, from the queue page (a kept page's token may
  // be old); signed out (the answer is the sign-in page) or offline: null, nothing is sent.
  async function freshSession(queueUrl, loginUrl) {
    try {
      const response = await fetch(queueUrl, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok || response.redirected) return null;
      const text = await response.text();
      const token = /data-csrf="([^"]+)"/.exec(text);
      const user = pageUser(text);
      return token && user ? { token: token[1], user: Number(user), login: loginUrl } : null;
    } catch (error) {
      return null;
    }
  }

  // Send every pending item of the signed-in user, oldest first, one at a time; a lost
  // connection stops the round (the rest is tried next time). ``getSession`` gives
  // {token, user, login} or null (signed out: nothing is sent).
  async function sendRound(getSession) {
    const waiting = (await all()).filter(pending).sort((a, b) => a.id - b.id);
    if (!waiting.length) return { sent: 0, refused: 0, left: 0 };
    const session = await getSession();
    if (!session) return { sent: 0, refused: 0, left: waiting.length };
    let sent = 0;
    let refused = 0;
    let left = 0;
    for (const stored of waiting) {
      if (String(stored.user) !== String(session.user)) continue;
      const fresh = await get(stored.id);
      if (!fresh || !pending(fresh)) continue; // discarded or sent meanwhile
      const item = await sendOne(fresh, session);
      if (!(await get(item.id))) continue; // discarded while it was being sent
      await put(item);
      if (item.status === "sent") sent += 1;
      else if (item.status === "refused") refused += 1;
      else {
        left += 1;
        if (item.problem && (item.problem.kind === "network" || item.problem.kind === "signin")) break;
      }
    }
    return { sent, refused, left };
  }

  function sendAll(getSession) {
    // One sender at a time across the tabs and the worker.
    if (root.navigator && root.navigator.locks) {
      return root.navigator.locks.request("sinergi-queue", () => sendRound(getSession));
    }
    return sendRound(getSession);
  }

  root.SinergiQueue = {
    open, close, unseal: () => { sealed = false; }, getMeta, setMeta, all, get, add, put, remove, isCapturePath,
    entriesOf, formDataOf, sizeOf, pending, sendOne, sendAll, pageUser, freshSession,
  };
})(self);
