// The portal's only script: everything works without it; with it, a submission's status follows the hub's
// Watch live (server-sent events), and the HS lookup answers inline. No inline script (the CSP forbids it).
"use strict";

function followStatus(region) {
  const source = new EventSource(region.dataset.events);
  let pending = false;
  source.onmessage = refresh;
  ["STATUS_CHANGED", "DECISION", "ROUTED", "TRANSPORT", "QUERY_ANSWERED", "AMENDED"].forEach(
    (kind) => source.addEventListener(kind, refresh));
  function refresh() {
    if (pending) return;
    pending = true;
    fetch(region.dataset.fragment, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : null))
      .then((html) => { if (html !== null) region.innerHTML = html; })
      .finally(() => { pending = false; });
  }
}

function hsLookup(input) {
  const link = document.getElementById(input.dataset.hsLookup);
  const list = document.createElement("ul");
  list.className = "hs-matches";
  list.setAttribute("aria-live", "polite");
  link.after(list);
  link.addEventListener("click", (event) => {
    event.preventDefault();
    const words = window.prompt(link.textContent);
    if (!words) return;
    fetch("/hs?format=json&q=" + encodeURIComponent(words), { credentials: "same-origin" })
      .then((response) => response.json())
      .then((answer) => {
        list.replaceChildren(...answer.matches.map((match) => {
          const item = document.createElement("li");
          const pick = document.createElement("button");
          pick.type = "button";
          pick.className = "secondary";
          pick.textContent = match.code + ": " + match.name;
          pick.addEventListener("click", () => { input.value = match.code; input.focus(); list.replaceChildren(); });
          item.append(pick);
          return item;
        }));
      });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const region = document.getElementById("live-status");
  if (region && window.EventSource) followStatus(region);
  document.querySelectorAll("[data-hs-lookup]").forEach(hsLookup);
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
});
