// The sandbox's Slack client: the workspace as the chosen person sees it, live, and every action they
// take sent to the sandbox, which sends the bot exactly what Slack would.
import { blockIdOf, clientErrors, escapeHtml, mrkdwn, readValues, renderBlocks } from "./blockkit.js";

const $ = (selector) => document.querySelector(selector);
const ui = {
  // Until someone else is chosen: the newcomer every sandbox starts with.
  me: localStorage.getItem("sandbox.person") || "U0NEWCOMER",
  nav: localStorage.getItem("sandbox.nav") || "app",
  tab: "home",
  data: null,
  modalKey: null,
  submitting: false,
  refreshing: null,
  again: false,
  fetchedAt: 0,
  seen: JSON.parse(localStorage.getItem("sandbox.seen") || "{}"),
  dismissedRefusals: Number(localStorage.getItem("sandbox.dismissed") || 0),
};

// --- talking to the sandbox -----------------------------------------------------------------------

async function call(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ as: ui.me, ...body }),
  });
  let answer = {};
  try {
    answer = await response.json();
  } catch {
    answer = { error: `The sandbox answered ${response.status}.` };
  }
  if (!response.ok) throw new Error(answer.error || `The sandbox answered ${response.status}.`);
  return answer;
}

async function refresh() {
  if (ui.refreshing) {
    ui.again = true;
    return ui.refreshing;
  }
  ui.refreshing = (async () => {
    do {
      ui.again = false;
      // Only the conversation on the screen comes whole; the others say when they last changed.
      const open = ui.nav === "app" ? (ui.tab === "messages" ? "dm" : "none") : ui.nav;
      let response = await fetch(`/sandbox/state?as=${encodeURIComponent(ui.me)}&open=${encodeURIComponent(open)}`);
      if (response.status === 400 && ui.me !== "U0NEWCOMER") {
        // The person chosen before is not in this sandbox (a fresh one): start with someone who is.
        ui.me = "U0NEWCOMER";
        localStorage.setItem("sandbox.person", ui.me);
        response = await fetch(`/sandbox/state?as=${ui.me}`);
      }
      const data = await response.json();
      if (!response.ok) {
        toast(data.error || "The sandbox did not answer.", true);
        break;
      }
      if (data.me !== ui.me) {
        // Someone else was chosen while this was on its way: ask again for them.
        ui.again = true;
        continue;
      }
      ui.data = data;
      ui.fetchedAt = performance.now();
      render();
    } while (ui.again);
  })();
  try {
    await ui.refreshing;
  } finally {
    ui.refreshing = null;
  }
}

function live() {
  let polling = null;
  const poll = () => {
    if (!polling) polling = setInterval(refresh, 2000);
  };
  const events = new EventSource("/sandbox/events");
  events.onmessage = () => refresh();
  events.onerror = () => {
    // The stream ends now and then and the browser reconnects; if it cannot, ask now and then.
    if (events.readyState === EventSource.CLOSED) poll();
  };
}

async function act(path, body, button) {
  if (button) button.disabled = true;
  try {
    const answer = await call(path, body);
    if (answer.error) toast(`Slack: the app did not answer (${answer.error}).`, true);
    refresh();
    return answer;
  } catch (error) {
    toast(error.message, true);
    return null;
  } finally {
    if (button) button.disabled = false;
  }
}

// --- drawing ----------------------------------------------------------------------------------------

function context(extra = {}) {
  const data = ui.data;
  const people = {};
  for (const person of data.people) people[person.id] = person;
  people[data.bot.id] = { name: data.bot.name };
  const channels = {};
  for (const channel of data.channels) channels[channel.id] = channel.name;
  return { people, channels, me: data.me, tz: myZone(), ...extra };
}

function myZone() {
  const person = ui.data.people.find((item) => item.id === ui.data.me);
  return (person && person.tz) || ui.data.clock.timezone || "UTC";
}

function render() {
  renderPeople();
  renderSidebar();
  renderMain();
  renderModal();
  renderRefusals();
  renderGithub();
  renderJobs();
  tickClock();
}

function renderPeople() {
  const select = $("#person");
  const wanted = ui.data.people.map((p) => `${p.id}|${p.name}|${p.role}`).join(",");
  if (select.dataset.people !== wanted) {
    select.innerHTML = "";
    for (const person of ui.data.people) {
      const role = person.role ? ` (${person.role})` : "";
      select.append(new Option(`${person.name}${role}`, person.id));
    }
    select.dataset.people = wanted;
  }
  select.value = ui.data.me;
}

