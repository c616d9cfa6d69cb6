// The day view's drag and drop: drop an appointment on a staff member's lane at another time.
// The move is the appointment page's own form endpoint (the same reschedule use case), asked
// for JSON; a refusal shows the German reason and the block stays where it was (the board is
// only redrawn from the server, so nothing has to snap back). Without JavaScript, or on a
// touch screen, the appointment page's move form does the same.
(function () {
  "use strict";
  var STEP = 15; // minutes: the drop snaps to the quarter hour
  var dragged = null;

  function lane(target) {
    return target && target.closest ? target.closest(".lane[data-staff-id]") : null;
  }

  function say(text) {
    var box = document.getElementById("board-message");
    if (!box) return;
    box.textContent = text;
    box.hidden = !text;
  }

  function localStart(drop, event) {
    var grid = drop.closest(".day-grid");
    var rect = drop.getBoundingClientRect();
    var total = Number(grid.dataset.hours) * 60;
    var top = event.clientY - dragged.grab - rect.top;
    var minutes = Number(grid.dataset.firstHour) * 60 + Math.round((top / rect.height) * total / STEP) * STEP;
    var hh = String(Math.floor(minutes / 60)).padStart(2, "0");
    var mm = String(minutes % 60).padStart(2, "0");
    return grid.dataset.day + "T" + hh + ":" + mm;
  }

  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest ? event.target.closest("li.appointment[draggable]") : null;
    if (!item) return;
    dragged = { id: item.dataset.appointmentId, grab: event.clientY - item.getBoundingClientRect().top };
    event.dataTransfer.setData("text/plain", dragged.id);
    event.dataTransfer.effectAllowed = "move";
  });

  document.addEventListener("dragover", function (event) {
    if (dragged && lane(event.target)) event.preventDefault();
  });

  document.addEventListener("drop", function (event) {
    var drop = lane(event.target);
    if (!dragged || !drop) return;
    event.preventDefault();
    var body = new URLSearchParams({ slot: localStart(drop, event), staff: drop.dataset.staffId });
    var token = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    var id = dragged.id;
    dragged = null;
    fetch("/admin/schedule/appointments/" + id + "/move", {
      method: "POST",
      headers: { Accept: "application/json", "X-CSRF-Token": token },
      body: body,
      credentials: "same-origin",
    })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        say(answer.ok ? "" : answer.message);
        var board = document.getElementById("schedule-board");
        if (!answer.ok || !board || !window.htmx) return;
        // The board's own poll, asked now and without a version: it answers with the board.
        var url = board.getAttribute("hx-get").replace(/version=[^&]*/, "version=");
        window.htmx.ajax("GET", url, { target: "#schedule-board", swap: "outerHTML" });
      })
      .catch(function () { say(document.getElementById("board-message").dataset.failed || ""); });
  });

  document.addEventListener("dragend", function () { dragged = null; });
})();
