// A <select> that acts on a choice: the console's menus that move a person, merge an idea,
// set a room's phase or the way people get into rooms.

/** The keys that step a closed <select> through its options. */
const STEP_KEYS = new Set(["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "PageUp", "PageDown"]);

/**
 * Call `act(value)` when a <select>'s option is chosen, not at each option stepped through
 * on the way: Chromium changes a closed select's value, and fires `change`, at every arrow
 * key, so a keyboard going down a list of rooms would move a person through each room
 * before the one wanted, and a merge menu would merge into its first idea. A choice made
 * with the pointer (or in the open list) acts at once; one stepped to with the keys acts
 * on Enter, and Escape or leaving the select puts the last choice back.
 */
export function onChoose(select, act) {
  let before = null; // the value the keys began to step from, while they step
  select.addEventListener("keydown", (e) => {
    if (before === null) {
      // Arrows, and typing an option's first letters; Space and Alt+arrows open the list.
      if (!e.altKey && (STEP_KEYS.has(e.key) || (e.key.length === 1 && e.key !== " "))) before = select.value;
      return;
    }
    if (e.key === "Enter") {
      e.preventDefault();
      const from = before;
      before = null;
      if (select.value !== from) act(select.value);
    } else if (e.key === "Escape") {
      select.value = before;
      before = null;
    }
  });
  select.addEventListener("change", () => {
    if (before === null) act(select.value);
  });
  select.addEventListener("blur", () => {
    if (before === null) return;
    select.value = before;
    before = null;
  });
}
