// The gemini-live console page: microphone in, voice out, transcripts, tools, latency, state.
// Plain ES module, no dependencies. Talks to the relay at /ws (see gemini_live/web/messages.py).

const PROTOCOL_VERSION = 1;
const INPUT_RATE = 16000;
const SPEECH_RMS = 0.01; // about -40 dBFS, the service's default start-of-speech level
const SPEECH_HANGOVER_MS = 300; // this much quiet ends a spoken utterance (for latency)
const BARGE_IN_RMS = 0.02; // louder than SPEECH_RMS: a barge-in must be deliberate speech
const BARGE_IN_MS = 200; // ... lasting this long while the model's voice is playing
const MAX_SOCKET_BACKLOG = 256 * 1024; // bytes queued in the browser before mic frames are dropped

const $ = (id) => document.getElementById(id);
const ui = {
  status: $("status"), statusText: $("status-text"), model: $("model"), target: $("target"),
  error: $("error"), errorText: $("error-text"), retry: $("retry"),
  transcript: $("transcript"), emptyHint: $("empty-hint"),
  composer: $("composer"), input: $("text-input"), send: $("send"),
  talk: $("talk"), talkLabel: $("talk-label"), micLevel: $("mic-level"), outLevel: $("out-level"),
  buffered: $("buffered"), latencyLast: $("latency-last"), latencyMedian: $("latency-median"),
  latencyCount: $("latency-count"), latencyBars: $("latency-bars"), log: $("connection-log"),
  relayLatency: $("relay-latency"),
};

const STATE_TEXT = {
  connecting: "Connecting…", connected: "Connected", reconnecting: "Reconnecting…",
  resumed: "Resumed", closed: "Disconnected",
};

// Everything a test (or a curious developer in the console) may want to look at.
const hooks = {
  states: [], latencies: [], flushes: [], errors: [], playback: {}, sentFrames: 0,
  droppedFrames: 0, localBargeIns: 0, serverInterrupts: [], mutedChunks: 0, turnsComplete: 0, turnRecords: [], outputPeak: 0, outputRms: 0, ready: false,
  socket: () => socket,
  resetOutputPeak() { hooks.outputPeak = 0; },
};
window.geminiConsole = hooks;

let socket = null;
let failed = false;
let audio = null; // {ctx, capture, playback, analyser, stream, source}
let audioStarting = null;
let talking = false;
let pendingAudio = []; // model audio that arrived before the audio graph existed
let reconnecting = false;
// The service streams the answer faster than real time, so most of it may already sit in the
// playback buffer when the user talks over it; then no "interrupted" comes (the generation is
// over). The page detects that barge-in itself, flushes, and mutes the rest of the turn.
let turnOpen = false; // between the model's first output and turn_complete / interrupted
let mutedTurn = false;
let loudSince = null; // when the microphone got loud enough for a barge-in
// Flushes posted to the playback worklet and not yet acknowledged: until then its status
// messages were posted before the flush (stale "playing": true) and must not count, or the
// same barge-in would be detected again by the next loud microphone frame.
let flushesInFlight = 0;

// Turn bookkeeping.
let userItem = null; // {li, finalEl, interimEl, typed}
let modelItem = null; // {li, text, meta, firstAudio, interrupted}
let audioItem = null; // the model bubble whose audio was queued last
const recentTyped = []; // the emulator echoes typed text as an input transcript
let inputEndAt = null; // when the user's last utterance or message ended
let voiceActive = false;
let lastVoiceAt = 0;
const toolItems = new Map();

// ---------------------------------------------------------------- connection state

function setState(state, detail) {
  if (hooks.states[hooks.states.length - 1] === state && !detail) return;
  hooks.states.push(state);
  ui.status.dataset.state = state;
  ui.statusText.textContent = STATE_TEXT[state] || state;
  const text = detail ? `${STATE_TEXT[state] || state} — ${detail}` : STATE_TEXT[state] || state;
  logConnection(text, state);
}

function logConnection(text, kind) {
  const li = document.createElement("li");
  li.className = `log-${kind}`;
  const time = document.createElement("time");
  time.textContent = new Date().toLocaleTimeString([], { hour12: false });
  li.append(time, document.createTextNode(text));
  ui.log.prepend(li);
  while (ui.log.children.length > 30) ui.log.lastElementChild.remove();
}

function showError(message) {
  if (failed) return;
  failed = true;
  hooks.errors.push(message);
  ui.errorText.textContent = message;
  ui.error.hidden = false;
  setControls(false);
  stopTalking(false);
  ui.retry.focus();
}

