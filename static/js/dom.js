// Rendering helpers every page shares (participant text only ever goes in as textContent).

/** A new element with an optional class and text. */
export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * A function that says a text politely to screen readers from a hidden status line with
 * this id (made on first use). The line is emptied first, so the same words said twice
 * ("Moved to Transport") are announced twice.
 */
export function announcer(id) {
  return (text) => {
    let region = document.getElementById(id);
    if (!region) {
      region = element("p", "visually-hidden");
      region.id = id;
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      (document.querySelector("main") || document.body).append(region);
    }
    region.textContent = "";
    setTimeout(() => (region.textContent = text), 50);
  };
}
