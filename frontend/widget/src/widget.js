// The widget's controller: the launcher and its panel, the queue's settings, the conversation
// (kept across reloads), the outbox that sends each message until the server has it, and the
// websocket that brings the expert's side.
import { ApiError, backoffDelay, createApi, newClientId, sleep } from "./api.js";
import { ChatView } from "./chat.js";
import { ICONS, append, clear, h, icon } from "./dom.js";
import { formatTime, gettext, interpolate, loadCatalog, pickLanguage } from "./i18n.js";
import { prechatView } from "./prechat.js";
import { forget, loadSaved, save } from "./store.js";
import { openSocket } from "./socket.js";
import { surveyView } from "./survey.js";
import css from "./widget.css";

const TYPING_EVERY_MS = 2000;

export class Widget {
  constructor(script) {
    this.queueId = script.getAttribute("data-shiftline-queue") || "";
    // The API lives beside the script: https://host/widget/v1.js -> https://host
    this.base = new URL("..", script.src).href.replace(/\/$/, "");
    this.lang = pickLanguage(script);
    this.api = createApi(this.base, this.queueId);
    this.config = null;
    this.saved = null;
    this.state = null;
    this.chat = null;
    this.socket = null;
    this.outbox = [];
    this.files = new Map();
    this.flushing = false;
    this.isOpen = false;
    this.unread = 0;
    this.lastReadSent = 0;
    this.lastTypingSent = 0;
    this.startClientId = null;
    this.endDrawnFor = undefined;
  }

