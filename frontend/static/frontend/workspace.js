// The expert's work pages (frontend/templates/frontend/expert/base.html): ticking countdowns,
// the count of pending offers in the tab's title, a notification and an optional sound for a
// new offer, and the keyboard shortcuts listed in the "?" overlay. Everything here reads the
// page as the server and the live socket render it; nothing is fetched.
(() => {
  const OFFER = "#offers [data-offer-id]";
  const SOUND_KEY = "shiftline.offerSound";

  // Countdowns: <time data-countdown datetime="..."> shows what is left, every second.
  const clock = (milliseconds) => {
    const seconds = Math.max(0, Math.round(milliseconds / 1000));
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const rest = String(seconds % 60).padStart(2, "0");
    return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
  };
  const tick = () => {
    const now = Date.now();
    for (const element of document.querySelectorAll("[data-countdown]")) {
      const left = Date.parse(element.getAttribute("datetime")) - now;
      if (Number.isNaN(left)) continue;
      const text = left <= 0 ? (element.dataset.countdownOverdue || "time is up")
        : `${element.dataset.countdownPrefix || ""}${clock(left)}${element.dataset.countdownSuffix || ""}`;
      if (element.textContent !== text) element.textContent = text;
      element.classList.toggle("overdue", left <= 0);
      element.classList.toggle("urgent", left > 0 && left <= 30000);
    }
  };

  // The tab's title starts with the number of offers waiting: "(2) Workspace · Shiftline".
  const retitle = () => {
    const count = document.querySelectorAll(OFFER).length;
    const title = document.title.replace(/^\(\d+\) /, "");
    document.title = count ? `(${count}) ${title}` : title;
  };

  // A new offer: a notification (when the expert allowed them and is looking elsewhere) and a
  // short tone (when they turned the sound on). Offers already on the page when it loaded, or
  // sent again on a reconnect, are not new.
  const seen = new Set();
  const beep = () => {
    try {
      const audio = new AudioContext();
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.frequency.value = 880;
      volume.gain.setValueAtTime(0.15, audio.currentTime);
      volume.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
      tone.connect(volume).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.4);
    } catch { /* no audio on this device */ }
  };
  const announce = (card) => {
    const subject = card.querySelector(".offer-subject")?.textContent.trim() || "New offer";
    if ("Notification" in window && Notification.permission === "granted" && document.visibilityState !== "visible") {
      const notice = new Notification("New offer on Shiftline", { body: subject, tag: card.id });
      notice.onclick = () => { window.focus(); notice.close(); };
    }
    if (localStorage.getItem(SOUND_KEY) === "on") beep();
    document.dispatchEvent(new CustomEvent("shiftline:new-offer", { detail: { id: card.id } }));
  };
  const scan = (notify) => {
    for (const card of document.querySelectorAll(OFFER)) {
      if (seen.has(card.id)) continue;
      seen.add(card.id);
      if (notify) announce(card);
    }
    retitle();
  };

  const notifyButton = () => document.querySelector("[data-notify]");
  const showPermission = () => {
    const button = notifyButton();
    if (!button) return;
    if (!("Notification" in window)) { button.hidden = true; return; }
    if (Notification.permission === "granted") {
      button.textContent = "Offer notifications on";
      button.disabled = true;
    } else if (Notification.permission === "denied") {
      button.textContent = "Notifications blocked in the browser";
      button.disabled = true;
    }
  };

  // The open inquiry being read is marked in the list.
  const markCurrent = () => {
    for (const link of document.querySelectorAll("[data-inquiry-link]")) {
      if (link.pathname === location.pathname) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  };

  const typing = (element) => element instanceof HTMLElement
    && (element.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(element.tagName));
  const submit = (form) => { if (form) form.requestSubmit(); };
  const firstOffer = () => document.querySelector(OFFER);
  const moveInquiry = (step) => {
    const links = Array.from(document.querySelectorAll("[data-inquiry-link]"));
    if (!links.length) return;
    const at = links.findIndex((link) => link.pathname === location.pathname);
    const next = at < 0 ? (step > 0 ? 0 : links.length - 1) : (at + step + links.length) % links.length;
    links[next].click();
  };
  const shortcuts = () => document.getElementById("shortcuts");
  const toggleShortcuts = () => {
    const dialog = shortcuts();
    if (!dialog) return;
    if (dialog.open) dialog.close(); else dialog.showModal();
  };

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      if (target instanceof HTMLElement && target.id === "reply-body") {
        event.preventDefault();
        submit(document.getElementById("reply-form"));
      }
      return;
    }
    if (event.key === "Enter" && target instanceof HTMLSelectElement && target.closest("form.decline")) {
      event.preventDefault();
      submit(target.form);
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(target)) return;
    if (shortcuts()?.open && event.key !== "?") return;
    const actions = {
      "?": toggleShortcuts,
      a: () => submit(firstOffer()?.querySelector("button.accept")?.form),
      d: () => firstOffer()?.querySelector("form.decline select")?.focus(),
      r: () => document.getElementById("reply-body")?.focus(),
      e: () => {
        const button = document.querySelector("#resolve-form button");
        if (button && !button.disabled) submit(button.form);
      },
      n: () => moveInquiry(1), j: () => moveInquiry(1),
      p: () => moveInquiry(-1), k: () => moveInquiry(-1),
    };
    const action = actions[event.key];
    if (action) { event.preventDefault(); action(); }
  });

  document.addEventListener("click", (event) => {
    const element = event.target instanceof Element ? event.target : null;
    if (!element) return;
    if (element.closest("[data-shortcuts]")) toggleShortcuts();
    if (element.closest("[data-close-shortcuts]")) shortcuts()?.close();
    if (element.closest("[data-dismiss-offer]")) element.closest("article")?.remove();
    if (element.closest("[data-notify]") && "Notification" in window) {
      Notification.requestPermission().then(showPermission);
    }
  });
  document.addEventListener("change", (event) => {
    if (event.target instanceof HTMLInputElement && event.target.matches("[data-offer-sound]")) {
      localStorage.setItem(SOUND_KEY, event.target.checked ? "on" : "off");
      if (event.target.checked) beep();
    }
  });
  // Declined from the workspace's list: the pane stays, the card goes.
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt;
    if (form instanceof HTMLFormElement && form.matches("form.decline") && event.detail.xhr.status === 204) {
      form.closest("[data-offer-id]")?.remove();
      retitle();
    }
  });
  document.addEventListener("htmx:afterSettle", () => { scan(true); tick(); markCurrent(); });
  window.addEventListener("popstate", () => setTimeout(markCurrent));

  const start = () => {
    const sound = document.querySelector("[data-offer-sound]");
    if (sound) sound.checked = localStorage.getItem(SOUND_KEY) === "on";
    showPermission();
    scan(false);
    tick();
    markCurrent();
    new MutationObserver(() => scan(true)).observe(document.body, { childList: true, subtree: true });
    setInterval(tick, 1000);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
