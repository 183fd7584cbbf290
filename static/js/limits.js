// Length limits on what people type: text over the limit is refused with a message that
// says by how much, never cut. A `maxlength` would cut pasted text silently, mid-word.
import { t } from "./i18n.js";
import { element } from "./dom.js";

const number = new Intl.NumberFormat(document.documentElement.lang || undefined);

/** The length the server counts: characters (not UTF-16 units) of the trimmed, NFC text. */
export function textLength(value) {
  return [...value.normalize("NFC").trim()].length;
}

let counter = 0;

/**
 * Watch a text field against its limit. Below it, `count` says how many characters are
 * left; over it, the field is marked invalid and a live message says the length, the
 * limit and what to do (`tooLong` is the message's key: "idea_too_long", ...).
 * `count` and the message are made here when not given, and put after the field.
 * @returns {{ok: () => boolean, update: () => void, refuse: () => boolean}} `refuse()`
 *   is for a submit: false when the text fits; otherwise it focuses the field, says the
 *   message again and returns true.
 */
export function watchLength(field, { max, tooLong, count, message }) {
  counter += 1;
  if (!count) {
    count = element("p", "hint char-count");
    count.id = `char-count-${counter}`;
    field.after(count);
  }
  if (!message) {
    // Never hidden, only empty: a live region that appears with its text is not always read.
    message = element("p", "limit-message");
    message.id = `limit-message-${counter}`;
    message.setAttribute("aria-live", "polite");
    count.after(message);
  }
  const described = new Set((field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
  described.add(count.id).add(message.id);
  field.setAttribute("aria-describedby", [...described].join(" "));
  field.removeAttribute("maxlength");

  const length = () => textLength(field.value);
  const ok = () => length() <= max;
  function update() {
    const n = length();
    const over = n > max;
    count.textContent = t("chars_left", { n: Math.max(0, max - n) });
    count.hidden = over;
    // Only a change of the message is announced, not every keystroke's count.
    const text = over ? t(tooLong, { length: number.format(n), max: number.format(max) }) : "";
    if (message.textContent !== text) message.textContent = text;
    field.classList.toggle("over-limit", over);
    if (over) field.setAttribute("aria-invalid", "true");
    else field.removeAttribute("aria-invalid");
  }
  field.addEventListener("input", update);
  update();
  return {
    ok,
    update,
    refuse() {
      update();
      if (ok()) return false;
      field.focus();
      // Said again even when unchanged: the person pressed Post and nothing was sent.
      // Said as the text is then: shortened meanwhile, it is not over the limit any more.
      message.textContent = "";
      setTimeout(update, 50);
      return true;
    },
  };
}
