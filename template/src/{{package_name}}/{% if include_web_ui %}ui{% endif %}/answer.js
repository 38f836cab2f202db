// The answer page: ask (the answer streams in), read it with its numbered citations,
// open a source at the cited passage, see the work, and rate the answer.
import { ApiError, api, el, formatCost, headers, readJson, say, setUpKeyForm, show } from "./common.js";

const $ = (id) => document.getElementById(id);
const MARKER = /\[(\d{1,3})\]/g;
// Why an answer needs review, by the guardrail decision's name (see guardrails.yaml).
const REASONS = {
  review_threshold: "its confidence is below the review threshold",
  "grounding.min_support": "a sentence of the answer is not supported by any cited passage",
  "passages.flag_score": "a retrieved passage looked like instructions to the model",
};
let current = null; // the answer shown
let rating = null;

setUpKeyForm();
$("ask-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const question = $("question").value.trim();
  if (question) ask(question);
});
$("question").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("ask-form").requestSubmit();
});
$("vote-up").addEventListener("click", () => vote("up"));
$("vote-down").addEventListener("click", () => vote("down"));
$("feedback-form").addEventListener("submit", sendFeedback);
$("close-document").addEventListener("click", () => $("document-dialog").close());

async function ask(question) {
  const button = $("ask-button");
  button.disabled = true;
  say($("ask-status"), "Asking…");
  resetResult();
  try {
    const response = await fetch("/v1/ask/stream", {
      method: "POST",
      headers: headers({ "Content-Type": "application/json", Accept: "text/event-stream" }),
      body: JSON.stringify({ question }),
    });
    if (!response.ok || !response.body) await readJson(response); // throws the envelope
    show($("result"), true);
    for await (const { event, data } of serverSentEvents(response.body)) {
      if (event === "delta") $("answer-text").append(data.text);
      else if (event === "answer") render(data);
      else if (event === "error") throw new ApiError(0, data.error.code, data.error.message);
    }
    say($("ask-status"), "");
  } catch (error) {
    show($("result"), false);
    say($("ask-status"), error.message || String(error), "error");
  } finally {
    button.disabled = false;
  }
}

// Server-sent events from a fetch body: `event:` and `data:` lines, a blank line between.
async function* serverSentEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { event, data: JSON.parse(data.join("\n")) };
    }
  }
}

function resetResult() {
  current = null;
  rating = null;
  for (const id of ["answer-text", "confidence", "sources", "work-facts", "work-reasons", "work-passages", "review-why"]) {
    $(id).replaceChildren();
  }
  show($("review-banner"), false);
  show($("no-sources"), false);
  $("correction").value = "";
  say($("feedback-status"), "");
  $("vote-up").setAttribute("aria-pressed", "false");
  $("vote-down").setAttribute("aria-pressed", "false");
}

function render(answer) {
  current = answer;
  const cited = new Map(answer.citations.map((c) => [c.marker, c]));
  // The text with each [n] as a link to its source below; text stays text.
  const parts = [];
  let last = 0;
  for (const match of answer.answer.matchAll(MARKER)) {
    parts.push(answer.answer.slice(last, match.index));
    const marker = Number(match[1]);
    parts.push(
      cited.has(marker)
        ? el("a", { href: `#source-${marker}`, class: "cite", "aria-label": `source ${marker}` }, `[${marker}]`)
        : match[0],
    );
    last = match.index + match[0].length;
  }
  parts.push(answer.answer.slice(last));
  $("answer-text").replaceChildren(...parts);

  const level = answer.confidence_level || "none";
  $("confidence").replaceChildren(
    "Confidence: ",
    el("span", { class: `badge level-${level}`, id: "confidence-level" }, level),
    ` (${answer.confidence.toFixed(2)}) `,
    el("span", { id: "confidence-reason" }, answer.confidence_reason || ""),
  );

  const reasons = answer.work?.review_reasons ?? [];
  show($("review-banner"), answer.needs_review);
  $("review-why").textContent = reasons.length
    ? `Why: ${reasons.map((r) => REASONS[r] || r).join("; ")}.`
    : "";

  $("sources").replaceChildren(
    ...answer.citations.map((c) =>
      el(
        "li",
        { id: `source-${c.marker}`, value: c.marker },
        el("strong", {}, c.title),
        el("span", { class: "muted" }, ` (${c.source}, passage ${c.position}, score ${c.score.toFixed(2)})`),
        el("blockquote", {}, c.snippet),
        documentLink(c.document_id, c.position, "Open the document at this passage"),
      ),
    ),
  );
  show($("no-sources"), answer.citations.length === 0);
  renderWork(answer);
}

function documentLink(id, position, text) {
  const link = el("a", { href: `/v1/documents/${encodeURIComponent(id)}`, class: "open-document" }, text);
  link.addEventListener("click", (event) => {
    event.preventDefault();
    openDocument(id, position);
  });
  return link;
}

function renderWork(answer) {
  const work = answer.work || {};
  const facts = [
    ["Model", answer.model],
    ["Tokens", `${answer.usage.input_tokens} in, ${answer.usage.output_tokens} out`],
    ["Cost", formatCost(answer.usage.cost_usd)],
    ["Latency", work.latency_ms == null ? "unknown" : `${Math.round(work.latency_ms)} ms`],
    ["Request id", answer.request_id],
  ];
  $("work-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
  const reasons = work.review_reasons || [];
  $("work-reasons").replaceChildren(
    ...(reasons.length
      ? reasons.map((r) => el("li", {}, el("code", {}, r), `: ${REASONS[r] || "see guardrails.yaml"}`))
      : [el("li", {}, "No guardrail asked for review.")]),
  );
  $("work-passages").replaceChildren(
    ...(work.retrieved || []).map((p) =>
      el(
        "tr",
        {},
        el("td", { class: "num" }, p.rank),
        el("td", {}, documentLink(p.document_id, p.position, p.title), p.untrusted ? " (flagged)" : ""),
        el("td", { class: "num" }, p.position),
        el("td", { class: "num" }, p.score.toFixed(3)),
        el("td", {}, p.cited ? "yes" : "no"),
      ),
    ),
  );
}

async function openDocument(id, position) {
  const dialog = $("document-dialog");
  try {
    const doc = await api(`/v1/documents/${encodeURIComponent(id)}`);
    $("document-title").textContent = doc.title;
    $("document-source").textContent = doc.source;
    let target = null;
    $("document-passages").replaceChildren(
      ...doc.passages.map((p) => {
        const node = el("p", { class: "passage", id: `passage-${p.position}` }, p.text);
        if (p.position === position) {
          node.classList.add("cited");
          node.setAttribute("aria-current", "true");
          target = node;
        }
        return node;
      }),
    );
    dialog.showModal();
    if (target) target.scrollIntoView({ block: "center" });
  } catch (error) {
    say($("ask-status"), error.message, "error");
  }
}

function vote(value) {
  rating = value;
  $("vote-up").setAttribute("aria-pressed", String(value === "up"));
  $("vote-down").setAttribute("aria-pressed", String(value === "down"));
  if (value === "down") $("correction").focus();
}

async function sendFeedback(event) {
  event.preventDefault();
  if (!current) return;
  if (!rating) {
    say($("feedback-status"), "Choose helpful or not helpful first.", "error");
    return;
  }
  const correction = $("correction").value.trim();
  const body = { request_id: current.request_id, rating, ...(correction ? { correction } : {}) };
  try {
    await api("/v1/feedback", { method: "POST", body });
    say($("feedback-status"), "Thank you: feedback recorded.", "done");
  } catch (error) {
    say($("feedback-status"), error.message, "error");
  }
}
