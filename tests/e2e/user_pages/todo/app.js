// A to-do list that talks to OpenAI's Realtime API the documented way: an ephemeral key from
// its own backend, then the SDP offer straight to api.openai.com with that key. GA events on
// "oai-events"; tools run when their output item is done; each output followed by
// response.create so the agent says what happened.
const REALTIME_URL = "https://api.openai.com/v1/realtime/calls";

const list = document.querySelector("[data-testid=todo-list]");
const status = document.querySelector("[data-testid=status]");

const tools = {
  addTodo: {
    description: "Add an item to the to-do list",
    parameters: { type: "object", properties: { text: { type: "string", description: "What to do" } },
      required: ["text"] },
    run({ text }) {
      const item = document.createElement("li");
      item.dataset.testid = "todo-item";
      item.textContent = text;
      list.append(item);
      return { added: text, count: list.children.length };
    },
  },
  setFilter: {
    description: "Show all, active or completed items",
    parameters: { type: "object", properties: { filter: { type: "string", enum: ["all", "active", "completed"] } },
      required: ["filter"] },
    run({ filter }) {
      document.querySelector("[data-testid=filter]").textContent = filter;
      for (const item of list.children) {
        const done = item.classList.contains("done");
        item.hidden = (filter === "active" && done) || (filter === "completed" && !done);
      }
      return { filter };
    },
  },
  setTheme: {
    description: "Switch the page between the light and the dark theme",
    parameters: { type: "object", properties: { theme: { type: "string", enum: ["light", "dark"] } },
      required: ["theme"] },
    run({ theme }) {
      document.body.classList.toggle("dark", theme === "dark");
      return { theme };
    },
  },
  syncTodos: {
    description: "Synchronise the list with the server",
    parameters: { type: "object", properties: {} },
    run() { return { synced: true }; },
  },
};

async function connect() {
  const session = await (await fetch("/session", { method: "POST" })).json();
  const pc = new RTCPeerConnection();
  const player = new Audio();
  player.autoplay = true;
  pc.ontrack = (event) => { player.srcObject = event.streams[0]; };
  const mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  pc.addTransceiver(mic.getAudioTracks()[0], { direction: "sendrecv" });
  const channel = pc.createDataChannel("oai-events");
  channel.onopen = () => {
    status.textContent = "connected";
    channel.send(JSON.stringify({ type: "session.update", session: {
      type: "realtime",
      instructions: "You manage the user's to-do list.",
      tools: Object.entries(tools).map(([name, tool]) => ({ type: "function", name,
        description: tool.description, parameters: tool.parameters })),
    } }));
  };
  channel.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type !== "response.output_item.done" || message.item.type !== "function_call") return;
    const { name, call_id: callId, arguments: args } = message.item;
    const output = tools[name] ? tools[name].run(JSON.parse(args)) : { error: `no tool ${name}` };
    channel.send(JSON.stringify({ type: "conversation.item.create",
      item: { type: "function_call_output", call_id: callId, output: JSON.stringify(output) } }));
    channel.send(JSON.stringify({ type: "response.create" }));
  };
  await pc.setLocalDescription(await pc.createOffer());
  const answer = await fetch(REALTIME_URL, {
    method: "POST",
    body: pc.localDescription.sdp,
    headers: { Authorization: `Bearer ${session.value}`, "Content-Type": "application/sdp" },
  });
  if (!answer.ok) throw new Error(`realtime answered ${answer.status}`);
  await pc.setRemoteDescription({ type: "answer", sdp: await answer.text() });
}

connect().catch((err) => { status.textContent = `error: ${err.message}`; });
