// Irreversible actions ask first (web/flash.py IRREVERSIBLE). htmx forms carry hx-confirm and
// htmx asks itself; plain forms carry data-confirm and are asked here, before anything is sent.
// A form whose buttons do different things (the inbox's actions on ticked tasks) puts the
// question on the button that needs it: the button pressed asks, else the form.
// Listening on the document in the capture phase runs before any other submit handler, so a
// refused question stops the submission whatever else listens. No inline script: the CSP allows
// only scripts served from this site.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = event.submitter;
  var question = (button && button.getAttribute && button.getAttribute("data-confirm")) ||
    (form && form.getAttribute && form.getAttribute("data-confirm"));
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
