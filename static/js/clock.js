// The server's clock, as seen from here: timers count down to the same moment on every phone,
// whatever the phone's own clock says.
let offsetMs = 0; // server time minus this device's time

/** Learn the server's time from a message that carries it (an ISO string). */
export function setServerNow(iso) {
  const server = Date.parse(iso);
  if (!Number.isNaN(server)) offsetMs = server - Date.now();
}

/** Whole seconds left until `endsAt` (an ISO string) on the server's clock; never negative. */
export function secondsLeft(endsAt) {
  return Math.max(0, Math.ceil((Date.parse(endsAt) - (Date.now() + offsetMs)) / 1000));
}

/** Whole seconds since `at` (an ISO string) on the server's clock; never negative. */
export function secondsSince(at) {
  return Math.max(0, Math.floor((Date.now() + offsetMs - Date.parse(at)) / 1000));
}

/** "4:05", "0:09", "1:02:00". */
export function formatDuration(seconds) {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
