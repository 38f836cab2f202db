// The review queue: each waiting answer with a form to approve, edit or reject it.
import { api, el, say, setUpKeyForm } from "./common.js";

const $ = (id) => document.getElementById(id);
const ACTIONS = [
  ["approve", "Approve"],
  ["edit", "Edit the answer"],
  ["reject", "Reject"],
];

setUpKeyForm(load);
$("reload").addEventListener("click", load);
load();

async function load() {
  say($("queue-status"), "Loading…");
  try {
    const queue = await api("/v1/review");
    $("queue").replaceChildren(...queue.items.map(item));
    say(
      $("queue-status"),
      queue.pending === 0
        ? "Nothing waiting for review."
        : `${queue.pending} waiting; showing the oldest ${queue.items.length}.`,
    );
  } catch (error) {
    $("queue").replaceChildren();
    say($("queue-status"), error.message, "error");
  }
}

function item(entry) {
  const id = entry.request_id;
  const field = (name) => `${name}-${id}`;
  const why = [
    entry.needs_review ? `confidence ${entry.confidence.toFixed(2)} needs review` : null,
    entry.rating === "down" ? "rated down" : null,
  ].filter(Boolean);
  const status = el("p", { role: "status", "aria-live": "polite" });
  const correction = el("textarea", { id: field("correction"), rows: 3, maxlength: 4000 });
  correction.value = entry.correction || "";
  const note = el("textarea", { id: field("note"), rows: 2, maxlength: 2000 });
  const form = el(
    "form",
    { class: "review-form" },
    el(
      "fieldset",
      {},
      el("legend", {}, "Decision"),
      el(
        "div",
        { class: "choices" },
        ...ACTIONS.map(([value, text], index) =>
          el("label", {}, el("input", { type: "radio", name: field("action"), value, checked: index === 0 }), text),
        ),
      ),
    ),
    el("label", { for: field("correction") }, "Correct answer (for an edit; an approval keeps the caller's)"),
    correction,
    el("label", { for: field("note") }, "Note (required to reject)"),
    note,
    el("div", { class: "row" }, el("button", { type: "submit", class: "primary" }, "Save decision")),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const action = form.querySelector(`input[name="${field("action")}"]:checked`).value;
    const body = { action, note: note.value };
    if (action === "edit") body.correction = correction.value;
    try {
      const receipt = await api(`/v1/review/${encodeURIComponent(id)}`, { method: "POST", body });
      say(status, `Saved: ${receipt.action} by ${receipt.reviewer} at ${receipt.decided_at}.`, "done");
      for (const control of form.querySelectorAll("input, textarea, button")) control.disabled = true;
    } catch (error) {
      say(status, error.message, "error");
    }
  });
  return el(
    "article",
    { class: "queue-item", "data-request-id": id, "aria-labelledby": field("question") },
    el("h2", { id: field("question") }, entry.question),
    el("p", { class: "muted" }, `${new Date(entry.created_at).toLocaleString()} · ${entry.model} · ${why.join(", ")}`),
    el("p", {}, el("strong", {}, "Answer: "), entry.answer),
    entry.correction ? el("p", {}, el("strong", {}, "Caller's correction: "), entry.correction) : null,
    form,
  );
}
