// Translated strings, rendered by the server into <script type="application/json" id="i18n">.
const element = document.getElementById("i18n");
const messages = element ? JSON.parse(element.textContent) : {};
// The page's language (<html lang>): its CLDR plural rules choose a message's form.
const plurals = new Intl.PluralRules(document.documentElement.lang || "en");

/**
 * Return the message for `key` with {name} placeholders filled from `params`.
 * A message with plural forms is a dict of CLDR categories (always with "other"; one,
 * few, many… as the language has them, cocreate/views/script_messages.py), chosen by
 * `params.n`; a table of messages (phase names) by `params.which`.
 */
export function t(key, params = {}) {
  let text = messages[key] ?? key;
  if (typeof text === "object" && !("other" in text)) text = text[params.which] ?? params.which;
  if (typeof text === "object") text = text[plurals.select(Number(params.n) || 0)] ?? text.other;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}
