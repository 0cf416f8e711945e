// The hearing room (docs/hearing.md has the protocol; docs/hearings.md the
// court's side). Standard browser APIs only, so that it runs in Firefox and
// Safari as in Chromium; no inline script (the court's CSP). Every text
// comes from the page's data-t-* attributes, which the server fills from
// the message catalogs in the page's language.
//
// Steps: a device check (preview, microphone level, choice of devices), a
// join token from the court, the signalling socket, the waiting room until
// the judge admits, then two peer connections: "pub" (we offer our audio,
// camera and a screen slot) and "sub" (the server offers the others'
// tracks). A dropped connection is repaired by an ICE restart, and if the
// socket itself drops, by a fresh join with a new token: the server lets an
// admitted participant back in without the waiting room within 60 seconds.
(function () {
  'use strict';
  var app = document.getElementById('room-app');
  if (!app) return;
  // Where join tokens come from: the case's hearing for its people, the
  // witness link for a witness.
  var tokenURL = app.dataset.tokenUrl;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var $ = function (id) { return document.getElementById(id); };

  // t returns the text of key (data-t-<key>), with {name} replaced by vars.
  function t(key, vars) {
    var s = app.getAttribute('data-t-' + key) || key;
    if (vars) Object.keys(vars).forEach(function (k) { s = s.split('{' + k + '}').join(String(vars[k])); });
    return s;
  }
  function status(s) { $('rm-status').textContent = s || ''; }
  function alertText(s) { $('rm-alert').textContent = s || ''; }
  function show(id, on) { $(id).hidden = !on; }

  // state is exposed for diagnostics and the browser tests.
  var state = window.hearingRoom = {
    you: null, admitted: false, participants: [], chat: [], events: [], errors: [],
    pub: null, sub: null, ws: null, stream: null, screenStream: null,
    audioOnly: $('rm-audio-only').checked, micOff: false, camOff: false,
    over: false, quality: null
  };

  // ---- Device check -------------------------------------------------------

  var audioCtx = null, meterTimer = 0;

  function constraints() {
    var cam = $('rm-cam').value, mic = $('rm-mic').value;
    return {
      audio: mic ? { deviceId: { exact: mic } } : true,
      video: state.audioOnly ? false : (cam ? { deviceId: { exact: cam } } : true)
    };
  }

  function stopStream(s) { if (s) s.getTracks().forEach(function (tr) { tr.stop(); }); }

  // preview (re)opens the chosen devices, shows the camera and drives the
  // microphone level meter from an AnalyserNode.
  function preview() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.RTCPeerConnection) {
      alertText(t('no-webrtc'));
      return Promise.resolve();
    }
    stopStream(state.stream);
    return navigator.mediaDevices.getUserMedia(constraints()).then(function (s) {
      state.stream = s;
      $('rm-preview').srcObject = state.audioOnly ? null : s;
      $('rm-preview').hidden = state.audioOnly;
      meter(s);
      alertText('');
      $('rm-join').disabled = false;
      return listDevices();
    }).catch(function (e) {
      alertText(e && e.name === 'NotAllowedError' ? t('denied') : t('no-devices'));
    });
  }

  function meter(s) {
    clearInterval(meterTimer);
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx || !s.getAudioTracks().length) return;
    if (!audioCtx) {
      audioCtx = new Ctx();
      // Browsers start an AudioContext made without a click suspended: the
      // first click or key on the page lets the meter run.
      var resume = function () { if (audioCtx.state === 'suspended') audioCtx.resume(); };
      document.addEventListener('pointerdown', resume);
      document.addEventListener('keydown', resume);
      resume();
    }
    var an = audioCtx.createAnalyser();
    an.fftSize = 512;
    audioCtx.createMediaStreamSource(s).connect(an);
    var buf = new Uint8Array(an.fftSize);
    // A timer, not requestAnimationFrame: it keeps running in a background
    // tab, and ten updates a second are plenty for a meter.
    meterTimer = setInterval(function () {
      an.getByteTimeDomainData(buf);
      var sum = 0;
      for (var i = 0; i < buf.length; i++) { var v = (buf[i] - 128) / 128; sum += v * v; }
      $('rm-level').value = Math.min(1, Math.sqrt(sum / buf.length) * 4);
    }, 100);
  }

  // listDevices fills the choices; labels are known once access is given.
  function listDevices() {
    return navigator.mediaDevices.enumerateDevices().then(function (ds) {
      fill($('rm-cam'), ds.filter(function (d) { return d.kind === 'videoinput'; }), currentID('video'));
      fill($('rm-mic'), ds.filter(function (d) { return d.kind === 'audioinput'; }), currentID('audio'));
    });
  }
  function currentID(kind) {
    var tr = state.stream && (kind === 'audio' ? state.stream.getAudioTracks() : state.stream.getVideoTracks())[0];
    return tr && tr.getSettings ? tr.getSettings().deviceId : '';
  }
  function fill(sel, devices, current) {
    sel.textContent = '';
    devices.forEach(function (d, i) {
      var o = document.createElement('option');
      o.value = d.deviceId;
      o.textContent = d.label || (d.kind + ' ' + (i + 1));
      o.selected = d.deviceId === current;
      sel.appendChild(o);
    });
  }

  $('rm-cam').addEventListener('change', preview);
  $('rm-mic').addEventListener('change', preview);
  $('rm-audio-only').addEventListener('change', function () {
    state.audioOnly = this.checked;
    preview();
  });
  $('rm-join').addEventListener('click', function () {
    $('rm-join').disabled = true;
    clearInterval(meterTimer);
    join();
  });

  // ---- Signalling ----------------------------------------------------------

  var retries = 0, lastAdmitted = 0;
  // full: the server refused the last join because it is full
  // (err.hearing_full); the next try waits a minute.
  var full = false;

  function send(m) {
    if (state.ws && state.ws.readyState === 1) state.ws.send(JSON.stringify(m));
  }

  // join asks the court for a fresh token (each is good for one join) and
  // opens the socket with it.
  function join() {
    status(t('connecting'));
    fetch(tokenURL, {
      method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf }
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j.error && j.error.message || t('error'));
        return j.token;
      });
    }).then(openSocket).catch(function (e) {
      alertText(e.message);
      reconnectLater();
    });
  }

  function openSocket(token) {
    var ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/hearing/ws');
    state.ws = ws;
    ws.onopen = function () { ws.send(JSON.stringify({ type: 'join', token: token })); };
    ws.onmessage = function (e) {
      var m;
      try { m = JSON.parse(e.data); } catch (err) { return; }
      handle(m).catch(function (err) { state.errors.push(String(err)); });
    };
    ws.onclose = function () {
      if (state.ws !== ws) return;
      state.admitted = false;
      closePeers();
      if (!state.over) reconnectLater();
    };
  }

  // reconnectLater joins again with a growing pause (1 s, 2 s, ... 10 s),
  // or after a minute when the media server is full: asking it again every
  // few seconds would only add to its load. The alert keeps the server's
  // message (try again in a few minutes, or contact the clerk).
  function reconnectLater() {
    if (state.over) return;
    status(full ? t('full-retry') : t('reconnecting'));
    retries++;
    setTimeout(join, full ? 60000 : Math.min(10, retries) * 1000);
    full = false;
  }

  function handle(m) {
    switch (m.type) {
      case 'joined':
        retries = 0;
        alertText('');
        state.you = m.you;
        state.iceServers = m.ice_servers || [];
        // The server says whether this hearing is recorded; the notice
        // shows in the waiting room and in the hearing.
        document.querySelectorAll('.rm-recording').forEach(function (el) { el.hidden = !m.recording; });
        if (m.you.admitted) return admitted(m.history);
        state.admitted = false;
        show('rm-check', false); show('rm-wait', true); show('rm-live', false);
        status(t('waiting'));
        return Promise.resolve();
      case 'event': return onEvent(m);
      case 'answer':
        return state.pub ? state.pub.setRemoteDescription(m.sdp) : Promise.resolve();
      case 'offer': return onSubOffer(m.sdp);
      case 'presence':
        state.participants = m.participants || [];
        renderPeople();
        return Promise.resolve();
      case 'chat':
        addChat(m.chat);
        return Promise.resolve();
      case 'error':
        state.errors.push(m.key);
        alertText(m.error);
        if (m.key === 'err.hearing_full') full = true;
        return Promise.resolve();
    }
    return Promise.resolve();
  }

  function onEvent(m) {
    state.events.push(m.event);
    switch (m.event) {
      case 'admitted': return admitted(m.history);
      case 'ask_mute':
        alertText(t(m.kind === 'video' ? 'ask-mute-video' : 'ask-mute-audio'));
        break;
      case 'muted':
        alertText(t((m.on ? 'muted-' : 'unmuted-') + (m.kind === 'video' ? 'video' : 'audio')));
        break;
      case 'screen':
        return m.on ? startScreenTrack() : stopScreen(false);
      case 'removed': finish(t('removed')); break;
      case 'ended': finish(t('ended')); break;
      case 'replaced': finish(t('replaced')); break;
    }
    return Promise.resolve();
  }

  // finish closes the room for good: removed, ended, or opened elsewhere.
  function finish(text) {
    state.over = true;
    closePeers();
    stopStream(state.stream);
    stopStream(state.screenStream);
    show('rm-check', false); show('rm-wait', false); show('rm-live', false);
    status(text);
    if (state.ws) state.ws.close();
  }

  function admitted(history) {
    state.admitted = true;
    lastAdmitted = Date.now();
    show('rm-check', false); show('rm-wait', false); show('rm-live', true);
    status(t('admitted'));
    $('rm-chat-log').textContent = '';
    (history || []).forEach(addChat);
    selfView();
    var judge = !!(state.you && state.you.role === 'judge');
    $('rm-judge-bar').hidden = !judge;
    $('rm-witness-form').hidden = !judge;
    // A reconnection is a new participant to the server: say again that
    // this page receives no camera video.
    if (state.audioOnly) send({ type: 'video_receive', on: false });
    return publish();
  }

  // ---- Media ----------------------------------------------------------------

  function newPC(name) {
    var pc = new RTCPeerConnection({ iceServers: state.iceServers || [] });
    pc.onicecandidate = function (e) {
      if (e.candidate) send({ type: 'candidate', pc: name, candidate: e.candidate.toJSON() });
    };
    // A connection that stalls gets an ICE restart; if the socket is gone
    // too, the fresh join rebuilds everything.
    pc.oniceconnectionstatechange = function () {
      var s = pc.iceConnectionState;
      if (s === 'failed' || s === 'disconnected') {
        status(t('reconnecting'));
        setTimeout(function () {
          if (pc.iceConnectionState !== 'failed' && pc.iceConnectionState !== 'disconnected') return;
          if (name === 'pub' && state.pub === pc) offerPub(true);
          if (name === 'sub' && state.sub === pc) send({ type: 'restart' });
        }, s === 'failed' ? 0 : 2000);
      } else if (s === 'connected' || s === 'completed') {
        status(t('admitted'));
      }
    };
    return pc;
  }

  function publish() {
    closePeers();
    var s = state.stream;
    var pub = state.pub = newPC('pub');
    var audio = s && s.getAudioTracks()[0];
    var video = s && !state.audioOnly ? s.getVideoTracks()[0] : null;
    if (audio) { audio.enabled = !state.micOff; pub.addTransceiver(audio, { direction: 'sendonly', streams: [s] }); }
    // The camera and screen slots exist from the start, so that sharing a
    // screen or switching the camera needs no renegotiation (replaceTrack).
    state.camSender = pub.addTransceiver(video || 'video', { direction: 'sendonly', streams: s ? [s] : [] }).sender;
    state.screenSender = pub.addTransceiver('video', { direction: 'sendonly' }).sender;
    return offerPub(false);
  }

  function offerPub(restart) {
    var pub = state.pub;
    return pub.createOffer(restart ? { iceRestart: true } : undefined).then(function (o) {
      return pub.setLocalDescription(o);
    }).then(function () {
      send({ type: 'offer', pc: 'pub', sdp: pub.localDescription });
    });
  }

  function onSubOffer(sdp) {
    if (!state.sub) {
      state.sub = newPC('sub');
      state.sub.ontrack = onTrack;
    }
    var sub = state.sub;
    return sub.setRemoteDescription(sdp).then(function () {
      return sub.createAnswer();
    }).then(function (a) {
      return sub.setLocalDescription(a);
    }).then(function () {
      send({ type: 'answer', pc: 'sub', sdp: sub.localDescription });
      pruneTiles();
    });
  }

  // msidOf reads from the server's SDP whose track a transceiver carries:
  // the stream id "p<user id>" and the track id "audio-…", "video-…" or
  // "screen-…". Read from the SDP because not every browser gives remote
  // tracks the ids the SDP names.
  function msidOf(mid) {
    var d = state.sub && state.sub.remoteDescription;
    if (!d) return null;
    var sections = d.sdp.split(/\r?\nm=/);
    for (var i = 1; i < sections.length; i++) {
      var sec = sections[i];
      var mm = /\na=mid:(\S+)/.exec(sec);
      if (!mm || mm[1] !== mid) continue;
      var ms = /\na=msid:(\S+) (\S+)/.exec(sec);
      return ms ? { stream: ms[1], track: ms[2] } : null;
    }
    return null;
  }

  var tiles = {}; // key (user id, or "s" + user id for a screen) -> tile

  // selfView shows one's own camera, muted, first among the tiles.
  function selfView() {
    var v = $('rm-self');
    if (!v) {
      var fig = document.createElement('figure');
      fig.className = 'rm-tile rm-self';
      v = document.createElement('video');
      v.id = 'rm-self';
      v.muted = true; v.autoplay = true; v.playsInline = true;
      v.setAttribute('playsinline', '');
      var cap = document.createElement('figcaption');
      cap.textContent = (state.you ? state.you.name + ' · ' : '') + t('you');
      fig.appendChild(v); fig.appendChild(cap);
      $('rm-tiles').insertBefore(fig, $('rm-tiles').firstChild);
    }
    v.srcObject = state.stream;
  }

  function onTrack(e) {
    var id = msidOf(e.transceiver.mid);
    if (!id) return;
    var user = parseInt(id.stream.replace(/^p/, ''), 10);
    var isScreen = id.track.indexOf('screen-') === 0;
    var key = isScreen ? 's' + user : String(user);
    var tile = tiles[key] || makeTile(key, user, isScreen);
    tile.mids[e.transceiver.mid] = true;
    tile.stream.getTracks().filter(function (tr) { return tr.kind === e.track.kind; }).forEach(function (tr) {
      tile.stream.removeTrack(tr);
    });
    tile.stream.addTrack(e.track);
    tile.video.srcObject = tile.stream;
    var p = tile.video.play && tile.video.play();
    if (p && p.catch) p.catch(function () {});
    renderPeople();
  }

  function makeTile(key, user, isScreen) {
    var fig = document.createElement('figure');
    fig.className = 'rm-tile' + (isScreen ? ' rm-screen' : '');
    fig.dataset.user = user;
    var v = document.createElement('video');
    v.autoplay = true; v.playsInline = true;
    v.setAttribute('playsinline', '');
    var cap = document.createElement('figcaption');
    fig.appendChild(v); fig.appendChild(cap);
    $('rm-tiles').appendChild(fig);
    var tile = { key: key, user: user, screen: isScreen, el: fig, video: v, cap: cap, stream: new MediaStream(), mids: {} };
    tiles[key] = tile;
    return tile;
  }

  // pruneTiles drops the tiles whose tracks the server no longer sends.
  function pruneTiles() {
    var live = {};
    state.sub.getTransceivers().forEach(function (tr) {
      if (tr.mid && tr.currentDirection !== 'inactive' && tr.direction !== 'inactive' && msidOf(tr.mid)) live[tr.mid] = true;
    });
    Object.keys(tiles).forEach(function (k) {
      var tile = tiles[k];
      if (!Object.keys(tile.mids).some(function (mid) { return live[mid]; })) {
        tile.el.remove();
        delete tiles[k];
      }
    });
  }

  function closePeers() {
    if (state.pub) state.pub.close();
    if (state.sub) state.sub.close();
    state.pub = state.sub = null;
    Object.keys(tiles).forEach(function (k) { tiles[k].el.remove(); delete tiles[k]; });
  }

  // ---- Controls -------------------------------------------------------------

  function pressed(btn, on) { btn.setAttribute('aria-pressed', on ? 'true' : 'false'); }

  $('rm-mic-toggle').addEventListener('click', function () {
    state.micOff = !state.micOff;
    if (state.stream) state.stream.getAudioTracks().forEach(function (tr) { tr.enabled = !state.micOff; });
    pressed(this, state.micOff);
  });
  $('rm-cam-toggle').addEventListener('click', function () {
    state.camOff = !state.camOff;
    if (state.stream) state.stream.getVideoTracks().forEach(function (tr) { tr.enabled = !state.camOff; });
    pressed(this, state.camOff);
  });

  // Audio only: stop sending the camera, and ask the server to stop
  // sending the others' cameras (video_receive), for a weak connection.
  // A shared screen still comes: it is the evidence being shown.
  $('rm-audio-toggle').addEventListener('click', function () { setAudioOnly(!state.audioOnly); });
  function setAudioOnly(on) {
    state.audioOnly = on;
    pressed($('rm-audio-toggle'), on);
    app.classList.toggle('rm-audio-only', on);
    if (state.admitted) send({ type: 'video_receive', on: !on });
    if (on) {
      if (state.camSender) state.camSender.replaceTrack(null);
      if (state.stream) state.stream.getVideoTracks().forEach(function (tr) { tr.stop(); state.stream.removeTrack(tr); });
      return Promise.resolve();
    }
    return navigator.mediaDevices.getUserMedia({ video: constraints().video || true }).then(function (s) {
      var v = s.getVideoTracks()[0];
      if (state.stream) state.stream.addTrack(v);
      v.enabled = !state.camOff;
      if (state.camSender) return state.camSender.replaceTrack(v);
    }).catch(function () { alertText(t('no-devices')); });
  }
  pressed($('rm-audio-toggle'), state.audioOnly);
  app.classList.toggle('rm-audio-only', state.audioOnly);

  // Screen: ask the server for the room's one screen slot; the "screen"
  // event says when it is ours, and only then is the track sent.
  $('rm-screen-toggle').addEventListener('click', function () {
    if (state.screenStream) { stopScreen(true); return; }
    if (!navigator.mediaDevices.getDisplayMedia) { alertText(t('screen-none')); return; }
    navigator.mediaDevices.getDisplayMedia({ video: true, audio: false }).then(function (s) {
      state.screenStream = s;
      s.getVideoTracks()[0].addEventListener('ended', function () { stopScreen(true); });
      send({ type: 'screen', on: true });
    }).catch(function () {});
  });
  function startScreenTrack() {
    pressed($('rm-screen-toggle'), true);
    var tr = state.screenStream && state.screenStream.getVideoTracks()[0];
    return tr && state.screenSender ? state.screenSender.replaceTrack(tr) : Promise.resolve();
  }
  function stopScreen(tell) {
    pressed($('rm-screen-toggle'), false);
    stopStream(state.screenStream);
    state.screenStream = null;
    if (tell) send({ type: 'screen', on: false });
    return state.screenSender ? state.screenSender.replaceTrack(null) : Promise.resolve();
  }

  // The judge makes a one-time link for a witness (the court keeps it on
  // the docket); the link is shown to be passed on.
  $('rm-witness-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var body = new URLSearchParams();
    body.set('name', $('rm-witness-name').value.trim());
    fetch(tokenURL.replace(/token$/, 'witness'), {
      method: 'POST', credentials: 'same-origin', body: body,
      headers: { 'X-CSRF-Token': csrf }
    }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j.error && j.error.message || t('error'));
        $('rm-witness-out').textContent = location.origin + j.link;
        $('rm-witness-name').value = '';
      });
    }).catch(function (err) { $('rm-witness-out').textContent = err.message; });
  });

  $('rm-admit-all').addEventListener('click', function () { send({ type: 'admit', all: true }); });
  $('rm-end').addEventListener('click', function () { send({ type: 'end' }); });

  // ---- People and the text panel ----------------------------------------------

  function roleName(r) { return t('role-' + r) || r; }

  // renderPeople updates the list in place: presence comes again each time
  // someone starts or stops speaking, and a button rebuilt under the
  // judge's pointer would lose the click. A person's buttons are rebuilt
  // only when what they do changes.
  function renderPeople() {
    var ul = $('rm-people');
    var judge = state.you && state.you.role === 'judge';
    var keep = {};
    state.participants.forEach(function (p, i) {
      keep[p.id] = true;
      var li = ul.querySelector('li[data-user="' + p.id + '"]');
      if (!li) {
        li = document.createElement('li');
        li.dataset.user = p.id;
        li.innerHTML = '<span class="rm-name"></span><span class="rm-tags"></span><span class="rm-acts"></span>';
      }
      if (ul.children[i] !== li) ul.insertBefore(li, ul.children[i] || null);
      li.className = (p.speaking ? 'rm-speaking ' : '') + (p.admitted ? '' : 'rm-waiting');
      li.querySelector('.rm-name').textContent = p.name + ' · ' + roleName(p.role) +
        (state.you && p.id === state.you.id ? ' (' + t('you') + ')' : '');
      var tags = [];
      if (!p.admitted) tags.push(t('in-waiting'));
      if (p.speaking) tags.push(t('speaking'));
      if (p.audio_muted) tags.push(t('mic-off'));
      if (p.video_muted) tags.push(t('cam-off'));
      if (p.audio_only) tags.push(t('audio-only'));
      if (p.screen) tags.push(t('screen'));
      li.querySelector('.rm-tags').textContent = tags.length ? ' ' + tags.join(' · ') : '';
      var acts = li.querySelector('.rm-acts');
      var sig = judge && p.role !== 'judge' ? [p.admitted, p.audio_muted, p.video_muted].join() : '';
      if (acts.dataset.sig !== sig) {
        acts.dataset.sig = sig;
        acts.textContent = '';
        if (sig) {
          if (!p.admitted) acts.appendChild(button('rm-admit', t('admit'), { type: 'admit', target: p.id }));
          else {
            acts.appendChild(button('rm-ask-mute', t('ask-mute'), { type: 'ask_mute', target: p.id, kind: 'audio' }));
            acts.appendChild(button('rm-mute', (p.audio_muted ? t('unmute') : t('mute')) + ' · ' + t('mic'),
              { type: 'mute', target: p.id, kind: 'audio', on: !p.audio_muted }));
            acts.appendChild(button('rm-mute-video', (p.video_muted ? t('unmute') : t('mute')) + ' · ' + t('cam'),
              { type: 'mute', target: p.id, kind: 'video', on: !p.video_muted }));
          }
          acts.appendChild(button('rm-remove', t('remove'), { type: 'remove', target: p.id }));
        }
      }
      // The tiles show the same: name and whether the person speaks.
      [tiles[String(p.id)], tiles['s' + p.id]].forEach(function (tile) {
        if (!tile) return;
        tile.cap.textContent = p.name + ' · ' + roleName(p.role) + (tile.screen ? ' · ' + t('screen') : '');
        tile.el.classList.toggle('rm-speaking', !!p.speaking && !tile.screen);
        // A released screen's track stays but carries nothing: hide it.
        if (tile.screen) tile.el.hidden = !p.screen;
      });
    });
    Array.prototype.slice.call(ul.children).forEach(function (li) {
      if (!keep[li.dataset.user]) li.remove();
    });
  }

  function button(cls, text, msg) {
    var b = document.createElement('button');
    b.type = 'button';
    b.className = 'secondary ' + cls;
    b.textContent = text;
    b.addEventListener('click', function () { send(msg); });
    return b;
  }

  function addChat(c) {
    state.chat.push(c);
    var li = document.createElement('li');
    var when = new Date(c.at);
    var hh = ('0' + when.getHours()).slice(-2) + ':' + ('0' + when.getMinutes()).slice(-2);
    var who = document.createElement('strong');
    who.textContent = hh + ' ' + c.name + ' (' + roleName(c.role) + '): ';
    li.appendChild(who);
    li.appendChild(document.createTextNode(c.text));
    $('rm-chat-log').appendChild(li);
    li.scrollIntoView({ block: 'nearest' });
  }

  $('rm-chat-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var input = $('rm-chat-text');
    var text = input.value.trim();
    if (!text) return;
    send({ type: 'chat', text: text });
    input.value = '';
  });

  // ---- Connection quality -----------------------------------------------------

  // Every 2 s: round-trip time of the active candidate pair and the share
  // of packets lost since the last look, over both connections.
  var prev = { lost: 0, got: 0 };
  setInterval(function () {
    if (!state.pub && !state.sub) return;
    var pcs = [state.pub, state.sub].filter(Boolean);
    Promise.all(pcs.map(function (pc) { return pc.getStats(); })).then(function (all) {
      var rtt = 0, lost = 0, got = 0;
      all.forEach(function (stats) {
        stats.forEach(function (s) {
          if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded' && s.currentRoundTripTime !== undefined) {
            rtt = Math.max(rtt, s.currentRoundTripTime);
          }
          if (s.type === 'inbound-rtp') { lost += s.packetsLost || 0; got += s.packetsReceived || 0; }
          if (s.type === 'remote-inbound-rtp') {
            lost += s.packetsLost || 0;
            if (s.roundTripTime !== undefined) rtt = Math.max(rtt, s.roundTripTime);
          }
        });
      });
      var dl = Math.max(0, lost - prev.lost), dg = Math.max(0, got - prev.got);
      prev = { lost: lost, got: got };
      var loss = dl + dg > 0 ? dl / (dl + dg) : 0;
      var level = loss > 0.08 || rtt > 0.5 ? 'poor' : (loss > 0.02 || rtt > 0.25 ? 'fair' : 'good');
      state.quality = { level: level, loss: loss, rtt: rtt };
      var q = $('rm-quality');
      q.className = 'badge rm-q-' + level;
      q.textContent = t('quality-' + level);
      q.title = t('quality-detail', { loss: (loss * 100).toFixed(1), rtt: Math.round(rtt * 1000) });
    }).catch(function () {});
  }, 2000);

  // ---- Start --------------------------------------------------------------------

  // A page being closed leaves at once instead of waiting for ICE to fail.
  window.addEventListener('pagehide', function () {
    state.over = true;
    if (state.ws) state.ws.close();
  });

  preview();
})();
