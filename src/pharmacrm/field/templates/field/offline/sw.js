{% autoescape off %}/* Service worker of the field pages (scope /field/): keeps the day plan, the visit form, the
 * rep's accounts and the static files so they open without a connection.
 *
 * Network first: a page comes from the server while it answers (so it is current) and from the
 * cache only when the network fails. Visits logged offline never pass through here: the page
 * queues them in IndexedDB and offline.js sends them to the sync API when the connection
 * returns. When the server answers a page with the sign-in form, the session has ended: the
 * cache is dropped so the next person on a shared device does not see the last rep's day.
 */
const CACHE = "{{ cache_version }}";
const PRECACHE = {{ precache_json }};
const LOGIN_URL = "{{ login_url }}";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function cacheable(url) {
  return url.origin === self.location.origin &&
    (url.pathname.startsWith("/field/") || url.pathname.startsWith("/static/"));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || !cacheable(url)) {
    return;
  }
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.redirected && new URL(response.url).pathname.startsWith(LOGIN_URL)) {
          caches.delete(CACHE);
          return response;
        }
        if (response.ok && response.type === "basic") {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() =>
        caches.match(request, { ignoreSearch: request.mode === "navigate" }).then(
          (hit) => hit || (request.mode === "navigate" ? caches.match(PRECACHE[0]) : Response.error())
        )
      )
  );
});
{% endautoescape %}
