// The person's open modal: drawn from the top view of its stack, submitted and closed as Slack's
// client does, with field errors under their field.
import { clientErrors, escapeHtml, readValues, renderBlocks, restoreValues } from "./blockkit.js";
import { $, call, clickInView, context, hooks, jsonButton, toast, ui } from "./client.js";

function topView() {
  const stack = ui.data.modal || [];
  return stack.length ? stack[stack.length - 1] : null;
}

export function renderModal() {
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
  // Slack keeps what the person typed across views.update wherever the block and action IDs stay
  // the same (a bot that wants to refill a field gives it a new block ID).
  const kept = form.dataset.viewId === view.id ? readValues(form) : {};
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
  restoreValues(form, kept);
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

export async function submitModal(event) {
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
    hooks.refresh();
  }
}

export async function closeModal() {
  const view = topView();
  if (!view) return;
  try {
    await call("/sandbox/close", { view_id: view.id });
  } catch (error) {
    toast(error.message, true);
  }
  hooks.refresh();
}
