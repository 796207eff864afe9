// Shiftline's widget API (/widget/api/v1/, see marketplace/widget/CONTRACT.md). Every call is a
// CORS request without cookies; a conversation's calls carry its token.

export class ApiError extends Error {
  constructor(status, body, retryAfterSeconds) {
    super((body && body.detail) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** Worth sending again later: the server was busy or away, not a refusal of the content. */
  get transient() {
    return this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export function createApi(base, queueId) {
  const root = `${base}/widget/api/v1/`;
  const queuePath = `queues/${encodeURIComponent(queueId)}`;

  async function call(method, path, { json, form, token } = {}) {
    const headers = { Accept: "application/json" };
    let body;
    if (token) headers.Authorization = `Bearer ${token}`;
    if (form) {
      body = form;
    } else if (json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(json);
    }
    // A network failure rejects with a TypeError: the caller decides whether to try again.
    const response = await fetch(root + path, { method, headers, body, credentials: "omit" });
    let data = null;
    if (response.status !== 204) {
      try {
        data = await response.json();
      } catch {
        data = null;
      }
    }
    if (!response.ok) {
      const retryAfter = Number(response.headers.get("Retry-After")) || 0;
      throw new ApiError(response.status, data, retryAfter);
    }
    return data;
  }

  const conversationPath = (conversation) =>
    `conversations/${encodeURIComponent(conversation.conversation)}`;

  return {
    queue: (lang) => call("GET", `${queuePath}?lang=${encodeURIComponent(lang)}`),
    start: (fields) => call("POST", `${queuePath}/conversations`, { json: fields }),
    leaveMessage: (fields) => call("POST", `${queuePath}/messages`, { json: fields }),
    state: (conversation) =>
      call("GET", conversationPath(conversation), { token: conversation.token }),
    send(conversation, { body, client_id: clientId, files }) {
      const path = `${conversationPath(conversation)}/messages`;
      if (files && files.length) {
        const form = new FormData();
        form.append("body", body);
        form.append("client_id", clientId);
        for (const file of files) form.append("files", file, file.name);
        return call("POST", path, { form, token: conversation.token });
      }
      return call("POST", path, { json: { body, client_id: clientId }, token: conversation.token });
    },
    read: (conversation, upTo) => call("POST", `${conversationPath(conversation)}/read`,
      { json: { up_to: upTo }, token: conversation.token }),
    emailInstead: (conversation, email) => call("POST",
      `${conversationPath(conversation)}/email-instead`,
      { json: email ? { email } : {}, token: conversation.token }),
    transcript: (conversation, email) => call("POST",
      `${conversationPath(conversation)}/transcript`,
      { json: email ? { email } : {}, token: conversation.token }),
    /** A file of the conversation, as bytes to save: never opened in the brand's origin. */
    async download(conversation, path) {
      const response = await fetch(base + path, { credentials: "omit",
        headers: { Authorization: `Bearer ${conversation.token}` } });
      if (!response.ok) throw new ApiError(response.status, null, 0);
      return new Blob([await response.arrayBuffer()], { type: "application/octet-stream" });
    },
    async survey(token, answers) {
      const response = await fetch(`${base}/survey/api/v1/${encodeURIComponent(token)}`, {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/json" },
        body: JSON.stringify(answers),
        credentials: "omit",
      });
      if (!response.ok) {
        let data = null;
        try {
          data = await response.json();
        } catch {
          data = null;
        }
        throw new ApiError(response.status, data, 0);
      }
    },
  };
}

/** 1 s, 2 s, 4 s … up to 30 s, with jitter so many widgets do not return at once. */
export function backoffDelay(attempt, retryAfterSeconds = 0) {
  const exponential = Math.min(30000, 1000 * 2 ** attempt);
  const jittered = exponential * (0.5 + Math.random() / 2);
  return Math.max(jittered, retryAfterSeconds * 1000);
}

export const sleep = (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds));

export function newClientId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}
