// Drives app/static/js/socket.js's Room against a server that is never there: every socket
// closes at once (1006), as while both server processes restart. stdout: the waits it chose
// before each reconnect, and the waits before resending after "internal" / "rate_limited".
const waits = [];
globalThis.window = { addEventListener() {} };
globalThis.location = { protocol: "http:", host: "atelier.test" };
Object.defineProperty(globalThis, "navigator", { value: { onLine: true }, configurable: true });
globalThis.localStorage = { getItem: () => null, setItem() {}, removeItem() {} };
class Unreachable {
  static OPEN = 1;
  constructor() {
    this.readyState = 0;
    this.listeners = {};
    queueMicrotask(() => this.listeners.close?.({ code: 1006 }));
  }
  addEventListener(type, listener) { this.listeners[type] = listener; }
  send() {}
  close() {}
}
globalThis.WebSocket = Unreachable;
const later = setTimeout;
globalThis.setTimeout = (run, ms) => { waits.push(ms); later(run, 0); return 0; };
globalThis.clearTimeout = () => {};
const { Room, RECONNECT_MAX, RESEND_MAX, resendDelay } = await import("../../app/static/js/socket.js");
new Room({ workshopId: 1 }).connect();
const attempts = Number(process.argv[2] || 40);
while (waits.length < attempts) await new Promise((done) => later(done, 1));
const resends = Array.from({ length: 20 }, (_, tries) => resendDelay(tries));
process.stdout.write(JSON.stringify({ reconnects: waits.slice(0, attempts), max: RECONNECT_MAX, resends, resendMax: RESEND_MAX }));
process.exit(0);