function setControls(enabled) {
  ui.input.disabled = !enabled;
  ui.send.disabled = !enabled;
  ui.talk.disabled = !enabled;
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws`);
  socket.binaryType = "arraybuffer";
  socket.addEventListener("open", () => {
    socket.send(JSON.stringify({
      type: "hello", version: PROTOCOL_VERSION,
      audio: { format: "pcm16", rate: INPUT_RATE, channels: 1 },
    }));
  });
  socket.addEventListener("message", (event) => {
    if (typeof event.data === "string") onMessage(JSON.parse(event.data));
    else onModelAudio(event.data);
  });
  socket.addEventListener("close", (event) => {
    hooks.ready = false;
    setState("closed", event.reason || `code ${event.code}`);
    setControls(false);
    stopTalking(false);
    if (!failed) {
      const why = event.reason ? `: ${event.reason}` : "";
      const hint = event.code === 1006 ? " Is the console server still running?" : "";
      showError(`The connection to the console server closed (code ${event.code}${why}).${hint}`);
    }
  });
}

function onMessage(message) {
  switch (message.type) {
    case "ready":
      ui.model.textContent = message.model;
      ui.target.textContent = message.target;
      hooks.ready = true;
      setControls(true);
      break;
    case "state":
      setState(message.state, stateDetail(message));
      if (message.state === "reconnecting" && !reconnecting) {
        reconnecting = true;
        addNotice("Connection to the Live service lost — reconnecting…", "warning");
      } else if (message.state === "resumed") {
        reconnecting = false;
        addNotice(`Resumed: ${stateDetail(message)}`, "ok");
      }
      break;
    case "transcript":
      if (message.role === "user") onUserTranscript(message.text, message.final);
      else onModelTranscript(message.text);
      break;
    case "tool_call":
      turnOpen = true;
      for (const call of message.calls) addToolCall(call);
      break;
    case "tool_result":
      onToolResult(message);
      break;
    case "tool_cancelled":
      for (const id of message.ids) markTool(id, "cancelled", CANCEL_TEXT[message.reason] || "cancelled");
      break;
    case "interrupted":
      onInterrupted();
      break;
    case "generation_complete":
      postPlayback({ type: "drain" });
      break;
    case "turn_complete":
      hooks.turnsComplete += 1;
      turnOpen = false;
      mutedTurn = false;
      postPlayback({ type: "drain" });
      if (modelItem) modelItem.li.classList.remove("live");
      modelItem = null;
      break;
    case "turn_record":
      onTurnRecord(message);
      break;
    case "usage":
      if (modelItem) modelItem.tokens = message.total;
      break;
    case "notice":
      addNotice(message.text);
      break;
    case "vad":
      break;
    case "error":
      showError(message.message);
      break;
    default:
      break;
  }
}

function stateDetail(message) {
  if (message.state === "reconnecting" && message.attempt) return `attempt ${message.attempt}`;
  if (message.state === "resumed") {
    if (message.fresh) return "as a new session (the old one could not be resumed)";
    return message.replayed ? `${message.replayed} message(s) replayed` : "nothing lost";
  }
  return "";
}

// ---------------------------------------------------------------- transcript

function hideHint() {
  if (ui.emptyHint) {
    ui.emptyHint.remove();
    ui.emptyHint = null;
  }
}

function bubble(role, label) {
  hideHint();
  const li = document.createElement("li");
  li.className = `message ${role} live`;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = label;
  const text = document.createElement("p");
  text.className = "text";
  const meta = document.createElement("span");
  meta.className = "meta";
  li.append(who, text, meta);
  ui.transcript.append(li);
  scrollDown();
  return { li, text, meta };
}

function scrollDown() {
  ui.transcript.scrollTop = ui.transcript.scrollHeight;
}

function userBubble(typed) {
  if (userItem && userItem.typed === typed) return userItem;
  // A model turn still playing stays open: its remaining audio and text belong to it.
  const parts = bubble("user", "You");
  const finalEl = document.createElement("span");
  const interimEl = document.createElement("span");
  interimEl.className = "interim";
  parts.text.append(finalEl, interimEl);
  parts.meta.textContent = typed ? "typed" : "spoken";
  userItem = { ...parts, finalEl, interimEl, typed };
  return userItem;
}

function onUserTranscript(text, final) {
  if (final && recentTyped.includes(text.trim())) return; // already shown as typed
  const item = userBubble(false);
  if (final) {
    item.finalEl.textContent += text;
    item.interimEl.textContent = "";
  } else {
    item.interimEl.textContent = text; // interim transcripts replace each other
  }
  scrollDown();
}

function modelBubble() {
  if (modelItem) return modelItem;
  if (userItem) userItem.li.classList.remove("live");
  userItem = null;
  const parts = bubble("model", "Gemini");
  modelItem = { ...parts, firstAudio: null, interrupted: false };
  return modelItem;
}

function closeModel() {
  if (modelItem) modelItem.li.classList.remove("live");
  modelItem = null;
}

function onModelTranscript(text) {
  turnOpen = true;
  const item = modelBubble();
  item.text.textContent += text;
  scrollDown();
}

function addNotice(text, kind = "info") {
  hideHint();
  const li = document.createElement("li");
  li.className = `notice ${kind}`;
  li.textContent = text;
  ui.transcript.append(li);
  scrollDown();
}

function onInterrupted() {
  hooks.serverInterrupts.push(performance.now());
  postPlayback({ type: "flush" });
  markInterrupted();
  closeModel();
  turnOpen = false;
  mutedTurn = false;
}

function markInterrupted(item = modelItem) {
  if (!item || item.interrupted) return;
  item.interrupted = true;
  item.li.classList.add("interrupted");
  const tag = document.createElement("span");
  tag.className = "tag";
  tag.textContent = "interrupted";
  item.meta.append(tag);
}

function localBargeIn() {
  hooks.localBargeIns += 1;
  postPlayback({ type: "flush" });
  hooks.playback = { ...hooks.playback, playing: false };
  markInterrupted(audioItem); // the turn being heard, even if it has completed
  // Audio still to come for this turn is stale; a finished turn has none left to mute.
  mutedTurn = turnOpen;
}

// ---------------------------------------------------------------- tools

const CANCEL_TEXT = {
  service: "cancelled by the model", fresh_session: "cancelled: new session",
  rolled_back: "cancelled: session rolled back", shutdown: "cancelled: relay closing",
  session_ended: "cancelled: session ended",
};

function addToolCall(call) {
  hideHint();
  closeModel();
  const li = document.createElement("li");
  li.className = "tool pending";
  const head = document.createElement("div");
  head.className = "tool-head";
  const name = document.createElement("code");
  name.className = "tool-name";
  name.textContent = call.name;
  const status = document.createElement("span");
  status.className = "tool-status";
  status.textContent = "running…";
  head.append(toolIcon(), name, status);
  const args = document.createElement("pre");
  args.className = "tool-args";
  args.textContent = `(${inlineJson(call.args)})`;
  const result = document.createElement("pre");
  result.className = "tool-result";
  result.hidden = true;
  li.append(head, args, result);
  li.setAttribute("aria-label", `Tool call ${call.name}`);
  ui.transcript.append(li);
  toolItems.set(call.id || call.name, { li, status, result });
  scrollDown();
}

/** JSON on one line, with a space after ':' and ',' (readable in a narrow card). */
function inlineJson(value) {
  if (Array.isArray(value)) return `[${value.map(inlineJson).join(", ")}]`;
  if (value && typeof value === "object") {
    const fields = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${inlineJson(v)}`);
    return `{${fields.join(", ")}}`;
  }
  return JSON.stringify(value);
}

function toolIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M22.7 19 13.6 9.9c.9-2.3.4-5-1.5-6.9-2-2-5-2.4-7.4-1.3L9 6 6 9 1.6 4.7C.4 7.1.9 10.1 2.9 12.1c1.9 1.9 4.6 2.4 6.9 1.5l9.1 9.1c.4.4 1 .4 1.4 0l2.3-2.3c.5-.4.5-1.1.1-1.4z");
  svg.append(path);
  return svg;
}

function onToolResult(message) {
  const item = toolItems.get(message.id || message.name);
  if (!item) return;
  item.result.hidden = false;
  item.result.textContent = `→ ${inlineJson(message.result)}`;
  markTool(message.id || message.name, message.ok ? "done" : "failed", message.ok ? "done" : "error");
}

function markTool(id, cls, text) {
  const item = toolItems.get(id);
  if (!item) return;
  item.li.classList.remove("pending");
  item.li.classList.add(cls);
  item.status.textContent = text;
}

// ---------------------------------------------------------------- latency

function onFirstAudio(item) {
  const now = performance.now();
  item.firstAudio = now;
  // Only a finished utterance or a sent message has an "end" to measure from.
  if (inputEndAt === null || voiceActive) return;
  const ms = Math.max(0, Math.round(now - inputEndAt));
  inputEndAt = null;
  hooks.latencies.push(ms);
  const tag = document.createElement("span");
  tag.className = "latency-tag";
  tag.textContent = `${ms} ms to first audio`;
  item.meta.append(tag);
  renderLatency();
}

