document.addEventListener("htmx:wsOpen", () => {
  const badge = document.getElementById("connection");
  if (badge) { badge.textContent = "Live"; badge.classList.add("live"); badge.dataset.state = "open"; }
});
document.addEventListener("htmx:wsClose", () => {
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
// Presence: a heartbeat over the live socket every 20 s, saying whether the person did anything
// since the last one. The server turns an idle expert away and a silent one offline.
(() => {
  let active = true;
  let timer = null;
  for (const name of ["mousemove", "keydown", "click", "scroll", "touchstart"]) {
    document.addEventListener(name, () => { active = true; }, { passive: true });
  }
  document.addEventListener("htmx:wsOpen", (event) => {
    const socket = event.detail.socketWrapper;
    const seconds = Number(event.target.dataset.heartbeatSeconds || 20);
    clearInterval(timer);
    timer = setInterval(() => {
      socket.send(JSON.stringify({ type: "heartbeat", active }));
      active = false;
    }, seconds * 1000);
  });
  document.addEventListener("htmx:wsClose", () => clearInterval(timer));
})();
