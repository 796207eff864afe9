// Typing indicators of a widget chat (frontend/templates/frontend/expert/_conversation.html):
// while the expert writes a reply, the live socket tells the customer's widget, at most once
// every 2 s ({"type": "typing", "inquiry_id": N}); when the socket says the customer is typing
// (the "Customer is typing…" fragment it swaps in), the words go again after 4 s of silence.
(() => {
  const SEND_EVERY_MS = 2000;
  const SHOW_FOR_MS = 4000;
  let socket = null;
  let sentAt = 0;
  document.addEventListener("htmx:wsOpen", (event) => { socket = event.detail.socketWrapper; });
  document.addEventListener("htmx:wsClose", () => { socket = null; });
  document.addEventListener("input", (event) => {
    const field = event.target;
    if (!(field instanceof HTMLElement) || !field.dataset.typingInquiry || !socket) return;
    const now = Date.now();
    if (now - sentAt < SEND_EVERY_MS) return;
    sentAt = now;
    socket.send(JSON.stringify({ type: "typing", inquiry_id: Number(field.dataset.typingInquiry) }));
  });
  const timers = new Map();
  const hideLater = (element) => {
    clearTimeout(timers.get(element.id));
    timers.set(element.id, setTimeout(() => {
      element.dataset.customerTyping = "";
      element.replaceChildren();
    }, SHOW_FOR_MS));
  };
  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node instanceof HTMLElement && node.dataset.customerTyping === "on") hideLater(node);
      }
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
