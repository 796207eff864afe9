document.addEventListener("htmx:wsOpen", () => {
  const badge = document.getElementById("connection");
  if (badge) { badge.textContent = "Live"; badge.classList.add("live"); badge.dataset.state = "open"; }
});
document.addEventListener("htmx:wsClose", () => {
  const badge = document.getElementById("connection");
  if (badge) { badge.textContent = "Reconnecting…"; badge.classList.remove("live"); badge.dataset.state = "closed"; }
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-insert-macro]");
  const reply = document.getElementById("reply-body");
  if (button && reply) { reply.value = button.dataset.insertMacro; reply.focus(); }
});