function onTurnRecord(record) {
  hooks.turnRecords.push(record);
  // "last_audio": the microphone was still streaming (silence is audio too), so the relay
  // could not tell when speech ended; the page's own measurement covers that turn.
  if (record.firstAudioMs === null || record.inputEnd === "last_audio") return;
  const from = INPUT_END_TEXT[record.inputEnd] || "the end of input";
  ui.relayLatency.textContent = `${record.firstAudioMs} ms from ${from} to first audio (turn ${record.index})`;
}

const INPUT_END_TEXT = {
  text: "the typed message", audio_stream_end: "the microphone pause",
  activity_end: "the end of the talk button", voice_activity_end: "the service's end of speech",
  tool_response: "the tool result",
  client_content: "the client content",
};

function renderLatency() {
  const values = hooks.latencies;
  const last = values[values.length - 1];
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
  ui.latencyLast.textContent = `${last} ms`;
  ui.latencyMedian.textContent = `${median} ms`;
  ui.latencyCount.textContent = String(values.length);
  const max = Math.max(...values.slice(-12), 1);
  ui.latencyBars.replaceChildren(...values.slice(-12).map((v, i) => {
    const li = document.createElement("li");
    li.title = `turn ${values.length - Math.min(12, values.length) + i + 1}: ${v} ms`;
    li.setAttribute("aria-label", li.title);
    const bar = document.createElement("span");
    bar.style.height = `${Math.max(6, (v / max) * 100)}%`;
    li.append(bar);
    return li;
  }));
}

// ---------------------------------------------------------------- audio

async function ensureAudio() {
  if (audio) return audio;
  if (!audioStarting) audioStarting = startAudio();
  return audioStarting;
}

async function startAudio() {
  const ctx = new AudioContext({ latencyHint: "interactive" });
  await ctx.audioWorklet.addModule("/static/worklets.js");
  const playback = new AudioWorkletNode(ctx, "pcm-playback", { outputChannelCount: [1] });
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 1024;
  playback.connect(analyser);
  analyser.connect(ctx.destination);
  playback.port.onmessage = (event) => onPlaybackMessage(event.data);
  audio = { ctx, playback, analyser, capture: null, source: null, stream: null };
  if (ctx.state !== "running") await ctx.resume();
  for (const pcm of pendingAudio) playback.port.postMessage({ type: "push", pcm }, [pcm]);
  pendingAudio = [];
  setInterval(measureOutput, 50);
  return audio;
}

function onPlaybackMessage(message) {
  if (message.type === "status") {
    if (flushesInFlight > 0) return;
    hooks.playback = message;
    ui.buffered.textContent = `${Math.round(message.bufferedMs)} ms`;
  } else if (message.type === "flushed") {
    flushesInFlight = Math.max(0, flushesInFlight - 1);
    const flush = { at: performance.now(), droppedMs: message.droppedMs, rmsAfter: null };
    hooks.flushes.push(flush);
    // What the speaker carried 200 ms later (recorded here, so a slow observer cannot miss it).
    setTimeout(() => { flush.rmsAfter = hooks.outputRms; }, 200);
    hooks.playback = { ...hooks.playback, bufferedMs: 0, playing: false };
    ui.buffered.textContent = "0 ms";
  }
}

function postPlayback(message) {
  if (audio) {
    if (message.type === "flush") flushesInFlight += 1;
    audio.playback.port.postMessage(message);
  } else if (message.type === "flush") {
    pendingAudio = [];
  }
}

const scratch = new Float32Array(1024);
function measureOutput() {
  audio.analyser.getFloatTimeDomainData(scratch);
  let sum = 0;
  for (let i = 0; i < scratch.length; i++) sum += scratch[i] * scratch[i];
  const rms = Math.sqrt(sum / scratch.length);
  hooks.outputRms = rms;
  hooks.outputPeak = Math.max(hooks.outputPeak, rms);
  setLevel(ui.outLevel, rms);
}

function setLevel(el, rms) {
  // -60 dBFS .. 0 dBFS on the bar.
  const db = rms > 0 ? 20 * Math.log10(rms) : -100;
  const pct = Math.max(0, Math.min(100, ((db + 60) / 60) * 100));
  el.firstElementChild.style.width = `${pct}%`;
  el.setAttribute("aria-valuenow", String(Math.round(pct)));
}

