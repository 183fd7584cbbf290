// Cross-room themes (DESIGN §2 step 5): workshop-level themes that gather the rooms'
// themes about the same thing. This module applies their events to the moderators'
// snapshot, counts their support, draws the console's panel (suggest, keep, rename,
// edit members, discard) and the projector's list.
//
// A cross-room theme names room themes by id (`theme_ids`). A room theme deleted
// meanwhile (dissolved, merged) leaves it: the server's database drops the link, and
// here `dropTheme` does the same when the room's event arrives; `membersOf` reads only
// themes the snapshot still has, since the plenary's batch and a room's batch may arrive
// in either order.
import { t } from "./i18n.js";
import { element } from "./dom.js";

/** The plenary events this module applies. */
export const CROSS_THEME_EVENTS = new Set(["cross_theme_created", "cross_theme_changed", "cross_theme_removed"]);

function crossThemes(snapshot) {
  if (!Array.isArray(snapshot.cross_themes)) snapshot.cross_themes = [];
  return snapshot.cross_themes;
}

/** Apply a cross-room theme event to the snapshot; returns whether it was one. */
export function applyCrossThemeEvent(snapshot, event) {
  if (!CROSS_THEME_EVENTS.has(event.type)) return false;
  const list = crossThemes(snapshot);
  if (event.type === "cross_theme_removed") {
    snapshot.cross_themes = list.filter((c) => c.id !== event.data.cross_theme_id);
    return true;
  }
  const cross = event.data.cross_theme;
  const index = list.findIndex((c) => c.id === cross.id);
  if (index >= 0) list[index] = { ...cross };
  else list.push({ ...cross });
  list.sort((a, b) => a.id - b.id);
  return true;
}

/** A room theme is gone (dissolved, merged away): it leaves its cross-room theme. */
export function dropTheme(snapshot, themeId) {
  crossThemes(snapshot).forEach((c) => {
    c.theme_ids = c.theme_ids.filter((id) => id !== themeId);
  });
}

/** The room themes of a cross-room theme that still exist: [{theme, room}], by room order. */
export function membersOf(snapshot, cross) {
  const found = [];
  snapshot.rooms.forEach((room) => {
    (room.themes || []).forEach((theme) => {
      if (cross.theme_ids.includes(theme.id)) found.push({ theme, room });
    });
  });
  return found;
}

/** The rooms a cross-room theme gathers themes from, in room order (each once). */
export function roomsOf(snapshot, cross) {
  const rooms = [];
  membersOf(snapshot, cross).forEach(({ room }) => {
    if (!rooms.includes(room)) rooms.push(room);
  });
  return rooms;
}

/**
 * The support of a cross-room theme: the tallies of its themes' visible ideas added up,
 * in the workshop's mode (docs/protocol.md, "Cross-room themes"): dots, agree votes (with
 * the disagree votes beside them) or the voters' mean score. `hidden` when any of its
 * rooms hides its results (the projector then shows no number).
 */
export function crossSupport(workshop, snapshot, cross) {
  const members = membersOf(snapshot, cross);
  const hidden = members.some(({ room }) => room.results_hidden);
  let value = 0;
  let against = 0;
  let weight = 0;
  members.forEach(({ theme, room }) => {
    room.ideas
      .filter((idea) => theme.idea_ids.includes(idea.id) && (idea.status === undefined || idea.status === "visible"))
      .forEach((idea) => {
        const tally = idea.tally;
        if (!tally) return;
        if (workshop.voting_mode === "agree") {
          value += tally.agree;
          against += tally.disagree;
        } else if (workshop.voting_mode === "scores") {
          if (tally.mean !== null) {
            value += tally.mean * tally.voters;
            weight += tally.voters;
          }
        } else {
          value += tally.dots;
        }
      });
  });
  if (workshop.voting_mode === "scores") {
    return { hidden, value: weight ? Math.round((value / weight) * 10) / 10 : 0, voters: weight, scale: 5 };
  }
  return { hidden, value, against };
}

/** Say a support in words. */
export function describeSupport(workshop, support) {
  if (support.hidden) return t("hidden_total");
  if (workshop.voting_mode === "agree") return t("cross_support_agree", { n: support.value, d: support.against });
  if (workshop.voting_mode === "scores") return t("cross_support_scores", { mean: support.value, n: support.voters });
  return t("dots_total", { n: support.value });
}

