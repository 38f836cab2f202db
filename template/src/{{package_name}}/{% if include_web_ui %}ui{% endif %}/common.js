// Shared by every page: the API key (kept in this tab's session storage only), calls to
// the service's own API, and building elements without ever parsing text as HTML.

const KEY_NAME = "api-key";

export function apiKey() {
  return sessionStorage.getItem(KEY_NAME) || "";
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function headers(extra = {}) {
  const key = apiKey();
  return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
}

// A call to this service (a path, never another host); JSON in, JSON out.
export async function api(path, { method = "GET", body } = {}) {
  const init = { method, headers: headers(body ? { "Content-Type": "application/json" } : {}) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const response = await fetch(path, init);
  return readJson(response);
}

export async function readJson(response) {
  let payload = null;
  try {
    payload = await response.json();
  } catch {
    payload = null;
  }
  if (!response.ok) {
    const error = (payload && payload.error) || {};
    throw new ApiError(response.status, error.code || "http_error", describe(response.status, error));
  }
  return payload;
}

function describe(status, error) {
  const message = error.message || `The service answered ${status}.`;
  if (status === 401) return `${message} Enter a valid API key above.`;
  if (status === 403) return `${message}`;
  return message;
}

// el("p", {class: "note"}, "text", child): attributes set one by one, text as text.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function show(node, visible) {
  node.hidden = !visible;
}

export function say(node, text, kind = "info") {
  node.textContent = text;
  node.dataset.kind = kind;
}

export function formatCost(value) {
  return value === null || value === undefined ? "unknown" : `$${Number(value).toFixed(6)}`;
}

// The key form in every page's header: typed once per tab, forgotten with the tab.
export function setUpKeyForm(onChange = () => {}) {
  const form = document.getElementById("key-form");
  const input = document.getElementById("api-key");
  const status = document.getElementById("key-status");
  const forget = document.getElementById("forget-key");
  const refresh = () => {
    const saved = apiKey() !== "";
    say(status, saved ? "Key saved for this tab." : "No key saved.");
    show(forget, saved);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (key) sessionStorage.setItem(KEY_NAME, key);
    input.value = "";
    refresh();
    onChange();
  });
  forget.addEventListener("click", () => {
    sessionStorage.removeItem(KEY_NAME);
    refresh();
    onChange();
  });
  refresh();
}
