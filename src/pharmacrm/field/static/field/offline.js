/* Offline visit logging for the rep's day plan and visit form (pharmacrm field app).
 *
 * - Registers the service worker (/field/sw.js, scope /field/) that keeps the pages, the rep's
 *   accounts and the static files for use without a connection.
 * - When the browser is offline, the visit form is not posted: the visit is queued in
 *   IndexedDB with a random client_uuid, and the page says so.
 * - When the connection returns (and on every page load), the queue is sent to the sync API;
 *   the server stores each visit once per client_uuid, so a retry after a lost answer creates
 *   nothing twice. Each outcome (saved, already saved, conflict kept in the notes, refused) is
 *   written to a log the status panel shows until the rep dismisses it.
 *
 * No framework, no build: plain ES2017 in the browser, vendored with the app.
 */
(function () {
  "use strict";

  const DB_NAME = "pharmacrm-field";
  const STORE = "visit-queue";
  const LOG_KEY = "pharmacrm-field-sync-log";
  const SYNC_URL = "/api/v1/field/sync/visits";
  const panel = () => document.getElementById("offline-status");
  const text = (key) => (panel() && panel().dataset[key]) || key;

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(STORE, { keyPath: "client_uuid" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  function withStore(mode, action) {
    return openDb().then(
      (db) =>
        new Promise((resolve, reject) => {
          const tx = db.transaction(STORE, mode);
          const result = action(tx.objectStore(STORE));
          tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
          tx.onerror = () => reject(tx.error);
        })
    );
  }

  const queueAdd = (item) => withStore("readwrite", (store) => store.put(item));
  const queueAll = () => withStore("readonly", (store) => store.getAll());
  const queueDelete = (uuid) => withStore("readwrite", (store) => store.delete(uuid));

  function readLog() {
    try {
      return JSON.parse(localStorage.getItem(LOG_KEY) || "[]");
    } catch (error) {
      return [];
    }
  }

  function writeLog(entries) {
    localStorage.setItem(LOG_KEY, JSON.stringify(entries.slice(-20)));
  }

  function csrfToken() {
    const meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  function newUuid() {
    if (crypto.randomUUID) {
      return crypto.randomUUID();
    }
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => node.setAttribute(key, value));
    (children || []).forEach((child) =>
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child)
    );
    return node;
  }

  function render() {
    const box = panel();
    if (!box) {
      return Promise.resolve();
    }
    return queueAll().then((queued) => {
      const online = navigator.onLine;
      const badge = box.querySelector("[data-role=state]");
      badge.textContent = online ? text("online") : text("offline");
      badge.className = "badge " + (online ? "text-bg-success" : "text-bg-secondary");
      const list = box.querySelector("[data-role=queue]");
      list.replaceChildren(
        ...queued.map((item) =>
          el("li", { class: "list-group-item", "data-uuid": item.client_uuid }, [
            `${item.account_name} · ${new Date(item.at).toLocaleString()} · ${text("waiting")}`,
          ])
        )
      );
      box.querySelector("[data-role=queued-count]").textContent = String(queued.length);
      const log = readLog();
      const logList = box.querySelector("[data-role=log]");
      logList.replaceChildren(
        ...log.map((entry) =>
          el("li", { class: `list-group-item list-group-item-${entry.level}`, "data-outcome": entry.outcome }, [
            entry.message,
          ])
        )
      );
      box.querySelector("[data-role=clear-log]").hidden = log.length === 0;
      // Quiet while everything is normal; visible offline, with a queue, or with news.
      box.hidden = online && queued.length === 0 && log.length === 0;
    });
  }

  const LEVELS = { created: "success", duplicate: "info", updated: "success", conflict: "warning", refused: "danger" };

  let syncing = false;

  function sync() {
    if (syncing || !navigator.onLine) {
      return Promise.resolve();
    }
    syncing = true;
    return queueAll()
      .then((queued) => {
        if (!queued.length) {
          return null;
        }
        const visits = queued.map(({ account_name, ...visit }) => visit);
        const names = Object.fromEntries(queued.map((item) => [item.client_uuid, item.account_name]));
        return fetch(SYNC_URL, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify({ visits }),
        }).then((response) => {
          if (response.status === 401 || response.status === 403) {
            writeLog([...readLog(), { outcome: "auth", level: "danger", message: text("signin") }]);
            return null;
          }
          if (!response.ok) {
            return null; // server trouble: keep the queue and try again later
          }
          return response.json().then((body) => {
            const log = readLog();
            const done = body.results.map((result) => {
              const name = names[result.client_uuid] || "";
              log.push({
                outcome: result.outcome,
                level: LEVELS[result.outcome] || "info",
                // "Saved the visit to <account>" names it already; the others do not.
                message: result.outcome === "duplicate" ? `${name}: ${result.message}` : result.message || name,
              });
              return queueDelete(result.client_uuid);
            });
            writeLog(log);
            const note = document.getElementById("offline-queued-note");
            if (note) {
              note.hidden = true; // what it announced has now been sent
            }
            return Promise.all(done).then(() => {
              const box = panel();
              const created = body.results.some((r) => r.outcome === "created" || r.outcome === "updated");
              if (created && box && box.dataset.reloadAfterSync) {
                window.location.reload(); // the day plan lists what was just synced
              }
              return body.results;
            });
          });
        });
      })
      .catch(() => null) // the network dropped again mid-sync: the queue stays as it was
      .finally(() => {
        syncing = false;
        render();
      });
  }

  function queueFromForm(form) {
    const data = new FormData(form);
    const account = form.querySelector("[name=account]");
    const editing = form.dataset.visitId; // an edit of a stored visit, not a new one
    const atValue = data.get("at");
    const errors = [];
    if (!editing && !data.get("account")) {
      errors.push(account);
    }
    if (!atValue) {
      errors.push(form.querySelector("[name=at]"));
    }
    form.querySelectorAll(".is-invalid").forEach((node) => node.classList.remove("is-invalid"));
    if (errors.length) {
      errors.forEach((node) => node && node.classList.add("is-invalid"));
      return Promise.resolve(null);
    }
    const item = {
      client_uuid: newUuid(),
      base_version: editing ? Number(data.get("base_version")) : null,
      account_id: Number(editing ? form.dataset.accountId : data.get("account")),
      account_name: editing ? form.dataset.accountName : account.options[account.selectedIndex].text,
      at: new Date(atValue).toISOString(),
      channel: data.get("channel") || "in_person",
      status: data.get("status") || "done",
      key_messages: data.get("key_messages") || "",
      samples: data.get("samples") || "",
      samples_qty: Number(data.get("samples_qty") || 0),
      outcome: data.get("outcome") || "",
      next_step: data.get("next_step") || "",
      follow_up_on: data.get("follow_up_on") || null,
      notes: data.get("notes") || "",
      keywords: data.get("keywords") || "",
    };
    if (editing) {
      // Only what the edit form holds; contacts, products and the rest stay as stored.
      item.visit_id = Number(editing);
      item.reason = data.get("reason") || "";
      ["key_messages", "samples", "samples_qty", "follow_up_on", "keywords"].forEach((key) => delete item[key]);
    }
    return queueAdd(item).then(() => item);
  }

  function onSubmit(event) {
    const form = event.target;
    if (!form.matches("[data-offline-form]") || navigator.onLine) {
      return; // online: the ordinary post, with the server's validation
    }
    event.preventDefault();
    queueFromForm(form).then((item) => {
      if (!item) {
        return;
      }
      form.reset();
      const note = document.getElementById("offline-queued-note");
      if (note) {
        note.textContent = `${item.account_name}: ${text("queued")}`;
        note.hidden = false;
      }
      render();
    });
  }

  function start() {
    document.addEventListener("submit", onSubmit);
    window.addEventListener("online", () => sync());
    window.addEventListener("offline", () => render());
    const box = panel();
    if (box) {
      box.querySelector("[data-role=clear-log]").addEventListener("click", () => {
        writeLog([]);
        render();
      });
    }
    if ("serviceWorker" in navigator && box && box.dataset.sw) {
      navigator.serviceWorker.register(box.dataset.sw, { scope: box.dataset.scope }).catch(() => null);
    }
    render().then(() => sync());
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
