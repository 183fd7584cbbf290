// One socket helper for every page: acks, the outbox, and resync.
//
// Every action gets a client-made id and waits in an outbox (localStorage)
// until it is settled: applied, or refused for a reason a retry cannot change
// (docs/protocol.md, "Retrying"). A refusal that waiting can change (rate_limited,
// server_error), a timeout or a lost connection keeps it queued, and it is sent
// again later with the same id, which makes a resend harmless. The server cannot
// tell a replayed outbox from a flood, so a phone back from offline paces itself:
// it waits as long as a rate_limited ack's retry_after says, or backs off. Every room's events
// carry sequence numbers: a gap, a reconnect or a "moved" notice asks the server
// for what was missed (the events since our last number, or a snapshot).
import { io } from "../vendor/socket.io/socket.io.esm.min.js";
import { setServerNow } from "./clock.js";

const ACK_TIMEOUT_MS = 10000;
const GAP_WAIT_MS = 1000;
/** Back-off between retries: from RETRY_BASE_MS, doubling, at most RETRY_MAX_MS. */
const RETRY_BASE_MS = 500;
const RETRY_MAX_MS = 10000;
/** A server's retry_after longer than this is taken as this. */
const RETRY_AFTER_MAX_MS = 60000;
/** Error codes a retry with the same id may turn into a success; every other is final. */
export const RETRYABLE = new Set(["rate_limited", "server_error"]);

/** Whether an answer settles an action: applied, or refused for good. No answer does not. */
export function settles(ack) {
  return Boolean(ack) && (ack.ok || !RETRYABLE.has(ack.error?.code));
}

/**
 * How long to wait before the next try, in ms: what a rate_limited ack's retry_after says
 * (plus a little jitter), else exponential back-off with jitter (half of it, or all of it).
 */
export function retryDelay(attempt, ack) {
  const after = ack?.error?.retry_after;
  if (typeof after === "number" && after >= 0) {
    return Math.min(after * 1000, RETRY_AFTER_MAX_MS) + Math.random() * 100;
  }
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return ceiling / 2 + (Math.random() * ceiling) / 2;
}

