/* The offline outbox: writes made in the field wait in IndexedDB and are replayed through /api/v1/sync.
 * Shared by the page and the service worker (loaded with <script> or importScripts), so it only uses
 * what both have: IndexedDB, fetch, crypto. Every operation carries a client UUID (op_id): replaying one
 * that already reached the server answers "duplicate", so a cut-off request or two replays racing each
 * other never create anything twice.
 * Edits of one record are chained: a record's next queued operation is sent only once the one before it was
 * answered, and when that one was applied it takes the version the server answered as its base where
 * that cannot hide another device's change (see rebase), so two edits made from one stored page do not
 * conflict with each other while an edit made elsewhere in between still does. */
(function (global) {
  "use strict";
  const DB_NAME = "mattran";
  const DB_VERSION = 1;
  const BATCH = 50;

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        if (!db.objectStoreNames.contains("outbox")) db.createObjectStore("outbox", { keyPath: "op_id" });
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
        if (!db.objectStoreNames.contains("refused")) db.createObjectStore("refused", { keyPath: "op_id" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function withStore(name, mode, work) {
    const db = await openDb();
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction(name, mode);
        const result = work(tx.objectStore(name));
        tx.oncomplete = () => resolve(result && "result" in result ? result.result : result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
    } finally {
      db.close();
    }
  }

  const uuid = () => (crypto.randomUUID ? crypto.randomUUID() : fallbackUuid());
  function fallbackUuid() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  async function deviceId() {
    let id = await withStore("meta", "readonly", (s) => s.get("device_id"));
    if (!id) {
      id = uuid();
      await withStore("meta", "readwrite", (s) => s.put(id, "device_id"));
    }
    return id;
  }

  const Outbox = {
    /* Queue one write; returns the stored operation. An update or delete names the version it is based on. */
    async enqueue(entity, action, fields, entityId, baseVersion) {
      const op = { op_id: uuid(), entity, action, entity_id: entityId || uuid(), fields,
        at: new Date().toISOString(), queued_at: Date.now() };
      if (baseVersion != null) op.base_version = baseVersion;
      await withStore("outbox", "readwrite", (s) => s.put(op));
      if (global.document) document.dispatchEvent(new CustomEvent("outbox-queued", { detail: op }));
      return op;
    },
    /* An id for a record made on this device (known before it is queued, e.g. to look for duplicates). */
    newId: uuid,
    pending() { return withStore("outbox", "readonly", (s) => s.getAll()); },
    async count() { return withStore("outbox", "readonly", (s) => s.count()); },
    refused() { return withStore("refused", "readonly", (s) => s.getAll()); },
    /* The page stores its CSRF token here so the service worker (which cannot read cookies) can replay. */
    rememberCsrf(token) { return withStore("meta", "readwrite", (s) => s.put(token, "csrf")); },
    csrf() { return withStore("meta", "readonly", (s) => s.get("csrf")); },
    async clear() {
      for (const name of ["outbox", "refused", "meta"]) await withStore(name, "readwrite", (s) => s.clear());
    },

    /* Send what waits, oldest first. Resolves to {sent, left, refused}; never throws for network trouble
     * (the items simply stay queued for the next trigger). */
    async replay() {
      const run = async () => {
        let sent = 0, refused = 0;
        const answered = new Set();
        for (;;) {
          const ops = nextBatch(await Outbox.pending());
          if (!ops.length) break;
          let answer;
          try {
            const response = await fetch("/api/v1/sync", {
              method: "POST", credentials: "same-origin",
              headers: { "Content-Type": "application/json", "X-CSRF-Token": (await Outbox.csrf()) || "" },
              body: JSON.stringify({ device_id: await deviceId(), operations: ops.map(wireOperation), pull: false }),
            });
            if (!response.ok) break; // signed out, server trouble: keep everything, try later
            answer = await response.json();
          } catch (networkError) {
            break;
          }
          const done = new Set(), applied = [];
          for (const result of answer.results || []) {
            const retryLater = result.status === "rejected" && result.problem && result.problem.status >= 500;
            const op = ops.find((o) => o.op_id === result.op_id);
            if (!op) continue;
            if (result.status === "applied" || result.status === "duplicate") {
              done.add(result.op_id); sent++;
              answered.add(op.entity_id);
              if (op.fields && op.fields.household_id) answered.add(op.fields.household_id);
              const appliedFirst = result.status === "applied" || result.original_status === "applied";
              if (appliedFirst && result.version != null) applied.push({ op, version: result.version });
            } else if (!retryLater && (result.status === "conflict" || result.status === "rejected")) {
              done.add(result.op_id); refused++;
              await withStore("refused", "readwrite", (s) => s.put({ ...op, result }));
            }
          }
          if (!done.size) break;
          // In one transaction: an answered operation never leaves while the ones after it keep a stale base.
          const waiting = (await Outbox.pending()).filter((o) => !done.has(o.op_id));
          await withStore("outbox", "readwrite", (s) => {
            done.forEach((id) => s.delete(id));
            for (const { op, version } of applied) {
              for (const later of waiting) if (rebase(later, op, version)) s.put(later);
            }
          });
        }
        if (answered.size && Outbox.onAnswered) await Outbox.onAnswered([...answered]);
        return { sent, refused, left: await Outbox.count() };
      };
      // One replay at a time per origin (page tabs and the worker alike) where the browser can lock.
      return global.navigator && navigator.locks ? navigator.locks.request("mattran-outbox", run) : run();
    },
  };

  const recordKey = (op) => `${op.entity}:${op.entity_id}`;

  /* The oldest operations, at most one per record: a record's later edits wait for the answer to its
   * earlier one (their base version may change with it). */
  function nextBatch(pending) {
    const seen = new Set(), batch = [];
    for (const op of pending.sort((a, b) => a.queued_at - b.queued_at)) {
      const key = recordKey(op);
      if (!seen.has(key) && batch.length < BATCH) batch.push(op);
      seen.add(key);
    }
    return batch;
  }

  /* A later operation of the record that `earlier` (based on the same version) changed, now applied as
   * `version`. It takes that version as its base only when nothing it touches can have been changed by
   * someone else meanwhile: the server's version moved by exactly this one write, or (an edit) it changes
   * only fields the applied edit wrote, which a change from elsewhere would have turned into a conflict.
   * Otherwise it keeps its base, and the server compares it with everything after that version. */
  function rebase(later, earlier, version) {
    if (recordKey(later) !== recordKey(earlier) || earlier.action !== "update") return false;
    if (later.base_version == null || later.base_version !== earlier.base_version) return false;
    const onlyThisWrite = version === earlier.base_version + 1;
    const sameFields = later.action === "update"
      && Object.keys(later.fields || {}).every((name) => name in (earlier.fields || {}));
    if (!onlyThisWrite && !sameFields) return false;
    later.base_version = version;
    return true;
  }

  function wireOperation(op) {
    const wire = { op_id: op.op_id, entity: op.entity, action: op.action, entity_id: op.entity_id, at: op.at };
    if (op.fields) wire.fields = op.fields;
    if (op.base_version != null) wire.base_version = op.base_version;
    return wire;
  }

  global.MattranOutbox = Outbox;
  if (global.document) showQueuedOnPage(Outbox);

  /* The page side: what waits in the outbox shown on the page as it will be, marked as waiting. Stored
   * copies of pages are as the server drew them when they were kept, so without this a cadre working
   * offline would see the old values again (and edit from them). Only the server's pre-render (#ssr) is
   * touched: the live client draws what the server holds, and by then the queue is usually sent.
   * Markup (pwa/features/registry/pages.py, forms.py): [data-pending-label] the mark's text;
   * [data-record="entity:id"] a record's part of the page, [data-field] one of its values ([data-labels]:
   * codes to words); [data-pending-list="entity"][data-parent-field][data-parent-id][data-show] where
   * queued new records of that parent are added; edit forms (data-action="update") get the queued values
   * and compare with them; [data-queued-duplicates] on a new resident's form lists queued members of the
   * same household with the same name and birth year. */
  function showQueuedOnPage(outbox) {
    const fold = (text) => String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d").toLowerCase().replace(/[^0-9a-z]+/g, " ").trim();
    const ordered = async () => (await outbox.pending()).sort((a, b) => a.queued_at - b.queued_at);
    const queuedChanges = (ops, entity, id) => Object.assign({}, ...ops
      .filter((op) => op.entity === entity && op.entity_id === id && op.action === "update")
      .map((op) => op.fields || {}));
    const shown = (element, value) => {
      const labels = element.dataset.labels ? JSON.parse(element.dataset.labels) : {};
      return value == null ? "" : labels[value] ?? String(value);
    };
    const formText = (value) => (Array.isArray(value) ? value : value == null ? "" : String(value));

    function mark(element, label) {
      element.classList.add("queued");
      if (element.querySelector(":scope > .queued-mark")) return;
      const badge = document.createElement("span");
      badge.className = "queued-mark";
      badge.textContent = ` · ${label}`;
      element.append(badge);
    }

    function overlayRecords(root, ops, label) {
      for (const holder of root.querySelectorAll("[data-record]")) {
        const [entity, id] = holder.dataset.record.split(":");
        const changes = queuedChanges(ops, entity, id);
        const fields = [...holder.querySelectorAll("[data-field]")]
          .filter((element) => element.closest("[data-record]") === holder && element.dataset.field in changes);
        fields.forEach((element) => { element.textContent = shown(element, changes[element.dataset.field]); });
        // The mark goes where the values are read: their line (a paragraph, a list item).
        new Set(fields.map((element) => element.closest("p, li, h1, div") || holder)).forEach((line) => mark(line, label));
      }
    }

    function addQueuedRecords(root, ops, label) {
      for (const list of root.querySelectorAll("[data-pending-list]")) {
        list.querySelectorAll(":scope > .queued-new").forEach((item) => item.remove());
        const { pendingList: entity, parentField, parentId } = list.dataset;
        const show = JSON.parse(list.dataset.show); // [[field, {code: words} or null], ...]
        for (const op of ops) {
          if (op.entity !== entity || op.action !== "create" || (op.fields || {})[parentField] !== parentId) continue;
          const item = document.createElement("li");
          item.className = "queued-new";
          item.textContent = show.map(([name, labels]) => {
            const value = op.fields[name];
            return value == null || value === "" ? "" : (labels && labels[value]) || String(value);
          }).filter(Boolean).join(" · ");
          mark(item, label);
          list.append(item);
        }
      }
    }

    function overlayForms(root, ops, label) {
      for (const form of root.querySelectorAll("form[data-outbox][data-action=update][data-entity-id]")) {
        const changes = queuedChanges(ops, form.dataset.outbox, form.dataset.entityId);
        const initial = JSON.parse(form.dataset.initial || "{}");
        let changed = false;
        for (const [name, value] of Object.entries(changes)) {
          // Sensitive values (on the phone only in the queue) are never written into the page.
          if (!(name in initial) || form.querySelector(`[name="${name}"][data-sensitive]`)) continue;
          const controls = [...form.elements].filter((control) => control.name === name);
          for (const control of controls) {
            if (control.dataset.list !== undefined) control.checked = (value || []).includes(control.value);
            else control.value = formText(value);
          }
          initial[name] = formText(value); // the next edit is compared with what is queued
          changed = true;
        }
        form.dataset.initial = JSON.stringify(initial);
        if (changed) mark(form.querySelector("h1") || form, label);
      }
    }

    async function overlay() {
      const root = document.getElementById("ssr");
      const holder = root && root.querySelector("[data-pending-label]");
      if (!holder) return;
      const ops = await ordered();
      const label = holder.dataset.pendingLabel;
      overlayRecords(root, ops, label);
      addQueuedRecords(root, ops, label);
      overlayForms(root, ops, label);
    }

    /* Offline, the server cannot say that the member being added is already waiting in the queue (the
     * household itself may be only there): the phone compares folded name and birth year. */
    async function queuedDuplicates(form) {
      const box = form.querySelector("[data-queued-duplicates]");
      if (!box) return;
      const value = (name) => (form.elements.namedItem(name) || {}).value || "";
      const household = value("household_id"), name = fold(value("full_name")), year = value("birth_year");
      const ops = name && year ? await ordered() : [];
      const same = ops.filter((op) => op.entity === "resident" && op.action === "create"
        && op.entity_id !== form.dataset.newId && (op.fields || {}).household_id === household
        && fold(op.fields.full_name) === name && String(op.fields.birth_year ?? "") === year);
      box.querySelector("ul").replaceChildren(...same.map((op) => {
        const item = document.createElement("li");
        item.textContent = `${op.fields.full_name} · ${op.fields.birth_year}`;
        return item;
      }));
      box.hidden = !same.length;
    }

    const start = () => {
      overlay();
      document.addEventListener("outbox-queued", overlay);
      for (const type of ["input", "change"]) {
        document.addEventListener(type, (event) => {
          const form = event.target.closest && event.target.closest("form[data-outbox=resident]:not([data-action])");
          if (form) queuedDuplicates(form);
        });
      }
      document.addEventListener("outbox-queued", () => setTimeout(() => { // after the form is cleared
        document.querySelectorAll("form[data-outbox=resident]:not([data-action])").forEach(queuedDuplicates);
      }));
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();

    /* Answered records: the worker fetches its kept copies of their pages again, so that a later visit
     * offline shows what the server now holds. */
    outbox.onAnswered = (ids) => {
      const worker = global.navigator.serviceWorker && navigator.serviceWorker.controller;
      if (worker) worker.postMessage({ type: "refresh-kept", ids });
    };
  }
})(self);
