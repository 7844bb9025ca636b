// Passkeys: enrolment on /account/passkeys and «Войти с ключом доступа» on /login.
// The server sends WebAuthn options with binary fields as base64url; the browser API wants
// ArrayBuffers, and the answer goes back as base64url JSON. Every call carries the CSRF token
// (double submit: the vhod_csrf cookie and the `csrf` field must match).
"use strict";
(function () {
  function b64urlToBuf(s) {
    var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }

  function bufToB64url(buf) {
    var bytes = new Uint8Array(buf);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    }).then(function (res) {
      return res.json().then(function (data) {
        if (!res.ok) throw new Error(data.message || data.error || String(res.status));
        return data;
      });
    });
  }

  function showError(message) {
    var el = document.getElementById("passkey-error");
    if (!el) return;
    el.textContent = message;
    el.hidden = false;
  }

  function browserError(holder, e) {
    // A DOMException (cancelled, timed out, not allowed, already registered …) is told in the
    // page's own words (data-err-not-allowed …), never by its exception name.
    if (e && e.name && e.name !== "Error") {
      var key = "err" + e.name.replace(/Error$/, "");
      return holder.dataset[key] || holder.dataset.browserError || "";
    }
    return e && e.message ? e.message : String(e);
  }

  function creationOptions(o) {
    var pk = Object.assign({}, o.publicKey);
    pk.challenge = b64urlToBuf(pk.challenge);
    pk.user = Object.assign({}, pk.user, { id: b64urlToBuf(pk.user.id) });
    pk.excludeCredentials = (pk.excludeCredentials || []).map(function (c) {
      return Object.assign({}, c, { id: b64urlToBuf(c.id) });
    });
    return { publicKey: pk };
  }

  function requestOptions(o) {
    var pk = Object.assign({}, o.publicKey);
    pk.challenge = b64urlToBuf(pk.challenge);
    pk.allowCredentials = (pk.allowCredentials || []).map(function (c) {
      return Object.assign({}, c, { id: b64urlToBuf(c.id) });
    });
    return { publicKey: pk };
  }

  function enrol(form) {
    var csrf = form.dataset.csrf, lang = form.dataset.lang;
    var name = document.getElementById("passkey-name").value;
    return post("/account/passkeys/register/start", { csrf: csrf, lang: lang })
      .then(function (start) {
        return navigator.credentials.create(creationOptions(start.options)).then(function (cred) {
          var r = cred.response;
          return post("/account/passkeys/register/finish", {
            csrf: csrf,
            lang: lang,
            ceremony: start.ceremony,
            name: name,
            credential: {
              id: cred.id,
              rawId: bufToB64url(cred.rawId),
              type: cred.type,
              response: {
                attestationObject: bufToB64url(r.attestationObject),
                clientDataJSON: bufToB64url(r.clientDataJSON),
                transports: r.getTransports ? r.getTransports() : undefined,
              },
              extensions: {},
            },
          });
        });
      })
      .then(function (done) {
        window.location.assign(done.redirect);
      });
  }

  function signIn(holder) {
    var csrf = holder.dataset.csrf, lang = holder.dataset.lang, tx = holder.dataset.tx || "";
    var foreignBox = document.querySelector('input[name="foreign"]');
    // On the phone's QR approval page the same ceremony approves a desktop's request instead.
    var finish = holder.dataset.finish || "/login/passkey/finish";
    var picked = document.querySelector('input[name="number"]:checked');
    if (holder.dataset.code && !picked) return Promise.reject(new Error(holder.dataset.pick));
    return post("/login/passkey/start", { csrf: csrf, lang: lang })
      .then(function (start) {
        return navigator.credentials.get(requestOptions(start.options)).then(function (cred) {
          var r = cred.response;
          return post(finish, {
            csrf: csrf,
            lang: lang,
            ceremony: start.ceremony,
            tx: tx,
            code: holder.dataset.code || "",
            number: picked ? picked.value : "",
            foreign: !!(foreignBox && foreignBox.checked),
            credential: {
              id: cred.id,
              rawId: bufToB64url(cred.rawId),
              type: cred.type,
              response: {
                authenticatorData: bufToB64url(r.authenticatorData),
                clientDataJSON: bufToB64url(r.clientDataJSON),
                signature: bufToB64url(r.signature),
                userHandle: r.userHandle ? bufToB64url(r.userHandle) : null,
              },
              extensions: {},
            },
          });
        });
      })
      .then(function (done) {
        window.location.assign(done.redirect);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("passkey-enrol");
    if (form) {
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        enrol(form).catch(function (e) {
          showError(browserError(form, e));
        });
      });
    }
    var holder = document.getElementById("passkey-login");
    var button = document.getElementById("passkey-signin");
    if (holder && button) {
      if (!window.PublicKeyCredential) {
        button.hidden = true;
        return;
      }
      button.addEventListener("click", function () {
        signIn(holder).catch(function (e) {
          showError(browserError(holder, e));
        });
      });
    }
  });
})();
