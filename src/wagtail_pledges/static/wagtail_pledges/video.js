/* Tracked awareness video: report each played stretch to the server as it plays.
 * POSTs {"page", "video", "start", "end"} (seconds) to data-progress-url, and a
 * zero-length report when playback starts: the server counts a stretch only if it
 * is no longer than the wall-clock time since the previous report allows.
 * The server decides what counts as watched; this script only reports. */
(function () {
  "use strict";
  var HEARTBEAT = 10; // seconds of playback between reports (the server allows up to 120)

  function track(figure) {
    if (figure.dataset.pledgesTracked) return;
    figure.dataset.pledgesTracked = "1";
    var video = figure.querySelector("video");
    var status = figure.querySelector("[data-status]");
    var resumeAt = parseFloat(figure.dataset.start || "0") || 0;
    var segmentStart = null;
    var lastTime = 0;

    function report(start, end, keepalive) {
      if (!(end >= start)) return;
      fetch(figure.dataset.progressUrl, {
        method: "POST",
        credentials: "same-origin",
        keepalive: !!keepalive,
        headers: { "Content-Type": "application/json", "X-CSRFToken": figure.dataset.csrf },
        body: JSON.stringify({
          page: parseInt(figure.dataset.page, 10), video: figure.dataset.key, start: start, end: end
        })
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (data && data.completed && status) {
          status.textContent = status.dataset.watchedText;
          figure.classList.add("pledges-video--watched");
        }
      }).catch(function () { /* offline: the next report covers the stretch again */ });
    }

    function flush(keepalive) {
      if (segmentStart === null) return;
      report(segmentStart, lastTime, keepalive);
      segmentStart = video.paused || video.seeking ? null : lastTime;
    }

    video.addEventListener("loadedmetadata", function () {
      if (resumeAt > 0 && resumeAt < video.duration - 1) video.currentTime = resumeAt;
    });
    video.addEventListener("play", function () {
      segmentStart = lastTime = video.currentTime;
      report(segmentStart, segmentStart, false); // starts the server's clock for this stretch
    });
    video.addEventListener("timeupdate", function () {
      if (video.seeking) return;
      lastTime = video.currentTime;
      if (segmentStart !== null && lastTime - segmentStart >= HEARTBEAT) flush(false);
    });
    video.addEventListener("seeking", function () { flush(false); segmentStart = null; });
    video.addEventListener("seeked", function () {
      lastTime = video.currentTime;
      if (!video.paused) segmentStart = lastTime;
    });
    video.addEventListener("pause", function () { lastTime = video.currentTime; flush(false); });
    video.addEventListener("ended", function () { lastTime = video.duration; flush(false); });
    window.addEventListener("pagehide", function () { flush(true); });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-pledges-video]"), track);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
