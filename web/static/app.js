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

// On a phone a table's rows are cards (app.css): each cell is shown with its column's name, taken
// from the table's first header row when the template did not write a data-label itself. Columns
// whose header is only for screen readers (a checkbox, the row's buttons) get no name.
function labelTableCells(root) {
  for (const table of root.querySelectorAll("main table")) {
    const head = table.tHead && table.tHead.rows[0];
    if (!head) continue;
    const names = [];
    for (const th of head.cells) {
      const hidden = th.querySelector(".visually-hidden");
      const text = th.textContent.trim();
      const name = hidden && hidden.textContent.trim() === text ? "" : text;
      for (let i = 0; i < (th.colSpan || 1); i++) names.push(name);
    }
    for (const body of table.tBodies) {
      for (const row of body.rows) {
        let column = 0;
        for (const cell of row.cells) {
          if (!cell.hasAttribute("data-label") && cell.colSpan === 1 && names[column]) {
            cell.setAttribute("data-label", names[column]);
          }
          column += cell.colSpan || 1;
        }
      }
    }
  }
}

function enhance(root) {
  focusableScrollBoxes(root);
  labelTableCells(root);
}
document.addEventListener("DOMContentLoaded", function () { enhance(document); });
document.addEventListener("htmx:afterSettle", function () { enhance(document); });

// The phone's Menu (base.html: a <details> under 800 px, opened without JavaScript) closes as a
// menu does: Escape closes it and gives the focus back to its "Menu" summary; following one of its
// links or clicking anywhere outside it closes it too. On a desktop the summary is hidden and the
// groups are always shown, so there is nothing to close and the focus is left where it is.
function openPhoneMenu() {
  const menu = document.querySelector("details.site-menu[open]");
  const summary = menu && menu.querySelector(":scope > summary");
  return summary && summary.getClientRects().length > 0 ? menu : null;
}
document.addEventListener("keydown", function (event) {
  if (event.key !== "Escape" || event.defaultPrevented) return;
  const menu = openPhoneMenu();
  if (!menu) return;
  menu.open = false;
  menu.querySelector(":scope > summary").focus();
  event.preventDefault();
});
document.addEventListener("click", function (event) {
  const menu = openPhoneMenu();
  if (!menu) return;
  const inside = menu.contains(event.target);
  if (!inside || (event.target.closest("a") && menu.querySelector(".menu-panel").contains(event.target))) {
    menu.open = false;
  }
});