function onModelAudio(buffer) {
  turnOpen = true;
  if (mutedTurn) {
    hooks.mutedChunks += 1;
    return;
  }
  const item = modelBubble();
  audioItem = item;
  if (item.firstAudio === null) onFirstAudio(item);
  if (audio) audio.playback.port.postMessage({ type: "push", pcm: buffer }, [buffer]);
  else if (pendingAudio.length < 2000) pendingAudio.push(buffer);
}

async function startTalking() {
  if (talking || failed) return;
  talking = true;
  renderTalk();
  if (socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify({ type: "audio_start" }));
  }
  try {
    const a = await ensureAudio();
    if (!a.stream) {
      a.stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
      a.source = a.ctx.createMediaStreamSource(a.stream);
      a.capture = new AudioWorkletNode(a.ctx, "pcm-capture", { numberOfOutputs: 0 });
      a.capture.port.onmessage = (event) => onMicFrame(event.data);
      a.source.connect(a.capture);
    }
    if (!talking) releaseMic(); // stopped while the browser was still granting the microphone
  } catch (err) {
    stopTalking();
    addNotice(`Microphone unavailable: ${err.message || err}`, "warning");
  }
}

function stopTalking(tell = true) {
  if (!talking) return;
  talking = false;
  renderTalk();
  setLevel(ui.micLevel, 0);
  if (voiceActive) endOfSpeech();
  releaseMic();
  if (tell && socket && socket.readyState === WebSocket.OPEN) {
    socket.send(JSON.stringify({ type: "audio_end" }));
  }
}

/** Give the microphone back (the browser's recording indicator goes off). */
function releaseMic() {
  if (!audio || !audio.stream) return;
  for (const track of audio.stream.getTracks()) track.stop();
  audio.source.disconnect();
  audio.capture.port.onmessage = null;
  audio.capture.disconnect();
  audio.stream = null;
  audio.source = null;
  audio.capture = null;
}

function renderTalk() {
  ui.talk.setAttribute("aria-pressed", String(talking));
  ui.talk.classList.toggle("on", talking);
  ui.talkLabel.textContent = talking ? "Listening — click to stop" : "Talk";
}

function onMicFrame({ pcm, rms }) {
  if (!talking) return;
  setLevel(ui.micLevel, rms);
  const now = performance.now();
  if (rms >= SPEECH_RMS) {
    voiceActive = true;
    lastVoiceAt = now;
  } else if (voiceActive && now - lastVoiceAt > SPEECH_HANGOVER_MS) {
    endOfSpeech();
  }
  loudSince = rms >= BARGE_IN_RMS ? (loudSince ?? now) : null;
  if (loudSince !== null && now - loudSince >= BARGE_IN_MS && hooks.playback.playing) {
    localBargeIn();
  }
  if (!socket || socket.readyState !== WebSocket.OPEN) return;
  if (socket.bufferedAmount > MAX_SOCKET_BACKLOG) {
    // The network is not keeping up: stale microphone audio is worth less than fresh audio.
    if (hooks.droppedFrames++ === 0) addNotice("The network is slow: some microphone audio was dropped.", "warning");
    return;
  }
  socket.send(pcm);
  hooks.sentFrames += 1;
}

function endOfSpeech() {
  voiceActive = false;
  inputEndAt = lastVoiceAt;
}

// ---------------------------------------------------------------- typing

async function sendText(text) {
  if (!socket || socket.readyState !== WebSocket.OPEN || failed) return;
  ensureAudio().catch((err) => addNotice(`Audio unavailable: ${err.message || err}`, "warning"));
  const item = userBubble(true);
  item.finalEl.textContent = text;
  item.li.classList.remove("live");
  userItem = null;
  recentTyped.push(text);
  if (recentTyped.length > 8) recentTyped.shift();
  inputEndAt = performance.now();
  socket.send(JSON.stringify({ type: "text", text }));
}

ui.composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = ui.input.value.trim();
  if (!text) return;
  ui.input.value = "";
  sendText(text);
});

ui.talk.addEventListener("click", () => (talking ? stopTalking() : startTalking()));
ui.retry.addEventListener("click", () => location.reload());

document.addEventListener("keydown", (event) => {
  const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLButtonElement;
  if (event.code === "Space" && !typing && !ui.talk.disabled) {
    event.preventDefault();
    if (talking) stopTalking();
    else startTalking();
  } else if (event.key === "Escape" && talking) {
    stopTalking();
  }
});

setState("connecting");
connect();
