// Translated strings, rendered by the server into <script type="application/json" id="i18n">.
const element = document.getElementById("i18n");
const messages = element ? JSON.parse(element.textContent) : {};

/**
 * Return the message for `key` with {name} placeholders filled from `params`.
 * A message with plural forms ({one, other}) is chosen by `params.n`; a table of
 * messages (phase names) by `params.which`.
 */
export function t(key, params = {}) {
  let text = messages[key] ?? key;
  if (typeof text === "object" && !("one" in text)) text = text[params.which] ?? params.which;
  if (typeof text === "object") text = params.n === 1 ? text.one : text.other;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}
