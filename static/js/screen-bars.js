// Results as bars for the projector, one drawing per voting mode (the Tally shapes of
// docs/protocol.md, "Tallies"): dots as a bar of dots, agree / disagree / pass as one
// stacked bar with its consensus, scores as a bar per criterion. The bars are drawn for
// the eye (aria-hidden); the same figures are always written next to them in words.
// Call it only for shown results: a hidden room gets no bar at all.
import { t } from "./i18n.js";
import { element } from "./dom.js";

const decimal = new Intl.NumberFormat(document.documentElement.lang || undefined, {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const percent = (share) => Math.round(share * 100);

/** A bar (an empty track with one or more filled parts); parts are [className, share 0…1]. */
function bar(className, parts) {
  const track = element("span", `bar ${className}`);
  track.setAttribute("aria-hidden", "true");
  parts.forEach(([part, share]) => {
    const fill = element("span", `bar-part ${part}`);
    // CSSOM, not a style attribute: the Content-Security-Policy allows this one.
    fill.style.setProperty("--share", String(Math.max(0, Math.min(1, share))));
    track.append(fill);
  });
  return track;
}

/** The greatest dot count among these ideas (the bar that fills its track), at least 1. */
export function dotsScale(ideas) {
  return Math.max(1, ...ideas.map((idea) => idea.tally?.dots ?? 0));
}

/**
 * The bars for one idea's tally in the workshop's voting mode. `scale` is the dot count a
 * full bar stands for (dotsScale of the ideas shown together), so bars compare in a card.
 */
export function resultBars(workshop, tally, scale = 1) {
  const box = element("div", `bars bars-${workshop.voting_mode}`);
  if (workshop.voting_mode === "agree") {
    const n = tally.agree + tally.disagree + tally.pass;
    const share = (count) => (n ? count / n : 0);
    box.append(
      bar("bar-stack", [
        ["bar-agree", share(tally.agree)],
        ["bar-pass", share(tally.pass)],
        ["bar-disagree", share(tally.disagree)],
      ]),
      element("span", "bar-words", `${t("agree_total", tally)} · ${t("consensus", { percent: percent(tally.consensus) })}`),
    );
    return box;
  }
  if (workshop.voting_mode === "scores") {
    workshop.criteria.forEach((criterion, i) => {
      const mean = tally.criteria[i]?.mean ?? null;
      const row = element("div", "bar-criterion");
      row.append(
        element("span", "bar-label", criterion),
        bar("bar-score", [["bar-fill", (mean ?? 0) / 5]]),
        element("span", "bar-value", mean === null ? "–" : decimal.format(mean)),
      );
      box.append(row);
    });
    const overall = tally.mean === null ? t("score_none") : t("score_total", { mean: decimal.format(tally.mean) });
    box.append(element("span", "bar-words", `${overall} · ${t("scored_by", { n: tally.voters })}`));
    return box;
  }
  box.append(bar("bar-dots", [["bar-fill", tally.dots / scale]]), element("span", "bar-value", t("dots_total", { n: tally.dots })));
  return box;
}
