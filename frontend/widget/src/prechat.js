// Before the chat: name, email, language and the first message (the brand chooses which are
// required), or "leave a message" when nobody can chat now. Errors are shown per field,
// the browser's own checks and the server's alike.
import { ApiError } from "./api.js";
import { h, uniqueId } from "./dom.js";
import { LANGUAGES, LANGUAGE_NAMES, formatTime, gettext, interpolate } from "./i18n.js";

export const MESSAGE_LIMIT = 5000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function requiredMessages() {
  return {
    name: gettext("Please enter your name."),
    email: gettext("Please enter your email address."),
    language: gettext("Please choose a language."),
    message: gettext("Please write your message."),
  };
}

export function unavailableText(reason) {
  if (reason === "outside_coverage") return gettext("Our chat is closed right now.");
  return gettext("Nobody is available to chat right now.");
}

function field(name, label, control, required) {
  const errorId = uniqueId(`error-${name}`);
  control.id = uniqueId(`field-${name}`);
  control.name = name;
  control.setAttribute("aria-describedby", errorId);
  if (required) control.setAttribute("aria-required", "true");
  const labelText = required ? label : interpolate(gettext("%(label)s (optional)"), { label });
  const error = h("p", { class: "field-error", id: errorId, hidden: true });
  return { control, error, element: h("div", { class: "field" },
    h("label", { for: control.id, text: labelText }), control, error) };
}

/**
 * mode "chat" starts a conversation; mode "leave" sends an email inquiry (email then always
 * required: the answer goes there). `values` refills the form after a switch of mode.
 */
export function prechatView(widget, { mode, values = {}, notice = "" }) {
  const config = widget.config;
  const required = new Set(config.required_fields || []);
  required.add("message");
  if (mode === "leave") required.add("email");

  const languages = (config.languages && config.languages.length ? config.languages : LANGUAGES);
  const chosenLanguage = values.language
    || (languages.includes(widget.lang) ? widget.lang : languages[0]);
  const select = h("select", { autocomplete: "language" },
    h("option", { value: "", text: gettext("Choose…") }),
    languages.map((code) => h("option", {
      value: code, lang: code, selected: code === chosenLanguage,
      text: LANGUAGE_NAMES[code] || code,
    })));
  const fields = {
    name: field("name", gettext("Name"),
      h("input", { type: "text", autocomplete: "name", maxlength: 200 }), required.has("name")),
    email: field("email", gettext("Email"),
      h("input", { type: "email", autocomplete: "email", maxlength: 254, inputmode: "email" }),
      required.has("email")),
    language: field("language", gettext("Language"), select, required.has("language")),
    message: field("message", mode === "leave" ? gettext("Your message") : gettext("How can we help?"),
      h("textarea", { rows: 4, maxlength: MESSAGE_LIMIT }), true),
  };
  fields.name.control.value = values.name || "";
  fields.email.control.value = values.email || "";
  fields.message.control.value = values.message || "";

  const formError = h("p", { class: "form-error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", class: "primary",
    text: mode === "leave" ? gettext("Send message") : gettext("Start chat") });

  const intro = [];
  if (notice) intro.push(h("p", { class: "notice", text: notice }));
  if (mode === "leave") {
    if (!notice) {
      intro.push(h("p", { class: "notice", text: (config.promise && config.promise.text)
        || unavailableText(config.unavailable_reason) }));
    }
    const replyBy = config.email_promise && config.email_promise.reply_by;
    if (replyBy) {
      intro.push(h("p", { class: "promise", text: interpolate(
        gettext("Leave a message and we'll email you by %(time)s."), { time: formatTime(replyBy) }) }));
    }
  } else {
    if (config.promise && config.promise.text) {
      intro.push(h("p", { class: "promise", text: config.promise.text }));
    }
    if (config.waiting > 0) {
      intro.push(h("p", { class: "waiting", text: interpolate(
        gettext("People waiting now: %(count)s"), { count: config.waiting }) }));
    }
  }

  function showError(name, text) {
    const target = fields[name];
    if (!target) return false;
    target.error.textContent = text;
    target.error.hidden = false;
    target.control.setAttribute("aria-invalid", "true");
    return true;
  }

  function clearErrors() {
    formError.hidden = true;
    formError.textContent = "";
    for (const { control, error } of Object.values(fields)) {
      error.hidden = true;
      error.textContent = "";
      control.removeAttribute("aria-invalid");
    }
  }

  function focusFirstInvalid() {
    const invalid = Object.values(fields).find(({ control }) =>
      control.getAttribute("aria-invalid") === "true");
    if (invalid) invalid.control.focus();
    else formError.focus();
  }

  function read() {
    return {
      name: fields.name.control.value.trim(),
      email: fields.email.control.value.trim(),
      language: fields.language.control.value,
      message: fields.message.control.value.trim(),
    };
  }

  function validate(input) {
    const messages = requiredMessages();
    let valid = true;
    for (const name of Object.keys(fields)) {
      if (required.has(name) && !input[name]) valid = showError(name, messages[name]) && false;
    }
    if (input.email && !EMAIL.test(input.email)) {
      valid = showError("email",
        gettext("Please enter a valid email address, like name@example.com.")) && false;
    }
    if (input.message.length > MESSAGE_LIMIT) {
      valid = showError("message", interpolate(
        gettext("Please keep your message under %(limit)s characters."),
        { limit: MESSAGE_LIMIT.toLocaleString(widget.lang) })) && false;
    }
    return valid;
  }

  function showServerError(error) {
    if (!(error instanceof ApiError)) {
      formError.textContent = gettext("We couldn't reach the chat. Check your connection and try again.");
      formError.hidden = false;
      return;
    }
    let shown = false;
    for (const [name, problems] of Object.entries(error.body.errors || {})) {
      const text = [problems].flat().join(" ");
      const known = showError(name === "body" ? "message" : name, text);
      shown = shown || known;
      if (!known) formError.textContent += `${text} `;
    }
    if (error.status === 429) {
      formError.textContent = gettext("Too many tries from here. Please wait a few minutes and try again.");
    } else if (!shown && !formError.textContent) {
      formError.textContent = error.body.detail || gettext("Something went wrong. Please try again.");
    }
    formError.hidden = !formError.textContent;
  }

  const form = h("form", { class: "form", novalidate: true }, intro,
    fields.name.element, fields.email.element, fields.language.element, fields.message.element,
    formError, submit);
  formError.tabIndex = -1;

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const input = read();
    if (!validate(input)) {
      focusFirstInvalid();
      return;
    }
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    try {
      if (mode === "leave") await widget.leaveMessage(input);
      else await widget.startChat(input);
    } catch (error) {
      if (error instanceof ApiError && error.status === 409 && error.body.leave_message) {
        widget.showLeaveMessage({ ...input }, error.body.detail || "");
        return;
      }
      showServerError(error);
      focusFirstInvalid();
    } finally {
      submit.disabled = false;
      submit.removeAttribute("aria-busy");
    }
  });

  return form;
}
