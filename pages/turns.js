// Taking turns with the agent: one response at a time, and no message of the user's lost.
//
// A realtime upstream refuses a response.create sent while a response is active
// (conversation_already_has_active_response, OpenAI's and the embedded engine's), and the message
// it was sent for then never gets an answer. So every response this page asks for goes through
// here. A typed message arriving while the agent answers interrupts the answer, as OpenAI's own
// clients do (response.cancel, output_audio_buffer.clear, then its response.done), and is sent
// once it has ended; in "queue" mode it just waits for that end. The answer to tool outputs
// always waits. Never two response.create in flight; one refused all the same (the server
// started a response of its own, for speech, as it crossed) is asked again once that one ends.

export const TYPING_MODES = Object.freeze(["interrupt", "queue"]);
const ACTIVE_RESPONSE = "conversation_already_has_active_response";
// A refused create with no response known to be active is asked again after this long.
const RETRY_MS = 250;

export class Turns {
  /** `send(event)` puts an event on the channel (false when it could not); `mode` is one of
   * TYPING_MODES. */
  constructor(send, mode = "interrupt") {
    this.send = send;
    this.mode = TYPING_MODES.includes(mode) ? mode : "interrupt";
    this.prefix = `turn_${Date.now().toString(36)}_`;
    this.count = 0;
    this.retryTimer = null;
    this.reset();
  }

  /** Forgets everything: the connection it was about is gone. */
  reset() {
    clearTimeout(this.retryTimer);
    this.active = null; // the response in progress
    this.cancelling = null; // the response a response.cancel went out for
    this.asked = null; // a response.create sent, its response.created not yet seen
    this.lastCreate = null; // the last response.create sent, asked again if it is refused
    this.waiting = []; // requests not sent yet, oldest first
  }

  /** A user's message (text): sent now, or once the answer under way has ended. */
  message(text) {
    this.waiting.push({ kind: "message", text, itemSent: false });
    if (this.mode === "interrupt") this.interrupt();
    this.pump();
  }

  /** Tool outputs are in the conversation: ask for an answer to them when nothing is active. */
  answerOutputs() {
    this.waiting.push({ kind: "outputs" });
    this.pump();
  }

  /** Follows the responses from the server's events. */
  onServerEvent(event) {
    if (event.type === "response.created") this.created(event.response?.id ?? "");
    else if (event.type === "response.done") this.ended(event.response?.id ?? "");
    else if (event.type === "error") this.refused(event.error ?? {});
  }

  interrupt() {
    const id = this.active;
    if (id === null || this.cancelling === id) return;
    this.cancelling = id;
    this.send({ type: "response.cancel", response_id: id });
    this.send({ type: "output_audio_buffer.clear" });
  }

  created(id) {
    // A response the server started by itself (for speech) sees every item before it, tool
    // outputs waiting for an answer included; one this page asked for saw those sent before
    // its create (pump), and outputs that came after still need an answer.
    if (this.asked === null) this.dropOutputs();
    this.active = id;
    this.asked = null;
    // A message typed after this response was asked for interrupts it as it starts.
    if (this.mode === "interrupt" && this.waiting.some((r) => r.kind === "message")) {
      this.interrupt();
    }
  }

  ended(id) {
    if (this.active === id) this.active = null;
    if (this.cancelling === id) this.cancelling = null;
    this.pump();
  }

  refused(error) {
    const asked = this.lastCreate;
    if (error.code !== ACTIVE_RESPONSE || asked === null) return;
    const ours = error.event_id ? error.event_id === asked.eventId : this.asked === asked;
    if (!ours) return;
    this.lastCreate = null;
    if (this.asked === asked) this.asked = null;
    this.waiting.unshift(asked.request);
    if (this.active === null) {
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => this.pump(), RETRY_MS);
    }
  }

  dropOutputs() {
    this.waiting = this.waiting.filter((request) => request.kind !== "outputs");
  }

  /** Sends the oldest waiting request when no response is active or asked for. */
  pump() {
    if (this.active !== null || this.asked !== null || this.waiting.length === 0) return;
    const request = this.waiting.shift();
    if (request.kind === "message" && !request.itemSent) {
      if (!this.send(userMessage(request.text))) return;
      request.itemSent = true;
    }
    // The response asked for now answers every output already in the conversation too.
    this.dropOutputs();
    const eventId = `${this.prefix}${++this.count}`;
    if (!this.send({ type: "response.create", event_id: eventId })) return;
    this.asked = this.lastCreate = { eventId, request };
  }
}

function userMessage(text) {
  return {
    type: "conversation.item.create",
    item: { type: "message", role: "user", content: [{ type: "input_text", text }] },
  };
}
