// The 附件1 visit form on a phone (DESIGN §1.7): both signatures are drawn on a <canvas> and
// kept as PNG data URLs in hidden inputs; every change is saved as a draft in localStorage
// and restored on reload; a send that fails because the network is down keeps the draft and
// is retried when the browser reports it is online again. A static file: the
// Content-Security-Policy runs no inline script.
(function () {
  "use strict";
  var form = document.getElementById("visit-form");
  if (!form) return;
  var key = form.getAttribute("data-draft-key");
  var statusBox = document.getElementById("draft-status");
  var errorBox = document.getElementById("form-errors");
  var button = document.getElementById("visit-submit");
  var OFFLINE = "网络已断开，草稿已保存在本机，恢复网络后自动提交";
  var waiting = false, sending = false;
  var pads = [];

  function skipped(el) {
    return !el.name || el.type === "file" || el.name === "csrfmiddlewaretoken";
  }

  function saveDraft(pending) {
    var data = {};
    form.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (skipped(el)) return;
      if (el.type === "checkbox" || el.type === "radio") {
        data[el.name] = data[el.name] || [];  // an empty group is kept: nothing ticked
        if (el.checked) data[el.name].push(el.value);
      } else {
        data[el.name] = el.value;
      }
    });
    data.__saved = new Date().toLocaleString("zh-CN");
    data.__pending = pending === undefined ? waiting : pending;
    try { localStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full or off: the form still works */ }
  }

  function readDraft() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function restoreDraft(data) {
    form.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (skipped(el) || !(el.name in data)) return;
      if (el.type === "checkbox" || el.type === "radio") el.checked = data[el.name].indexOf(el.value) >= 0;
      else el.value = data[el.name];
    });
    pads.forEach(function (pad) { pad.redraw(); });
  }

  function say(text, withDiscard) {
    statusBox.textContent = text;
    if (withDiscard) {
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "secondary";
      discard.textContent = "放弃草稿";
      discard.addEventListener("click", function () {
        try { localStorage.removeItem(key); } catch (e) { /* nothing to remove */ }
        window.location.reload();
      });
      statusBox.appendChild(document.createTextNode(" "));
      statusBox.appendChild(discard);
    }
    statusBox.hidden = false;
  }

  function showErrors(list) {
    errorBox.textContent = "";
    list.forEach(function (message) {
      var line = document.createElement("div");
      line.textContent = message;
      errorBox.appendChild(line);
    });
    errorBox.hidden = false;
    errorBox.scrollIntoView({block: "center"});
  }

  function pad(box) {
    var canvas = box.querySelector("canvas");
    var input = box.querySelector("input[type=hidden]");
    var ctx = canvas.getContext("2d");
    var drawing = false, last = null;
    function blank() {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.lineWidth = 4; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";
    }
    function at(event) {
      var r = canvas.getBoundingClientRect();
      return {x: (event.clientX - r.left) * canvas.width / r.width, y: (event.clientY - r.top) * canvas.height / r.height};
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true; last = at(event);
      if (canvas.setPointerCapture) canvas.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var p = at(event);
      ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
      last = p;
      event.preventDefault();
    });
    function end() {
      if (!drawing) return;
      drawing = false;
      input.value = canvas.toDataURL("image/png");
      saveDraft();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
    box.querySelector("[data-clear]").addEventListener("click", function () {
      blank(); input.value = ""; saveDraft();
    });
    blank();
    return {
      redraw: function () {
        blank();
        if (!input.value) return;
        var image = new Image();
        image.onload = function () { ctx.drawImage(image, 0, 0, canvas.width, canvas.height); };
        image.src = input.value;
      }
    };
  }

  function offline() {
    waiting = true;
    saveDraft(true);
    say(OFFLINE);
  }

  function send() {
    if (sending) return;
    saveDraft();
    if (navigator.onLine === false) { offline(); return; }
    sending = true;
    button.disabled = true;
    fetch(form.getAttribute("action") || window.location.href, {
      method: "POST", body: new FormData(form), credentials: "same-origin", headers: {"X-Requested-With": "fetch"}
    }).then(function (response) {
      return response.json().then(function (data) { return {status: response.status, data: data}; },
                                  function () { return {status: response.status, data: null}; });
    }).then(function (result) {
      sending = false;
      button.disabled = false;
      if (result.data && result.data.ok) {
        waiting = false;
        try { localStorage.removeItem(key); } catch (e) { /* already gone */ }
        window.location.href = result.data.url;
        return;
      }
      waiting = false;
      saveDraft(false);
      statusBox.hidden = true;
      showErrors((result.data && result.data.errors) ||
                 ["提交没有成功（服务器返回 " + result.status + "），草稿已保存在本机，请稍后再试"]);
    }, function () {
      sending = false;
      button.disabled = false;
      offline();
    });
  }

  form.querySelectorAll("[data-signature]").forEach(function (box) { pads.push(pad(box)); });
  form.addEventListener("input", function () { saveDraft(); });
  form.addEventListener("change", function () { saveDraft(); });
  form.addEventListener("submit", function (event) { event.preventDefault(); send(); });
  window.addEventListener("online", function () {
    if (!waiting) return;
    say("网络已恢复，正在提交草稿…");
    send();
  });

  var draft = readDraft();
  if (draft) {
    restoreDraft(draft);
    if (draft.__pending) {
      waiting = true;
      say(OFFLINE);
      if (navigator.onLine !== false) send();
    } else {
      say("已恢复本机保存的草稿（" + draft.__saved + "）", true);
    }
  }
})();
