// The site header's Menu button (includes/header.html) on a phone: it opens and closes the
// menu it controls and says so with aria-expanded; Escape or a click outside closes it, and
// Escape gives the focus back to the button.
(() => {
  const setOpen = (header, open) => {
    header.classList.toggle("menu-open", open);
    header.querySelector("[data-menu-toggle]").setAttribute("aria-expanded", String(open));
  };
  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-menu-toggle]");
    for (const header of document.querySelectorAll("[data-site-header].menu-open")) {
      if (!header.contains(event.target)) setOpen(header, false);
    }
    if (toggle) {
      const header = toggle.closest("[data-site-header]");
      setOpen(header, !header.classList.contains("menu-open"));
    }
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    for (const header of document.querySelectorAll("[data-site-header].menu-open")) {
      setOpen(header, false);
      header.querySelector("[data-menu-toggle]").focus();
    }
  });
})();
