// The board's undo history.
//
// Each clustering action on the board records how to take it back as ordinary commands (move the
// cards back to where they were, delete a cluster it made, rename or re-tag it back, unmerge). A
// step waits for its commands' answers (the console's command() resolves with the ack's result,
// so a step can use what the server made, such as a new cluster's id). A cluster that an undo has
// to make again gets a new id; `alias` maps the old id to the new one so older steps in the
// history still find it.

export const HISTORY_SIZE = 50;

export class History {
  constructor(size = HISTORY_SIZE) {
    this.size = size;
    this.steps = []; // {label, undo: async () => void}
    this.aliases = new Map(); // cluster id -> the id of the cluster an undo made in its place
    this.queue = Promise.resolve();
  }

  // Record a step as soon as it is sent; `sent` is its command's promise: a refused command
  // leaves nothing to undo.
  record(label, undo, sent) {
    const step = { label, undo };
    this.steps.push(step);
    if (this.steps.length > this.size) this.steps.shift();
    if (sent) sent.catch(() => this.forget(step));
    return step;
  }

  forget(step) {
    this.steps = this.steps.filter((s) => s !== step);
  }

  get last() {
    return this.steps[this.steps.length - 1] || null;
  }

  // Undo the latest step; steps run one after another, each waiting for its commands' answers.
  undoLast() {
    const step = this.steps.pop();
    if (!step) return null;
    this.queue = this.queue.then(() => step.undo()).catch(() => { /* the console shows the error */ });
    return step;
  }

  cluster(id) {
    let current = id;
    while (current !== null && this.aliases.has(current)) current = this.aliases.get(current);
    return current;
  }
}

// Group cards by the cluster they were in (id -> previous cluster id or null).
export function byPrevious(previous) {
  const groups = new Map();
  for (const [cardId, clusterId] of previous) {
    if (!groups.has(clusterId)) groups.set(clusterId, []);
    groups.get(clusterId).push(cardId);
  }
  return groups;
}