function conversationIds() {
  return [...ui.data.channels.map((channel) => channel.id), ui.data.dm];
}

function renderSidebar() {
  const list = $("#channels");
  list.innerHTML = "";
  for (const channel of ui.data.channels) {
    const unread = isUnread(channel.id) ? " unread" : "";
    const active = ui.nav === channel.id ? " active" : "";
    const item = document.createElement("li");
    item.innerHTML = `<button class="nav${active}${unread}" data-nav="${escapeHtml(channel.id)}" data-testid="channel-${escapeHtml(channel.name)}"># ${escapeHtml(channel.name)}</button>`;
    list.append(item);
  }
  const app = document.querySelector('[data-nav="home"]');
  app.classList.toggle("active", ui.nav === "app");
  app.classList.toggle("unread", isUnread(ui.data.dm));
  const waiting = ui.data.clock.waiting;
  const [from, to] = ui.data.clock.local_send_hours;
  $("#queue-note").textContent = waiting
    ? `${waiting} message${waiting === 1 ? "" : "s"} queued: scheduled DMs wait for their person's local daytime (${from}:00–${to}:00).`
    : "";
}

function seenKey(channel) {
  return `${ui.data.me}:${channel}`;
}

function isUnread(channel) {
  const last = (ui.data.latest || {})[channel] || "0";
  return Number(last) > Number(ui.seen[seenKey(channel)] || 0) && !isOpen(channel);
}

function isOpen(channel) {
  return channel === ui.data.dm ? ui.nav === "app" && ui.tab === "messages" : ui.nav === channel;
}

function markSeen(channel) {
  const messages = ui.data.conversations[channel] || [];
  if (messages.length) ui.seen[seenKey(channel)] = messages[messages.length - 1].ts;
  localStorage.setItem("sandbox.seen", JSON.stringify(ui.seen));
}

function renderMain() {
  const header = $("#conversation-header");
  const inApp = ui.nav === "app";
  $("#tabs").hidden = !inApp;
  for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("active", tab.dataset.tab === ui.tab);
  const showHome = inApp && ui.tab === "home";
  $("#home").hidden = !showHome;
  $("#messages").hidden = showHome;
  $("#composer-form").hidden = showHome;
  if (inApp) {
    header.innerHTML = `🤖 Ambassador Bot <small>the bot's app: its Home and your messages with it</small>`;
    if (showHome) renderHome();
    else renderConversation(ui.data.dm);
    $("#composer").placeholder = "Message Ambassador Bot, or /ambassador help";
  } else {
    const channel = ui.data.channels.find((item) => item.id === ui.nav) || ui.data.channels[0];
    ui.nav = channel.id;
    const note = channel.bot_is_member ? "" : " · the bot is not in this channel";
    header.innerHTML = `# ${escapeHtml(channel.name)} <small>${escapeHtml(channel.id)}${note}</small>`;
    renderConversation(channel.id);
    $("#composer").placeholder = `/ambassador … in #${channel.name}`;
  }
}

function renderHome() {
  const root = $("#home");
  const home = ui.data.home;
  const key = home ? `${home.id}:${home.hash}:${ui.data.me}` : `none:${ui.data.me}`;
  if (root.dataset.key === key) return;
  root.dataset.key = key;
  root.innerHTML = "";
  if (!home) {
    root.innerHTML = '<div class="empty">Opening the Home tab… (the bot draws it when it hears `app_home_opened`)</div>';
    return;
  }
  root.append(jsonButton({ view: home }, "json-button view-json"));
  const ctx = context({
    act: (blockId, element, choice, button) => clickInView(home.id, blockId, element, choice, button),
  });
  root.append(renderBlocks(home.blocks, ctx));
}

