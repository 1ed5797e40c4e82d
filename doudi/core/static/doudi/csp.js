// Page behaviour that must not live in inline handlers: the Content-Security-Policy
// (core/middleware.py) runs scripts from our static files only, so onclick="…" and
// htmx's hx-on:… (evaluated with Function) do nothing. One listener does their work:
//   data-print, or the older onclick="window.print()": print the page;
//   data-remove-row, or the older hx-on:click="this.closest('.rowcard').remove()":
//   remove the enclosing .rowcard (a repeated row of a form).
document.addEventListener("click", function (event) {
  var target = event.target instanceof Element ? event.target : null;
  if (!target) return;
  var printer = target.closest("[data-print], [onclick='window.print()']");
  if (printer) {
    event.preventDefault();
    window.print();
    return;
  }
  var remover = target.closest("[data-remove-row], [hx-on\\:click=\"this.closest('.rowcard').remove()\"]");
  if (remover) {
    var row = remover.closest(".rowcard");
    if (row) row.remove();
  }
});
