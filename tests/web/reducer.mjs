// Applies events to a state with the browser's reducer (app/static/js/state.js).
// stdin: {"state": {...}, "events": [{...}, ...]}; stdout: the resulting state.
import { readFileSync } from "node:fs";
import { applyEvent } from "../../app/static/js/state.js";

const input = JSON.parse(readFileSync(0, "utf8"));
for (const event of input.events) applyEvent(input.state, event);
process.stdout.write(JSON.stringify(input.state));
