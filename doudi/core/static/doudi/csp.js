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

// The 显示完整号码 forms (form[data-unmask], templates/core/_unmask_form.html): a refusal
// (400 no reason, 403 no right) is a Chinese message the server retargets next to the form,
// so htmx swaps it in instead of ignoring an error status; once the number is shown the form
// is hidden (the showing is logged once; another look means asking again).
document.addEventListener("htmx:beforeSwap", function (event) {
  var form = event.detail.requestConfig && event.detail.requestConfig.elt;
  var status = event.detail.xhr ? event.detail.xhr.status : 0;
  if (form && form.matches && form.matches("form[data-unmask]") && (status === 400 || status === 403)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
document.addEventListener("htmx:afterRequest", function (event) {
  var form = event.detail.elt;
  if (form && form.matches && form.matches("form[data-unmask]") && event.detail.xhr && event.detail.xhr.status === 200) {
    form.hidden = true;
    form.style.display = "none"; // a form.inline is display:flex, which beats [hidden]
  }
});
