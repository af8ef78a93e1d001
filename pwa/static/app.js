/* The page side of the web app: connection banner and click guard, hand-over from the server's first
 * paint to the live client, the offline outbox UI, the service worker, install hints, theme, sign-out. */
(function () {
  "use strict";
  const $ = (selector) => document.querySelector(selector);
  const strings = JSON.parse($("#mattran-strings").textContent);
  const t = (key, params = {}) => (strings[key] || key).replace(/\{(\w+)\}/g, (_, name) => params[name] ?? "");
  const Outbox = self.MattranOutbox;

  function toast(message) {
    const box = $("#toast");
    box.textContent = message;
    box.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { box.hidden = true; }, 5000);
  }

  /* Theme: the system's by default, or what the user picked. */
  const savedTheme = localStorage.getItem("mattran-theme");
  if (savedTheme) document.documentElement.dataset.theme = savedTheme;
  document.addEventListener("click", (event) => {
    if (!event.target.closest("[data-theme-toggle]")) return;
    const dark = document.documentElement.dataset.theme
      ? document.documentElement.dataset.theme === "dark"
      : matchMedia("(prefers-color-scheme: dark)").matches;
    document.documentElement.dataset.theme = dark ? "light" : "dark";
    localStorage.setItem("mattran-theme", document.documentElement.dataset.theme);
  });

  /* The live connection (reactpy's websocket): watch it, say when it is down, and refuse clicks that
   * would be lost instead of dropping them silently. */
  let live = false;
  const NativeWebSocket = window.WebSocket;
  /* reactpy's client retries a dropped connection only once it has been connected, so a page opened on
   * a bad line would stay a still picture. Its live socket is therefore this stand-in, which keeps
   * trying (with growing waits, and at once when the phone is back online) until the first connection
   * opens; after that, a close goes to reactpy, which reconnects by itself. */
  class PatientSocket {
    constructor(url, protocols) {
      Object.assign(this, { url, protocols, onopen: null, onmessage: null, onclose: null, onerror: null });
      this.wait = 1000;
      this.connect();
    }
    connect() {
      const socket = new NativeWebSocket(this.url, this.protocols);
      this.socket = socket;
      socket.onopen = (event) => { this.opened = true; setLive(true); if (this.onopen) this.onopen(event); };
      socket.onmessage = (event) => { if (this.onmessage) this.onmessage(event); };
      socket.onerror = (event) => { if (this.opened && this.onerror) this.onerror(event); };
      socket.onclose = (event) => {
        setLive(false);
        if (this.opened) { if (this.onclose) this.onclose(event); return; }
        if (this.closedByPage) return;
        const retry = () => { clearTimeout(timer); window.removeEventListener("online", retry); this.connect(); };
        const timer = setTimeout(retry, this.wait);
        window.addEventListener("online", retry);
        this.wait = Math.min(this.wait * 2, 30000);
      };
    }
    get readyState() { return this.socket.readyState; }
    send(data) { this.socket.send(data); }
    close(code, reason) { this.closedByPage = true; this.socket.close(code, reason); }
  }
  window.WebSocket = function (url, protocols) {
    return String(url).includes("/_reactpy/stream")
      ? new PatientSocket(url, protocols)
      : new NativeWebSocket(url, protocols);
  };
  Object.assign(window.WebSocket, {
    CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3, prototype: NativeWebSocket.prototype,
  });
  function setLive(connected) {
    live = connected;
    const banner = $("#banner-connection");
    banner.textContent = t("pwa.connection.lost");
    banner.hidden = connected;
  }
  const guard = (event) => {
    if (live || !event.target.closest("#app")) return;
    const target = event.target;
    if (target.closest("a[href]") || target.closest("form[data-outbox]") || target.closest("[data-theme-toggle]")) return;
    if (event.type === "click" && !target.closest("button, input, select, textarea, [role=button]")) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    toast(t("pwa.connection.click_blocked"));
  };
  ["click", "change", "input"].forEach((type) => document.addEventListener(type, guard, true));

  /* Hand-over: the server's pre-render stays until the live client has drawn the page. */
  new MutationObserver((changes, observer) => {
    if ($("#app").childElementCount) {
      const ssr = $("#ssr");
      if (ssr) ssr.remove();
      observer.disconnect();
    }
  }).observe($("#app"), { childList: true });

  /* The outbox. */
  const csrfCookie = document.cookie.split("; ").find((c) => c.startsWith("__Host-mattran_csrf="));
  if (csrfCookie) Outbox.rememberCsrf(csrfCookie.split("=")[1]);

  async function showQueue() {
    const pending = await Outbox.pending();
    const banner = $("#banner-outbox");
    banner.hidden = pending.length === 0;
    banner.textContent = t("pwa.outbox.waiting", { count: pending.length });
    const list = document.getElementById("outbox-list");
    if (list) {
      list.replaceChildren(...pending.map((op) => {
        const item = document.createElement("li");
        const fields = op.fields || {};
        item.textContent = fields.title || fields.full_name || fields.purpose || fields.house_number || op.entity;
        return item;
      }));
    }
  }

  async function replay() {
    if (!navigator.onLine) return showQueue();
    const before = await Outbox.count();
    const outcome = await Outbox.replay();
    if (outcome.refused) {
      const refused = await Outbox.refused();
      const last = refused[refused.length - 1];
      toast(t("pwa.outbox.rejected", { reason: (last.result.problem && last.result.problem.detail) || last.result.status }));
    } else if (before && !outcome.left) {
      toast(t("pwa.outbox.sent"));
    }
    await showQueue();
  }

  /* Outbox forms (markup in pwa/features/registry/fields.py): data-type="int" sends a number,
   * data-empty="null" an empty control as null (left out of a create), data-list checkboxes as a list. An
   * update (data-action) sends only what differs from data-initial, based on data-base-version. */
  function formValues(form) {
    const data = new FormData(form), values = {};
    for (const control of form.elements) {
      if (!control.name || control.name in values) continue;
      values[control.name] = control.dataset.list !== undefined ? data.getAll(control.name) : (data.get(control.name) ?? "");
    }
    return values;
  }
  function typed(control, value) {
    if (Array.isArray(value)) return value;
    if (value === "") return control.dataset.empty === "null" ? null : "";
    return control.dataset.type === "int" ? Number(value) : value;
  }
  function outboxFields(form) {
    const initial = form.dataset.initial ? JSON.parse(form.dataset.initial) : null;
    const fields = {};
    for (const [name, value] of Object.entries(formValues(form))) {
      if (initial && JSON.stringify(initial[name] ?? "") === JSON.stringify(value)) continue;
      const converted = typed([...form.elements].find((control) => control.name === name), value);
      if (!initial && converted === null) continue;
      fields[name] = converted;
    }
    return fields;
  }
  // The id a new record gets on this device, made once per form fill.
  const formId = (form) => form.dataset.newId || (form.dataset.newId = Outbox.newId());

  /* Field errors, checked on the phone (no signal needed): our message under each control that fails. */
  function checkFields(form) {
    let first = null;
    for (const control of form.elements) {
      const box = control.id && document.getElementById(`${control.id}-error`);
      if (!box) continue;
      const valid = control.validity.valid;
      box.textContent = valid ? "" : control.dataset.error || control.validationMessage;
      box.hidden = valid;
      if (valid) control.removeAttribute("aria-invalid");
      else { control.setAttribute("aria-invalid", "true"); first = first || control; }
    }
    if (first) first.focus();
    return !first;
  }
  document.addEventListener("input", (event) => {
    const control = event.target;
    const box = control.id && control.closest("form[data-outbox]") && document.getElementById(`${control.id}-error`);
    if (box && control.validity.valid) { box.hidden = true; control.removeAttribute("aria-invalid"); }
  });

  /* Records that may already be the one being entered: asked of the server while there is signal. */
  function checkDuplicates(form) {
    const box = form.querySelector("[data-duplicates-box]");
    if (!box) return;
    clearTimeout(form.duplicateTimer);
    form.duplicateTimer = setTimeout(async () => {
      if (!navigator.onLine) return;
      try {
        const response = await fetch(form.dataset.duplicates, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": (await Outbox.csrf()) || "" },
          body: JSON.stringify({ ...outboxFields(form), id: formId(form) }),
        });
        if (!response.ok) return; // not enough filled in yet to compare
        const { items } = await response.json();
        const reasons = JSON.parse(box.dataset.reasons);
        box.querySelector("ul").replaceChildren(...items.map((item) => {
          const entry = document.createElement("li"), link = document.createElement("a"), why = document.createElement("div");
          link.href = `/household?id=${item.household_id}`;
          link.textContent = item.label;
          why.className = "muted";
          why.textContent = item.reasons.map((reason) => reasons[reason] || reason).join(", ");
          entry.append(link, why);
          return entry;
        }));
        box.hidden = !items.length;
      } catch (offline) { /* no signal after all: nothing to compare with */ }
    }, 500);
  }
  document.addEventListener("change", (event) => {
    const form = event.target.closest && event.target.closest("form[data-outbox][data-duplicates]");
    if (form) checkDuplicates(form);
  });

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-outbox]");
    if (!form) return;
    event.preventDefault();
    if (!checkFields(form)) return;
    const update = form.dataset.action === "update";
    const fields = outboxFields(form);
    const then = form.dataset.then;
    if (update && !Object.keys(fields).length) return then && location.assign(then);
    const op = update
      ? await Outbox.enqueue(form.dataset.outbox, "update", fields, form.dataset.entityId, Number(form.dataset.baseVersion))
      : await Outbox.enqueue(form.dataset.outbox, "create", fields, formId(form));
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
    if (!update) {
      form.reset();
      delete form.dataset.newId; // the next record is another one
      const box = form.querySelector("[data-duplicates-box]");
      if (box) box.hidden = true;
    }
    toast(t("pwa.notes.saved_offline"));
    await showQueue();
    if ("serviceWorker" in navigator && "SyncManager" in window) {
      navigator.serviceWorker.ready.then((reg) => reg.sync.register("outbox")).catch(() => {});
    }
    if (then) return location.assign(then.replace("{id}", op.entity_id));
    replay();
  }, true);

  /* Evidence for a petition's answer (markup in pwa/features/petitions/pages.py): the chosen file is named
   * and checked on the phone (type, size), sent as the raw body to the attachment API, and the page's hidden
   * button then redraws the list. The answer being typed lives in its own field and is never touched. */
  function evidenceProblem(box, message) {
    const alert = box.querySelector("[data-evidence-error]");
    alert.textContent = message || "";
    alert.hidden = !message;
  }
  function evidenceCheck(box, file) {
    if (!file) return box.dataset.noFile;
    if (!box.dataset.types.split(",").includes(file.type)) return box.dataset.wrongType.replace("{name}", file.name);
    if (file.size > Number(box.dataset.maxBytes)) return box.dataset.tooLarge.replace("{name}", file.name);
    return "";
  }
  document.addEventListener("change", (event) => {
    const box = event.target.closest && event.target.closest("[data-evidence]");
    if (!box || event.target.type !== "file") return;
    const file = event.target.files[0];
    box.querySelector("[data-evidence-chosen]").textContent = file ? file.name : "";
    evidenceProblem(box, file && evidenceCheck(box, file));
  });
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-evidence-send]");
    if (!button) return;
    const box = button.closest("[data-evidence]"), input = box.querySelector("input[type=file]"), file = input.files[0];
    const problem = evidenceCheck(box, file);
    evidenceProblem(box, problem);
    if (problem) return;
    button.disabled = true;
    try {
      const response = await fetch(`${box.dataset.evidence}?filename=${encodeURIComponent(file.name.slice(-200))}`, {
        method: "POST", credentials: "same-origin", body: file,
        headers: { "Content-Type": file.type, "X-CSRF-Token": (await Outbox.csrf()) || "" },
      });
      if (!response.ok) {
        const refusal = await response.json().catch(() => ({}));
        return evidenceProblem(box, refusal.detail || box.dataset.failed);
      }
      input.value = "";
      box.querySelector("[data-evidence-chosen]").textContent = "";
      box.querySelector("[data-evidence-refresh]").click();
    } catch (offline) {
      evidenceProblem(box, box.dataset.failed);
    } finally {
      button.disabled = false;
    }
  });

  /* A copy of a page kept for another record is fixed up from the address (see fields.py). */
  const query = new URLSearchParams(location.search);
  document.querySelectorAll("[data-from-query]").forEach((control) => {
    const value = query.get(control.dataset.fromQuery);
    if (value) control.value = value;
  });

  /* Pages a cadre will need at the door (an area's households, their forms): the worker keeps copies. */
  function keepOffline() {
    const urls = [...new Set([...document.querySelectorAll("[data-keep-offline]")]
      .map((element) => element.dataset.keepOffline || element.getAttribute("href")).filter(Boolean))];
    if (!urls.length || !navigator.onLine || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then((registration) => registration.active.postMessage({ type: "keep-pages", urls }));
  }

  window.addEventListener("online", replay);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) replay(); });
  window.addEventListener("focus", replay);

  /* Sign out: warn while items are unsent; the server answers Clear-Site-Data, and the local copies go too. */
  document.addEventListener("click", async (event) => {
    if (!event.target.closest("[data-signout]")) return;
    event.preventDefault();
    const unsent = await Outbox.count();
    if (unsent && !confirm(t("pwa.outbox.unsent_logout", { count: unsent }))) return;
    await fetch("/auth/logout", { method: "POST", credentials: "same-origin",
      headers: { "X-CSRF-Token": (await Outbox.csrf()) || "" } });
    await Outbox.clear();
    if (self.caches) for (const key of await caches.keys()) await caches.delete(key);
    location.assign("/");
  });

  /* Notifications: asked only when the user presses the button under the explanation (iOS and Chrome
   * both refuse a permission prompt that no gesture started). */
  function base64UrlToBytes(text) {
    const padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }
  const bytesToBase64Url = (buffer) =>
    btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

  async function enablePush(button) {
    if (!("serviceWorker" in navigator) || !("PushManager" in window)) return toast(t("pwa.push.unsupported"));
    if ((await Notification.requestPermission()) !== "granted") return toast(t("pwa.push.denied"));
    const { public_key: key } = await (await fetch("/api/v1/push/public-key")).json();
    const registration = await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(key) });
    const response = await fetch("/api/v1/push/subscriptions", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": (await Outbox.csrf()) || "" },
      body: JSON.stringify({ endpoint: subscription.endpoint, application_server_key: key,
        keys: { p256dh: bytesToBase64Url(subscription.getKey("p256dh")), auth: bytesToBase64Url(subscription.getKey("auth")) } }),
    });
    toast(t(response.ok ? "pwa.push.enabled" : "pwa.push.failed"));
    if (response.ok) button.hidden = true;
  }
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-push-enable]");
    if (!button) return;
    event.preventDefault();
    enablePush(button).catch(() => toast(t("pwa.push.failed")));
  });

  /* The service worker, and the install offer (Android) or instructions (iOS, which has no prompt). */
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js", { scope: "/" });
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "outbox-replayed") showQueue();
    });
  }
  const installBanner = $("#banner-install");
  const standalone = matchMedia("(display-mode: standalone)").matches || navigator.standalone;
  if (/iphone|ipad|ipod/i.test(navigator.userAgent) && !standalone && !localStorage.getItem("mattran-ios-hint")) {
    installBanner.textContent = t("pwa.install.ios");
    installBanner.hidden = false;
    installBanner.addEventListener("click", () => { installBanner.hidden = true; localStorage.setItem("mattran-ios-hint", "1"); });
  }

  /* The library's offline packs (pin a category, read and search it offline): its own script, on library pages. */
  if (location.pathname.startsWith("/library")) {
    const libraryScript = document.createElement("script");
    libraryScript.src = "/library/offline.js";
    document.head.append(libraryScript);
  }

  showQueue();
  replay();
  keepOffline();
})();
