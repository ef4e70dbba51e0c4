// Absolvent: small behaviour on top of htmx. Keyboard focus follows swaps.
// Before a swap remember where the keyboard was (the focused control's id and
// the swapped region's id); after it, focus an element marked
// data-focus-after-swap, else the first invalid field, else the same control again, else the
// region itself, so focus never drops to <body> after an outerHTML swap.
// (An explicit data-focus-after-swap, e.g. a step heading or error summary, wins.)
var lastFocus = null;
document.addEventListener("htmx:beforeSwap", function (evt) {
  var active = document.activeElement;
  var target = evt.detail.target;
  lastFocus = {
    control: active && active.id && target && target.contains(active) ? active.id : null,
    region: target && target.id ? target.id : null
  };
});
document.addEventListener("htmx:afterSettle", function (evt) {
  var region = (lastFocus && lastFocus.region && document.getElementById(lastFocus.region)) ||
    (evt.detail.target && evt.detail.target.isConnected ? evt.detail.target : document.body);
  var auto = region.querySelector("[data-focus-after-swap]");
  if (auto) { auto.focus(); return; }
  var invalid = region.querySelector('[aria-invalid="true"]');
  if (invalid) { invalid.focus(); return; }
  if (document.activeElement && document.activeElement !== document.body && document.activeElement.isConnected) { return; }
  var again = lastFocus && lastFocus.control && document.getElementById(lastFocus.control);
  if (again) { again.focus(); return; }
  if (region !== document.body) {
    if (!region.hasAttribute("tabindex")) { region.setAttribute("tabindex", "-1"); }
    region.focus();
  }
});
document.addEventListener("htmx:responseError", function (evt) {
  var box = document.getElementById("messages");
  if (!box) { return; }
  var status = evt.detail.xhr.status;
  var text = status === 403 ? "Dafür fehlt Ihnen die Berechtigung."
    : status === 404 ? "Der Datensatz wurde nicht gefunden."
    : status === 400 ? "Die Anfrage war ungültig. Bitte laden Sie die Seite neu."
    : status === 413 ? "Die Datei ist zu groß."
    : "Es ist ein Fehler aufgetreten (" + status + "). Ihre Eingaben sind noch auf der Seite.";
  var p = document.createElement("p");
  p.className = "flash flash-error";
  p.textContent = "Fehler: " + text;
  box.replaceChildren(p);
});
document.addEventListener("htmx:sendError", function () {
  var box = document.getElementById("messages");
  if (box) {
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.textContent = "Fehler: Der Server ist nicht erreichbar. Ihre Eingaben sind noch auf der Seite.";
    box.replaceChildren(p);
  }
});
// Inline validation swaps a field's message out of band: keep aria-invalid of the
// inputs that the message describes in step with it.
document.addEventListener("htmx:oobAfterSwap", function () {
  document.querySelectorAll("p.error[id^='e-']").forEach(function (message) {
    document.querySelectorAll('[aria-describedby~="' + message.id + '"]').forEach(function (input) {
      if (message.hidden) { input.removeAttribute("aria-invalid"); } else { input.setAttribute("aria-invalid", "true"); }
    });
  });
});
