// «Войти по QR-коду» on the desktop: asks every two seconds whether the phone approved, and then
// submits the «Продолжить» form. Without JavaScript the page refreshes itself instead.
"use strict";
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var holder = document.getElementById("qr-login");
    var form = document.getElementById("qr-finish");
    if (!holder || !form) return;
    var status = document.getElementById("qr-status");
    var timer = setInterval(function () {
      fetch("/login/qr/status", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (res) { return res.json(); })
        .then(function (data) {
          if (data.status === "approved") {
            clearInterval(timer);
            form.submit();
          } else if (data.status === "gone") {
            clearInterval(timer);
            status.textContent = holder.dataset.gone;
            status.className = "error";
          }
        })
        .catch(function () {});
    }, 2000);
  });
})();
