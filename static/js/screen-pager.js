// The projector's pages of rooms: as many rooms on a page as the screen holds at a size
// the back of the hall can read, so any number of rooms is reachable. The pages turn by
// themselves every ROTATE_S seconds (`?rotate=<seconds>` in the address changes it, 0
// stops it); Pause holds the page (WCAG 2.2.2), ◀ ▶, the arrow keys and a presenter's
// clicker (Page Up / Page Down) turn them, and "Show a room" jumps to one room's page
// and holds it there. "Rooms 1–6 of 10" says where the hall is.
import { t } from "./i18n.js";

const ROTATE_S = 15;
/** A room card's smallest readable size, in rem (the root size grows with the screen). */
const CARD_MIN_WIDTH_REM = 17;
const CARD_MIN_HEIGHT_REM = 15;
/** Room for the rooms' heading above the grid, in rem. */
const HEADING_REM = 2.5;

export class Pager {
  /** grid: the element the cards go in; nav: the pager's controls; onTurn(): draw again. */
  constructor({ grid, nav, onTurn }) {
    Object.assign(this, { grid, nav, onTurn });
    this.rooms = [];
    this.extraFirst = false;
    this.index = 0;
    this.columns = 1;
    this.rows = 1;
    const asked = new URLSearchParams(location.search).get("rotate");
    this.rotateMs = (asked !== null && Number(asked) >= 0 ? Number(asked) : ROTATE_S) * 1000;
    this.paused = false;
    this.timer = null;

    this.pause = nav.querySelector("#pager-pause");
    this.where = nav.querySelector("#pager-where");
    this.picker = nav.querySelector("#pager-room");
    nav.querySelector("#pager-previous").addEventListener("click", () => this.turn(-1));
    nav.querySelector("#pager-next").addEventListener("click", () => this.turn(1));
    this.pause.addEventListener("click", () => this.setPaused(!this.paused));
    this.picker.addEventListener("change", () => this.showRoom(Number(this.picker.value)));
    document.addEventListener("keydown", (event) => this.onKey(event));
    window.addEventListener("resize", () => this.measure() && this.onTurn());
    this.restartRotation();
  }

  /** Take the rooms to page through (and whether a page of its own comes first). */
  update({ rooms, extraFirst }) {
    const names = (list) => list.map((r) => `${r.id}:${r.name}`).join("\n");
    const changed = names(rooms) !== names(this.rooms);
    this.rooms = rooms;
    this.extraFirst = extraFirst;
    this.measure();
    this.index = Math.min(this.index, this.count() - 1);
    if (changed) this.fillPicker();
    this.nav.hidden = this.count() < 2;
    this.describe();
  }

  /** How many rooms a page holds. */
  perPage() {
    return this.columns * this.rows;
  }

  /** How many pages there are (at least one). */
  count() {
    return Math.max(1, (this.extraFirst ? 1 : 0) + Math.ceil(this.rooms.length / this.perPage()));
  }

  /** The page on screen: {extra: true} for the page that comes first, else {rooms}. */
  current() {
    if (this.extraFirst && this.index === 0) return { extra: true, rooms: [] };
    const start = (this.index - (this.extraFirst ? 1 : 0)) * this.perPage();
    return { extra: false, rooms: this.rooms.slice(start, start + this.perPage()), start };
  }

  /** Work out the columns and rows the stage holds; true when that changed. */
  measure() {
    const stage = this.grid.closest(".screen-stage");
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const width = stage.clientWidth;
    const height = stage.clientHeight - HEADING_REM * rem;
    const fit = (space, min) => Math.max(1, Math.floor(space / (min * rem)));
    let columns = fit(width, CARD_MIN_WIDTH_REM);
    let rows = fit(height, CARD_MIN_HEIGHT_REM);
    // No more columns than rooms: a few rooms get the whole width.
    columns = Math.min(columns, Math.max(1, this.rooms.length));
    rows = Math.min(rows, Math.max(1, Math.ceil(this.rooms.length / columns)));
    const changed = columns !== this.columns || rows !== this.rows;
    const first = this.current().start;
    this.columns = columns;
    this.rows = rows;
    this.grid.style.setProperty("--columns", String(columns));
    this.grid.style.setProperty("--rows", String(rows));
    if (changed && first !== undefined) {
      // Keep the room that led the page on screen.
      this.index = (this.extraFirst ? 1 : 0) + Math.floor(first / this.perPage());
      this.describe();
    }
    return changed;
  }

  /** Say which rooms are on screen, and mark the pause button. */
  describe() {
    const page = this.current();
    if (page.extra) {
      this.where.textContent = t("outcome_cross");
    } else {
      const from = page.start + 1;
      const to = page.start + page.rooms.length;
      const n = this.rooms.length;
      this.where.textContent = from === to ? t("screen_room_of", { from, n }) : t("screen_rooms_of", { from, to, n });
    }
    this.pause.setAttribute("aria-pressed", String(this.paused));
  }

  fillPicker() {
    const first = this.picker.options[0]; // "Choose a room…", from the template
    this.picker.replaceChildren(first, ...this.rooms.map((room) => new Option(room.name, String(room.id))));
    this.picker.value = "";
  }

  /** Go `by` pages on (negative: back), round the end; the rotation starts its wait again. */
  turn(by) {
    this.index = (this.index + by + this.count()) % this.count();
    this.restartRotation();
    this.describe();
    this.onTurn();
  }

  /** Show the page with this room and hold it there. */
  showRoom(roomId) {
    const at = this.rooms.findIndex((r) => r.id === roomId);
    this.picker.value = "";
    if (at < 0) return;
    this.index = (this.extraFirst ? 1 : 0) + Math.floor(at / this.perPage());
    this.setPaused(true);
    this.onTurn();
  }

  setPaused(paused) {
    this.paused = paused;
    this.restartRotation();
    this.describe();
  }

  restartRotation() {
    clearInterval(this.timer);
    if (this.rotateMs > 0 && !this.paused) {
      this.timer = setInterval(() => {
        if (this.count() > 1 && !document.hidden) this.turn(1);
      }, this.rotateMs);
    }
  }

  onKey(event) {
    if (event.altKey || event.ctrlKey || event.metaKey || this.nav.hidden) return;
    if (event.target.closest?.("select, input, textarea")) return;
    const by = { ArrowLeft: -1, PageUp: -1, ArrowRight: 1, PageDown: 1 }[event.key];
    if (by) {
      event.preventDefault();
      this.turn(by);
    } else if (event.key === "p" || event.key === "P") {
      this.setPaused(!this.paused);
    }
  }
}
