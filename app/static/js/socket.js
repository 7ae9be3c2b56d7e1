// The one module that owns the room socket. Page scripts register handlers with on() and send
// commands with send(); they never touch the WebSocket.
//
// - Resumes from the last seq it has (kept with the state in localStorage, so a reload or a
//   phone that slept resumes with a replay instead of a full snapshot), and the epoch of the log
//   that seq belongs to: after a restore the server sees another epoch and sends a snapshot.
// - Commands get a client id and wait in an outbox in localStorage until acknowledged; after a
//   reconnect they are sent again and the server applies each exactly once. send() returns a
//   promise of the answer: it resolves with the ack (its `result` says what the command made) and
//   rejects with the refusal (the error message: code, message, cid). "rate_limited" and
//   "internal" (the server failed, e.g. a database blip: nothing was applied) are no answer: the
//   command waits and goes again with the same cid, after a capped back-off. A command still in
//   the outbox from before a reload has no promise; its answer is only emitted, as every answer
//   is ("ack", "error").
// - Reconnects with exponential back-off and jitter, capped at RECONNECT_MAX so a phone is back
//   within a few seconds of a server being ready again; an application ping finds dead links.
// - Each event carries the seq of the message this socket got before it (prev): a client that
//   lacks it has lost something and resumes, so a complete stream is told from a lossy one.

import { applyEvent } from "./state.js";

const PING_EVERY = 25_000;
// Errors that mean "try again later", not "no": the command stays in the outbox and goes again
// with the same cid (the server applies a cid once, and "internal" applied nothing).
const RETRY = new Set(["rate_limited", "internal"]);
const PONG_WITHIN = 10_000;
// The longest wait before reconnecting (before jitter: 50-100 % of it). Restarting servers one
// after the other takes each away for seconds; a back-off grown to 30 s would keep phones out
// long after. The server's handshake limit (4029) and the jitter spread a room's reconnects.
export const RECONNECT_MAX = 5_000;
// Resending after "rate_limited" or "internal": 2 s doubling per try, at most this (plus jitter).
export const RESEND_MAX = 15_000;
// The back-off step a "too many sockets opening here" close (4029) starts from: the cap.
const BUSY_ATTEMPT = 4;

