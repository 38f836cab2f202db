// The KPI dashboard: one chart a measure, one point a day, from GET /v1/stats, with the
// GOALS.md target and review date drawn on the key result's chart.
import { api, el, say, setUpKeyForm, show } from "./common.js";

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 360;
const HEIGHT = 170;
const PAD = { left: 44, right: 12, top: 12, bottom: 26 };

setUpKeyForm(load);
$("days").addEventListener("change", load);
load();

async function load() {
  say($("dashboard-status"), "Loading…");
  try {
    const all = await api("/v1/stats");
    // The service sends its longest period; the chosen one is its last N days.
    const stats = { ...all, days: all.days.slice(-Number($("days").value)) };
    stats.since = stats.days[0]?.day ?? all.since;
    render(stats);
    say($("dashboard-status"), `${stats.since} to ${stats.until}`);
  } catch (error) {
    $("charts").replaceChildren();
    show($("goal"), false);
    say($("dashboard-status"), error.message, "error");
  }
}

function render(stats) {
  const days = stats.days.map((d) => d.day);
  const series = (name) => stats.days.map((d) => d[name]);
  const daily = stats.monthly_budget_usd > 0 ? stats.monthly_budget_usd / 30 : null;
  const goals = stats.goals;
  const left = Math.round((Date.parse(goals.review_date) - Date.now()) / 86400000);
  $("goal-text").textContent =
    `${goals.metric}: from ${goals.baseline} to ${goals.target} ${goals.unit} by ${goals.review_date} ` +
    `(${left >= 0 ? `${left} days left` : `${-left} days overdue`}). Measured outside the service; ` +
    "usage is not success.";
  show($("goal"), true);
  $("charts").replaceChildren(
    keyResultChart(goals, stats.since),
    chart("Answers served a day", days, [series("answers")], { bars: true }),
    chart("Share needing review", days, [series("needing_review_share")], {
      percent: true,
      line: { value: null },
    }),
    chart("Thumbs-up rate", days, [series("thumbs_up_rate")], { percent: true }),
    chart("Refusals a day (no cited answer)", days, [series("refused")], { bars: true }),
    chart("Cost a day (USD)", days, [series("cost_usd")], {
      bars: true,
      line: daily === null ? { value: null } : { value: daily, label: `budget ${daily.toFixed(2)}/day` },
    }),
    chart("Latency (ms): p50, p95 dashed", days, [series("latency_p50_ms"), series("latency_p95_ms")], {}),
  );
}

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function figure(title, picture, summary) {
  picture.setAttribute("role", "img");
  picture.setAttribute("aria-label", `${title}. ${summary}`);
  return el("figure", { class: "chart" }, el("figcaption", {}, title), picture);
}

function frame() {
  return svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, width: WIDTH, height: HEIGHT });
}

