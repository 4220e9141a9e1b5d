// Block Kit drawn as Slack draws it, closely enough to judge the bot's messages and views:
// blocks, interactive elements, inputs, and mrkdwn (formatting, links, mentions, dates, emoji).

const EMOJI = {
  white_check_mark: "✅", heavy_check_mark: "✔️", warning: "⚠️", tada: "🎉", x: "❌", no_entry: "⛔",
  no_entry_sign: "🚫", hourglass: "⌛", hourglass_flowing_sand: "⏳", wave: "👋", pray: "🙏", package: "📦",
  loudspeaker: "📢", mega: "📣", lock: "🔒", zzz: "💤", wastebasket: "🗑️", inbox_tray: "📥",
  heavy_minus_sign: "➖", calendar: "📅", date: "📅", sparkles: "✨", repeat: "🔁", raised_hands: "🙌",
  octocat: "🐙", link: "🔗", large_orange_circle: "🟠", large_green_circle: "🟢", red_circle: "🔴",
  books: "📚", bell: "🔔", admission_tickets: "🎟️", ticket: "🎫", star: "⭐", rocket: "🚀", memo: "📝",
  trophy: "🏆", clap: "👏", eyes: "👀", information_source: "ℹ️", bulb: "💡", heart: "❤️",
  "+1": "👍", thumbsup: "👍", point_right: "👉", gift: "🎁", email: "📧", pushpin: "📌", microphone: "🎤",
  video_camera: "📹", globe_with_meridians: "🌐", handshake: "🤝", seedling: "🌱", chart_with_upwards_trend: "📈",
  bar_chart: "📊", busts_in_silhouette: "👥", speech_balloon: "💬", construction: "🚧", muscle: "💪",
  mailbox: "📫", money_with_wings: "💸", hourglass_done: "⌛", smile: "😄", slightly_smiling_face: "🙂",
  application: "📋", robot_face: "🤖",
};

export function escapeHtml(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function unescapeSlack(text) {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

export function emojify(html) {
  return html.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] || whole);
}

function formatDate(seconds, format, ctx) {
  const when = new Date(seconds * 1000);
  const zone = { timeZone: ctx.tz || "UTC" };
  const day = when.toLocaleDateString("en-US", { ...zone, month: "short", day: "numeric", year: "numeric" });
  const long = when.toLocaleDateString("en-US", { ...zone, weekday: "long", month: "long", day: "numeric", year: "numeric" });
  const time = when.toLocaleTimeString("en-US", { ...zone, hour: "numeric", minute: "2-digit" });
  return format
    .replace(/\{date_short_pretty\}|\{date_short\}/g, day)
    .replace(/\{date_long_pretty\}|\{date_long\}|\{date_pretty\}|\{date\}/g, long)
    .replace(/\{time_secs\}|\{time\}/g, time)
    .replace(/\{date_num\}/g, when.toISOString().slice(0, 10));
}

// One Slack entity (<...>) as HTML.
function entity(inner, ctx) {
  const [target, label] = splitOnce(inner, "|");
  if (target.startsWith("@")) {
    const id = target.slice(1);
    const name = ctx.people[id] ? ctx.people[id].name : label || id;
    const me = id === ctx.me ? " me" : "";
    return `<span class="mention${me}" data-user="${escapeHtml(id)}">@${escapeHtml(name)}</span>`;
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    const name = ctx.channels[id] || label || id;
    return `<span class="mention">#${escapeHtml(name)}</span>`;
  }
  if (target.startsWith("!date^")) {
    const parts = target.split("^");
    const seconds = Number(parts[1]);
    return Number.isFinite(seconds) ? escapeHtml(formatDate(seconds, parts[2] || "{date}", ctx)) : escapeHtml(unescapeSlack(label || ""));
  }
  if (target.startsWith("!subteam^")) return `<span class="mention">${escapeHtml(unescapeSlack(label || "@team"))}</span>`;
  if (target.startsWith("!")) return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
  const url = unescapeSlack(target);
  const text = label ? unescapeSlack(label) : url;
  const safe = /^(https?:|mailto:)/i.test(url) ? url : "#";
  return `<a href="${escapeHtml(safe)}" target="_blank" rel="noopener noreferrer">${escapeHtml(text)}</a>`;
}

