// The room state reducer: applies one event to the state, in place.
// Mirrors app/realtime/state.py (apply_event); tests hold the two to each other.

export function applyEvent(state, event) {
  const w = state.workshop;
  switch (event.type) {
    case "phase.changed": w.phase_index = event.phase_index; w.phase = event.phase; break;
    case "timer.changed": w.timer_ends_at = event.ends_at; break;
    case "spotlight.changed": w.spotlight_card_id = event.card_id; break;
    case "workshop.configured": state.workshop = event.workshop; break;
    case "participant.joined": state.participants[event.participant.id] = event.participant; break;
    case "participant.left": state.participants[event.participant_id].left = true; break;
    case "participant.admitted": state.participants[event.participant_id].waiting = false; break;
    case "card.posted":
    case "card.updated": state.cards[event.card.id] = event.card; break;
    case "card.withdrawn": delete state.cards[event.card_id]; break;
    case "cluster.created":
    case "cluster.updated": state.clusters[event.cluster.id] = event.cluster; break;
    case "cluster.deleted": delete state.clusters[event.cluster_id]; break;
    case "vote.opened":
    case "vote.closed": state.votes[event.vote.id] = event.vote; break;
    case "vote.cancelled": delete state.votes[event.vote_id]; delete state.my_dots[event.vote_id]; break;
    case "round.cancelled":
      delete state.rounds[event.round_id];
      for (const key of Object.keys(state.my_ratings)) {
        if (key.startsWith(`${event.round_id}:`)) delete state.my_ratings[key];
      }
      break;
    case "suggestion.made":
    case "suggestion.decided": state.suggestions[event.suggestion.id] = event.suggestion; break;
    case "screen.changed": w.screen = event.screen; break;
    case "console.driver": state.driver_id = event.driver_id; break;
    case "my_dots.changed":
      if (event.dots.length) state.my_dots[event.vote_id] = event.dots;
      else delete state.my_dots[event.vote_id];
      break;
    case "proposal.created":
    case "proposal.updated": state.proposals[event.proposal.id] = event.proposal; break;
    case "round.opened":
    case "round.updated": state.rounds[event.round.id] = event.round; break;
    case "window.opened":
    case "window.closed": state.rounds[event.round.id] = event.round; break;
    case "my_rating.given": {
      const r = event.rating;
      state.my_ratings[`${r.round_id}:${r.proposal_id}`] = r;
      break;
    }
    case "redraft.opened":
    case "redraft.updated": state.redrafts[event.redraft.id] = event.redraft; break;
    case "redraft.cancelled":
      delete state.redrafts[event.redraft_id];
      delete state.my_rankings[event.redraft_id];
      break;
    case "my_ranking.given": state.my_rankings[event.ranking.redraft_id] = event.ranking.order; break;
    case "checkout.opened": state.check_out = { open: true, figures: null }; break;
    case "checkout.closed": state.check_out = { open: false, figures: event.figures }; break;
    case "my_checkout.given": state.my_check_out = event.score; break;
    case "vertrekpunt.saved":
      state.vertrekpunt_id = event.vertrekpunt_id;
      state.vertrekpunt_current = event.current;
      break;
    default: throw new Error(`unknown event type ${event.type}`);
  }
  return state;
}

// Small derived views the screens share.
export const byId = (obj) => Object.values(obj).sort((a, b) => a.id - b.id);

export function openVote(state) {
  return byId(state.votes).find((v) => v.is_open) || null;
}

export function lastClosedVote(state) {
  return byId(state.votes).filter((v) => !v.is_open).pop() || null;
}

// The room's rounds: an after-window (after_round_id) is shown by participant_window.js and
// console_window.js, not as a round of the room.
export function openRound(state, kind) {
  return byId(state.rounds).find((r) => r.is_open && r.kind === kind && !r.after_round_id) || null;
}

export function latestRound(state, kind) {
  return byId(state.rounds).filter((r) => r.kind === kind && !r.after_round_id).pop() || null;
}

// The redraft of a kind that is being written or ranked, else the newest closed one.
export function currentRedraft(state, kind) {
  const mine = byId(state.redrafts || {}).filter((r) => r.kind === kind);
  return mine.find((r) => r.stage !== "closed") || mine.pop() || null;
}

export function visibleCards(state, kind) {
  return byId(state.cards).filter((c) => c.kind === kind && !c.hidden && c.merged_into_id === null);
}
