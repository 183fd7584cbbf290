// The outcome page (/w/<code>/outcome): the server drew it; this keeps it current.
import { t } from "./i18n.js";
import { followOutcome, renderOutcome } from "./outcome.js";

const body = document.body;
const status = document.getElementById("outcome-status");
status.textContent = t("outcome_live");
followOutcome(
  body.dataset.code,
  (outcome) => {
    document.getElementById("outcome").replaceChildren(renderOutcome(outcome, { level: 1 }));
    status.textContent = t("outcome_updated");
  },
  { etag: body.dataset.etag, pollMs: Number(body.dataset.pollSeconds) * 1000 },
);
