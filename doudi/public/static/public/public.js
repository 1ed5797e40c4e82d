/* Public pages (a static file: the Content-Security-Policy allows no inline script).
   - form[data-draft="KEY"]: every field is saved to localStorage as it is typed and put back
     after a reload (a page the server re-rendered with errors keeps the server's values);
     [data-draft-reset="KEY"] clears it; an element [data-draft-clear="KEY"] (the success
     page) clears it too. The CSRF token is never saved.
   - select[data-autosubmit]: choosing a value submits its (GET) form: the township filter.
   Everything works without this file, only the draft is lost on a reload. */
(function () {
  "use strict";
  var store;
  try { store = window.localStorage; store.setItem("doudi-test", "1"); store.removeItem("doudi-test"); } catch (e) { store = null; }

  function clear(key) { if (store) { store.removeItem("doudi-draft:" + key); } }

  Array.prototype.forEach.call(document.querySelectorAll("[data-draft-clear]"), function (el) {
    clear(el.getAttribute("data-draft-clear"));
  });

  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
    if (!store) { return; }
    var key = "doudi-draft:" + form.getAttribute("data-draft");
    var note = form.querySelector("[data-draft-note]");
    var reset = form.querySelector("[data-draft-reset]");
    var fields = Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "submit" && el.type !== "button" && el.type !== "hidden";
    });
    var saved = {};
    try { saved = JSON.parse(store.getItem(key) || "{}") || {}; } catch (e) { saved = {}; }
    var serverFilled = fields.some(function (el) { return el.type === "checkbox" ? false : el.value; });
    if (!serverFilled) {
      fields.forEach(function (el) {
        if (!(el.name in saved)) { return; }
        if (el.type === "checkbox") { el.checked = !!saved[el.name]; }
        else if (el.tagName === "SELECT") {
          if (Array.prototype.some.call(el.options, function (o) { return o.value === saved[el.name]; })) { el.value = saved[el.name]; }
        } else { el.value = saved[el.name]; }
      });
    }
    function shown(on) { if (note) { note.hidden = !on; } if (reset) { reset.hidden = !on; } }
    shown(Object.keys(saved).length > 0);
    function save() {
      var data = {};
      fields.forEach(function (el) { data[el.name] = el.type === "checkbox" ? el.checked : el.value; });
      store.setItem(key, JSON.stringify(data));
      shown(true);
    }
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    if (reset) {
      reset.addEventListener("click", function () {
        store.removeItem(key);
        fields.forEach(function (el) { if (el.type === "checkbox") { el.checked = false; } else { el.value = ""; } });
        shown(false);
      });
    }
  });

  Array.prototype.forEach.call(document.querySelectorAll("select[data-autosubmit]"), function (select) {
    select.addEventListener("change", function () { if (select.form) { select.form.submit(); } });
  });
})();
