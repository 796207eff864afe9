// The conversation id, its token and unsent messages survive a page reload in this tab
// (sessionStorage, one entry per queue). Storage can be refused (privacy modes): then the
// widget still works, it only cannot resume.
const key = (queueId) => `shiftline-widget:${queueId}`;

export function loadSaved(queueId) {
  try {
    const saved = JSON.parse(window.sessionStorage.getItem(key(queueId)) || "null");
    return saved && saved.conversation && saved.token ? saved : null;
  } catch {
    return null;
  }
}

export function save(queueId, value) {
  try {
    window.sessionStorage.setItem(key(queueId), JSON.stringify(value));
  } catch {
    // See above.
  }
}

export function forget(queueId) {
  try {
    window.sessionStorage.removeItem(key(queueId));
  } catch {
    // See above.
  }
}
