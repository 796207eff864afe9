// The widget's words: English in the source, other languages from Shiftline's djangojs catalog
// (frontend/locale/<lang>/LC_MESSAGES/djangojs.po, served as JSON at /widget/v1/catalog/<lang>).
export const LANGUAGES = ["en", "es", "fi", "el", "hi"];

/** The names a customer recognises, each in its own language. */
export const LANGUAGE_NAMES = {
  en: "English", es: "Español", fi: "Suomi", el: "Ελληνικά", hi: "हिन्दी",
};

let catalog = {};
let language = "en";

function primary(tag) {
  return String(tag || "").trim().toLowerCase().split(/[-_]/)[0];
}

/** data-lang on the script, else the page's <html lang>, else the browser's languages. */
export function pickLanguage(script) {
  const candidates = [
    script && script.getAttribute("data-lang"),
    document.documentElement.getAttribute("lang"),
    ...(navigator.languages || [navigator.language]),
  ];
  for (const candidate of candidates) {
    const code = primary(candidate);
    if (LANGUAGES.includes(code)) return code;
  }
  return "en";
}

export async function loadCatalog(base, lang) {
  language = lang;
  if (lang === "en") return;
  try {
    const response = await fetch(`${base}/widget/v1/catalog/${encodeURIComponent(lang)}.json`,
      { credentials: "omit" });
    if (response.ok) catalog = (await response.json()).catalog || {};
  } catch {
    // Without the catalog the widget speaks English rather than not at all.
  }
}

export function currentLanguage() {
  return language;
}

export function gettext(msgid) {
  const translated = catalog[msgid];
  return typeof translated === "string" && translated ? translated : msgid;
}

/** Django's named interpolation: interpolate("by %(time)s", {time: "14:05"}). */
export function interpolate(format, values) {
  return format.replace(/%\((\w+)\)s/g, (match, name) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match);
}

export function formatTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(language, { hour: "numeric", minute: "2-digit" }).format(date);
}

export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
