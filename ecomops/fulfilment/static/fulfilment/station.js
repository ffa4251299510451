/* The packing station (FUL-02…04): keyboard and scanner only. After every answer swapped in by htmx
   the field the answer asks for gets the focus (the scan box, the packaging, the weight, the re-check
   reason), and the answer is heard: a low double beep on a refusal, a short high one when an order is
   complete, a tick for each accepted scan (Web Audio API, no file, no CDN). */
(function () {
  "use strict";
  var audio = null;

  function tone(frequency, start, length, kind) {
    var oscillator = audio.createOscillator();
    var gain = audio.createGain();
    oscillator.type = kind;
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.2, audio.currentTime + start);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + start + length);
    oscillator.connect(gain);
    gain.connect(audio.destination);
    oscillator.start(audio.currentTime + start);
    oscillator.stop(audio.currentTime + start + length);
  }

  function beep(kind) {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    try {
      audio = audio || new Context();
      if (kind === "error") { tone(220, 0, 0.25, "square"); tone(180, 0.3, 0.35, "square"); }
      else if (kind === "ok") { tone(880, 0, 0.12, "sine"); tone(1320, 0.14, 0.16, "sine"); }
      else { tone(1000, 0, 0.05, "sine"); }
    } catch (error) { /* no sound device: the message on screen says it all */ }
  }

  function settle(panel) {
    if (!panel || !panel.dataset) return;
    if (panel.dataset.eoBeep) beep(panel.dataset.eoBeep);
    var wanted = panel.dataset.eoFocus || "scan";
    var target = panel.querySelector('[data-eo-focus-target="' + wanted + '"]') || panel.querySelector("#scan-code");
    if (target) {
      target.focus();
      if (target.select) target.select();
    }
  }

  var PANELS = ["station-panel", "handover-panel"];
  // htmx swaps the whole panel (outerHTML): the new one is the loaded element.
  document.body.addEventListener("htmx:load", function (event) {
    var element = event.detail.elt;
    if (element && PANELS.indexOf(element.id) >= 0) settle(element);
  });
  PANELS.forEach(function (id) { settle(document.getElementById(id)); });
})();
