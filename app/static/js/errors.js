// What a refused command means, in the interface's language. The server's `message` is English
// and for developers; codes whose meaning is always the same get a translated sentence here, the
// rest fall back to the server's message (see docs/protocol.md, "Error codes").
import { t } from "./i18n.js";

const BY_CODE = {
  open_items: () => t("A vote or round is still open: close it or cancel it first."),
  nothing_to_vote: () => t("There is nothing to vote on yet: make clusters or collect cards first."),
  not_driver: () => t("Another facilitator is leading this workshop. Take over first."),
  vote_open: () => t("That is not possible while the dot vote is open."),
  round_open: () => t("Close the agreement round first."),
  late_for_round: () => t("This round had started before your group came in. You rate in the next round."),
  already_rated: () => t("You already gave your view in the room. Thank you!"),
  window_closed: () => t("The window to weigh in has closed."),
  no_round: () => t("Hold an agreement round first; the window opens its proposals again."),
  window_exists: () => t("This round already had its window."),
  rate_limited: () => t("Too many actions at once. Wait a moment and try again."),
  internal: () => t("Something went wrong on the server. Nothing was changed; try again."),
  already_saved: () => t("This workshop's starting point is already saved. A workshop saves once; to make another starting point current, go to the trajectory page."),
  representation_unconfirmed: () => t("Not every expected group is at the table (or as many as hoped): tick “adopt anyway” first."),
  not_adopted: () => t("Adopt a why and a mission first, then save the starting point."),
};

export function errorText(error) {
  const known = BY_CODE[error.code];
  return known ? known() : error.message;
}
