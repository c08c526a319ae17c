// The installable app in the page: registers the service worker, stamps an idempotency key on
// every form sent, keeps capture forms on the phone when there is no connection (photos made
// smaller first), sends them when it returns, and shows what waits ("Menunggu dikirim (n)").
// Every page works without this file; with it, nothing typed offline is lost or sent twice.
"use strict";

(function () {
  const Q = self.SinergiQueue;
  const configElement = document.getElementById("sinergi-offline-config");
  if (!Q || !configElement) return;
  const config = JSON.parse(configElement.textContent);
  const T = config.strings || {};
  const user = config.user;
  const hasIdb = "indexedDB" in self;

  const PHOTO_EDGE = 1600;
  const PHOTO_QUALITY = 0.8;

  const fill = (text, values) => String(text || "").replace(/\{(\w+)\}/g, (hole, key) =>
    (key in values ? String(values[key]) : hole));
  const when = (ms) => new Date(ms).toLocaleString(document.documentElement.lang || "id", {
    dateStyle: "medium", timeStyle: "short",
  });
  const megabytes = (bytes) => (bytes / 1048576).toFixed(bytes < 10485760 ? 1 : 0) + " MB";

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function newKey() {
    if (self.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // A form's one-time submit_token (core.forms.submit_once) guards one page view against a
  // double click. A page kept on the phone shows the same token at every reload, so two
  // records queued from it would share it and the second would be answered with the first's
  // result and never saved: each page view, and each form emptied after queueing, gets its own.
  function freshSubmitTokens(root) {
    for (const field of root.querySelectorAll("input[name=submit_token]")) {
      const bytes = crypto.getRandomValues(new Uint8Array(24));
      field.value = btoa(String.fromCharCode(...bytes))
        .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    }
  }

  // This page's token may be old (a kept copy): the queue page gives a fresh one, and says
  // whether this page's user is still the one signed in.
  const pageSession = async () => {
    if (!navigator.onLine) return null;
    const session = await Q.freshSession(config.queue, config.login);
    return session && String(session.user) === String(user) ? session : null;
  };

  function actionPath(form) {
    const url = new URL(form.getAttribute("action") || location.href, location.href);
    url.hash = "";
    return url;
  }

  const isCapture = (form) => form instanceof HTMLFormElement &&
    form.method.toLowerCase() === "post" && Q.isCapturePath(actionPath(form).pathname);

  // --- Signed out: nothing of the previous person stays readable ---------------------------
  // Kept pages are deleted on the sign-in page (signing out deletes everything, see forgetAll).
  // The database is left alone: work not yet sent stays, tied to its author, and leaves when
  // they sign in again (a session that ran out on a long trip must not lose a village visit);
  // the worker wipes the pages of one person when it sees another's.
  async function forgetPages() {
    if (!("caches" in self)) return;
    for (const name of await caches.keys()) {
      if (name.startsWith("sinergi-pages-")) await caches.delete(name);
    }
  }

  // The offline page, kept once for every account of the device: it touches nothing.
  if (config.neutral) return;

  if (!user) {
    forgetPages().catch(() => null);
    return;
  }

  // --- The service worker ------------------------------------------------------------------
  function hello(force) {
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.ready.then((registration) => {
      registration.active.postMessage({
        type: "hello", user, lang: document.documentElement.lang, online: navigator.onLine,
        force: Boolean(force),
      });
    });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.sw, { scope: "/" }).then(() => hello(false))
      .catch(() => null);
    navigator.serviceWorker.addEventListener("message", (event) => {
      // The worker sent the queue (Background Sync): the page says what arrived.
      if (event.data && event.data.type === "queue") {
        sentThisPage += (event.data.done && event.data.done.sent) || 0;
        refresh();
      }
    });
  }
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persisted().then((yes) => yes || navigator.storage.persist()).catch(() => null);
  }

  // --- Idempotency key on every form sent ---------------------------------------------------
  // A fresh key per sending (docs/api.md): a retry of the same sending is done once; a form
  // sent again after a correction is a new sending.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post") return;
    if (form.dataset.resubmit === "1") return; // sent again by the capture handler: same key
    let field = form.querySelector("input[name=idempotency_key]");
    if (!field) {
      field = element("input", { type: "hidden", name: "idempotency_key" });
      form.append(field);
    }
    field.value = newKey();
  }, true);

  // --- Photos made smaller on the phone, as soon as they are chosen -------------------------
  const preparing = new WeakMap();

  // The picture as something a canvas draws. Older phones (Safari before 15) lack
  // createImageBitmap: an <img> decodes it there (it turns the photo upright by its EXIF
  // orientation, as the default CSS image-orientation says).
  async function decoded(file) {
    if (self.createImageBitmap) {
      return createImageBitmap(file, { imageOrientation: "from-image" });
    }
    // A data: address, which the site's Content-Security-Policy allows for images (blob: not).
    const url = await new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result);
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
    const image = new Image();
    image.src = url;
    await image.decode();
    return { image, width: image.naturalWidth, height: image.naturalHeight };
  }

  async function smaller(file) {
    if (!file.type.startsWith("image/") || file.type === "image/gif") return file;
    let bitmap;
    try {
      bitmap = await decoded(file);
    } catch (error) {
      return file; // not an image the browser reads: the server judges it
    }
    const scale = Math.min(1, PHOTO_EDGE / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.type === "image/jpeg" && file.size < 400 * 1024) return file;
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    const context = canvas.getContext("2d");
    context.fillStyle = "#fff"; // a transparent PNG becomes white, not black
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap.image || bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", PHOTO_QUALITY));
    if (!blob || (scale === 1 && blob.size >= file.size)) return file;
    const name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
    return new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified });
  }

  async function shrink(input) {
    if (!input.files || !input.files.length || !self.DataTransfer) return;
    const files = await Promise.all(Array.from(input.files).map(smaller));
    const transfer = new DataTransfer();
    files.forEach((file) => transfer.items.add(file));
    input.files = transfer.files;
  }

  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "file" || !input.form) return;
    if (!isCapture(input.form)) return;
    const work = shrink(input).catch(() => null)
      .finally(() => { if (preparing.get(input.form) === work) preparing.delete(input.form); });
    preparing.set(input.form, work);
  });

  // --- Capture forms: sent as usual when connected, kept on the phone when not ------------
  function formNote(form, text, kind, link) {
    let note = form.previousElementSibling;
    if (!note || !note.classList.contains("offline-note")) {
      note = element("div", { class: "offline-note", role: kind === "error" ? "alert" : "status" });
      form.before(note);
    }
    note.className = "offline-note msg msg-" + kind;
    note.replaceChildren(element("span", { text }));
    if (link) note.append(" ", element("a", { href: config.queue, text: link }));
    note.scrollIntoView({ block: "nearest" });
  }

  // "Log a session — KUBE Mawar": the page's title and the group (chosen in the form, or the
  // page's own group in its breadcrumb).
  function labelOf(form) {
    const title = document.title.replace(/\s*·\s*Sinergi\s*$/, "");
    const chosen = form.querySelector("select[name=kube]");
    const crumbs = document.querySelectorAll(".breadcrumb a");
    let group = "";
    if (chosen && chosen.selectedIndex >= 0 && chosen.value) {
      group = chosen.options[chosen.selectedIndex].textContent.trim();
    } else if (crumbs.length > 1) {
      group = crumbs[crumbs.length - 1].textContent.trim();
    }
    return group && !title.includes(group) ? title + " — " + group : title;
  }

  async function roomFor(bytes) {
    if (!navigator.storage || !navigator.storage.estimate) return { ok: true };
    const { usage = 0, quota = 0 } = await navigator.storage.estimate();
    const free = Math.max(0, quota - usage);
    // Room for the item twice over (IndexedDB's own copies) and a margin for the pages.
    return { ok: free > bytes * 2 + 2 * 1048576, free, need: bytes * 2 + 2 * 1048576 };
  }

  async function keepOnPhone(form, submitter) {
    if (!hasIdb) {
      formNote(form, T.no_storage, "error");
      return;
    }
    let data;
    try {
      data = new FormData(form, submitter || undefined);
    } catch (error) {
      data = new FormData(form);
      if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    }
    const entries = Q.entriesOf(data);
    const room = await roomFor(Q.sizeOf(entries));
    if (!room.ok) {
      formNote(form, fill(T.no_room, { need: megabytes(room.need), free: megabytes(room.free) }), "error");
      return;
    }
    const url = actionPath(form);
    const item = {
      user, url: url.pathname + url.search, label: labelOf(form), key: data.get("idempotency_key"),
      created: Date.now(), status: "waiting", tries: 0, entries,
    };
    try {
      await Q.add(item);
    } catch (error) {
      formNote(form, fill(T.not_kept, { why: error && error.name ? error.name : String(error) }), "error");
      return;
    }
    if (form.dataset.fromQueue) {
      await Q.remove(form.dataset.fromQueue);
      delete form.dataset.fromQueue;
    }
    form.reset();
    freshSubmitTokens(form);
    for (const input of form.querySelectorAll("input[type=file]")) input.value = "";
    formNote(form, T.queued, "success", T.see_queue);
    await refresh();
    if (navigator.serviceWorker && navigator.serviceWorker.ready) {
      navigator.serviceWorker.ready.then((registration) =>
        registration.sync && registration.sync.register("sinergi-queue")).catch(() => null);
    }
  }

  // Every capture form goes through here once: photos finished, then kept on the phone when
  // offline; online, the label is noted for the worker (should the connection fail on the way,
  // sw.js keeps the form under it) and the form is sent the ordinary way, with the same key.
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!isCapture(form) || event.defaultPrevented) return;
    if (form.dataset.resubmit === "1") {
      delete form.dataset.resubmit;
      return;
    }
    event.preventDefault();
    const submitter = event.submitter;
    const work = preparing.get(form);
    if (work) {
      formNote(form, T.preparing, "info");
      await work;
    }
    if (!navigator.onLine) {
      await keepOnPhone(form, submitter);
      return;
    }
    if (hasIdb) {
      const key = form.querySelector("input[name=idempotency_key]");
      await Q.setMeta("sending", { key: key ? key.value : "", label: labelOf(form) }).catch(() => null);
      if (form.dataset.fromQueue) {
        // The corrected copy goes now; the refused one leaves the queue.
        await Q.remove(form.dataset.fromQueue).catch(() => null);
        delete form.dataset.fromQueue;
      }
    }
    const note = form.previousElementSibling;
    if (note && note.classList.contains("offline-note")) note.remove();
    form.dataset.resubmit = "1";
    form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
  });

  // --- "Open & correct": the refused item's data back in its form -------------------------
  async function prefill() {
    const match = /^#antrian-(\d+)$/.exec(location.hash);
    if (!match || !hasIdb) return;
    const item = await Q.get(match[1]);
    if (!item || String(item.user) !== String(user)) return;
    const form = Array.from(document.forms).find((f) => isCapture(f) &&
      actionPath(f).pathname + actionPath(f).search === item.url);
    if (!form) return;
    const skip = new Set(["csrfmiddlewaretoken", "idempotency_key", "submit_token"]);
    const files = new Map();
    const values = new Map();
    for (const [name, value] of item.entries) {
      if (skip.has(name)) continue;
      const bag = typeof value === "string" ? values : files;
      if (!bag.has(name)) bag.set(name, []);
      bag.get(name).push(value);
    }
    for (const field of form.elements) {
      if (!field.name || skip.has(field.name) || field.type === "hidden") continue;
      if (field.type === "file") {
        const kept = files.get(field.name) || [];
        if (kept.length && self.DataTransfer) {
          const transfer = new DataTransfer();
          kept.forEach((f) => transfer.items.add(new File([f.blob], f.name, { type: f.type })));
          field.files = transfer.files;
        }
        continue;
      }
      const sent = values.get(field.name) || [];
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = sent.includes(field.value);
      } else if (field instanceof HTMLSelectElement && field.multiple) {
        for (const option of field.options) option.selected = sent.includes(option.value);
      } else if (!(field instanceof HTMLButtonElement) && sent.length) {
        field.value = sent[0];
      }
    }
    form.dataset.fromQueue = String(item.id);
    const note = element("div", { class: "offline-note msg msg-warning", role: "status" },
      element("p", { text: T.prefill }));
    const reasons = refusalLines(item);
    if (reasons.length) note.append(element("ul", {}, ...reasons.map((r) => element("li", { text: r }))));
    form.before(note);
  }

  // --- Why the server refused: the messages of the returned form page or the API envelope --
  function refusalLines(item) {
    const refusal = item.refusal;
    if (!refusal) return [];
    const lines = [];
    if (refusal.json) {
      try {
        const body = JSON.parse(refusal.body);
        if (body.detail) lines.push(String(body.detail));
        for (const error of body.errors || []) if (error.msg) lines.push(String(error.msg));
      } catch (error) { /* not JSON after all */ }
    } else {
      const page = new DOMParser().parseFromString(refusal.body, "text/html");
      const main = page.querySelector("main") || page.body;
      for (const node of main.querySelectorAll(".msg-error, .field-error")) {
        const text = node.textContent.replace(/\s+/g, " ").trim();
        if (!text) continue;
        const holder = node.closest("label") || node.closest("fieldset");
        let name = "";
        if (holder && holder.tagName === "LABEL") {
          const copy = holder.cloneNode(true);
          copy.querySelectorAll(".field-error, input, select, textarea, small").forEach((n) => n.remove());
          name = copy.textContent.replace(/\s+/g, " ").trim();
        } else if (holder) {
          const legend = holder.querySelector("legend");
          name = legend ? legend.textContent.trim() : "";
        }
        lines.push(name ? name + ": " + text : text);
      }
      if (!lines.length) {
        const heading = main.querySelector("h1");
        const first = main.querySelector("h1 ~ p, hgroup p");
        if (heading) lines.push([heading.textContent.trim(), first ? first.textContent.trim() : ""].filter(Boolean).join(" — "));
      }
    }
    const unique = Array.from(new Set(lines));
    return unique.length ? unique : [fill(T.no_reason, { status: refusal.status })];
  }

  // --- What waits: the header count and the queue page -------------------------------------
  let sentThisPage = 0;

  function badge(mine) {
    const waiting = mine.filter(Q.pending).length;
    const refused = mine.filter((item) => item.status === "refused").length;
    let holder = document.getElementById("offline-badge");
    if (!waiting && !refused && !sentThisPage) {
      if (holder) holder.parentElement.remove();
      return;
    }
    if (!holder) {
      // A row of its own under the menu, whatever the menu's shape: seen on a phone too.
      holder = element("a", { id: "offline-badge", class: "offline-badge", href: config.queue });
      const bar = element("div", { class: "offline-bar container-fluid" }, holder);
      const header = document.querySelector("header.topbar") || document.querySelector("header");
      if (header) header.append(bar);
      else document.body.prepend(bar);
    }
    const parts = [];
    if (waiting) parts.push(fill(T.waiting, { n: waiting }));
    if (refused) parts.push(fill(T.to_correct, { n: refused }));
    if (!parts.length) parts.push(fill(T.sent_now, { n: sentThisPage }));
    holder.textContent = parts.join(" · ");
    holder.classList.toggle("attention", refused > 0);
    holder.classList.toggle("done", !waiting && !refused);
  }

  function statusLine(item) {
    if (item.status === "sent") return T.status_sent;
    if (item.status === "refused") return T.status_refused;
    if (item.status === "failed" && item.problem) {
      if (item.problem.kind === "signin") return T.status_signin;
      const why = item.problem.kind === "busy" ? T.busy
        : item.problem.kind === "server" ? fill(T.server_error, { status: item.problem.status })
          : T.net_error;
      return T.status_failed + " (" + why + ")";
    }
    return T.status_waiting;
  }

  function discardButton(item) {
    const button = element("button", { type: "button", class: "secondary outline", text: T.discard });
    button.addEventListener("click", async () => {
      if (button.dataset.armed !== "1") {
        button.dataset.armed = "1";
        button.textContent = T.discard_sure;
        return;
      }
      await Q.remove(item.id);
      await refresh();
    });
    return button;
  }

  function queueRow(item) {
    const files = item.entries.filter(([, value]) => typeof value !== "string").length;
    const facts = [fill(T.recorded, { when: when(item.created) })];
    if (files) facts.push(fill(T.files, { n: files }));
    if (item.tries && item.status !== "sent") facts.push(fill(T.tried, { n: item.tries, when: when(item.last) }));
    const row = element("li", { class: "offline-item status-" + item.status, "data-status": item.status },
      element("strong", { text: item.label || item.url }),
      element("span", { class: "offline-status", text: statusLine(item) }),
      element("small", { class: "muted", text: facts.join(" · ") }));
    const actions = element("div", { class: "offline-actions" });
    if (item.status === "sent") {
      if (item.result) actions.append(element("a", { href: item.result, text: T.open_result }));
    } else if (item.status === "refused") {
      row.append(element("ul", { class: "offline-reasons" },
        ...refusalLines(item).map((line) => element("li", { text: line }))));
      actions.append(element("a", { href: item.url + "#antrian-" + item.id, role: "button", text: T.correct }));
      actions.append(discardButton(item));
    } else {
      actions.append(discardButton(item));
    }
    row.append(actions);
    return row;
  }

  function queuePage(items, mine) {
    const holder = document.getElementById("offline-queue");
    if (!holder) return;
    const parts = [];
    if (!mine.length) parts.push(element("p", { class: "offline-empty", text: T.empty }));
    else parts.push(element("ol", { class: "offline-list" }, ...mine.slice().reverse().map(queueRow)));
    const others = items.filter((item) => String(item.user) !== String(user) && item.status !== "sent").length;
    if (others) parts.push(element("p", { class: "muted", text: fill(T.other_user, { n: others }) }));
    const tools = element("div", { class: "offline-actions" });
    if (mine.some(Q.pending) && navigator.onLine) {
      const send = element("button", { type: "button", text: T.send_now });
      send.addEventListener("click", () => sendNow());
      tools.append(send);
    }
    if (mine.some((item) => item.status === "sent")) {
      const clear = element("button", { type: "button", class: "secondary outline", text: T.remove_sent });
      clear.addEventListener("click", async () => {
        for (const item of mine) if (item.status === "sent") await Q.remove(item.id);
        await refresh();
      });
      tools.append(clear);
    }
    if (tools.childElementCount) parts.push(tools);
    holder.replaceChildren(...parts);
  }

  async function refresh() {
    if (!hasIdb) return;
    const items = await Q.all();
    // Sent items are shown for the retention period, then forgotten; nothing else is.
    const limit = Date.now() - config.days * 24 * 3600 * 1000;
    for (const item of items) {
      if (item.status === "sent" && (item.sentAt || item.created) < limit) await Q.remove(item.id);
    }
    const mine = (await Q.all()).filter((item) => String(item.user) === String(user));
    badge(mine);
    queuePage(await Q.all(), mine);
  }

  let sending = null;
  function sendNow() {
    if (!hasIdb || !navigator.onLine) return Promise.resolve();
    if (!sending) {
      sending = Q.sendAll(pageSession)
        .then((done) => { sentThisPage += done.sent; })
        .catch(() => null)
        .finally(() => { sending = null; return refresh(); });
    }
    return sending;
  }

  // --- No connection: say so on the page --------------------------------------------------
  function connection() {
    let note = document.getElementById("offline-now");
    if (navigator.onLine) {
      if (note) note.remove();
      return;
    }
    if (!note) {
      note = element("p", { id: "offline-now", class: "offline-now", role: "status", text: T.offline_page });
      const main = document.querySelector("main");
      if (main) main.prepend(note);
    }
  }

  // --- Signing out with work not yet sent: ask first --------------------------------------
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !hasIdb) return;
    if (actionPath(form).pathname !== config.logout || form.dataset.confirmed === "1") return;
    event.preventDefault();
    const unsent = (await Q.all()).filter((item) =>
      String(item.user) === String(user) && item.status !== "sent").length;
    if (!unsent || window.confirm(fill(T.logout_unsent, { n: unsent }))) {
      await forgetAll();
      form.dataset.confirmed = "1";
      form.requestSubmit();
    }
  });

  // Everything this phone keeps, deleted before the sign-out is sent (its answer's
  // Clear-Site-Data does it again): the worker stops keeping first, then caches and database go.
  async function forgetAll() {
    const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
    if (worker) {
      await new Promise((resolve) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = resolve;
        worker.postMessage({ type: "bye" }, [channel.port2]);
        setTimeout(resolve, 1500);
      });
    }
    try {
      for (const name of await caches.keys()) {
        if (name.startsWith("sinergi-")) await caches.delete(name);
      }
      await Q.close();
      await new Promise((resolve) => {
        const request = indexedDB.deleteDatabase("sinergi-offline");
        request.onsuccess = request.onerror = request.onblocked = resolve;
      });
    } catch (error) { /* the answer's Clear-Site-Data still clears it */ }
  }

  window.addEventListener("online", () => { connection(); sendNow(); hello(true); });
  window.addEventListener("offline", () => { connection(); refresh(); });
  window.addEventListener("hashchange", () => prefill().catch(() => null));

  function start() {
    freshSubmitTokens(document);
    connection();
    if (!hasIdb) return;
    refresh().then(() => sendNow()).then(() => prefill()).catch(() => null);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
