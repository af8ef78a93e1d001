/* The library offline: categories a cadre pins are kept in IndexedDB (documents with their passages),
 * refreshed by delta (`since` = the pack version held, If-None-Match = its ETag: 304 when unchanged),
 * and read and searched with no connection on /library/offline (titles and keywords, diacritics ignored).
 * The page shows the storage used and frees it on request. */
(function () {
  const DB_NAME = "mattran-library";
  const STORE = "packs";

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "category" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function withStore(mode, work) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(STORE, mode);
      const result = work(transaction.objectStore(STORE));
      transaction.oncomplete = () => { db.close(); resolve(result && "result" in result ? result.result : undefined); };
      transaction.onerror = () => { db.close(); reject(transaction.error); };
    });
  }

  const allPacks = () => withStore("readonly", (store) => store.getAll());
  const getPack = (category) => withStore("readonly", (store) => store.get(category));
  const putPack = (pack) => withStore("readwrite", (store) => store.put(pack));
  const deletePack = (category) => withStore("readwrite", (store) => store.delete(category));
  const clearPacks = () => withStore("readwrite", (store) => store.clear());

  // The same folding as the server's backend/lib/text.fold.
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase()
      .replace(/[^0-9a-z]+/g, " ").trim();
  }

  async function syncPack(category) {
    const held = await getPack(category);
    const url = `/api/v1/library/packs/${encodeURIComponent(category)}` + (held ? `?since=${held.version}` : "");
    const response = await fetch(url, { credentials: "same-origin", headers: held ? { "If-None-Match": held.etag } : {} });
    if (response.status === 304) return held;
    if (!response.ok) throw new Error(`pack ${category}: ${response.status}`);
    const pack = await response.json();
    const documents = new Map(held && !pack.complete ? held.documents.map((d) => [d.document.id, d]) : []);
    for (const id of pack.removed) documents.delete(id);
    for (const entry of pack.documents) documents.set(entry.document.id, entry);
    const record = {
      category, name: pack.name, version: pack.version, etag: response.headers.get("ETag"),
      documents: [...documents.values()], savedAt: Date.now(),
    };
    record.bytes = new Blob([JSON.stringify(record.documents)]).size;
    await putPack(record);
    return record;
  }

  async function showPinState(button) {
    const held = await getPack(button.dataset.libraryPin);
    if (!button.dataset.pinText) button.dataset.pinText = button.textContent;
    button.textContent = held ? button.dataset.pinnedText : button.dataset.pinText;
    button.setAttribute("aria-pressed", held ? "true" : "false");
  }

  document.addEventListener("click", async (event) => {
    const button = event.target.closest && event.target.closest("[data-library-pin]");
    if (!button) return;
    event.preventDefault();
    const category = button.dataset.libraryPin;
    button.disabled = true;
    try {
      if (await getPack(category)) await deletePack(category);
      else await syncPack(category);
    } finally {
      button.disabled = false;
      await showPinState(button);
    }
  }, true);

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  }

  function kilobytes(bytes) {
    return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  }

  function renderReader(root, entry) {
    const doc = entry.document;
    const contents = element("ol", {});
    const seen = new Set();
    const passages = entry.passages.map((passage) => {
      const section = element("section", { class: "passage" }, ...passage.text.split("\n").map((line) => element("p", {}, line)));
      if (passage.anchor && !seen.has(passage.anchor)) {
        seen.add(passage.anchor);
        section.id = passage.anchor;
        if (!passage.locator.includes(",")) {
          // Jump without touching the hash, which names the open document.
          const jump = element("a", { href: `#${passage.anchor}` }, passage.locator);
          jump.addEventListener("click", (event) => { event.preventDefault(); section.scrollIntoView(); });
          contents.append(element("li", {}, jump));
        }
      }
      return section;
    });
    root.replaceChildren(
      element("a", { href: "#", "data-library-back": "" }, "←"),
      element("article", { class: "reader" }, element("h2", {}, doc.title),
        element("p", { class: "muted" }, [doc.number, doc.issuer].filter(Boolean).join(" · ")),
        contents, ...passages),
    );
  }

  async function renderList(root, query) {
    const packs = await allPacks();
    const terms = fold(query).split(" ").filter(Boolean);
    const labels = root.dataset;
    let used = packs.reduce((sum, pack) => sum + (pack.bytes || 0), 0);
    if (navigator.storage && navigator.storage.estimate) used = Math.max(used, (await navigator.storage.estimate()).usage || 0);
    const search = element("input", { type: "search", id: "library-offline-q", "aria-label": labels.searchLabel, placeholder: labels.searchLabel });
    search.value = query;
    search.addEventListener("input", () => renderList(root, search.value).then(() => {
      const again = root.querySelector("#library-offline-q");
      again.focus();
      again.setSelectionRange(again.value.length, again.value.length);
    }));
    const free = element("button", { type: "button", class: "button", "data-library-free": "" }, labels.freeLabel);
    free.addEventListener("click", async () => { await clearPacks(); await renderList(root, ""); });
    const list = element("ul", { class: "results" });
    for (const pack of packs) {
      for (const entry of pack.documents) {
        const haystack = `${fold(entry.document.title)} ${entry.keywords}`;
        if (terms.length && !terms.every((term) => haystack.split(" ").some((word) => word.startsWith(term)))) continue;
        const link = element("a", { href: `#doc=${entry.document.id}`, "data-library-doc": entry.document.id }, entry.document.title);
        list.append(element("li", {}, link, element("div", { class: "muted" }, pack.name)));
      }
    }
    root.replaceChildren(
      element("p", { class: "muted", "data-library-storage": String(used) }, `${labels.storageLabel}: ${kilobytes(used)}`),
      free, search,
      packs.length ? list : element("p", { class: "muted" }, labels.noneLabel),
    );
  }

  async function renderOffline(root) {
    root.dataset.rendered = "1";
    const match = location.hash.match(/^#doc=(.+)$/);
    if (match) {
      for (const pack of await allPacks()) {
        const entry = pack.documents.find((d) => d.document.id === match[1]);
        if (entry) return renderReader(root, entry);
      }
    }
    return renderList(root, "");
  }

  function renderWhereNeeded() {
    const root = document.getElementById("library-offline");
    if (root && !root.dataset.rendered) renderOffline(root);
    document.querySelectorAll("[data-library-pin]:not([aria-pressed])").forEach(showPinState);
  }

  window.addEventListener("hashchange", () => {
    const root = document.getElementById("library-offline");
    if (root) renderOffline(root);
  });
  // The live client replaces the pre-rendered page: render again into the new elements.
  new MutationObserver(renderWhereNeeded).observe(document.documentElement, { childList: true, subtree: true });
  renderWhereNeeded();

  // Pinned packs follow the server while there is signal (deltas; unchanged ones answer 304).
  async function refreshAll() {
    if (!navigator.onLine) return;
    for (const pack of await allPacks()) {
      try { await syncPack(pack.category); } catch (offline) { return; }
    }
  }
  window.addEventListener("online", refreshAll);
  refreshAll();
})();