/** A random UUID (crypto.randomUUID needs HTTPS, which a venue LAN may not have). */
export function uuid() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class Live {
  /**
   * @param {object} options
   * @param {string} options.namespace  "/participant" or "/moderator"
   * @param {object} options.auth       what the connect handler needs to find the workshop
   * @param {string} options.storageKey where the outbox is kept
   * @param {() => object} options.syncPayload  the payload of a sync request
   * @param {(ack: object) => Object<string, number>} options.onSync  apply a sync answer;
   *        return {room_id: seq} for the rooms this page follows
   * @param {(event: object) => void} options.onEvent  apply one room event, in order
   * @param {(action: object, ack: object) => void} options.onResult  an action was answered
   * @param {(status: object) => void} options.onStatus  connection state and outbox size
   */
  constructor(options) {
    this.options = options;
    this.seqs = new Map();
    this.early = new Map(); // room id → events that arrived before the ones they follow
    this.gapTimers = new Map(); // room id → the pending resync for its gap
    this.outbox = this.#load();
    this.syncing = null;
    this.held = [];
    this.flushing = false;
    this.retryTimer = null; // set while the outbox waits before its next try
    this.attempts = 0; // tries in a row that settled nothing (the back-off grows with them)
    this.syncTimer = null;
    this.syncAttempts = 0;
    // WebSocket first: on a slow link the long-polling handshake and upgrade cost three
    // round trips more before the room is live. A network that refuses WebSockets (some
    // proxies) still gets long-polling: tryAllTransports falls back to it.
    this.socket = io(options.namespace, {
      auth: options.auth,
      transports: ["websocket", "polling"],
      tryAllTransports: true,
    });
    this.socket.on("connect", () => this.#connected());
    this.socket.on("disconnect", (reason) => {
      this.#status(navigator.onLine ? "reconnecting" : "offline");
      // The server closed us on purpose (a moderator removed this person, or the account
      // signed out): Socket.IO would not come back by itself. Ask once; the server's
      // refusal (connect_error) tells the page why, or we are simply back.
      if (reason === "io server disconnect") this.socket.connect();
    });
    this.socket.io.on("reconnect_attempt", () => this.#status("reconnecting"));
    this.socket.on("connect_error", (error) => this.#status(this.socket.active ? "reconnecting" : "refused", error));
    this.socket.on("events", (batch) => this.#receive(batch));
    // The browser knows before a ping times out: say so, and reconnect when it is back.
    window.addEventListener("offline", () => this.socket.disconnect());
    window.addEventListener("online", () => this.socket.connect());
    this.#status("connecting");
  }

  /** Listen to a server message other than room events (e.g. "moved"). */
  on(name, handler) {
    this.socket.on(name, handler);
  }

  /** Queue an action and send it when connected; once it is settled (applied, or refused
   * with a final code) its ack goes to options.onResult. */
  send(event, payload) {
    const action = { event, payload: { ...payload, id: uuid() } };
    this.outbox.push(action);
    this.#save();
    this.#status();
    this.#flush();
    return action;
  }

  /** Actions not yet settled, oldest first. */
  pending() {
    return [...this.outbox];
  }

  /** Ask for the events missed since our last sequence numbers (or a snapshot). A sync
   * refused for now (rate_limited, server_error) or unanswered is tried again later. */
  sync() {
    if (!this.socket.connected) return Promise.resolve();
    if (this.syncing) return this.syncing;
    clearTimeout(this.syncTimer);
    this.syncTimer = null;
    this.syncing = new Promise((resolve) => {
      this.socket.timeout(ACK_TIMEOUT_MS).emit("sync", this.options.syncPayload(this.seqs), (err, ack) => {
        this.syncing = null;
        const synced = !err && ack && ack.ok;
        if (synced) {
          this.syncAttempts = 0;
          setServerNow(ack.now || ack.snapshot?.now);
          this.seqs = new Map(Object.entries(this.options.onSync(ack)).map(([k, v]) => [Number(k), v]));
          this.early.clear();
          this.gapTimers.forEach((timer) => clearTimeout(timer));
          this.gapTimers.clear();
        } else if (!settles(ack) && this.socket.connected) {
          this.syncAttempts += 1;
          this.syncTimer = setTimeout(() => this.sync(), retryDelay(this.syncAttempts, ack));
        }
        const held = this.held;
        this.held = [];
        held.forEach((batch) => this.#receive(batch));
        resolve(ack);
        // Acks are applied to a synced page: the outbox goes once the first sync is in.
        if (synced) this.#flush();
      });
    });
    return this.syncing;
  }

  #connected() {
    // A new connection has a full rate-limit bucket: no need to wait out the old back-off.
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.attempts = 0;
    this.#status();
    this.sync();
  }

  #receive(batch) {
    if (batch.now) setServerNow(batch.now);
    if (this.syncing) {
      this.held.push(batch);
      return;
    }
    const roomId = batch.room_id;
    if (!this.seqs.has(roomId)) return; // a room this page does not follow (any more)
    if (!this.early.has(roomId)) this.early.set(roomId, new Map());
    const early = this.early.get(roomId);
    for (const event of batch.events) {
      if (event.seq > this.seqs.get(roomId)) early.set(event.seq, event);
    }
    // Apply what is next in line; with several server processes, batches can cross.
    let next = this.seqs.get(roomId) + 1;
    while (early.has(next)) {
      const event = early.get(next);
      early.delete(next);
      this.seqs.set(roomId, next);
      this.options.onEvent(event);
      next += 1;
    }
    for (const seq of early.keys()) if (seq < next) early.delete(seq);
    if (!early.size) {
      clearTimeout(this.gapTimers.get(roomId));
      this.gapTimers.delete(roomId);
    } else if (!this.gapTimers.has(roomId)) {
      // A gap: wait a moment for the missing batch, then ask the server for it. The wait
      // runs from when the gap opened: later batches must not put the sync off for ever.
      this.gapTimers.set(
        roomId,
        setTimeout(() => {
          this.gapTimers.delete(roomId);
          this.sync();
        }, GAP_WAIT_MS),
      );
    }
  }

  async #flush() {
    if (this.flushing || this.retryTimer) return;
    this.flushing = true;
    let wait = null;
    try {
      while (this.outbox.length && this.socket.connected) {
        const action = this.outbox[0];
        let ack = null;
        try {
          ack = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck(action.event, action.payload);
        } catch {
          // No answer in time, or the connection went: it stays first in line.
        }
        if (!settles(ack)) {
          this.attempts += 1;
          wait = retryDelay(this.attempts, ack);
          break;
        }
        this.attempts = 0;
        this.outbox.shift();
        this.#save();
        this.options.onResult(action, ack);
        this.#status();
      }
    } finally {
      this.flushing = false;
      // Without a connection the next "connect" sends the outbox; with one, try again later.
      if (wait !== null && this.outbox.length && this.socket.connected) {
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.#flush();
        }, wait);
      }
    }
  }

  #status(state, error) {
    const current = state || (this.socket.connected ? "online" : "offline");
    this.options.onStatus({ state: current, pending: this.outbox.length, error });
  }

  #load() {
    try {
      return JSON.parse(localStorage.getItem(this.options.storageKey)) || [];
    } catch {
      return [];
    }
  }

  #save() {
    try {
      localStorage.setItem(this.options.storageKey, JSON.stringify(this.outbox));
    } catch {
      // Storage full or blocked (private mode): the outbox still lives in memory.
    }
  }
}
