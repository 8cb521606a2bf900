// Requests made by background polling (elements marked data-poll) say so in a header: the server
// then never answers them with a redirect or an error toast, so a poll can never reload or cover
// a page the person is working on (the forced password change was reloaded while typed into).
// Only the polling element itself is marked: requests of its children stay ordinary requests.
document.addEventListener("htmx:configRequest", function (event) {
  if (event.detail.elt && event.detail.elt.hasAttribute("data-poll")) {
    event.detail.headers["X-QLVB-Poll"] = "1";
  }
});

// A table wider than a phone scrolls inside its box (.table-scroll, .plan-table); a keyboard user
// reaches the box with Tab to scroll it with the arrow keys, and a screen reader hears what it is.
function focusableScrollBoxes(root) {
  for (const box of root.querySelectorAll(".table-scroll, .plan-table")) {
    if (box.hasAttribute("tabindex")) continue;
    box.tabIndex = 0;
    box.setAttribute("role", "region");
    const caption = box.querySelector("caption");
    const heading = box.closest("section") && box.closest("section").querySelector("h2, h3");
    const name = (caption || heading) ? (caption || heading).textContent.trim() : "Bảng";
    box.setAttribute("aria-label", name + " (bảng cuộn ngang)");
  }
}
document.addEventListener("DOMContentLoaded", function () { focusableScrollBoxes(document); });
document.addEventListener("htmx:load", function (event) { focusableScrollBoxes(event.detail.elt.parentNode || document); });
