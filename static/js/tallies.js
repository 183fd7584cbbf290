// Tallies in the workshop's voting mode (cocreate/services/results.py makes them):
// how to say one in words, how ideas rank by them, and what counts as a role's support.
import { t } from "./i18n.js";

const decimal = new Intl.NumberFormat(document.documentElement.lang || undefined, {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const percent = (share) => Math.round(share * 100);

/** Say a tally in words; null means the results are hidden. */
export function describeTally(workshop, tally) {
  if (tally === null || tally === undefined) return t("hidden_total");
  if (workshop.voting_mode === "agree") {
    return [
      t("agree_total", tally),
      t("consensus", { percent: percent(tally.consensus) }),
      t("divisiveness", { percent: percent(tally.divisiveness) }),
    ].join(" · ");
  }
  if (workshop.voting_mode === "scores") {
    if (tally.mean === null) return t("score_none");
    const byCriterion = workshop.criteria.map((criterion, i) => {
      const mean = tally.criteria[i] ? tally.criteria[i].mean : null;
      return t("criterion_score", { criterion, mean: mean === null ? "–" : decimal.format(mean) });
    });
    return `${t("score_total", { mean: decimal.format(tally.mean) })} (${byCriterion.join(" · ")}) · ${t("scored_by", { n: tally.voters })}`;
  }
  return t("dots_total", { n: tally.dots });
}

/** The numbers ideas rank by, best first (docs/protocol.md, "Tallies"). */
function rankKey(workshop, tally) {
  if (!tally) return [0];
  if (workshop.voting_mode === "agree") return [tally.consensus, tally.agree];
  if (workshop.voting_mode === "scores") return [tally.mean ?? 0, tally.voters];
  return [tally.dots];
}

/** Compare two ideas by their tallies, best first; ties keep the oldest first. */
export function byTally(workshop) {
  return (a, b) => {
    const ka = rankKey(workshop, a.tally);
    const kb = rankKey(workshop, b.tally);
    for (let i = 0; i < ka.length; i += 1) if (kb[i] !== ka[i]) return kb[i] - ka[i];
    return a.id - b.id;
  };
}

/** Whether a role's tally counts as support: the rule of results.supports. */
export function supports(workshop, tally) {
  if (!tally) return false;
  if (workshop.voting_mode === "agree") return tally.agree > tally.disagree;
  if (workshop.voting_mode === "scores") return (tally.mean ?? 0) > 3;
  return tally.dots > 0;
}

/** A tally in few words, for one role's line on the console. */
export function shortTally(workshop, tally) {
  if (workshop.voting_mode === "agree") return t("agree_total", tally);
  if (workshop.voting_mode === "scores") {
    return tally.mean === null ? t("score_none") : t("score_total", { mean: decimal.format(tally.mean) });
  }
  return String(tally.dots);
}
