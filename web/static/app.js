// Requests made by background polling (elements marked data-poll) say so in a header: the server
// then never answers them with a redirect or an error toast, so a poll can never reload or cover
// a page the person is working on (the forced password change was reloaded while typed into).
// Only the polling element itself is marked: requests of its children stay ordinary requests.
document.addEventListener("htmx:configRequest", function (event) {
  if (event.detail.elt && event.detail.elt.hasAttribute("data-poll")) {
    event.detail.headers["X-QLVB-Poll"] = "1";
  }
});