// The wait before reconnect attempt `attempt` (0, 1, …): exponential, capped, with jitter.
export function reconnectDelay(attempt) {
  return Math.min(RECONNECT_MAX, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

// The wait before resending the outbox after its `tries`-th "try again later" in a row.
export function resendDelay(tries) {
  return Math.min(RESEND_MAX, 2_000 * 2 ** tries) * (0.5 + Math.random() / 2);
}

function randomId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes); // works on plain http too, unlike crypto.randomUUID
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class Room {
  constructor({ workshopId, token = null, storageKey = null, initial = null }) {
    this.workshopId = workshopId;
    this.token = token;
    this.key = `atelier:${workshopId}:${storageKey || "room"}`;
    this.handlers = new Map();
    this.state = null;
    this.lastSeq = null;
    this.epoch = null; // the log's epoch this state belongs to (from the snapshot)
    this.resendTries = 0;
    this.role = null;
    this.participantId = null;
    this.status = "connecting";
    this.attempt = 0;
    this.ws = null;
    this.stopped = false;
    this.outbox = this._load("outbox") || [];
    this.waiting = new Map(); // cid -> {resolve, reject}: the promises send() gave on this page
    const saved = this._load("state");
    if (saved && saved.state) {
      this.state = saved.state;
      this.lastSeq = saved.seq;
      this.epoch = saved.epoch ?? null;
      this.savedWho = saved.who;
      this.participantId = saved.who ?? null;
    }
    // The page may carry the room as the server rendered it: draw at once, catch up by replay.
    if (initial && (this.lastSeq === null || initial.seq > this.lastSeq || (saved && saved.who !== initial.participant_id))) {
      this.state = initial.state;
      this.lastSeq = initial.seq;
      this.epoch = initial.epoch ?? null;
      this.participantId = initial.participant_id;
      this.savedWho = initial.participant_id;
    }
    window.addEventListener("online", () => this._reconnectNow());
    window.addEventListener("offline", () => this._setStatus("offline"));
  }

  on(type, handler) {
    if (!this.handlers.has(type)) this.handlers.set(type, []);
    this.handlers.get(type).push(handler);
    return this;
  }

  _emit(type, payload) {
    for (const handler of this.handlers.get(type) || []) handler(payload, this);
  }

  connect() {
    if (this.ws === null && this.state && this.attempt === 0) {
      queueMicrotask(() => this._emit("state", this.state)); // draw what we have while connecting
    }
    this.stopped = false;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}/ws/workshops/${this.workshopId}`);
    this.ws = ws;
    this._setStatus(this.attempt === 0 ? "connecting" : "reconnecting");
    // Events of a socket that has since been replaced are ignored.
    ws.addEventListener("open", () => {
      if (ws !== this.ws) return;
      this._setStatus("catching-up");
      ws.send(JSON.stringify({ type: "hello", token: this.token, last_seq: this.lastSeq, epoch: this.epoch }));
    });
    ws.addEventListener("message", (e) => { if (ws === this.ws) this._receive(JSON.parse(e.data)); });
    ws.addEventListener("close", (e) => { if (ws === this.ws) this._closed(e.code); });
    return this;
  }

  // Queue a command; it stays in the outbox until its ack or refusal. Returns the promise of that
  // answer. Leaving it unawaited is fine: a refusal is also emitted as "error".
  send(type, fields = {}) {
    const cid = randomId();
    const message = { type, cid, ...fields };
    const answer = new Promise((resolve, reject) => this.waiting.set(cid, { resolve, reject }));
    answer.catch(() => { /* see above */ });
    this.outbox.push(message);
    this._save("outbox", this.outbox);
    this._emit("outbox", this.outbox);
    if (this.status === "connected") this._transmit(message);
    return answer;
  }

  // Whether a promise from send() on this page waits for this cid's answer (while "ack" and
  // "error" are emitted, before it settles): an answer without one came for a command sent
  // before a reload.
  awaits(cid) {
    return Boolean(cid) && this.waiting.has(cid);
  }

  pending() {
    return this.outbox.slice();
  }

  _transmit(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  _receive(message) {
    switch (message.type) {
      case "welcome":
        this.role = message.role;
        this.participantId = message.participant_id;
        if (this.savedWho !== undefined && this.savedWho !== message.participant_id) {
          // Same device, another identity (joined again): start from a fresh snapshot.
          this.savedWho = message.participant_id;
          this.lastSeq = null;
          this.epoch = null;
          this.state = null;
          this.outbox = [];
          this._save("outbox", this.outbox);
          for (const [cid, waiting] of this.waiting) {
            waiting.reject({ type: "error", code: "dropped", message: "Not sent: this device joined the workshop again as someone else.", cid });
          }
          this.waiting.clear();
          this.ws.close();
        }
        break;
      case "snapshot":
        this.state = message.state;
        this.lastSeq = message.seq;
        this.epoch = message.epoch;
        this._emit("snapshot", message);
        this._emit("state", this.state);
        break;
      case "event":
        if (this.lastSeq !== null && message.seq <= this.lastSeq) return; // already have it
        if (this.lastSeq !== null && message.prev > this.lastSeq) {
          // Something between our last seq and this event is missing: resume from where we are.
          this.ws.close();
          return;
        }
        applyEvent(this.state, message.event);
        this.lastSeq = message.seq;
        this._emit("event", message.event);
        this._emit(`event:${message.event.type}`, message.event);
        if (this.status === "connected") this._emit("state", this.state);
        break;
      case "synced":
        this.lastSeq = Math.max(this.lastSeq || 0, message.seq);
        this.attempt = 0;
        this._setStatus("connected");
        this._emit("state", this.state);
        for (const queued of this.outbox) this._transmit(queued);
        this._ping();
        break;
      case "error":
        if (message.cid && RETRY.has(message.code) && this.outbox.some((m) => m.cid === message.cid)) {
          // Not refused, only not now: keep it and send it again (same cid: applied once). Each
          // "not now" in a row waits longer, up to RESEND_MAX; an ack starts again from 2 s.
          clearTimeout(this.retryCommands);
          this.retryCommands = setTimeout(() => { for (const queued of this.outbox) this._transmit(queued); }, resendDelay(this.resendTries));
          this.resendTries += 1;
          this._emit("retrying", message);
          break;
        }
        if (message.cid) this._settle(message.cid);
        this._emit(message.type, message);
        this._answer(message.cid, (waiting) => waiting.reject(message));
        break;
      case "ack":
        this.resendTries = 0;
        if (message.cid) this._settle(message.cid);
        this._emit(message.type, message);
        this._answer(message.cid, (waiting) => waiting.resolve(message));
        break;
      case "pong":
        clearTimeout(this.pongTimer);
        break;
      default:
        this._emit(message.type, message); // presence, tally
    }
    if (message.type === "event" || message.type === "snapshot" || message.type === "synced") {
      this._save("state", { seq: this.lastSeq, epoch: this.epoch, state: this.state, who: this.participantId });
    }
  }

  _settle(cid) {
    const before = this.outbox.length;
    this.outbox = this.outbox.filter((m) => m.cid !== cid);
    if (this.outbox.length !== before) {
      this._save("outbox", this.outbox);
      this._emit("outbox", this.outbox);
    }
  }

  _answer(cid, settle) {
    const waiting = cid && this.waiting.get(cid);
    if (!waiting) return;
    this.waiting.delete(cid);
    settle(waiting);
  }

  _ping() {
    clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
      this.ws.send(JSON.stringify({ type: "ping" }));
      this.pongTimer = setTimeout(() => this.ws && this.ws.close(), PONG_WITHIN);
      this._ping();
    }, PING_EVERY);
  }

  _closed(code) {
    clearTimeout(this.pingTimer);
    clearTimeout(this.pongTimer);
    // Final closes: no access (4001), link renewed (4003), workshop deleted (4004), opened again
    // in another window (4009), left (4010) or removed (4011). Reconnecting would not help.
    const final = { 4001: "unauthorised", 4003: "unauthorised", 4004: "unauthorised", 4009: "replaced", 4010: "left", 4011: "removed", 4012: "wrong-address" };
    // Opened under an address the socket does not accept (4012): the server's /address page
    // says which to open, instead of "Reconnecting…" for ever. The fragment (a screen's token)
    // stays behind: the page links the pairing page instead.
    if (code === 4012) location.replace(`/address?next=${encodeURIComponent(location.pathname + location.search)}`);
    if (final[code]) { this._setStatus(final[code]); this.stopped = true; return; }
    if (this.stopped) return;
    // Too many sockets from this network are opening at once (4029): not final, the crowd
    // passes; wait the longest step (2.5-5 s) instead of the first retries' half second.
    if (code === 4029) this.attempt = Math.max(this.attempt, BUSY_ATTEMPT);
    this._setStatus(navigator.onLine === false ? "offline" : "reconnecting");
    const delay = reconnectDelay(this.attempt);
    this.attempt = Math.min(this.attempt + 1, 16); // past the cap more steps change nothing
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  // Back online: a socket that survived the outage cannot be trusted, so start afresh.
  _reconnectNow() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    const old = this.ws;
    this.ws = null;
    if (old && old.readyState <= WebSocket.OPEN) old.close();
    this.connect();
  }

  _setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this._emit("status", status);
  }

  forget() {
    localStorage.removeItem(`${this.key}:state`);
    localStorage.removeItem(`${this.key}:outbox`);
  }

  _save(name, value) {
    try { localStorage.setItem(`${this.key}:${name}`, JSON.stringify(value)); } catch { /* full or private mode */ }
  }

  _load(name) {
    try { return JSON.parse(localStorage.getItem(`${this.key}:${name}`)); } catch { return null; }
  }
}
