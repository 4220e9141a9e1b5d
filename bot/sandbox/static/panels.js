// The page's frame around the conversation: Slack's refusals, the pull request, the jobs and the clock.
import { escapeHtml } from "./blockkit.js";
import { $, myZone, ui } from "./client.js";

export function renderRefusals() {
  const box = $("#refusals");
  const fresh = (ui.data.refusals || []).filter((refusal) => refusal.at > ui.dismissedRefusals);
  box.hidden = !fresh.length;
  if (!fresh.length) return;
  const items = fresh
    .map((r) => `<li><code>${escapeHtml(r.method)}</code>: <strong>${escapeHtml(r.error)}</strong> ${escapeHtml(r.detail || "")}</li>`)
    .join("");
  box.innerHTML = `<strong>Slack refused ${fresh.length} call${fresh.length === 1 ? "" : "s"} from the bot</strong> (Slack's limits and rules, as the real Slack would): <ul>${items}</ul><button type="button" id="dismiss-refusals">Dismiss</button>`;
  $("#dismiss-refusals").addEventListener("click", () => {
    ui.dismissedRefusals = Math.max(...fresh.map((r) => r.at));
    localStorage.setItem("sandbox.dismissed", String(ui.dismissedRefusals));
    renderRefusals();
  });
}

export function renderGithub() {
  const panel = $("#github");
  const github = ui.data.github;
  $("#github-toggle").textContent = github.pulls.some((p) => p.state === "open") ? "Pull request (1 open)" : "Pull request";
  if (panel.hidden) return;
  const key = JSON.stringify(github);
  if (panel.dataset.key === key) return;
  panel.dataset.key = key;
  const pulls = github.pulls
    .map((pull) => {
      const diff = pull.diff
        .split("\n")
        .map((line) => {
          const kind = line.startsWith("+++") || line.startsWith("---") ? "file" : line.startsWith("@@") ? "hunk" : line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : "";
          return `<div class="${kind}">${escapeHtml(line) || " "}</div>`;
        })
        .join("");
      return `<div class="pull" data-testid="pull-request"><p><span class="pr-state ${pull.state}">${escapeHtml(pull.state)}</span>
        <span class="pr-title">${escapeHtml(pull.title)} <span style="color:#57606a">#${pull.number}</span></span></p>
        <p>ambassador-bot wants to merge into <code>${escapeHtml(pull.base)}</code> from <code>${escapeHtml(pull.head)}</code></p>
        <div class="pr-body">${escapeHtml(pull.body)}</div><h2>Files changed</h2><div class="diff">${diff}</div></div>`;
    })
    .join("<hr>");
  const none = github.publishing
    ? "No pull request yet. The publish job opens one when the program's list differs from the repository (Run job → publish, or wait for its schedule)."
    : "Publishing is off.";
  panel.innerHTML = `<h2>GitHub · ${escapeHtml(github.repo)} (local stand-in)</h2>${pulls || `<p>${none}</p>`}`;
}

export function renderJobs() {
  const select = $("#job");
  const names = [...ui.data.clock.jobs.map((job) => job.name), "sender"];
  if (select.dataset.names === names.join(",")) return;
  select.dataset.names = names.join(",");
  select.innerHTML = "";
  for (const job of ui.data.clock.jobs) select.append(new Option(job.name, job.name));
  select.append(new Option("sender", "sender"));
  select.title = ui.data.clock.jobs.map((job) => `${job.name}: ${job.description}`).join("\n");
}

export function sandboxNow() {
  const base = Date.parse(ui.data.clock.now);
  return new Date(base + (performance.now() - ui.fetchedAt));
}

export function tickClock() {
  if (!ui.data) return;
  const now = sandboxNow();
  const zone = ui.data.clock.timezone;
  const text = now.toLocaleString("en-GB", { timeZone: zone, weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" });
  const mine = now.toLocaleTimeString("en-GB", { timeZone: myZone(), hour: "2-digit", minute: "2-digit" });
  const person = ui.data.people.find((item) => item.id === ui.data.me);
  const first = person ? person.name.split(" ")[0] : ui.data.me;
  $("#clock").textContent = `🕒 ${text} ${zone} · ${first}'s time ${mine}`;
  $("#clock").dataset.now = now.toISOString();
}

function localInput(date, zone) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

export function dayAt(days) {
  const date = new Date(sandboxNow().getTime() + days * 86400000);
  return `${localInput(date, ui.data.clock.timezone).slice(0, 10)}T10:00`;
}
