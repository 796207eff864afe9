// The conversation's websocket: the expert's messages, typing, delivery and state. It comes
// back by itself after a drop (exponential backoff with jitter, at once when the browser says
// it is online again); the server answers every connect with a full `sync` frame.
import { backoffDelay } from "./api.js";

/** Close codes after which trying again cannot help. */
const FINAL_CLOSE_CODES = new Set([4401, 4403, 4404]);

export function openSocket({ url, protocols, onFrame, onStatus, onFinal }) {
  let socket = null;
  let attempt = 0;
  let timer = null;
  let stopped = false;

  function connect() {
    clearTimeout(timer);
    socket = new WebSocket(url, protocols);
    socket.addEventListener("open", () => {
      attempt = 0;
      onStatus("open");
    });
    socket.addEventListener("message", (event) => {
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      onFrame(frame);
    });
    socket.addEventListener("close", (event) => {
      if (stopped) return;
      if (FINAL_CLOSE_CODES.has(event.code)) {
        stopped = true;
        onFinal(event.code);
        return;
      }
      onStatus("reconnecting");
      timer = setTimeout(connect, backoffDelay(attempt));
      attempt += 1;
    });
  }

  function online() {
    if (!stopped && socket && socket.readyState === WebSocket.CLOSED) connect();
  }

  window.addEventListener("online", online);
  connect();

  return {
    send(frame) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(frame));
        return true;
      }
      return false;
    },
    get isOpen() {
      return Boolean(socket && socket.readyState === WebSocket.OPEN);
    },
    close() {
      stopped = true;
      clearTimeout(timer);
      window.removeEventListener("online", online);
      if (socket) socket.close();
    },
  };
}
