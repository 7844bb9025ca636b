// Progressive enhancement for every page (the pages work without it; the server stays the judge):
//  * «Показать пароль» next to every password field;
//  * a live checklist under a new password (#password-checklist);
//  * phone and SNILS fields show back the number as it will be read (data-normalise).
// Texts come from the page (data-* attributes written by the server in the page's language).
"use strict";
(function () {
  var body = document.body;

  function after(node, added) {
    node.parentNode.insertBefore(added, node.nextSibling);
  }

  // Show / hide passwords.
  var show = body.dataset.showPassword, hide = body.dataset.hidePassword;
  if (show && hide) {
    Array.prototype.forEach.call(document.querySelectorAll('input[type="password"]'), function (input) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary toggle-password";
      button.textContent = show;
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", function () {
        var shown = input.type === "text";
        input.type = shown ? "password" : "text";
        button.textContent = shown ? show : hide;
        button.setAttribute("aria-pressed", shown ? "false" : "true");
      });
      after(input.closest("label") || input, button);
    });
  }

  // The live checklist of a new password: the same rules the server applies first (length, or
  // 8–11 characters of four kinds), and the repeat matching.
  var list = document.getElementById("password-checklist");
  if (list) {
    var form = list.closest("form");
    var first = form.querySelector('input[name="password"]');
    var second = form.querySelector('input[name="password2"]');
    var update = function () {
      var p = first.value;
      var kinds = [/[a-zа-яё]/, /[A-ZА-ЯЁ]/, /[0-9]/, /[^a-zA-Zа-яА-ЯёЁ0-9]/].filter(function (re) {
        return re.test(p);
      }).length;
      var n = Array.from(p).length;
      var met = {
        strength: n >= 12 || (n >= 8 && kinds === 4),
        match: p.length > 0 && second !== null && p === second.value,
      };
      Array.prototype.forEach.call(list.querySelectorAll("li[data-rule]"), function (li) {
        li.classList.toggle("met", Boolean(met[li.dataset.rule]));
      });
    };
    list.hidden = false;
    first.addEventListener("input", update);
    if (second) second.addEventListener("input", update);
    update();
  }

  // Phone and SNILS: any spacing is accepted; the number as it will be read is shown back.
  function phone(value) {
    if (value.indexOf("@") >= 0) return null;
    var d = value.replace(/\D/g, "");
    if (d.length === 11 && (d[0] === "8" || d[0] === "7")) d = d.slice(1);
    if (d.length !== 10) return null;
    return "+7 (" + d.slice(0, 3) + ") " + d.slice(3, 6) + "-" + d.slice(6, 8) + "-" + d.slice(8);
  }
  function snils(value) {
    var d = value.replace(/\D/g, "");
    if (d.length !== 11 || /[^\d\s-]/.test(value)) return null;
    return d.slice(0, 3) + "-" + d.slice(3, 6) + "-" + d.slice(6, 9) + " " + d.slice(9);
  }
  Array.prototype.forEach.call(document.querySelectorAll("input[data-normalise]"), function (input) {
    var help = document.createElement("p");
    help.className = "field-help";
    help.setAttribute("aria-live", "polite");
    after(input.closest("label") || input, help);
    var kinds = input.dataset.normalise.split(" ");
    var update = function () {
      var shown = null;
      for (var i = 0; i < kinds.length && !shown; i++) {
        shown = kinds[i] === "phone" ? phone(input.value) : kinds[i] === "snils" ? snils(input.value) : null;
      }
      help.textContent = shown ? (input.dataset.normalisedText || "") + " " + shown : "";
    };
    input.addEventListener("input", update);
    update();
  });

  // «Повторно отправить код можно через N секунд»: the number counts down; at zero the page's
  // resend buttons work again (they are disabled meanwhile, the server refuses early ones anyway).
  var countdowns = document.querySelectorAll(".countdown[data-seconds]");
  if (countdowns.length) {
    var resend = document.querySelectorAll('form[action$="/send"] button');
    var left = parseInt(countdowns[0].dataset.seconds, 10) || 0;
    var tick = function () {
      Array.prototype.forEach.call(countdowns, function (c) {
        c.textContent = String(left);
      });
      Array.prototype.forEach.call(resend, function (b) {
        b.disabled = left > 0;
      });
      if (left > 0) {
        left -= 1;
        setTimeout(tick, 1000);
      }
    };
    tick();
  }

  // Recovery codes (shown once): download as a text file, or print.
  var codes = document.querySelector("ul.codes[data-download]");
  if (codes) {
    var texts = Array.prototype.map.call(codes.querySelectorAll(".recovery-code"), function (c) {
      return c.textContent.trim();
    });
    var bar = document.createElement("p");
    var save = document.createElement("a");
    save.className = "button secondary";
    save.textContent = codes.dataset.download;
    save.download = codes.dataset.filename || "recovery-codes.txt";
    save.href = URL.createObjectURL(new Blob([(codes.dataset.heading || "") + "\n\n" + texts.join("\n") + "\n"], { type: "text/plain" }));
    var print = document.createElement("button");
    print.type = "button";
    print.className = "secondary";
    print.textContent = codes.dataset.print;
    print.addEventListener("click", function () {
      window.print();
    });
    bar.appendChild(save);
    bar.appendChild(print);
    after(codes, bar);
  }
})();
