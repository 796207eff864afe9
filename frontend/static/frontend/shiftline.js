// A page's live socket is open: fragments that poll as a fallback (marked data-poll-unless-live)
// skip their polls and wait for its pushes instead. (Not an hx-trigger filter: htmx evaluates
// those as code, which the content security policy forbids.)
document.addEventListener("htmx:beforeRequest", (event) => {
  const element = event.detail && event.detail.elt;
  if (element && element.hasAttribute("data-poll-unless-live")
      && document.body.dataset.socket === "open") {
    event.preventDefault();
  }
});
document.addEventListener("htmx:wsOpen", () => {
  document.body.dataset.socket = "open";
  const badge = document.getElementById("connection");
  if (badge) { badge.textContent = "Live"; badge.classList.add("live"); badge.dataset.state = "open"; }
});
document.addEventListener("htmx:wsClose", () => {
  document.body.dataset.socket = "closed";
  const badge = document.getElementById("connection");
  if (badge) { badge.textContent = "Reconnecting…"; badge.classList.remove("live"); badge.dataset.state = "closed"; }
});
// A checkbox marked data-submit-on-change sends its form at once (the ops vetting checklist);
// without scripts its <noscript> button does.
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-submit-on-change]")) event.target.form.requestSubmit();
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-insert-macro]");
  const reply = document.getElementById("reply-body");
  if (button && reply) { reply.value = button.dataset.insertMacro; reply.focus(); }
});
// A Copy button names the element whose text it copies: `data-copy="<id>"`.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  const source = button && document.getElementById(button.dataset.copy);
  if (!source) { return; }
  try {
    await navigator.clipboard.writeText(source.textContent.trim());
    button.textContent = "Copied";
  } catch {
    const range = document.createRange();
    range.selectNodeContents(source);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    button.textContent = "Selected: press Ctrl+C";
  }
});
// Presence: every expert page's live socket sends a heartbeat every `data-heartbeat-seconds`
// (20 s by default), saying whether the person is there: they moved, typed, clicked or scrolled
// since the last one, or the tab is visible (reading counts). A hidden tab's heartbeat only keeps
// the expert online; the server turns an idle expert away and a silent one offline.
(() => {
  let active = true;
  let timer = null;
  for (const name of ["mousemove", "keydown", "click", "scroll", "touchstart"]) {
    document.addEventListener(name, () => { active = true; }, { passive: true });
  }
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") active = true;
  });
  document.addEventListener("htmx:wsOpen", (event) => {
    const socket = event.detail.socketWrapper;
    const seconds = Number(event.target.dataset.heartbeatSeconds || 20);
    clearInterval(timer);
    timer = setInterval(() => {
      const present = active || document.visibilityState === "visible";
      socket.send(JSON.stringify({ type: "heartbeat", active: present }));
      active = false;
    }, seconds * 1000);
  });
  document.addEventListener("htmx:wsClose", () => clearInterval(timer));
})();
// `hx-ext="ws, live-sync"`: what a live socket sends is idempotent on the page. An offer card
// already shown is not added again (a reconnect sends every pending offer, and a push may
// race with it; a message already in its conversation likewise), and a fragment whose target this page does not have is dropped quietly.
htmx.defineExtension("live-sync", {
  transformResponse: (text) => {
    const template = document.createElement("template");
    template.innerHTML = text;
    for (const element of Array.from(template.content.children)) {
      const oob = element.getAttribute("hx-swap-oob") || "true";
      const at = oob.indexOf(":");
      const selector = at >= 0 ? oob.slice(at + 1) : (element.id && `#${CSS.escape(element.id)}`);
      if (!selector) continue;
      if (!document.querySelector(selector)) { element.remove(); continue; }
      if (oob.startsWith("afterbegin") || oob.startsWith("beforeend")) {
        for (const card of Array.from(element.querySelectorAll("[data-offer-id], .message[id]"))) {
          if (document.getElementById(card.id)) card.remove();
        }
      }
    }
    return template.innerHTML;
  },
});
// A form marked `data-confirm="Question?"` asks before it is sent, in a modal <dialog> (focus
// starts on the safe choice, Escape keeps things as they are); `data-confirm-button` names the
// action's button. Without scripts the form is sent as before, and the server still checks it.
(() => {
  let confirmed = null;
  const dialog = () => {
    let element = document.getElementById("confirm-dialog");
    if (element) return element;
    element = document.createElement("dialog");
    element.id = "confirm-dialog";
    element.setAttribute("aria-labelledby", "confirm-dialog-title");
    element.setAttribute("aria-describedby", "confirm-dialog-text");
    element.innerHTML = '<article><h2 id="confirm-dialog-title">Are you sure?</h2>'
      + '<p id="confirm-dialog-text"></p><form method="dialog" class="confirm-actions">'
      + '<button value="cancel" class="secondary">Keep it</button> '
      + '<button value="confirm" class="danger"></button></form></article>';
    document.body.append(element);
    return element;
  };
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (confirmed === form) { confirmed = null; return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    const box = dialog();
    box.querySelector("#confirm-dialog-text").textContent = form.dataset.confirm;
    box.querySelector("[value=confirm]").textContent = form.dataset.confirmButton || "Confirm";
    box.returnValue = "";
    box.onclose = () => {
      if (box.returnValue !== "confirm") return;
      confirmed = form;
      form.requestSubmit(event.submitter || undefined);
    };
    box.showModal();
  }, true);
})();
// The brand's inquiry page is live: its socket (the console's) pushes the inquiry's row when
// it changes; the page keeps a hidden row as the target, and once it is swapped the page
// reloads its own facts, conversation and timeline (`#inquiry-live`, hx-trigger).
document.addEventListener("htmx:oobAfterSwap", (event) => {
  const live = document.querySelector("[data-live-inquiry]");
  const target = event.detail && event.detail.target;
  if (live && target && target.id === `inquiry-row-${live.dataset.liveInquiry}`) {
    htmx.trigger(document.body, "inquiry-changed");
  }
});