  async mount() {
    this.host = h("div", { id: "shiftline-widget", "data-state": "loading" });
    const root = this.host.attachShadow({ mode: "open" });
    // A constructed stylesheet: no <style> element, no style attribute, so the brand's
    // Content-Security-Policy needs no 'unsafe-inline' for us.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];

    this.launcherLabel = h("span", { class: "visually-hidden" });
    this.badge = h("span", { class: "badge", hidden: true, "aria-hidden": "true" });
    this.launcher = h("button", { type: "button", class: "launcher", "aria-expanded": "false",
      "aria-controls": "shiftline-panel" }, icon(ICONS.chat), this.launcherLabel, this.badge);
    this.launcher.addEventListener("click", () => this.toggle(!this.isOpen));
    this.title = h("h2", { id: "shiftline-title" });
    this.closeButton = h("button", { type: "button", class: "icon-button close" },
      icon(ICONS.close));
    this.closeButton.addEventListener("click", () => this.toggle(false));
    this.body = h("div", { class: "body" });
    this.live = h("div", { class: "visually-hidden", "aria-live": "polite", "aria-atomic": "true" });
    this.panel = h("section", { class: "panel", id: "shiftline-panel", role: "dialog",
      "aria-labelledby": "shiftline-title", hidden: true },
    h("header", {}, this.title, this.closeButton), this.body, this.live);
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        this.toggle(false);
      }
    });
    this.root = h("div", { class: "root", "data-open": "false" }, this.launcher, this.panel);
    root.append(this.root);
    document.body.append(this.host);
    document.addEventListener("visibilitychange", () => this.markRead());

    const catalog = loadCatalog(this.base, this.lang);
    const config = this.loadConfig();
    await catalog;
    this.panel.setAttribute("lang", this.lang);
    this.launcher.setAttribute("lang", this.lang);
    this.closeButton.setAttribute("aria-label", gettext("Close chat"));
    this.title.textContent = gettext("Chat");
    this.updateLauncher();
    this.body.append(h("p", { class: "loading", text: gettext("Loading…") }));

    this.saved = loadSaved(this.queueId);
    if (this.saved) {
      this.outbox = this.saved.outbox || [];
      this.enterChat(null);
    }
    await config;
  }

  setMode(name) {
    this.host.dataset.state = name;
  }

  async loadConfig(attempt = 0) {
    try {
      this.config = await this.api.queue(this.lang);
    } catch (error) {
      if (error instanceof ApiError && !error.transient) {
        this.refused(error);
        return;
      }
      if (attempt < 4) {
        await sleep(backoffDelay(attempt, error.retryAfterSeconds));
        await this.loadConfig(attempt + 1);
        return;
      }
      this.refused(error);
      return;
    }
    this.title.textContent = this.config.brand || gettext("Chat");
    if (this.chat) {
      if (this.state) this.chat.renderState(this.state, this.config);
      return;
    }
    if (this.config.available) this.showPrechat();
    else this.showLeaveMessage({}, "");
  }

  /** The page's origin is not allowed (403), the queue is unknown (404), or no answer. */
  refused(error) {
    const reachable = error instanceof ApiError;
    this.setMode(reachable ? "refused" : "offline");
    this.refusal = reachable ? error.status : 0;
    if (window.console) {
      window.console.warn("Shiftline chat:", reachable ? error.message : "the server did not answer");
    }
    this.show(h("div", { class: "notice-block" },
      h("p", { class: "notice", text: reachable
        ? gettext("This chat can't be used on this site.")
        : gettext("The chat can't connect right now. Please try again later.") })));
  }

  show(content) {
    clear(this.body);
    append(this.body, content);
    if (this.isOpen) this.focusFirst();
  }

  focusFirst() {
    const target = this.body.querySelector("input, select, textarea, button, [tabindex]");
    (target || this.closeButton).focus();
  }

  toggle(open) {
    this.isOpen = open;
    this.panel.hidden = !open;
    this.launcher.setAttribute("aria-expanded", String(open));
    this.host.dataset.open = String(open);
    this.root.dataset.open = String(open);
    if (open) {
      this.unread = 0;
      this.updateLauncher();
      const composer = this.chat && !this.chat.composer.hidden && this.chat.textarea;
      if (composer && this.body.contains(composer)) composer.focus();
      else this.focusFirst();
      this.markRead();
    } else {
      this.updateLauncher();
      this.launcher.focus();
    }
  }

  updateLauncher() {
    let label = this.isOpen ? gettext("Close chat") : gettext("Chat with us");
    if (this.unread && !this.isOpen) {
      label = interpolate(gettext("Chat with us (%(count)s new)"), { count: this.unread });
    }
    this.launcherLabel.textContent = label;
    this.badge.textContent = String(this.unread);
    this.badge.hidden = !this.unread || this.isOpen;
  }

  announce(text) {
    this.live.textContent = "";
    // A fresh text node after a tick is announced even when the text repeats.
    setTimeout(() => { this.live.textContent = text; }, 50);
  }

  showPrechat(values = {}, notice = "") {
    this.setMode("prechat");
    this.show(prechatView(this, { mode: "chat", values, notice }));
  }

  showLeaveMessage(values, notice) {
    this.setMode("leave");
    this.show(prechatView(this, { mode: "leave", values, notice }));
  }

  async startChat(input) {
    this.startClientId = this.startClientId || newClientId();
    const started = await this.api.start({ ...input, client_id: this.startClientId });
    this.startClientId = null;
    this.saved = { conversation: started.conversation, token: started.token,
      email: Boolean(input.email), outbox: [] };
    this.persist();
    this.enterChat(started.state);
  }

  async leaveMessage(input) {
    const answer = await this.api.leaveMessage(input);
    this.finish(answer);
  }

  /** The chat became (or was always) an email: say by when, and stop the live parts. */
  finish(answer) {
    this.setMode("emailed");
    this.closeConversation();
    const time = formatTime(answer.reply_by);
    this.show(h("div", { class: "notice-block", tabindex: -1 },
      h("p", { class: "promise", text: time
        ? interpolate(gettext("Thank you. We'll email you by %(time)s."), { time })
        : gettext("Thank you. We'll email you.") }),
      answer.text ? h("p", { text: answer.text }) : null));
    this.announce(Array.from(this.body.querySelectorAll("p"), (part) => part.textContent)
      .join(" "));
  }

  closeConversation() {
    if (this.socket) this.socket.close();
    this.socket = null;
    this.chat = null;
    this.saved = null;
    this.outbox = [];
    forget(this.queueId);
  }

  persist() {
    if (!this.saved) return;
    this.saved.outbox = this.outbox.map(({ client_id: clientId, body, created_at: createdAt }) =>
      ({ client_id: clientId, body, created_at: createdAt }));
    save(this.queueId, this.saved);
  }

  enterChat(state) {
    this.setMode("chat");
    this.chat = new ChatView(this);
    this.show(this.chat.element);
    if (state) this.applyState(state, true);
    else this.chat.replaceMessages([], this.outbox);
    const socketBase = this.base.replace(/^http/, "ws");
    const url = `${socketBase}/ws/widget/${encodeURIComponent(this.saved.conversation)}/`;
    this.socket = openSocket({
      url,
      // The token rides as a subprotocol, never in the URL (which access logs keep).
      protocols: ["shiftline.widget.v1", `token.${this.saved.token}`],
      onFrame: (frame) => this.onFrame(frame),
      onStatus: (status) => {
        if (this.chat) this.chat.setConnection(status === "open");
        if (status === "open") this.flush();
      },
      onFinal: (code) => this.conversationLost(code),
    });
    this.flush();
  }

  conversationLost(code) {
    this.closeConversation();
    if (code === 4403) {
      this.refused(new ApiError(403, { detail: "origin" }, 0));
      return;
    }
    this.showPrechat({}, gettext("Your previous chat has ended. You can start a new one."));
  }

  onFrame(frame) {
    if (!this.chat) return;
    if (frame.type === "sync") {
      this.applyState(frame.state, true);
    } else if (frame.type === "state") {
      this.applyState(frame.state, false);
    } else if (frame.type === "message") {
      this.receive(frame.message);
    } else if (frame.type === "typing") {
      const expert = this.state && this.state.expert;
      this.chat.showTyping(frame.active !== false, expert && expert.name);
    } else if (frame.type === "delivery") {
      this.chat.setDelivery(frame.message_id, frame.delivery);
    }
  }

  receive(message) {
    const isNew = this.chat.upsert(message);
    if (message.client_id) this.dropFromOutbox(message.client_id);
    if (message.from !== "expert" || !isNew) return;
    this.chat.showTyping(false);
    if (this.state) this.chat.renderOffer(this.state, this.config);
    const expert = this.state && this.state.expert;
    this.announce(`${(expert && expert.name) || gettext("Expert")}: ${message.body}`);
    if (!this.isOpen || document.hidden) {
      this.unread += this.isOpen ? 0 : 1;
      this.updateLauncher();
    }
    this.markRead();
  }

  applyState(state, full) {
    const previous = this.state;
    this.state = { ...(this.state || {}), ...state };
    if (full && Array.isArray(state.messages)) {
      const stored = new Set(state.messages.map((message) => message.client_id).filter(Boolean));
      this.outbox = this.outbox.filter((item) => !stored.has(item.client_id));
      this.persist();
      this.chat.replaceMessages(state.messages, this.outbox);
    }
    if (this.state.channel === "email" || this.state.status === "email") {
      this.finish({ reply_by: this.state.email_reply_by || this.state.first_reply_due_at });
      return;
    }
    this.chat.renderState(this.state, this.config);
    const expertName = this.state.expert && this.state.expert.name;
    if (expertName && !(previous && previous.expert)) {
      this.announce(interpolate(gettext("%(name)s is helping you."), { name: expertName }));
    }
    if (this.state.status !== "resolved") {
      this.endDrawnFor = undefined;
      this.setMode("chat");
    }
    // Drawn once per survey token: later frames must not wipe a survey being filled in.
    if (this.state.status === "resolved" && this.endDrawnFor !== this.state.survey_token) {
      this.endDrawnFor = this.state.survey_token;
      this.showEnd();
    }
    this.markRead();
  }

  showEnd() {
    const parts = [];
    if (this.saved.email) {
      const transcript = h("button", { type: "button", class: "link",
        text: gettext("Email me the transcript") });
      transcript.addEventListener("click", async () => {
        transcript.disabled = true;
        try {
          await this.api.transcript(this.saved);
          transcript.replaceWith(h("p", { class: "done", role: "status",
            text: gettext("We've sent the transcript to your email.") }));
        } catch {
          transcript.disabled = false;
          transcript.after(h("p", { class: "form-error", role: "alert",
            text: gettext("The transcript could not be sent. Please try again.") }));
        }
      });
      parts.push(transcript);
    }
    const again = h("button", { type: "button", class: "link", text: gettext("Start a new chat") });
    again.addEventListener("click", () => {
      this.closeConversation();
      this.state = null;
      this.endDrawnFor = undefined;
      this.showPrechat();
    });
    parts.push(again);
    if (this.state.survey_token && !this.saved.surveyAnswered) {
      this.surveyArea = h("div", { class: "survey-area" }, surveyView(this, this.state.survey_token));
      parts.unshift(this.surveyArea);
    } else if (this.saved.surveyAnswered) {
      parts.unshift(h("p", { class: "done", text: gettext("Thank you for your feedback.") }));
    }
    this.setMode("ended");
    this.chat.showEnd(parts);
  }

  surveyDone(text) {
    if (this.saved) {
      this.saved.surveyAnswered = true;
      this.persist();
    }
    const thanks = h("p", { class: "done", role: "status", tabindex: -1, text });
    if (this.surveyArea) {
      this.surveyArea.replaceChildren(thanks);
      thanks.focus();
    }
  }

  send(body, files) {
    const item = { client_id: newClientId(), body, created_at: new Date().toISOString() };
    if (files.length) this.files.set(item.client_id, [...files]);
    this.outbox.push(item);
    this.persist();
    this.chat.addPending({ ...item, files });
    this.flush();
  }

  dropFromOutbox(clientId) {
    const before = this.outbox.length;
    this.outbox = this.outbox.filter((item) => item.client_id !== clientId);
    this.files.delete(clientId);
    if (this.outbox.length !== before) this.persist();
  }

  /**
   * Sends the outbox in order, one message at a time. A message leaves the outbox only when
   * the server answered for it (stored, or refused for its content); a network failure or a
   * busy server means the same message with the same client_id again later, which the server
   * answers with the message it already has: never lost, never twice.
   */
  async flush() {
    if (this.flushing || !this.saved) return;
    this.flushing = true;
    let attempt = 0;
    try {
      while (this.outbox.length && this.saved) {
        const item = this.outbox[0];
        const conversation = this.saved;
        try {
          const message = await this.api.send(conversation,
            { ...item, files: this.files.get(item.client_id) || [] });
          attempt = 0;
          if (this.saved !== conversation) return;
          this.dropFromOutbox(item.client_id);
          this.chat.upsert(message);
        } catch (error) {
          if (error instanceof ApiError && (error.status === 401 || error.status === 404)) {
            this.conversationLost(4401);
            return;
          }
          if (error instanceof ApiError && !error.transient) {
            this.dropFromOutbox(item.client_id);
            this.chat.refused(item, error);
            continue;
          }
          await sleep(backoffDelay(attempt, error.retryAfterSeconds));
          attempt += 1;
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  customerTyping() {
    const now = Date.now();
    if (!this.socket || now - this.lastTypingSent < TYPING_EVERY_MS) return;
    if (this.socket.send({ type: "typing" })) this.lastTypingSent = now;
  }

  markRead() {
    if (!this.chat || !this.saved || !this.isOpen || document.hidden) return;
    const latest = this.chat.latestExpertMessageId();
    if (latest <= this.lastReadSent) return;
    this.lastReadSent = latest;
    if (!(this.socket && this.socket.send({ type: "read", up_to: latest }))) {
      this.api.read(this.saved, latest).catch(() => { this.lastReadSent = 0; });
    }
  }

  async emailInstead(button, email) {
    button.disabled = true;
    try {
      this.finish(await this.api.emailInstead(this.saved, email));
    } catch (error) {
      button.disabled = false;
      const reasons = error instanceof ApiError
        ? [...Object.values(error.body.errors || {}).flat(), error.body.errors ? "" : error.body.detail]
        : [];
      this.chat.showComposerError(reasons.filter(Boolean).join(" ")
        || gettext("Something went wrong. Please try again."));
    }
  }
}
