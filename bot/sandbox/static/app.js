// The sandbox's Slack client: the workspace as the chosen person sees it, live, and every action they
// take sent to the sandbox, which sends the bot exactly what Slack would.
import { escapeHtml, mrkdwn, renderBlocks } from "./blockkit.js";
import { $, act, clickInMessage, clickInView, context, hooks, jsonButton, myZone, toast, ui } from "./client.js";
import { closeModal, renderModal, submitModal } from "./modal.js";
import { dayAt, renderGithub, renderJobs, renderRefusals, tickClock } from "./panels.js";

// --- talking to the sandbox -----------------------------------------------------------------------

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

hooks.refresh = refresh;

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

// --- drawing ----------------------------------------------------------------------------------------

function render() {
  // Whose workspace is on the screen (the person chosen is only asked for until this says so).
  document.body.dataset.me = ui.data.me;
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
  const wanted = ui.data.people.map((p) => `${p.id}|${p.name}|${p.handle}|${p.role}`).join(",");
  if (select.dataset.people !== wanted) {
    select.innerHTML = "";
    for (const person of ui.data.people) {
      const role = person.role ? ` · ${person.role}` : "";
      select.append(new Option(`${person.name} (@${person.handle}${role})`, person.id));
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
  const items = ui.data.channels.map((channel) => {
    const unread = isUnread(channel.id) ? " unread" : "";
    const active = ui.nav === channel.id ? " active" : "";
    return `<li><button class="nav${active}${unread}" data-nav="${escapeHtml(channel.id)}" data-testid="channel-${escapeHtml(channel.name)}"># ${escapeHtml(channel.name)}</button></li>`;
  });
  const wanted = items.join("");
  // Drawn again only when it changed: the page refreshes at every event in the workspace, and a
  // button replaced between the press and the release of a click loses that click.
  if (list.dataset.drawn !== wanted) {
    list.innerHTML = wanted;
    list.dataset.drawn = wanted;
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
    const key = `${message.ts}:${message.ephemeral}:${message.text}:${JSON.stringify(message.blocks || [])}:${(message.files || []).map((file) => file.id).join(",")}`;
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
  // A shared file (the report's chart): shown at about Slack's preview size.
  for (const file of message.files || []) {
    const image = document.createElement("img");
    image.className = "file-image";
    image.src = file.url_private;
    image.alt = file.title || file.name || "";
    image.dataset.testid = "file";
    body.append(image);
  }
  node.append(body, jsonButton({ text: message.text, blocks: message.blocks || undefined }, "json-button"));
  return node;
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