function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
}

// mrkdwn as Slack renders it: entities first (kept aside), then code, bold, italics, strike, quotes.
export function mrkdwn(text, ctx) {
  const kept = [];
  const keep = (html) => `\u0000${kept.push(html) - 1}\u0000`;
  let source = String(text || "").replace(/<([^<>]+)>/g, (_, inner) => keep(entity(inner, ctx)));
  source = source.replace(/```([\s\S]*?)```/g, (_, code) => keep(`<pre>${escapeHtml(unescapeSlack(code))}</pre>`));
  source = source.replace(/`([^`\n]+)`/g, (_, code) => keep(`<code>${escapeHtml(unescapeSlack(code))}</code>`));
  let html = escapeHtml(unescapeSlack(source));
  const edge = "(^|[\\s(\\u0000>_*~\"'])";
  const end = "(?=$|[\\s).,!?:;\\u0000<_*~\"'])";
  html = html.replace(new RegExp(`${edge}\\*([^*\\n]+?)\\*${end}`, "g"), "$1<b>$2</b>");
  html = html.replace(new RegExp(`${edge}_([^_\\n]+?)_${end}`, "g"), "$1<i>$2</i>");
  html = html.replace(new RegExp(`${edge}~([^~\\n]+?)~${end}`, "g"), "$1<s>$2</s>");
  html = html
    .split("\n")
    .map((line) => (line.startsWith("&gt;") ? `<blockquote>${line.slice(4).replace(/^ /, "")}</blockquote>` : line))
    .join("\n")
    .replace(/<\/blockquote>\n/g, "</blockquote>");
  html = emojify(html);
  return html.replace(/\u0000(\d+)\u0000/g, (_, index) => kept[Number(index)]);
}

export function textHtml(obj, ctx) {
  if (!obj) return "";
  if (obj.type === "mrkdwn") return mrkdwn(obj.text, ctx);
  const plain = escapeHtml(obj.text || "");
  return obj.emoji === false ? plain : emojify(plain);
}

function el(tag, attrs = {}, html = "") {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  if (html) node.innerHTML = html;
  return node;
}

export function blockIdOf(block, index) {
  return block.block_id || `b${index}`;
}

function imageNode(url, alt, className) {
  const image = el("img", { src: url, alt: alt || "", class: className, loading: "lazy" });
  image.addEventListener("error", () => image.replaceWith(el("span", { class: "image-missing" }, `🖼 ${escapeHtml(alt || "image")}`)));
  return image;
}

// An interactive element. `ctx.act(blockId, element, choice)` is called on use; in a modal, inputs
// keep their value in the DOM and are read by `readValues`.
function element(element, blockId, ctx, dispatch) {
  const kind = element.type;
  const data = { "data-block-id": blockId, "data-action-id": element.action_id, "data-type": kind };
  // In an input block, a change reaches the app only when the block asks (`dispatch_action`).
  const changed = (choice) => (dispatch ? ctx.act(blockId, element, choice) : null);
  if (kind === "button") {
    const style = element.style ? ` ${element.style}` : "";
    return el("button", { ...data, type: "button", class: `btn${style}`, onclick: (event) => ctx.act(blockId, element, null, event.currentTarget) }, textHtml(element.text, ctx));
  }
  if (kind === "image") return imageNode(element.image_url, element.alt_text, "accessory-image");
  if (kind === "overflow") {
    const wrap = el("span", { class: "overflow", ...data });
    const toggle = el("button", { type: "button", class: "btn", title: "More actions" }, "⋯");
    const menu = el("div", { class: "overflow-menu", hidden: true });
    for (const option of element.options || []) {
      menu.append(el("button", { type: "button", onclick: () => { menu.hidden = true; ctx.act(blockId, element, option.value); } }, textHtml(option.text, ctx)));
    }
    toggle.addEventListener("click", () => { menu.hidden = !menu.hidden; });
    wrap.append(toggle, menu);
    return wrap;
  }
  if (kind === "static_select" || kind === "users_select") {
    const select = el("select", { ...data, class: "element" });
    select.append(el("option", { value: "" }, textHtml(element.placeholder || { type: "plain_text", text: "Select an item" }, ctx)));
    const options = kind === "users_select"
      ? Object.entries(ctx.people).map(([id, person]) => ({ value: id, text: { type: "plain_text", text: person.name } }))
      : element.options || (element.option_groups || []).flatMap((group) => group.options);
    const initial = kind === "users_select" ? element.initial_user : element.initial_option && element.initial_option.value;
    for (const option of options) {
      select.append(el("option", { value: option.value, selected: option.value === initial }, textHtml(option.text, ctx)));
    }
    select.addEventListener("change", () => changed(select.value || null));
    return select;
  }
  if (kind === "datepicker") {
    const input = el("input", { ...data, type: "date", class: "element", value: element.initial_date || "" });
    input.addEventListener("change", () => changed(input.value || null));
    return input;
  }
  if (kind === "checkboxes" || kind === "radio_buttons") {
    const wrap = el("div", { ...data, class: "choices" });
    const initial = kind === "checkboxes" ? (element.initial_options || []).map((o) => o.value) : [element.initial_option && element.initial_option.value];
    const group = `${blockId}-${element.action_id}`;
    for (const option of element.options || []) {
      const box = el("input", { type: kind === "checkboxes" ? "checkbox" : "radio", name: group, value: option.value, checked: initial.includes(option.value) });
      box.addEventListener("change", () => changed(kind === "checkboxes" ? [...wrap.querySelectorAll("input:checked")].map((i) => i.value) : box.value));
      const label = el("label");
      label.append(box, el("span", {}, " " + textHtml(option.text, ctx)));
      wrap.append(label);
    }
    return wrap;
  }
  if (kind === "plain_text_input" || kind === "url_text_input" || kind === "email_text_input" || kind === "number_input") {
    const type = { url_text_input: "url", email_text_input: "email", number_input: "number" }[kind] || "text";
    const placeholder = element.placeholder ? element.placeholder.text : "";
    const attrs = { ...data, class: "element", placeholder, maxlength: element.max_length, minlength: element.min_length };
    let input;
    if (kind === "plain_text_input" && element.multiline) {
      input = el("textarea", attrs);
      input.value = element.initial_value || "";
    } else {
      input = el("input", { ...attrs, type, value: element.initial_value || "" });
      if (kind === "number_input") {
        input.step = element.is_decimal_allowed ? "any" : "1";
        if (element.min_value !== undefined) input.min = element.min_value;
        if (element.max_value !== undefined) input.max = element.max_value;
      }
    }
    return input;
  }
  return el("span", { class: "image-missing" }, `(${escapeHtml(kind)} element)`);
}

export function renderBlocks(blocks, ctx) {
  const root = el("div", { class: "blocks" });
  (blocks || []).forEach((block, index) => {
    const blockId = blockIdOf(block, index);
    const node = renderBlock(block, blockId, ctx);
    if (node) root.append(node);
  });
  return root;
}

function renderBlock(block, blockId, ctx) {
  switch (block.type) {
    case "header":
      return el("div", { class: "block-header", "data-block-id": blockId }, textHtml(block.text, ctx));
    case "divider":
      return el("hr", { class: "block-divider" });
    case "context": {
      const node = el("div", { class: "block-context", "data-block-id": blockId });
      for (const item of block.elements || []) {
        if (item.type === "image") node.append(imageNode(item.image_url, item.alt_text));
        else node.append(el("span", { class: item.type === "mrkdwn" ? "mrkdwn" : "" }, textHtml(item, ctx)));
      }
      return node;
    }
    case "image": {
      const node = el("div", { class: "block-image" });
      if (block.title) node.append(el("div", {}, textHtml(block.title, ctx)));
      node.append(imageNode(block.image_url, block.alt_text));
      return node;
    }
    case "actions": {
      const node = el("div", { class: "block-actions", "data-block-id": blockId });
      for (const item of block.elements || []) node.append(element(item, blockId, ctx, true));
      return node;
    }
    case "section": {
      const node = el("div", { class: "block-section", "data-block-id": blockId });
      const main = el("div", { class: "section-main" });
      if (block.text) main.append(el("div", { class: block.text.type === "mrkdwn" ? "mrkdwn" : "" }, textHtml(block.text, ctx)));
      if (block.fields) {
        const fields = el("div", { class: "fields" });
        for (const field of block.fields) fields.append(el("div", { class: field.type === "mrkdwn" ? "mrkdwn" : "" }, textHtml(field, ctx)));
        main.append(fields);
      }
      node.append(main);
      if (block.accessory) node.append(element(block.accessory, blockId, ctx, true));
      return node;
    }
    case "input": {
      const error = (ctx.errors || {})[blockId];
      const node = el("div", { class: `input-block${error ? " has-error" : ""}`, "data-block-id": blockId });
      const optional = block.optional ? ' <span class="optional">(optional)</span>' : "";
      node.append(el("label", { class: "label" }, textHtml(block.label, ctx) + optional));
      node.append(element(block.element, blockId, ctx, Boolean(block.dispatch_action || block.element.dispatch_action)));
      if (error) node.append(el("div", { class: "field-error", "data-testid": "field-error" }, escapeHtml(error)));
      if (block.hint) node.append(el("div", { class: "hint" }, textHtml(block.hint, ctx)));
      return node;
    }
    case "rich_text":
      return el("div", { class: "mrkdwn" }, escapeHtml(JSON.stringify(block.elements || []).slice(0, 200)));
    default:
      return el("div", { class: "image-missing" }, `(a ${escapeHtml(block.type)} block)`);
  }
}

// A modal's values as typed, by block and action ID (the server builds Slack's state.values).
export function readValues(root) {
  const values = {};
  const put = (node, value) => {
    const blockId = node.dataset.blockId;
    values[blockId] = values[blockId] || {};
    values[blockId][node.dataset.actionId] = value;
  };
  for (const node of root.querySelectorAll("[data-action-id]")) {
    const kind = node.dataset.type;
    if (kind === "button" || kind === "overflow") continue;
    if (kind === "checkboxes") put(node, [...node.querySelectorAll("input:checked")].map((i) => i.value));
    else if (kind === "radio_buttons") put(node, (node.querySelector("input:checked") || {}).value || null);
    else put(node, node.value === "" ? null : node.value);
  }
  return values;
}

// Put back values read by `readValues` into the same block and action IDs of a redrawn view.
export function restoreValues(root, values) {
  for (const node of root.querySelectorAll("[data-action-id]")) {
    const value = (values[node.dataset.blockId] || {})[node.dataset.actionId];
    if (value === undefined) continue;
    const kind = node.dataset.type;
    if (kind === "button" || kind === "overflow") continue;
    if (kind === "checkboxes") {
      for (const input of node.querySelectorAll("input")) input.checked = (value || []).includes(input.value);
    } else if (kind === "radio_buttons") {
      for (const input of node.querySelectorAll("input")) input.checked = input.value === value;
    } else {
      node.value = value === null ? "" : value;
    }
  }
}

// What Slack's own client refuses before sending: required fields, and URL, email and number formats.
export function clientErrors(view, root) {
  const errors = {};
  (view.blocks || []).forEach((block, index) => {
    if (block.type !== "input") return;
    const blockId = blockIdOf(block, index);
    const node = root.querySelector(`.input-block[data-block-id="${CSS.escape(blockId)}"] [data-action-id]`);
    if (!node) return;
    const kind = block.element.type;
    const empty = kind === "checkboxes" ? !node.querySelector("input:checked") : kind === "radio_buttons" ? !node.querySelector("input:checked") : !node.value;
    if (empty) {
      if (!block.optional) errors[blockId] = "Please complete this required field.";
      return;
    }
    if ((kind === "url_text_input" || kind === "email_text_input" || kind === "number_input" || kind === "plain_text_input") && !node.checkValidity()) {
      errors[blockId] = {
        url_text_input: "Please enter a URL, like https://example.com.",
        email_text_input: "Please enter an email address.",
        number_input: "Please enter a number in the allowed range.",
      }[kind] || node.validationMessage;
    }
  });
  return errors;
}