function chart(title, days, allValues, { bars = false, percent = false, line = { value: null } }) {
  const picture = frame();
  const known = allValues.flat().filter((v) => v !== null && v !== undefined);
  const top = Math.max(percent ? 1 : 0, ...known, line.value ?? 0, 1e-9) * (percent ? 1 : 1.1);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (i) => PAD.left + (days.length <= 1 ? plotW / 2 : (plotW * i) / (days.length - 1));
  const y = (v) => PAD.top + plotH - (plotH * v) / top;
  const label = (v) => (percent ? `${Math.round(v * 100)}%` : Number(v.toPrecision(3)).toString());
  picture.append(
    svg("line", { class: "axis", x1: PAD.left, y1: PAD.top + plotH, x2: WIDTH - PAD.right, y2: PAD.top + plotH }),
    svg("line", { class: "axis", x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: PAD.top + plotH }),
    svg("text", { x: PAD.left - 4, y: PAD.top + 8, "text-anchor": "end" }, label(top)),
    svg("text", { x: PAD.left - 4, y: PAD.top + plotH, "text-anchor": "end" }, "0"),
    svg("text", { x: PAD.left, y: HEIGHT - 6 }, days[0] ?? ""),
    svg("text", { x: WIDTH - PAD.right, y: HEIGHT - 6, "text-anchor": "end" }, days.at(-1) ?? ""),
  );
  allValues.forEach((values, index) => {
    if (bars) {
      const slot = plotW / Math.max(1, days.length);
      values.forEach((v, i) => {
        if (!v) return;
        const bar = svg("rect", {
          class: "bar",
          x: PAD.left + i * slot + 1,
          y: y(v),
          width: Math.max(slot - 2, 1),
          height: PAD.top + plotH - y(v),
        });
        bar.append(svg("title", {}, `${days[i]}: ${label(v)}`));
        picture.append(bar);
      });
      return;
    }
    const points = values
      .map((v, i) => (v === null || v === undefined ? null : [x(i), y(v), days[i], v]))
      .filter(Boolean);
    if (points.length > 1) {
      const cls = index === 0 ? "series" : "series second";
      picture.append(svg("polyline", { class: cls, points: points.map(([px, py]) => `${px},${py}`).join(" ") }));
    }
    for (const [px, py, day, v] of points) {
      const dot = svg("circle", { class: "point", cx: px, cy: py, r: 3 });
      dot.append(svg("title", {}, `${day}: ${label(v)}`));
      picture.append(dot);
    }
  });
  if (line.value !== null && line.value !== undefined) {
    picture.append(
      svg("line", { class: "target-line", x1: PAD.left, x2: WIDTH - PAD.right, y1: y(line.value), y2: y(line.value) }),
      svg("text", { x: WIDTH - PAD.right, y: y(line.value) - 4, "text-anchor": "end" }, line.label),
    );
  }
  const latest = known.length ? label(known.at(-1)) : "no data yet";
  return figure(title, picture, `Latest: ${latest}.`);
}

// The key result from GOALS.md: the baseline today, the target line, and the review date
// by which it must be reached. The service cannot measure it: the owner does.
function keyResultChart(goals, since) {
  const picture = frame();
  const start = Date.parse(since);
  const end = Math.max(Date.parse(goals.review_date), start + 86400000);
  const span = end - start;
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const top = Math.max(goals.baseline, goals.target) * 1.2 || 1;
  const x = (t) => PAD.left + (plotW * (t - start)) / span;
  const y = (v) => PAD.top + plotH - (plotH * v) / top;
  const today = Math.min(Math.max(Date.now(), start), end);
  const targetLine = svg("line", {
    class: "target-line",
    "data-target": goals.target,
    x1: PAD.left,
    x2: WIDTH - PAD.right,
    y1: y(goals.target),
    y2: y(goals.target),
  });
  targetLine.append(svg("title", {}, `target ${goals.target} ${goals.unit} (GOALS.md)`));
  const reviewLine = svg("line", {
    class: "review-date-line",
    "data-review-date": goals.review_date,
    x1: x(end),
    x2: x(end),
    y1: PAD.top,
    y2: PAD.top + plotH,
  });
  reviewLine.append(svg("title", {}, `review date ${goals.review_date}`));
  picture.append(
    svg("line", { class: "axis", x1: PAD.left, y1: PAD.top + plotH, x2: WIDTH - PAD.right, y2: PAD.top + plotH }),
    svg("line", { class: "axis", x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: PAD.top + plotH }),
    svg("line", { class: "baseline-line", x1: PAD.left, x2: x(today), y1: y(goals.baseline), y2: y(goals.baseline) }),
    svg("text", { x: PAD.left + 4, y: y(goals.baseline) - 4 }, `baseline ${goals.baseline}`),
    // The plan: from the baseline today to the target on the review date.
    svg("line", { class: "plan-line", x1: x(today), x2: x(end), y1: y(goals.baseline), y2: y(goals.target) }),
    targetLine,
    svg("text", { x: PAD.left + 4, y: y(goals.target) - 4 }, `target ${goals.target} ${goals.unit}`),
    reviewLine,
    svg("text", { x: x(end) - 4, y: PAD.top + 10, "text-anchor": "end" }, "review date"),
    svg("text", { x: PAD.left, y: HEIGHT - 6 }, since),
    svg("text", { x: WIDTH - PAD.right, y: HEIGHT - 6, "text-anchor": "end" }, goals.review_date),
  );
  return figure(
    `Key result: ${goals.metric} (${goals.unit})`,
    picture,
    `Target ${goals.target} ${goals.unit} from a baseline of ${goals.baseline}, review on ${goals.review_date}.`,
  );
}