function button(label, onClick, className) {
  const b = element("button", className, label);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

function roomNames(rooms) {
  return rooms.map((room) => room.name).join(" · ");
}

// ---- the console's panel ------------------------------------------------------------

/**
 * The console's panel. `send(event, payload)` queues an action; `ask(event, payload)`
 * returns a promise of an ack (a question: suggestions). Call render() when the
 * snapshot changed; the panel keeps its suggestions and open editors meanwhile.
 */
export function crossThemePanel({ root, getSnapshot, send, ask }) {
  // Drafts live here, not in the inputs: the panel is drawn again on every vote.
  const state = { suggestions: null, message: "", editing: null, draft: null, chosen: null, busy: false };

  function render() {
    const snapshot = getSnapshot();
    if (!snapshot) return;
    const focused = document.activeElement && root.contains(document.activeElement) ? document.activeElement.id : null;
    const suggest = button(state.busy ? t("cross_suggesting") : t("cross_suggest"), suggestNow, "primary");
    suggest.id = "cross-suggest";
    suggest.disabled = state.busy;
    const status = element("p", "meta", state.message);
    status.id = "cross-status";
    status.setAttribute("role", "status");
    const parts = [element("div", "button-row"), status];
    parts[0].append(suggest);
    if (state.suggestions && state.suggestions.length) parts.push(suggestionList(snapshot));
    parts.push(element("h3", null, t("cross_kept", { n: crossThemes(snapshot).length })));
    const kept = element("ul", "cross-list");
    kept.id = "cross-kept";
    crossThemes(snapshot).forEach((cross) => kept.append(keptItem(snapshot, cross)));
    if (!crossThemes(snapshot).length) kept.append(element("li", "meta", t("cross_none")));
    parts.push(kept);
    root.replaceChildren(...parts);
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
  }

  async function suggestNow() {
    state.busy = true;
    state.message = t("cross_suggesting");
    render();
    try {
      const ack = await ask("suggest_cross_themes", {});
      if (ack.ok) {
        state.suggestions = ack.suggestions;
        state.message = ack.suggestions.length ? t("cross_found", { n: ack.suggestions.length }) : t("cross_no_suggestions");
      } else {
        state.message = ack.error.message;
      }
    } catch {
      state.message = t("cross_suggest_failed");
    }
    state.busy = false;
    render();
  }

  function themeLabel(snapshot, themeId) {
    for (const room of snapshot.rooms) {
      const theme = (room.themes || []).find((th) => th.id === themeId);
      if (theme) return { theme, room };
    }
    return null;
  }

  function suggestionList(snapshot) {
    const list = element("ol", "cross-list cross-suggestions");
    list.setAttribute("aria-label", t("cross_suggestions"));
    state.suggestions.forEach((suggestion, index) => {
      const members = suggestion.theme_ids.map((id) => themeLabel(snapshot, id)).filter(Boolean);
      if (!members.length) return;
      const li = element("li", "cross-item");
      li.append(element("strong", "cross-name", suggestion.name));
      const rooms = [];
      members.forEach(({ room }) => rooms.includes(room) || rooms.push(room));
      li.append(element("p", "meta cross-rooms", t("cross_rooms", { rooms: roomNames(rooms) })));
      const themes = element("ul", "cross-members");
      members.forEach(({ theme, room }) => themes.append(element("li", null, `${theme.name} (${room.name})`)));
      li.append(themes);
      const row = element("div", "button-row");
      const nameId = `cross-suggest-name-${index}`;
      const label = element("label", "visually-hidden", t("cross_name_label"));
      label.htmlFor = nameId;
      const input = element("input");
      input.id = nameId;
      input.maxLength = 80;
      input.value = suggestion.draft ?? suggestion.name;
      input.addEventListener("input", () => (suggestion.draft = input.value));
      const keep = button(t("cross_keep"), () => {
        const name = input.value.trim() || suggestion.name;
        send("create_cross_theme", { name, theme_ids: members.map(({ theme }) => theme.id) });
        state.suggestions = state.suggestions.filter((s) => s !== suggestion);
        state.message = t("cross_kept_one", { name });
        render();
      });
      keep.setAttribute("aria-label", `${t("cross_keep")}: ${suggestion.name}`);
      const discard = button(t("cross_discard"), () => {
        state.suggestions = state.suggestions.filter((s) => s !== suggestion);
        render();
      }, "link");
      discard.setAttribute("aria-label", `${t("cross_discard")}: ${suggestion.name}`);
      row.append(label, input, keep, discard);
      li.append(row);
      list.append(li);
    });
    return list;
  }

  function keptItem(snapshot, cross) {
    const li = element("li", "cross-item");
    li.dataset.crossThemeId = String(cross.id);
    const support = crossSupport(snapshot.workshop, snapshot, cross);
    li.append(element("strong", "cross-name", cross.name));
    li.append(element("span", "tally", ` · ${describeSupport(snapshot.workshop, { ...support, hidden: false })}`));
    if (cross.description) li.append(element("p", "meta", cross.description));
    const rooms = roomsOf(snapshot, cross);
    li.append(element("p", "meta cross-rooms", rooms.length ? t("cross_rooms", { rooms: roomNames(rooms) }) : t("cross_empty")));
    const members = element("ul", "cross-members");
    membersOf(snapshot, cross).forEach(({ theme, room }) => members.append(element("li", null, `${theme.name} (${room.name})`)));
    li.append(members);
    if (state.editing === cross.id) li.append(editor(snapshot, cross));
    else {
      const row = element("div", "button-row");
      const edit = button(t("cross_edit"), () => {
        state.editing = cross.id;
        state.draft = cross.name;
        state.chosen = new Set(cross.theme_ids);
        render();
        document.getElementById(`cross-name-${cross.id}`)?.focus();
      });
      edit.id = `cross-edit-${cross.id}`;
      edit.setAttribute("aria-label", `${t("cross_edit")}: ${cross.name}`);
      const remove = button(t("cross_discard"), () => {
        if (window.confirm(t("cross_confirm_discard", { name: cross.name }))) send("remove_cross_theme", { cross_theme_id: cross.id });
      }, "link danger");
      remove.setAttribute("aria-label", `${t("cross_discard")}: ${cross.name}`);
      row.append(edit, remove);
      li.append(row);
    }
    return li;
  }

  function editor(snapshot, cross) {
    const form = element("form", "cross-editor");
    const nameId = `cross-name-${cross.id}`;
    const label = element("label", null, t("cross_name_label"));
    label.htmlFor = nameId;
    const input = element("input");
    input.id = nameId;
    input.maxLength = 80;
    input.required = true;
    input.value = state.draft ?? cross.name;
    input.addEventListener("input", () => (state.draft = input.value));
    form.append(label, input);
    const fieldset = element("fieldset", "cross-choose");
    fieldset.append(element("legend", null, t("cross_members_legend")));
    snapshot.rooms.filter((room) => room.kind === "breakout").forEach((room) => {
      (room.themes || []).forEach((theme) => {
        const id = `cross-${cross.id}-theme-${theme.id}`;
        const box = element("input");
        box.type = "checkbox";
        box.id = id;
        box.value = String(theme.id);
        box.checked = (state.chosen || new Set(cross.theme_ids)).has(theme.id);
        box.addEventListener("change", () => {
          if (box.checked) state.chosen.add(theme.id);
          else state.chosen.delete(theme.id);
        });
        const boxLabel = element("label", "check", `${theme.name} (${room.name})`);
        boxLabel.htmlFor = id;
        boxLabel.prepend(box);
        fieldset.append(boxLabel);
      });
    });
    form.append(fieldset);
    const row = element("div", "button-row");
    const save = element("button", "primary", t("save"));
    save.type = "submit";
    row.append(save, button(t("cancel"), () => {
      state.editing = null;
      render();
      document.getElementById(`cross-edit-${cross.id}`)?.focus();
    }));
    form.append(row);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const name = input.value.trim();
      const chosen = [...fieldset.querySelectorAll("input:checked")].map((box) => Number(box.value));
      if (name && name !== cross.name) send("rename_cross_theme", { cross_theme_id: cross.id, name });
      const same = chosen.length === cross.theme_ids.length && chosen.every((id) => cross.theme_ids.includes(id));
      if (!chosen.length) state.message = t("cross_choose_one");
      else if (!same) send("set_cross_theme_members", { cross_theme_id: cross.id, theme_ids: chosen });
      state.editing = null;
      render();
    });
    form.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        state.editing = null;
        render();
      }
    });
    return form;
  }

  return { render };
}

// ---- the projector ---------------------------------------------------------------------

/** The projector's list: each cross-room theme with its rooms and its support as a bar. */
export function crossThemeScreen(snapshot) {
  const list = element("ol", "screen-cross");
  const crosses = crossThemes(snapshot).filter((cross) => membersOf(snapshot, cross).length);
  const supports = crosses.map((cross) => crossSupport(snapshot.workshop, snapshot, cross));
  const top = Math.max(1, ...supports.filter((s) => !s.hidden).map((s) => s.scale || s.value));
  crosses.forEach((cross, i) => {
    const support = supports[i];
    const li = element("li", "screen-cross-item");
    li.dataset.crossThemeId = String(cross.id);
    li.append(element("strong", "cross-name", cross.name));
    li.append(element("p", "cross-rooms", roomNames(roomsOf(snapshot, cross))));
    const words = describeSupport(snapshot.workshop, support);
    if (!support.hidden) {
      const bar = element("meter", "cross-bar");
      bar.min = 0;
      bar.max = support.scale || top;
      bar.value = support.value;
      bar.setAttribute("aria-label", `${cross.name}: ${words}`);
      li.append(bar);
    }
    li.append(element("p", "cross-support", words));
    list.append(li);
  });
  return list;
}
