// A page written the way many early realtime demos were: its backend's address hard-coded,
// a channel named "response", a beta-shaped session.update, tools run on
// response.function_call_arguments.done, answered with function_call_output only.
const baseUrl = "http://127.0.0.1:5059";

const fns = {
  getPageHTML: () => ({ success: true, html: document.documentElement.outerHTML.slice(0, 4000) }),
  changeBackgroundColor: ({ color }) => {
    document.body.style.backgroundColor = color;
    return { success: true, color };
  },
  changeTextColor: ({ color }) => {
    document.body.style.color = color;
    return { success: true, color };
  },
  changeButtonStyle: ({ size, color }) => {
    const button = document.getElementById("toggle");
    if (size) button.style.fontSize = size;
    if (color) button.style.backgroundColor = color;
    return { success: true, size, color };
  },
  refreshStatus: () => ({ success: true }),
};

const tools = [
  { type: "function", name: "changeBackgroundColor", description: "Change the background color of the webpage",
    parameters: { type: "object", properties: { color: { type: "string", description: "Hexadecimal value of the color" } } } },
  { type: "function", name: "changeTextColor", description: "Change the text color of the webpage",
    parameters: { type: "object", properties: { color: { type: "string", description: "Hexadecimal value of the color" } } } },
  { type: "function", name: "changeButtonStyle", description: "Change the size and color of the button",
    parameters: { type: "object", properties: {
      size: { type: "string", description: 'Font size of the button (e.g., "16px" or "1em")' },
      color: { type: "string", description: "Background color of the button" } } } },
  { type: "function", name: "getPageHTML", description: "Get the HTML content of the current page" },
  { type: "function", name: "refreshStatus", description: "Refresh the status shown on the page" },
];

let pc = null;
let dc = null;
let mic = null;
const audioEl = document.createElement("audio");
audioEl.autoplay = true;
document.body.appendChild(audioEl);

async function start() {
  document.getElementById("state").textContent = "connecting";
  pc = new RTCPeerConnection();
  pc.ontrack = (event) => { audioEl.srcObject = event.streams[0]; };
  mic = await navigator.mediaDevices.getUserMedia({ audio: true });
  mic.getTracks().forEach((track) => pc.addTrack(track, mic));
  dc = pc.createDataChannel("response");
  dc.addEventListener("open", () => {
    document.getElementById("state").textContent = "connected";
    dc.send(JSON.stringify({ type: "session.update", session: { modalities: ["text", "audio"], tools } }));
  });
  dc.addEventListener("message", async (event) => {
    const msg = JSON.parse(event.data);
    if (msg.type === "response.function_call_arguments.done") {
      const fn = fns[msg.name];
      if (fn !== undefined) {
        const args = JSON.parse(msg.arguments);
        const result = await fn(args);
        dc.send(JSON.stringify({ type: "conversation.item.create",
          item: { type: "function_call_output", call_id: msg.call_id, output: JSON.stringify(result) } }));
      }
    }
  });
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const response = await fetch(baseUrl + "/api/rtc-connect", {
    method: "POST", body: offer.sdp, headers: { "Content-Type": "application/sdp" } });
  const answer = await response.text();
  await pc.setRemoteDescription({ sdp: answer, type: "answer" });
}

function stop() {
  dc?.close();
  pc?.close();
  mic?.getTracks().forEach((track) => track.stop());
  pc = dc = mic = null;
  document.getElementById("state").textContent = "idle";
}

document.getElementById("toggle").addEventListener("click", () => {
  if (pc) { stop(); document.getElementById("toggle").textContent = "Start"; }
  else { start(); document.getElementById("toggle").textContent = "Stop"; }
});
