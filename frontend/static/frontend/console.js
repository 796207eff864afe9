// The brand console: every [data-countdown] counts down to its deadline once a second, the same
// words as the server renders ("4 min 05 s left", "overdue by 2 min 10 s").
(() => {
  const pad = (n) => String(n).padStart(2, "0");
  const duration = (seconds) => {
    const hours = Math.floor(seconds / 3600), minutes = Math.floor((seconds % 3600) / 60);
    if (hours) return `${hours} h ${pad(minutes)} min`;
    if (minutes) return `${minutes} min ${pad(seconds % 60)} s`;
    return `${seconds} s`;
  };
  const tick = () => {
    document.querySelectorAll("[data-countdown]").forEach((element) => {
      const left = Math.trunc((Date.parse(element.dataset.countdown) - Date.now()) / 1000);
      element.textContent = left >= 0 ? `${duration(left)} left` : `overdue by ${duration(-left)}`;
      element.classList.toggle("overdue", left < 0);
    });
  };
  document.addEventListener("DOMContentLoaded", tick);
  setInterval(tick, 1000);
})();
