// What other people change in the room, said to screen readers once a burst has settled:
// fifty votes arriving in three seconds are one sentence ("Votes changed on 12 ideas."),
// not fifty. The list of ideas itself is not a live region (room.html), so a tally that
// changes is never read out by itself.
//
// A burst is over when nothing new has come for SETTLE_MS; two sentences are at least
// GAP_MS apart, so a steady trickle is summed up every few seconds instead. This person's
// own votes and ideas are not news: their own messages confirm them (the dots left, the
// idea in the list).
import { t } from "./i18n.js";
import { announcer } from "./dom.js";

const SETTLE_MS = 1800;
const GAP_MS = 5000;
/** An own vote's event is expected for this long (a resend after a reconnect may be later:
 * then it is said like anyone's, which is harmless). */
const OWN_VOTE_MS = 15000;

/** The room's news, said politely in the status line with this id. */
export function roomNews(regionId) {
  const say = announcer(regionId);
  const newIdeas = new Set();
  const voted = new Set();
  const ownVotes = new Map(); // idea id → {n: own votes whose event is still due, at: the last one's time}
  let timer = null;
  let saidAt = -Infinity;

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(flush, Math.max(SETTLE_MS, saidAt + GAP_MS - performance.now()));
  }

  function flush() {
    timer = null;
    const parts = [];
    if (newIdeas.size) parts.push(t("news_new_ideas", { n: newIdeas.size }));
    if (voted.size) parts.push(t("news_votes_changed", { n: voted.size }));
    newIdeas.clear();
    voted.clear();
    if (!parts.length) return;
    saidAt = performance.now();
    say(parts.join(" "));
  }

  return {
    /** Someone else posted an idea this page did not show yet. */
    idea(ideaId) {
      newIdeas.add(ideaId);
      schedule();
    },
    /** This person voted on an idea: the tally that comes back is theirs, not news. */
    ownVote(ideaId) {
      ownVotes.set(ideaId, { n: (ownVotes.get(ideaId)?.n || 0) + 1, at: performance.now() });
    },
    /** An idea's tally changed from `before` to `after` (null: results hidden, nothing to say). */
    votes(ideaId, before, after) {
      const own = ownVotes.get(ideaId);
      if (own) {
        if (own.n > 1) own.n -= 1;
        else ownVotes.delete(ideaId);
        if (performance.now() - own.at < OWN_VOTE_MS) return;
      }
      if (after === null || JSON.stringify(before) === JSON.stringify(after)) return;
      if (newIdeas.has(ideaId)) return; // "1 new idea" says enough
      voted.add(ideaId);
      schedule();
    },
    /** Forget what was not said yet (a new snapshot: the page is drawn afresh). */
    clear() {
      clearTimeout(timer);
      timer = null;
      newIdeas.clear();
      voted.clear();
    },
  };
}
