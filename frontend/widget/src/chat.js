// The conversation: messages (text only, never HTML), the expert's typing, delivery ticks,
// attachments, the promise and the place in line, and the way out by email.
import { ApiError } from "./api.js";
import { ICONS, append, clear, h, icon, uniqueId } from "./dom.js";
import { formatSize, formatTime, gettext, interpolate } from "./i18n.js";
import { MESSAGE_LIMIT } from "./prechat.js";

export const ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
const ATTACHMENT_MAX_COUNT = 5;
const WAITING = new Set(["queued", "offered"]);

function deliveryLabel(delivery) {
  return {
    pending: gettext("Sending…"),
    failed: gettext("Not sent"),
    sent: gettext("Sent"),
    delivered: gettext("Delivered"),
    read: gettext("Read"),
  }[delivery] || "";
}

const TICKS = { pending: "…", failed: "!", sent: "✓", delivered: "✓✓", read: "✓✓" };

export class ChatView {
  constructor(widget) {
    this.widget = widget;
    this.messages = [];
    this.files = [];
    this.typingTimer = null;

    this.status = h("p", { class: "status" });
    this.position = h("p", { class: "position", hidden: true });
    this.connection = h("p", { class: "connection", hidden: true,
      text: gettext("Connection lost. Reconnecting…") });
    this.offer = h("div", { class: "offer", hidden: true });
    this.list = h("ol", { class: "messages", "aria-label": gettext("Conversation"), tabindex: 0 });
    this.typing = h("p", { class: "typing", hidden: true });
    this.end = h("div", { class: "end", hidden: true });
    this.composer = this.buildComposer();
    this.element = h("div", { class: "chat" },
      h("div", { class: "banner" }, this.status, this.position, this.offer, this.connection),
      this.list, this.typing, this.composer, this.end);
  }

  buildComposer() {
    const textareaId = uniqueId("composer");
    const fileId = uniqueId("files");
    this.textarea = h("textarea", { id: textareaId, rows: 2, maxlength: MESSAGE_LIMIT,
      placeholder: gettext("Write a message…") });
    this.fileInput = h("input", { type: "file", id: fileId, class: "visually-hidden", multiple: true,
      accept: "image/png,image/jpeg,image/gif,image/webp,application/pdf" });
    this.fileList = h("ul", { class: "files", hidden: true });
    this.composerError = h("p", { class: "form-error", role: "alert", hidden: true });
    const form = h("form", { class: "composer", novalidate: true },
      h("label", { for: textareaId, class: "visually-hidden", text: gettext("Message") }),
      this.fileList, this.composerError,
      h("div", { class: "composer-row" },
        this.textarea,
        this.fileInput,
        h("label", { for: fileId, class: "icon-button attach", title: gettext("Attach an image or PDF") },
          icon(ICONS.attach), h("span", { class: "visually-hidden", text: gettext("Attach an image or PDF") })),
        h("button", { type: "submit", class: "icon-button send", title: gettext("Send") },
          icon(ICONS.send), h("span", { class: "visually-hidden", text: gettext("Send") }))));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.textarea.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.textarea.addEventListener("input", () => this.widget.customerTyping());
    this.fileInput.addEventListener("change", () => this.pickFiles());
    return form;
  }

  pickFiles() {
    const problems = [];
    for (const file of this.fileInput.files) {
      const allowed = file.type.startsWith("image/") || file.type === "application/pdf";
      if (!allowed) {
        problems.push(interpolate(gettext("%(name)s: only images and PDF files can be sent."),
          { name: file.name }));
      } else if (file.size > ATTACHMENT_MAX_BYTES) {
        problems.push(interpolate(gettext("%(name)s is too large (the limit is %(limit)s)."),
          { name: file.name, limit: formatSize(ATTACHMENT_MAX_BYTES) }));
      } else if (this.files.length >= ATTACHMENT_MAX_COUNT) {
        problems.push(interpolate(gettext("At most %(count)s files per message."),
          { count: ATTACHMENT_MAX_COUNT }));
      } else {
        this.files.push(file);
      }
    }
    this.fileInput.value = "";
    this.showComposerError(problems.join(" "));
    this.renderFiles();
  }

  renderFiles() {
    clear(this.fileList);
    this.fileList.hidden = !this.files.length;
    this.files.forEach((file, index) => {
      const remove = h("button", { type: "button", class: "link",
        text: gettext("Remove"),
        "aria-label": interpolate(gettext("Remove %(name)s"), { name: file.name }) });
      remove.addEventListener("click", () => {
        this.files.splice(index, 1);
        this.renderFiles();
        this.textarea.focus();
      });
      this.fileList.append(h("li", {}, `${file.name} (${formatSize(file.size)}) `, remove));
    });
  }

