// Absolvent: small behaviour on top of htmx. Keyboard focus follows swaps.
document.addEventListener("htmx:afterSwap", function (evt) {
  var root = evt.detail.target && evt.detail.target.isConnected ? evt.detail.target : document;
  var invalid = root.querySelector('[aria-invalid="true"]') || document.querySelector('[aria-invalid="true"]');
  if (invalid) { invalid.focus(); return; }
  var auto = root.querySelector("[data-focus-after-swap]");
  if (auto) { auto.focus(); }
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
