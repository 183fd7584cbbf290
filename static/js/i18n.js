// Translated strings, rendered by the server into <script type="application/json" id="i18n">.
const element = document.getElementById("i18n");
const messages = element ? JSON.parse(element.textContent) : {};

/** Return the message for `key` with %(name)s placeholders filled from `params`. */
export function t(key, params = {}) {
  const text = messages[key] ?? key;
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(params[name] ?? ""));
}