function renderConversation(channel) {
  const root = $("#messages");
  if (!(channel in ui.data.conversations)) return; // its messages are on their way
  const messages = ui.data.conversations[channel];
  markSeen(channel);
  const switched = root.dataset.channel !== `${ui.data.me}:${channel}`;
  const atBottom = switched || root.scrollHeight - root.scrollTop - root.clientHeight < 60;
  // Messages already on the screen and unchanged are kept: only new or edited ones are drawn.
  const drawn = switched ? new Map() : ui.drawn || new Map();
  const next = new Map();
  const nodes = messages.map((message) => {
    const key = `${message.ts}:${message.ephemeral}:${message.text}:${JSON.stringify(message.blocks || [])}`;
    const node = drawn.get(key) || renderMessage(channel, message);
    next.set(key, node);
    return node;
  });
  ui.drawn = next;
  root.dataset.channel = `${ui.data.me}:${channel}`;
  const same = nodes.length === root.children.length && nodes.every((node, index) => root.children[index] === node);
  if (!same) {
    if (nodes.length) root.replaceChildren(...nodes);
    else root.innerHTML = '<div class="empty">No messages here yet.</div>';
  }
  if (atBottom && !same) root.scrollTop = root.scrollHeight;
}

function when(ts) {
  const moment = new Date(Number(ts) * 1000);
  const zone = myZone();
  const day = moment.toLocaleDateString("en-US", { timeZone: zone, month: "short", day: "numeric", year: "numeric" });
  const time = moment.toLocaleTimeString("en-US", { timeZone: zone, hour: "numeric", minute: "2-digit" });
  return `${day}, ${time}`;
}

function renderMessage(channel, message) {
  const isBot = message.user === ui.data.bot.id;
  const author = isBot ? ui.data.bot.name : (ui.data.people.find((p) => p.id === message.user) || { name: message.user }).name;
  const node = document.createElement("div");
  node.className = `message${message.ephemeral ? " ephemeral" : ""}`;
  node.dataset.testid = "message";
  node.dataset.ts = message.ts;
  const initials = author.split(/\s+/).map((word) => word[0]).join("").slice(0, 2).toUpperCase();
  node.innerHTML = `<div class="avatar${isBot ? " bot" : ""}">${isBot ? "🤖" : escapeHtml(initials)}</div>`;
  const body = document.createElement("div");
  body.className = "body";
  const tag = isBot ? '<span class="app-tag">APP</span>' : "";
  const only = message.ephemeral ? '<div class="only-you">👁 Only visible to you</div>' : "";
  body.innerHTML = `${only}<div class="meta"><strong>${escapeHtml(author)}</strong>${tag}${escapeHtml(when(message.ts))}</div>`;
  const ctx = context({
    act: (blockId, element, choice, button) =>
      clickInMessage(channel, message, blockId, element, choice, button),
  });
  if (message.blocks && message.blocks.length) body.append(renderBlocks(message.blocks, ctx));
  else {
    const text = document.createElement("div");
    text.className = "mrkdwn";
    text.innerHTML = mrkdwn(message.text, ctx);
    body.append(text);
  }
  node.append(body, jsonButton({ text: message.text, blocks: message.blocks || undefined }, "json-button"));
  return node;
}

function jsonButton(payload, className) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = className;
  button.textContent = "Block Kit JSON";
  button.addEventListener("click", () => {
    $("#json-text").textContent = JSON.stringify(payload, null, 2);
    $("#json-dialog").showModal();
  });
  return button;
}

// --- clicking ---------------------------------------------------------------------------------------

async function confirmed(element) {
  if (!element.confirm) return true;
  const dialog = $("#confirm-dialog");
  const ctx = context();
  $("#confirm-title").textContent = element.confirm.title ? element.confirm.title.text : "Are you sure?";
  $("#confirm-text").innerHTML = element.confirm.text ? mrkdwn(element.confirm.text.text, ctx) : "";
  $("#confirm-ok").textContent = element.confirm.confirm ? element.confirm.confirm.text : "Yes";
  $("#confirm-deny").textContent = element.confirm.deny ? element.confirm.deny.text : "Cancel";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
  });
}

async function clickInMessage(channel, message, blockId, element, choice, button) {
  if (!(await confirmed(element))) return;
  await act(
    "/sandbox/action",
    { channel, ts: message.ts, ephemeral: message.ephemeral, block_id: blockId, action_id: element.action_id, choice },
    button,
  );
}

async function clickInView(viewId, blockId, element, choice, button) {
  if (!(await confirmed(element))) return;
  const values = viewId.startsWith("VHOME") ? {} : readValues($("#modal"));
  await act("/sandbox/action", { view_id: viewId, block_id: blockId, action_id: element.action_id, choice, values }, button);
}

// --- modals -------------------------------------------------------------------------------------------

function topView() {
  const stack = ui.data.modal || [];
  return stack.length ? stack[stack.length - 1] : null;
}

