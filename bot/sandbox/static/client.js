// What every part of the page shares: who is acting, the last state, asking the sandbox, and the
// little helpers (a toast, the drawing context, confirmation dialogs, clicks in messages and views).
import { mrkdwn, readValues } from "./blockkit.js";

export const $ = (selector) => document.querySelector(selector);
export const ui = {
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


// Set by app.js: ask the sandbox for the state again (after an action, a change, a switch).
export const hooks = { refresh: () => Promise.resolve() };

export async function call(path, body) {
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

export async function act(path, body, button) {
  if (button) button.disabled = true;
  try {
    const answer = await call(path, body);
    if (answer.error) toast(`Slack: the app did not answer (${answer.error}).`, true);
    hooks.refresh();
    return answer;
  } catch (error) {
    toast(error.message, true);
    return null;
  } finally {
    if (button) button.disabled = false;
  }
}

export function context(extra = {}) {
  const data = ui.data;
  const people = {};
  for (const person of data.people) people[person.id] = person;
  people[data.bot.id] = { name: data.bot.name };
  const channels = {};
  for (const channel of data.channels) channels[channel.id] = channel.name;
  return { people, channels, me: data.me, tz: myZone(), ...extra };
}

export function myZone() {
  const person = ui.data.people.find((item) => item.id === ui.data.me);
  return (person && person.tz) || ui.data.clock.timezone || "UTC";
}

export function jsonButton(payload, className) {
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

export function toast(text, error = false) {
  const node = document.createElement("div");
  node.className = `toast${error ? " error" : ""}`;
  node.dataset.testid = error ? "toast-error" : "toast";
  node.textContent = text;
  $("#toasts").append(node);
  setTimeout(() => node.remove(), error ? 9000 : 6000);
}

export async function confirmed(element) {
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

export async function clickInMessage(channel, message, blockId, element, choice, button) {
  if (!(await confirmed(element))) return;
  await act(
    "/sandbox/action",
    { channel, ts: message.ts, ephemeral: message.ephemeral, block_id: blockId, action_id: element.action_id, choice },
    button,
  );
}

export async function clickInView(viewId, blockId, element, choice, button) {
  if (!(await confirmed(element))) return;
  const values = viewId.startsWith("VHOME") ? {} : readValues($("#modal"));
  await act("/sandbox/action", { view_id: viewId, block_id: blockId, action_id: element.action_id, choice, values }, button);
}
