/* The offline outbox: writes made in the field wait in IndexedDB and are replayed through /api/v1/sync.
 * Shared by the page and the service worker (loaded with <script> or importScripts), so it only uses
 * what both have: IndexedDB, fetch, crypto. Every operation carries a client UUID (op_id): replaying one
 * that already reached the server answers "duplicate", so a cut-off request or two replays racing each
 * other never create anything twice. */
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
        for (;;) {
          const ops = (await Outbox.pending()).sort((a, b) => a.queued_at - b.queued_at).slice(0, BATCH);
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
          const done = new Set();
          for (const result of answer.results || []) {
            const retryLater = result.status === "rejected" && result.problem && result.problem.status >= 500;
            if (result.status === "applied" || result.status === "duplicate") { done.add(result.op_id); sent++; }
            else if (!retryLater && (result.status === "conflict" || result.status === "rejected")) {
              done.add(result.op_id); refused++;
              const op = ops.find((o) => o.op_id === result.op_id);
              await withStore("refused", "readwrite", (s) => s.put({ ...op, result }));
            }
          }
          if (!done.size) break;
          await withStore("outbox", "readwrite", (s) => { done.forEach((id) => s.delete(id)); });
        }
        return { sent, refused, left: await Outbox.count() };
      };
      // One replay at a time per origin (page tabs and the worker alike) where the browser can lock.
      return global.navigator && navigator.locks ? navigator.locks.request("mattran-outbox", run) : run();
    },
  };

  function wireOperation(op) {
    const wire = { op_id: op.op_id, entity: op.entity, action: op.action, entity_id: op.entity_id, at: op.at };
    if (op.fields) wire.fields = op.fields;
    if (op.base_version != null) wire.base_version = op.base_version;
    return wire;
  }

  global.MattranOutbox = Outbox;
})(self);