function renderModal() {
  const view = topView();
  const backdrop = $("#modal-backdrop");
  if (!view) {
    backdrop.hidden = true;
    ui.modalKey = null;
    return;
  }
  backdrop.hidden = false;
  const key = `${view.id}:${view.hash}`;
  if (ui.modalKey === key) return; // what the person typed stays as it is
  ui.modalKey = key;
  const form = $("#modal");
  form.innerHTML = "";
  form.dataset.viewId = view.id;
  form.dataset.callbackId = view.callback_id || "";
  const depth = ui.data.modal.length > 1 ? `<span class="stack">${ui.data.modal.length} views</span>` : "";
  const head = document.createElement("div");
  head.className = "modal-head";
  head.innerHTML = `<h2>${escapeHtml(view.title ? view.title.text : "")}</h2>${depth}<button type="button" class="x" title="Close">✕</button>`;
  head.querySelector(".x").addEventListener("click", closeModal);
  const body = document.createElement("div");
  body.className = "modal-body";
  body.append(jsonButton({ view }, "json-button view-json"));
  body.append(renderBlocks(view.blocks, context({ act: (b, e, c, n) => clickInView(view.id, b, e, c, n) })));
  const foot = document.createElement("div");
  foot.className = "modal-foot";
  const close = document.createElement("button");
  close.type = "button";
  close.className = "btn";
  close.id = "modal-close";
  close.textContent = view.close ? view.close.text : "Cancel";
  close.addEventListener("click", closeModal);
  foot.append(close);
  if (view.submit) {
    const submit = document.createElement("button");
    submit.type = "submit";
    submit.className = "btn primary";
    submit.id = "modal-submit";
    submit.textContent = view.submit.text;
    foot.append(submit);
  }
  form.append(head, body, foot);
  const first = form.querySelector(".modal-body input, .modal-body textarea, .modal-body select");
  if (first) first.focus();
}

function showErrors(errors, problem) {
  const form = $("#modal");
  for (const node of form.querySelectorAll(".field-error, .modal-problem")) node.remove();
  for (const node of form.querySelectorAll(".input-block.has-error")) node.classList.remove("has-error");
  for (const [blockId, text] of Object.entries(errors || {})) {
    const block = form.querySelector(`.input-block[data-block-id="${CSS.escape(blockId)}"]`);
    if (!block) continue;
    block.classList.add("has-error");
    const error = document.createElement("div");
    error.className = "field-error";
    error.dataset.testid = "field-error";
    error.textContent = text;
    const hint = block.querySelector(".hint");
    block.insertBefore(error, hint);
  }
  if (problem) {
    const note = document.createElement("div");
    note.className = "modal-problem";
    note.textContent = problem;
    form.querySelector(".modal-body").prepend(note);
  }
}

async function submitModal(event) {
  event.preventDefault();
  const view = topView();
  if (!view || ui.submitting) return;
  const form = $("#modal");
  const errors = clientErrors(view, form);
  if (Object.keys(errors).length) {
    showErrors(errors);
    return;
  }
  ui.submitting = true;
  const button = $("#modal-submit");
  if (button) button.disabled = true;
  try {
    const answer = await call("/sandbox/submit", { view_id: view.id, values: readValues(form) });
    showErrors(answer.errors, answer.problem);
    if (answer.closed) ui.modalKey = null;
  } catch (error) {
    showErrors({}, error.message);
  } finally {
    ui.submitting = false;
    if (button) button.disabled = false;
    refresh();
  }
}

async function closeModal() {
  const view = topView();
  if (!view) return;
  try {
    await call("/sandbox/close", { view_id: view.id });
  } catch (error) {
    toast(error.message, true);
  }
  refresh();
}

// --- the rest of the page ------------------------------------------------------------------------------

