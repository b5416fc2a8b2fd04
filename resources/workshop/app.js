/* JourneyDesk workshop page.  Plain JavaScript, no libraries, no build step.
 *
 * Every text from the server or the user is put on the page with textContent (never as
 * markup).  A note is sent with an id made here: when the laptop does not answer in time
 * the note stays on the phone and is sent again with the same id, and is stored once.
 * Lengths are counted in characters (code points), as the laptop counts them: an emoji is
 * one character although it takes two UTF-16 units (what maxlength would count).
 */
"use strict";

(function () {
  const MAX_CHARS = 500;
  const POLL_MS = 2500;
  const MAX_SIDE = 1600;
  const LOST_MS = 120000;       // no answer for this long: say plainly the laptop is gone
  const base = location.pathname.endsWith("/") ? location.pathname : location.pathname + "/";
  const storeKey = "journeydesk-workshop:" + base;

  const $ = (id) => document.getElementById(id);
  let me = loadMe();            // {id, name} once joined
  let kind = null;              // the kind of note chosen
  let stagesShown = "";         // the stages the select shows (to rebuild on change only)
  let pending = null;           // the note being sent: {id, stage, kind, text, photo}
  let photo = null;             // the photo to send (a JPEG Blob made here)
  let photoUrl = null;
  let retryTimer = null;
  let retries = 0;
  let pollTimer = null;
  let failures = 0;
  let lastContact = 0;          // performance.now() of the last answer from the laptop
  let ended = false;
  let sending = false;          // a note is on its way (Send is disabled meanwhile)
  let tickTimer = null;
  let timer = { state: "off", remaining: 0, at: 0 };
  let vote = null;              // the vote round as last shown
  let myDots = {};              // this phone's dots in the open round
  let voteTimer = null;
  let voteBusy = false;

  // ------------------------------------------------------------------ helpers
  function loadMe() {
    try {
      const saved = JSON.parse(localStorage.getItem(storeKey) || "null");
      return saved && typeof saved.id === "string" ? saved : null;
    } catch (e) {
      return null;
    }
  }

  function saveMe(value) {
    me = value;
    try {
      if (value) localStorage.setItem(storeKey, JSON.stringify(value));
      else localStorage.removeItem(storeKey);
    } catch (e) { /* private browsing: kept in memory only */ }
  }

  function newId() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);  // randomUUID needs HTTPS; this works on plain http
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function show(id, visible) {
    $(id).hidden = !visible;
  }

  function setStatus(text, how) {
    const el = $("send-status");
    el.textContent = text;
    el.className = "status" + (how ? " " + how : "");
  }

  function notice(text) {
    const el = $("notice");
    el.textContent = text || "";
    el.hidden = !text;
  }

  function chars(text) {
    return Array.from(text).length;
  }

  async function api(method, path, body, headers) {
    const options = { method: method, headers: Object.assign({}, headers || {}),
                      cache: "no-store", credentials: "omit" };
    if (me) options.headers["X-Participant"] = me.id;
    if (body !== undefined) options.body = body;
    let response;
    try {
      response = await fetch(base + path, options);
    } catch (e) {
      return { ok: false, status: 0, data: { error: "Cannot reach the laptop." }, retry: 3 };
    }
    let data = {};
    try {
      data = await response.json();
    } catch (e) {
      data = {};
    }
    if (!data || typeof data !== "object") data = {};
    if (!response.ok && typeof data.error !== "string") {
      data.error = response.status === 404 ? "This session is no longer open."
                                            : "The laptop could not take that.";
    }
    const retry = parseInt(response.headers.get("Retry-After") || "0", 10) || 0;
    return { ok: response.ok, status: response.status, data: data, retry: retry };
  }

  function postJson(path, value) {
    return api("POST", path, JSON.stringify(value), { "Content-Type": "application/json" });
  }

  // ------------------------------------------------------------------ joining
  async function join(anonymous) {
    const name = anonymous ? "" : $("name").value.trim();
    $("join-button").disabled = $("join-anonymous").disabled = true;
    const answer = await postJson("join", { name: name });
    $("join-button").disabled = $("join-anonymous").disabled = false;
    if (!answer.ok) {
      if (answer.status === 404 || answer.status === 410) return end();
      notice(answer.data.error);
      return;
    }
    notice("");
    saveMe({ id: answer.data.id, name: answer.data.name });
    begin();
  }

  function begin() {
    show("join", false);
    show("write", true);
    poll();
  }

  function end() {
    ended = true;
    clearTimeout(pollTimer);
    clearTimeout(retryTimer);
    clearTimeout(voteTimer);
    clearInterval(tickTimer);   // the countdown stops with the session
    tickTimer = null;
    timer = { state: "off", remaining: 0, at: 0 };
    ["join", "write", "vote"].forEach((id) => show(id, false));
    show("timer", false);
    notice("");
    show("ended", true);
  }

  // ------------------------------------------------------------------ the state
  async function poll() {
    clearTimeout(pollTimer);
    if (ended || !me) return;
    const answer = await api("GET", "state");
    if (answer.status !== 0) lastContact = performance.now();
    if (answer.ok) {
      failures = 0;
      notice("");
      render(answer.data);
    } else if (answer.status === 403) {
      saveMe(null);
      show("write", false);
      show("vote", false);
      show("join", true);
      return;
    } else if (answer.status === 404 || answer.status === 410) {
      return end();
    } else {
      failures += 1;
      if (answer.status === 0 && lastContact && performance.now() - lastContact > LOST_MS) {
        // the countdown cannot be trusted any more: it stops
        timer = { state: "off", remaining: 0, at: 0 };
        tick();
        notice("The laptop has not answered for over " + Math.round(LOST_MS / 60000) +
               " minutes: the session may have ended, or this phone has left its " +
               "network. What you typed is kept here. Still trying…");
      } else if (failures >= 2) {
        notice(answer.data.error + " Still trying…");
      }
    }
    if (!ended) pollTimer = setTimeout(poll, answer.status === 429 ? POLL_MS * 2 : POLL_MS);
  }

  function render(state) {
    if (!state.open) return end();
    $("map-name").textContent = state.map;
    renderStages(state.stages || []);
    renderKinds(state.kinds || []);
    timer = { state: state.timer.state, remaining: state.timer.remaining,
              at: performance.now() };
    tick();
    renderVote(state.vote);
  }

  function renderStages(stages) {
    const key = JSON.stringify(stages);
    if (key === stagesShown) return;
    stagesShown = key;
    const select = $("stage");
    const chosen = select.value;
    select.replaceChildren();
    stages.forEach((stage) => {
      const option = document.createElement("option");
      option.value = stage.id;
      option.textContent = stage.name;
      select.appendChild(option);
    });
    if (stages.some((s) => s.id === chosen)) select.value = chosen;
    updateSend();
  }

  function updateSend() {
    // Send waits for the stages (a slow first poll) and for the note on its way
    $("send").disabled = sending || !$("stage").value;
  }

  function renderKinds(kinds) {
    const box = $("kinds");
    if (box.childElementCount === kinds.length) return;
    box.replaceChildren();
    kinds.forEach((k) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.kind = k.id;
      button.textContent = k.label;
      button.addEventListener("click", () => chooseKind(k.id));
      box.appendChild(button);
    });
    chooseKind(kind || (kinds[0] && kinds[0].id));
  }

  function chooseKind(id) {
    kind = id;
    Array.from($("kinds").children).forEach((b) => {
      b.setAttribute("aria-pressed", String(b.dataset.kind === id));
    });
  }

  // ------------------------------------------------------------------ the timer
  function tick() {
    const el = $("timer");
    if (ended || timer.state === "off") {
      el.hidden = true;
      return;
    }
    let left = timer.remaining;
    if (timer.state === "running") left -= (performance.now() - timer.at) / 1000;
    left = Math.max(0, Math.ceil(left));
    el.hidden = false;
    const minutes = Math.floor(left / 60);
    const seconds = String(left % 60).padStart(2, "0");
    el.textContent = left > 0 ? minutes + ":" + seconds : "Time's up";
    el.className = "timer" + (left <= 0 ? " ended" : timer.state === "paused" ? " paused" : "");
  }

  // ------------------------------------------------------------------ voting
  function renderVote(round) {
    if (voteBusy || voteTimer) return;  // our own change is on its way
    vote = round;
    if (!round) {
      show("vote", false);
      return;
    }
    show("vote", true);
    myDots = {};
    round.cards.forEach((c) => { if (c.mine) myDots[c.id] = c.mine; });
    drawVote();
  }

  function dotsLeft() {
    let used = 0;
    Object.keys(myDots).forEach((id) => { used += myDots[id]; });
    return vote.dots - used;
  }

  function drawVote() {
    const list = $("vote-cards");
    const results = $("vote-results");
    list.replaceChildren();
    results.replaceChildren();
    if (vote.open) {
      $("vote-title").textContent = "Vote: tap a card to give it a dot";
      $("vote-left").textContent = dotsLeft() + " of " + vote.dots + " dots left";
      vote.cards.forEach((c) => {
        const item = document.createElement("li");
        const card = document.createElement("button");
        card.type = "button";
        card.className = "card";
        card.textContent = c.label;
        const dots = document.createElement("span");
        dots.className = "dots";
        const mine = myDots[c.id] || 0;
        dots.textContent = mine ? "●".repeat(Math.min(mine, 20)) + " " + mine : "";
        card.appendChild(dots);
        card.addEventListener("click", () => changeDots(c.id, 1));
        const less = document.createElement("button");
        less.type = "button";
        less.className = "less";
        less.textContent = "−";
        less.setAttribute("aria-label", "Take a dot back");
        less.disabled = !mine;
        less.addEventListener("click", () => changeDots(c.id, -1));
        item.append(card, less);
        list.appendChild(item);
      });
    } else {
      $("vote-title").textContent = "Vote results";
      $("vote-left").textContent = "";
    }
    results.hidden = !vote.revealed;
    (vote.results || []).forEach((r) => {
      const item = document.createElement("li");
      const count = document.createElement("span");
      count.className = "count";
      count.textContent = r.dots + (r.dots === 1 ? " dot" : " dots");
      item.append(document.createTextNode(r.label + " — "), count);
      results.appendChild(item);
    });
  }

  function changeDots(cardId, change) {
    if (!vote || !vote.open) return;
    if (change > 0 && dotsLeft() <= 0) {
      $("vote-left").textContent = "No dots left: take one back first.";
      return;
    }
    const next = (myDots[cardId] || 0) + change;
    if (next <= 0) delete myDots[cardId];
    else myDots[cardId] = next;
    drawVote();
    clearTimeout(voteTimer);
    voteTimer = setTimeout(sendVote, 400);  // several taps, one request
  }

  async function sendVote() {
    voteTimer = null;
    voteBusy = true;
    const answer = await postJson("vote", { dots: myDots });
    voteBusy = false;
    if (answer.ok) {
      renderVote(answer.data.vote);
    } else if (answer.status === 404 || answer.status === 410) {
      end();
    } else {
      $("vote-left").textContent = answer.data.error;
      setTimeout(poll, 1500);
    }
  }

  // ------------------------------------------------------------------ notes and photos
  function limitText(event) {
    // At most MAX_CHARS characters: what goes beyond is cut where it was typed or pasted
    // (not while an input method composes: at its end).
    if (event && event.isComposing) return;
    const box = $("text");
    const value = box.value;
    const excess = chars(value) - MAX_CHARS;
    if (excess > 0) {
      const caret = box.selectionEnd;
      const before = Array.from(value.slice(0, caret));
      const kept = before.slice(0, Math.max(0, before.length - excess)).join("");
      let next = kept + value.slice(caret);
      if (chars(next) > MAX_CHARS) next = Array.from(next).slice(0, MAX_CHARS).join("");
      box.value = next;
      const at = Math.min(kept.length, next.length);
      box.setSelectionRange(at, at);
    }
    countChars();
  }

  function countChars() {
    const n = chars($("text").value);
    const counter = $("counter");
    counter.textContent = n + " / " + MAX_CHARS;
    counter.className = "hint" + (n > MAX_CHARS ? " over" : "");
  }

  async function shrink(file) {
    // Re-encoded through a canvas: at most 1600 px, JPEG, and without the photo's
    // metadata (where it was taken).
    const url = URL.createObjectURL(file);
    try {
      const image = new Image();
      image.src = url;
      await image.decode();
      const scale = Math.min(1, MAX_SIDE / Math.max(image.naturalWidth, image.naturalHeight));
      const canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(image.naturalWidth * scale));
      canvas.height = Math.max(1, Math.round(image.naturalHeight * scale));
      canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
      return await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  async function pickPhoto() {
    const file = $("photo").files[0];
    if (!file) return;
    if (file.type && !/^image\/(jpeg|png)$/.test(file.type)) {
      setStatus("Only JPEG and PNG photos can be sent.", "bad");
      $("photo").value = "";
      return;
    }
    setStatus("Preparing the photo…");
    let blob = null;
    try {
      blob = await shrink(file);
    } catch (e) {
      blob = null;
    }
    if (!blob) {
      setStatus("That photo could not be read; try another one.", "bad");
      $("photo").value = "";
      return;
    }
    setPhoto(blob);
    setStatus("");
  }

  function setPhoto(blob) {
    if (photoUrl) URL.revokeObjectURL(photoUrl);
    photo = blob;
    photoUrl = blob ? URL.createObjectURL(blob) : null;
    $("photo-image").src = photoUrl || "";
    show("photo-preview", Boolean(blob));
    if (!blob) $("photo").value = "";
  }

  async function send() {
    clearTimeout(retryTimer);
    const text = $("text").value.trim();
    const stage = $("stage").value;
    if (!text && !photo) return setStatus("Write something or add a photo first.", "bad");
    if (chars(text) > MAX_CHARS) {
      return setStatus("The note is too long: at most " + MAX_CHARS + " characters.", "bad");
    }
    if (!stage) return setStatus("Choose a stage.", "bad");
    if (sending) return;
    if (!pending || pending.text !== text || pending.stage !== stage ||
        pending.kind !== kind || pending.photo !== photo) {
      pending = { id: newId(), stage: stage, kind: kind, text: text, photo: photo };
      retries = 0;
    }
    const note = pending;
    sending = true;
    updateSend();
    setStatus("Sending…");
    let answer;
    if (note.photo) {
      const query = new URLSearchParams({ id: note.id, stage: note.stage, kind: note.kind,
                                          text: note.text });
      answer = await api("POST", "photo?" + query.toString(), note.photo,
                         { "Content-Type": note.photo.type || "image/jpeg" });
    } else {
      answer = await postJson("note", { id: note.id, stage: note.stage, kind: note.kind,
                                        text: note.text });
    }
    sending = false;
    updateSend();
    if (answer.status !== 0) lastContact = performance.now();
    if (answer.ok) {
      if (pending === note) pending = null;
      // Clear only what was sent: what was typed (or picked) while it was on its way stays.
      const typed = $("text").value.trim();
      if (typed === note.text) {
        $("text").value = "";
        countChars();
      }
      if (photo === note.photo) setPhoto(null);
      retries = 0;
      setStatus(typed && typed !== note.text ? "Sent. Thank you! What you typed since is kept."
                                              : "Sent. Thank you!", "good");
      return;
    }
    if (answer.status === 404 || answer.status === 410) {
      setStatus(answer.data.error, "bad");
      return end();
    }
    if (answer.status === 403) {
      saveMe(null);
      setStatus("Please join again; your note is kept here.", "bad");
      show("join", true);
      return;
    }
    const again = answer.status === 0 || answer.status === 503 || answer.status === 429;
    if (again && retries < 5) {
      retries += 1;
      const wait = Math.max(answer.retry || 3, 2);
      setStatus(answer.data.error + " Your note is kept; trying again in " + wait + " s.",
                "bad");
      retryTimer = setTimeout(send, wait * 1000);
    } else {
      setStatus(answer.data.error + " Your note is kept here.", "bad");
    }
  }

  // ------------------------------------------------------------------ start
  function start() {
    $("join-button").addEventListener("click", () => join(false));
    $("join-anonymous").addEventListener("click", () => join(true));
    $("name").addEventListener("keydown", (event) => {
      if (event.key === "Enter") join(false);
    });
    $("text").addEventListener("input", limitText);
    $("text").addEventListener("compositionend", limitText);
    $("photo").addEventListener("change", pickPhoto);
    $("photo-remove").addEventListener("click", () => setPhoto(null));
    $("send").addEventListener("click", send);
    tickTimer = setInterval(tick, 250);
    countChars();
    updateSend();
    if (me) begin();
    else show("join", true);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
