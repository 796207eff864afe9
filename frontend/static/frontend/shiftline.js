document.addEventListener("htmx:wsOpen", () => {
  const badge = document.getElementById("connection");
  if (badge) { badge.textContent = "Live"; badge.classList.add("live"); badge.dataset.state = "open"; }
});
document.addEventListener("htmx:wsClose", () => {
  const badge = document.getElementById("connection");
  if (badge) { badge.textContent = "Reconnecting…"; badge.classList.remove("live"); badge.dataset.state = "closed"; }
});