function renderRefusals() {
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

function renderGithub() {
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

function renderJobs() {
  const select = $("#job");
  const names = [...ui.data.clock.jobs.map((job) => job.name), "sender"];
  if (select.dataset.names === names.join(",")) return;
  select.dataset.names = names.join(",");
  select.innerHTML = "";
  for (const job of ui.data.clock.jobs) select.append(new Option(job.name, job.name));
  select.append(new Option("sender", "sender"));
  select.title = ui.data.clock.jobs.map((job) => `${job.name}: ${job.description}`).join("\n");
}

function sandboxNow() {
  const base = Date.parse(ui.data.clock.now);
  return new Date(base + (performance.now() - ui.fetchedAt));
}

function tickClock() {
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

function dayAt(days) {
  const date = new Date(sandboxNow().getTime() + days * 86400000);
  return `${localInput(date, ui.data.clock.timezone).slice(0, 10)}T10:00`;
}

function toast(text, error = false) {
  const node = document.createElement("div");
  node.className = `toast${error ? " error" : ""}`;
  node.dataset.testid = error ? "toast-error" : "toast";
  node.textContent = text;
  $("#toasts").append(node);
  setTimeout(() => node.remove(), error ? 9000 : 6000);
}

// --- wiring ---------------------------------------------------------------------------------------------

function navigate(nav) {
  ui.nav = nav;
  localStorage.setItem("sandbox.nav", nav);
  if (nav === "app" && ui.tab === "home") openHome();
  render();
  refresh();
}

function openHome() {
  act("/sandbox/home", {});
}

async function send(event) {
  event.preventDefault();
  const input = $("#composer");
  const text = input.value.trim();
  if (!text) return;
  const channel = ui.nav === "app" ? ui.data.dm : ui.nav;
  if (text.startsWith("/")) {
    const [name, ...rest] = text.split(/\s+/);
    if (name !== "/ambassador") {
      toast(`${name} is not a valid command. In this sandbox, /ambassador is.`, true);
      return;
    }
    input.value = "";
    await act("/sandbox/command", { channel, text: text.slice(name.length).trim() });
    return;
  }
  if (ui.nav !== "app") {
    toast("In a channel, the bot hears only /ambassador commands. Write to it in its Messages tab.", true);
    return;
  }
  input.value = "";
  await act("/sandbox/message", { channel, text });
}

function wire() {
  $("#person").addEventListener("change", (event) => {
    ui.me = event.target.value;
    localStorage.setItem("sandbox.person", ui.me);
    ui.modalKey = null;
    $("#home").dataset.key = "";
    refresh().then(() => {
      if (ui.nav === "app" && ui.tab === "home") openHome();
    });
  });
  $("#sidebar").addEventListener("click", (event) => {
    const button = event.target.closest("[data-nav]");
    if (button) navigate(button.dataset.nav === "home" ? "app" : button.dataset.nav);
  });
  for (const tab of document.querySelectorAll(".tab")) {
    tab.addEventListener("click", () => {
      ui.tab = tab.dataset.tab;
      if (ui.tab === "home") openHome();
      render();
      refresh();
    });
  }
  $("#composer-form").addEventListener("submit", send);
  $("#modal").addEventListener("submit", submitModal);
  $("#new-person").addEventListener("click", async () => {
    const name = prompt("The new person's name:");
    if (!name) return;
    const person = await act("/sandbox/people", { name });
    if (person) {
      ui.me = person.id;
      localStorage.setItem("sandbox.person", ui.me);
      await refresh();
      toast(`${person.name} joined the workspace (@${person.handle}).`);
    }
  });
  $("#goto").addEventListener("click", () => {
    $("#goto-zone").textContent = ui.data.clock.timezone;
    $("#goto-when").value = dayAt(1);
    $("#goto-dialog").showModal();
  });
  for (const quick of document.querySelectorAll(".quick button")) {
    quick.addEventListener("click", () => {
      $("#goto-when").value = dayAt(Number(quick.dataset.days));
    });
  }
  $("#goto-dialog").addEventListener("close", async () => {
    if ($("#goto-dialog").returnValue !== "go") return;
    const answer = await act("/sandbox/clock", { to: $("#goto-when").value });
    if (answer) {
      const ran = answer.ran.length ? answer.ran.join("\n") : "no job was due";
      toast(`It is now ${answer.now.slice(0, 16).replace("T", " ")} UTC.\n${ran}`);
      refresh();
    }
  });
  $("#run-job").addEventListener("click", async (event) => {
    const answer = await act("/sandbox/jobs", { name: $("#job").value }, event.currentTarget);
    if (answer) toast([answer.ran, ...answer.notes].join("\n"));
  });
  $("#github-toggle").addEventListener("click", () => {
    $("#github").hidden = !$("#github").hidden;
    $("#github").dataset.key = "";
    renderGithub();
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !$("#modal-backdrop").hidden) closeModal();
  });
  setInterval(tickClock, 1000);
}

wire();
refresh().then(() => {
  if (ui.nav === "app" && ui.tab === "home") openHome();
  live();
});
