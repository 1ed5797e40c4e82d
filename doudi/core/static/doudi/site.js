/* doudi: the menu. A static file (the Content-Security-Policy allows no inline script).
   The menu is a <details> element, so it opens and closes without this file; here we
   only keep it open on wide screens and close it on a phone with Esc or a tap elsewhere. */
(function () {
  "use strict";
  var menu = document.getElementById("site-menu");
  if (!menu || !window.matchMedia) { return; }
  var wide = window.matchMedia("(min-width: 641px)");
  function fit() { menu.open = wide.matches; }
  fit();
  if (wide.addEventListener) { wide.addEventListener("change", fit); } else if (wide.addListener) { wide.addListener(fit); }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open && !wide.matches) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (menu.open && !wide.matches && !menu.contains(event.target)) { menu.open = false; }
  });
})();

/* 全选本页: a checkbox with data-check-all="NAME" ticks every enabled checkbox named NAME. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var all = event.target;
    if (!all.matches || !all.matches("input[data-check-all]")) { return; }
    var boxes = document.querySelectorAll('input[type=checkbox][name="' + all.getAttribute("data-check-all") + '"]:not(:disabled)');
    for (var i = 0; i < boxes.length; i++) { boxes[i].checked = all.checked; }
  });
})();