  showComposerError(text) {
    this.composerError.textContent = text || "";
    this.composerError.hidden = !text;
  }

  submit() {
    const body = this.textarea.value.trim();
    if (!body && !this.files.length) {
      this.showComposerError(gettext("Please write your message."));
      return;
    }
    if (body.length > MESSAGE_LIMIT) {
      this.showComposerError(interpolate(
        gettext("Please keep your message under %(limit)s characters."),
        { limit: MESSAGE_LIMIT.toLocaleString(this.widget.lang) }));
      return;
    }
    this.showComposerError("");
    this.widget.send(body, this.files);
    this.textarea.value = "";
    this.files = [];
    this.renderFiles();
    this.textarea.focus();
  }

  /** A refused message comes back to the composer with the server's reason. */
  refused(item, error) {
    const reasons = error instanceof ApiError
      ? [error.body.detail, ...Object.values(error.body.errors || {}).flat()].filter(Boolean)
      : [];
    this.showComposerError(reasons.join(" ") || gettext("This message could not be sent."));
    if (!this.textarea.value) this.textarea.value = item.body;
    this.messages = this.messages.filter((message) => message.client_id !== item.client_id);
    this.render();
  }

  /** Every message the server knows, plus those still on their way there. */
  replaceMessages(serverMessages, outbox) {
    const known = new Set(serverMessages.map((message) => message.client_id).filter(Boolean));
    this.messages = [...serverMessages,
      ...outbox.filter((item) => !known.has(item.client_id)).map(pendingMessage)];
    this.render();
  }

  /** Adds or updates one message; true when it was new. */
  upsert(message) {
    const index = this.messages.findIndex((existing) =>
      (message.id && existing.id === message.id)
      || (message.client_id && existing.client_id === message.client_id));
    if (index >= 0) {
      const existing = this.messages[index];
      // A delivery frame may have overtaken the HTTP answer: never go back from read.
      const order = ["pending", "sent", "delivered", "read"];
      if (order.indexOf(existing.delivery) > order.indexOf(message.delivery)) {
        message = { ...message, delivery: existing.delivery };
      }
      this.messages[index] = message;
    } else {
      this.messages.push(message);
    }
    this.render();
    return index < 0;
  }

  addPending(item) {
    this.messages.push(pendingMessage(item));
    this.render(true);
  }

  setDelivery(messageId, delivery) {
    const message = this.messages.find((existing) => existing.id === messageId);
    if (!message) return;
    message.delivery = delivery;
    this.render();
  }

  hasExpertReply() {
    return this.messages.some((message) => message.from === "expert");
  }

  latestExpertMessageId() {
    return this.messages.filter((message) => message.from === "expert" && message.id)
      .reduce((latest, message) => Math.max(latest, message.id), 0);
  }

  showTyping(active, name) {
    clearTimeout(this.typingTimer);
    this.typing.textContent = interpolate(gettext("%(name)s is typing…"),
      { name: name || gettext("The expert") });
    this.typing.hidden = !active;
    if (active) this.typingTimer = setTimeout(() => { this.typing.hidden = true; }, 6000);
  }

  setConnection(open) {
    this.connection.hidden = open;
  }

  render(scrollToEnd = false) {
    const list = this.list;
    const atEnd = scrollToEnd || list.scrollHeight - list.scrollTop - list.clientHeight < 60;
    clear(list);
    for (const message of this.messages) list.append(this.renderMessage(message));
    if (atEnd) list.scrollTop = list.scrollHeight;
  }

  renderMessage(message) {
    const from = message.from || "system";
    const item = h("li", { class: `message from-${from}`, "data-delivery": message.delivery || "" });
    if (message.id) item.dataset.id = String(message.id);
    if (message.client_id) item.dataset.clientId = message.client_id;
    if (from === "expert") {
      const expert = this.widget.state && this.widget.state.expert;
      item.append(h("p", { class: "author", text: (expert && expert.name) || gettext("Expert") }));
    } else if (from === "customer") {
      item.append(h("p", { class: "visually-hidden", text: gettext("You") }));
    }
    if (message.body) item.append(h("p", { class: "body", text: message.body }));
    const attachments = message.attachments || [];
    if (attachments.length) {
      item.append(h("ul", { class: "attachments" }, attachments.map((attachment) => h("li", {},
        attachment.url ? this.downloadLink(attachment) : h("span", { text: attachment.name }),
        ` (${formatSize(attachment.size || 0)})`))));
    }
    const meta = h("p", { class: "meta" });
    if (message.created_at) {
      meta.append(h("time", { datetime: message.created_at, text: formatTime(message.created_at) }));
    }
    if (from === "customer" && message.delivery) {
      meta.append(" ", h("span", { class: `tick tick-${message.delivery}`,
        title: deliveryLabel(message.delivery) },
        h("span", { "aria-hidden": "true", text: TICKS[message.delivery] || "" }),
        h("span", { class: "visually-hidden", text: deliveryLabel(message.delivery) })));
    }
    item.append(meta);
    return item;
  }

  downloadLink(attachment) {
    const link = h("a", { href: "#", text: attachment.name });
    link.addEventListener("click", async (event) => {
      event.preventDefault();
      try {
        const blob = await this.widget.api.download(this.widget.saved, attachment.url);
        const objectUrl = URL.createObjectURL(blob);
        const save = h("a", { href: objectUrl, download: attachment.name });
        save.click();
        setTimeout(() => URL.revokeObjectURL(objectUrl), 10000);
      } catch {
        this.showComposerError(gettext("The file could not be downloaded. Please try again."));
      }
    });
    return link;
  }

  /** The promise, the place in line and who is helping, from the latest state. */
  renderState(state, config) {
    const brand = (config && config.brand) || "";
    const expertName = state.expert && state.expert.name;
    let status = "";
    if (WAITING.has(state.status)) {
      status = (state.promise && state.promise.text) || gettext("An expert will be with you soon.");
    } else if (state.status === "assigned" || state.status === "waiting_on_customer") {
      status = expertName ? interpolate(gettext("%(name)s is helping you."), { name: expertName })
        : gettext("An expert is helping you.");
    } else if (state.status === "escalated" || state.status === "handed_back") {
      status = interpolate(gettext("Your question has been passed to the %(brand)s team."),
        { brand });
    } else if (state.status === "resolved") {
      status = gettext("This chat has ended.");
    }
    this.status.textContent = status;
    const position = WAITING.has(state.status) && state.position ? state.position : null;
    this.position.hidden = !position;
    this.position.textContent = position
      ? interpolate(gettext("You are number %(position)s in line."), { position }) : "";
    this.renderOffer(state, config);
    const ended = state.status === "resolved";
    this.composer.hidden = ended;
    if (!ended) this.end.hidden = true;
  }

  renderOffer(state, config) {
    const typed = this.offer.querySelector("input");
    const typedEmail = typed ? typed.value : "";
    clear(this.offer);
    const canSwitch = WAITING.has(state.status) && !this.hasExpertReply() && this.widget.saved;
    this.offer.hidden = !canSwitch;
    if (!canSwitch) return;
    const threshold = config && config.long_wait_seconds;
    const promised = state.promise && state.promise.seconds;
    const long = state.long_wait || (threshold && promised && promised > threshold);
    const time = formatTime(state.email_reply_by);
    const button = h("button", { type: "button", class: long ? "primary" : "link",
      text: long ? gettext("Email me instead") : gettext("Prefer email? Get the answer by email") });
    this.offer.className = long ? "offer long" : "offer";
    if (long && time) {
      append(this.offer, h("p", { text: interpolate(
        gettext("Don't wait: we'll email you by %(time)s."), { time }) }));
    }
    // Without an address from the pre-chat form, the way out asks for one.
    let email = null;
    if (!this.widget.saved.email) {
      const emailId = uniqueId("offer-email");
      email = h("input", { type: "email", id: emailId, autocomplete: "email", maxlength: 254 });
      email.value = typedEmail;
      this.offer.append(h("label", { for: emailId, text: gettext("Email") }), email);
    }
    button.addEventListener("click", () => {
      const address = email ? email.value.trim() : "";
      if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) {
        email.setAttribute("aria-invalid", "true");
        this.showComposerError(gettext("Please enter a valid email address, like name@example.com."));
        email.focus();
        return;
      }
      this.widget.emailInstead(button, address);
    });
    this.offer.append(button);
  }

  showEnd(children) {
    clear(this.end);
    append(this.end, children);
    this.end.hidden = false;
    this.composer.hidden = true;
    this.typing.hidden = true;
    this.offer.hidden = true;
  }
}

function pendingMessage(item) {
  return {
    client_id: item.client_id, from: "customer", body: item.body, created_at: item.created_at,
    delivery: "pending",
    attachments: (item.files || []).map((file) => ({ name: file.name, size: file.size })),
  };
}
