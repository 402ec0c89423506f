/**
 * A Stripe.js-compatible script (GET /v3/) and its card Element frame (GET /elements/card), so the
 * hosted checkout runs @stripe/stripe-js and @stripe/react-stripe-js unchanged against the
 * simulator. Card data is typed into a frame served from the simulator's origin and tokenized there
 * (POST /v1/payment_methods with the publishable key); the page only ever receives a pm_ id.
 */

/** The script, with the simulator's origin baked in (the frame and API calls go there). */
export function stripeJsScript(origin: string): string {
  return `/* Payrail PSP simulator: Stripe.js-compatible subset. Test mode only. */
(function () {
  "use strict";
  if (window.Stripe) return;
  var ORIGIN = ${JSON.stringify(origin)};
  var seq = 0;
  function uid(p) { seq += 1; return p + "_" + Date.now().toString(36) + seq; }
  function err(type, message, extra) { var e = { type: type, message: message }; for (var k in extra || {}) e[k] = extra[k]; return { error: e }; }
  function form(obj, prefix, out) {
    out = out || [];
    Object.keys(obj).forEach(function (k) {
      var v = obj[k]; var key = prefix ? prefix + "[" + k + "]" : k;
      if (v === undefined || v === null) return;
      if (typeof v === "object") form(v, key, out); else out.push(encodeURIComponent(key) + "=" + encodeURIComponent(String(v)));
    });
    return out.join("&");
  }

  function Element(elements, type, options) {
    this._elements = elements; this._type = type; this._options = options || {};
    this._handlers = {}; this._frame = null; this._id = uid("el"); this._pending = {}; this._state = { complete: false, empty: true };
    var self = this;
    this._onMessage = function (ev) {
      if (ev.origin !== ORIGIN || !self._frame || ev.source !== self._frame.contentWindow) return;
      var m = ev.data || {};
      if (m.frame !== self._id) return;
      if (m.type === "ready") self._emit("ready", { elementType: self._type });
      else if (m.type === "height") self._frame.style.height = m.height + "px";
      else if (m.type === "change") { self._state = m.state; self._emit("change", { elementType: self._type, empty: m.state.empty, complete: m.state.complete, error: m.state.error, brand: m.state.brand, value: { type: "card" } }); }
      else if (m.type === "focus" || m.type === "blur") self._emit(m.type, { elementType: self._type });
      else if (m.type === "reply" && self._pending[m.reqId]) { var r = self._pending[m.reqId]; delete self._pending[m.reqId]; r(m.result); }
    };
  }
  Element.prototype.on = function (ev, h) { (this._handlers[ev] = this._handlers[ev] || []).push(h); return this; };
  Element.prototype.off = function (ev, h) { var l = this._handlers[ev] || []; this._handlers[ev] = h ? l.filter(function (x) { return x !== h; }) : []; return this; };
  Element.prototype.once = function (ev, h) { var self = this; function w(e) { self.off(ev, w); h(e); } return this.on(ev, w); };
  Element.prototype._emit = function (ev, payload) { (this._handlers[ev] || []).slice().forEach(function (h) { try { h(payload); } catch (e) { setTimeout(function () { throw e; }); } }); };
  Element.prototype.mount = function (target) {
    var node = typeof target === "string" ? document.querySelector(target) : target;
    if (!node) throw new Error("Stripe (simulator): mount target not found");
    var appearance = this._elements._options.appearance || {};
    var vars = appearance.variables || {};
    var q = "?frame=" + encodeURIComponent(this._id) + "&origin=" + encodeURIComponent(location.origin) +
      "&pk=" + encodeURIComponent(this._elements._stripe._pk) + "&color=" + encodeURIComponent(vars.colorPrimary || "") +
      "&locale=" + encodeURIComponent(this._elements._options.locale || "");
    var f = document.createElement("iframe");
    f.src = ORIGIN + "/elements/card" + q;
    f.title = "Secure payment input frame";
    f.setAttribute("allow", "payment");
    // The frame pads 2px for focus rings; pull it out so its fields line up with the page's.
    f.style.cssText = "border:0;width:calc(100% + 4px);margin:0 -2px;height:230px;display:block;background:transparent;color-scheme:normal";
    window.addEventListener("message", this._onMessage);
    node.appendChild(f);
    this._frame = f;
    this._elements._mounted[this._type] = this;
  };
  Element.prototype.unmount = function () { if (this._frame) { this._frame.remove(); this._frame = null; } window.removeEventListener("message", this._onMessage); };
  Element.prototype.destroy = function () { this.unmount(); delete this._elements._mounted[this._type]; };
  Element.prototype.update = function (o) { for (var k in o || {}) this._options[k] = o[k]; };
  Element.prototype.focus = function () { this._send({ type: "focus" }); };
  Element.prototype.blur = function () {};
  Element.prototype.clear = function () { this._send({ type: "clear" }); };
  Element.prototype.collapse = function () {};
  Element.prototype._send = function (m) { if (this._frame && this._frame.contentWindow) this._frame.contentWindow.postMessage(Object.assign({ frame: this._id }, m), ORIGIN); };
  Element.prototype._ask = function (m) {
    var self = this;
    return new Promise(function (resolve) { var reqId = uid("req"); self._pending[reqId] = resolve; self._send(Object.assign({ reqId: reqId }, m)); });
  };

  function Elements(stripe, options) { this._stripe = stripe; this._options = options || {}; this._mounted = {}; }
  Elements.prototype.create = function (type, options) {
    if (type !== "payment" && type !== "card") throw new Error("Stripe (simulator): only the 'payment' and 'card' Elements are supported, not '" + type + "'.");
    return new Element(this, type, options);
  };
  Elements.prototype.getElement = function (type) { return this._mounted[typeof type === "string" ? type : type && type.__elementType] || null; };
  Elements.prototype.update = function (o) { for (var k in o || {}) this._options[k] = o[k]; };
  Elements.prototype.fetchUpdates = function () { return Promise.resolve({}); };
  Elements.prototype._first = function () { return this._mounted.payment || this._mounted.card || null; };
  Elements.prototype.submit = function () {
    var el = this._first();
    if (!el) return Promise.resolve(err("validation_error", "No payment Element is mounted."));
    return el._ask({ type: "validate" }).then(function (r) { return r && r.error ? { error: r.error } : {}; });
  };

  function Stripe(pk, options) {
    if (!(this instanceof Stripe)) return new Stripe(pk, options);
    if (typeof pk !== "string" || !/^pk_test_/.test(pk)) throw new Error("Stripe (simulator): a pk_test_ publishable key is required.");
    this._pk = pk; this._options = options || {};
  }
  Stripe.version = "endive";
  Stripe.prototype._registerWrapper = function () {};
  Stripe.prototype.registerAppInfo = function () {};
  Stripe.prototype.elements = function (options) { return new Elements(this, options); };
  Stripe.prototype._api = function (method, path, params) {
    var body = params ? form(params) : null;
    return fetch(ORIGIN + path + (method === "GET" && body ? "?" + body : ""), {
      method: method,
      headers: { Authorization: "Bearer " + this._pk, "Content-Type": "application/x-www-form-urlencoded" },
      body: method === "GET" ? undefined : body,
    }).then(function (res) { return res.json().then(function (json) { return res.ok ? json : { error: json.error || { type: "api_error", message: "Request failed." } }; }); },
      function () { return { error: { type: "api_connection_error", message: "We could not reach the payment processor. Check your connection and try again." } }; });
  };
  function elementOf(x) { return x && x._frame ? x : x && x._first ? x._first() : null; }
  Stripe.prototype.createPaymentMethod = function (a) {
    var el = elementOf(a && (a.elements || a.card || a.element));
    if (!el) return Promise.resolve(err("invalid_request_error", "createPaymentMethod needs elements or a card Element."));
    var billing = (a.params && a.params.billing_details) || a.billing_details || {};
    return el._ask({ type: "tokenize", billing_details: billing }).then(function (r) { return r.error ? { error: r.error } : { paymentMethod: r.paymentMethod }; });
  };
  Stripe.prototype.createToken = function () { return Promise.resolve(err("invalid_request_error", "Tokens are not supported by the simulator; use createPaymentMethod.")); };
  Stripe.prototype.retrievePaymentIntent = function (clientSecret) {
    var id = String(clientSecret).split("_secret_")[0];
    return this._api("GET", "/v1/payment_intents/" + encodeURIComponent(id), { client_secret: clientSecret }).then(function (r) { return r.error ? r : { paymentIntent: r }; });
  };
  Stripe.prototype._confirm = function (clientSecret, pm, returnUrl, redirect) {
    var id = String(clientSecret).split("_secret_")[0];
    var self = this;
    return this._api("POST", "/v1/payment_intents/" + encodeURIComponent(id) + "/confirm", { client_secret: clientSecret, payment_method: pm, return_url: returnUrl }).then(function (r) {
      if (r.error) return r;
      if (r.status === "requires_action" && redirect !== "never") return self.handleNextAction({ clientSecret: clientSecret, _pi: r });
      return { paymentIntent: r };
    });
  };
  Stripe.prototype.confirmPayment = function (a) {
    var self = this; a = a || {};
    var cp = a.confirmParams || {};
    var tokenized = a.elements ? this.createPaymentMethod({ elements: a.elements, params: { billing_details: (cp.payment_method_data || {}).billing_details } }) : Promise.resolve({ paymentMethod: { id: cp.payment_method } });
    return tokenized.then(function (t) { return t.error ? t : self._confirm(a.clientSecret, t.paymentMethod.id, cp.return_url, a.redirect); })
      .then(function (r) {
        if (!r.error && r.paymentIntent && a.redirect !== "if_required" && cp.return_url) { location.assign(cp.return_url); return new Promise(function () {}); }
        return r;
      });
  };
  Stripe.prototype.confirmCardPayment = function (clientSecret, data, opts) {
    var self = this; data = data || {};
    var pm = data.payment_method;
    var tokenized = pm && typeof pm === "object" ? this.createPaymentMethod({ card: pm.card, billing_details: pm.billing_details }) : Promise.resolve({ paymentMethod: { id: pm } });
    return tokenized.then(function (t) { return t.error ? t : self._confirm(clientSecret, t.paymentMethod.id, data.return_url, opts && opts.handleActions === false ? "never" : "if_required"); });
  };
  Stripe.prototype.handleNextAction = function (a) {
    var p = a._pi ? Promise.resolve(a._pi) : this.retrievePaymentIntent(a.clientSecret).then(function (r) { return r.error ? r : r.paymentIntent; });
    return p.then(function (pi) {
      if (pi.error) return pi;
      var na = pi.next_action;
      if (na && na.type === "redirect_to_url") { location.assign(na.redirect_to_url.url); return new Promise(function () {}); }
      return { paymentIntent: pi };
    });
  };
  Stripe.prototype.handleCardAction = function (clientSecret) { return this.handleNextAction({ clientSecret: clientSecret }); };
  window.Stripe = Stripe;
})();
`;
}

function escapeAttr(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);
}

/** The card Element frame. The parent origin comes from the URL and every message is checked against it. */
export function cardFramePage(query: URLSearchParams): string {
  const color = /^#[0-9a-fA-F]{3,8}$/.test(query.get("color") ?? "") ? query.get("color")! : "#4f46e5";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Card details</title>
<style>
:root{--brand:${escapeAttr(color)};color-scheme:light}
*{box-sizing:border-box}
body{margin:0;padding:2px;font:16px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#0f172a;background:transparent}
.f{margin-bottom:12px}
label{display:block;font-size:14px;font-weight:500;margin:0 0 6px;color:#334155}
.w{position:relative}
input{width:100%;height:44px;padding:0 12px;font:inherit;font-size:16px;color:#0f172a;background:#fff;border:1px solid #cbd5e1;border-radius:8px;outline:none;transition:border-color .15s,box-shadow .15s}
input::placeholder{color:#94a3b8}
input:focus{border-color:var(--brand);box-shadow:0 0 0 3px color-mix(in srgb,var(--brand) 25%,transparent)}
input[aria-invalid=true]{border-color:#dc2626}
input[aria-invalid=true]:focus{box-shadow:0 0 0 3px rgba(220,38,38,.2)}
#number{padding-right:92px;font-variant-numeric:tabular-nums}
.brand{position:absolute;right:10px;top:50%;transform:translateY(-50%);font-size:12px;font-weight:600;letter-spacing:.02em;color:#475569;background:#f1f5f9;border-radius:4px;padding:2px 6px;pointer-events:none}
.brand:empty{display:none}
.row{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.err{color:#dc2626;font-size:14px;margin:6px 0 0;min-height:0}
.err:empty{display:none}
</style></head><body>
<form id="card" novalidate autocomplete="on" onsubmit="return false">
<div class="f"><label for="number">Card number</label><div class="w"><input id="number" name="cardnumber" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234" aria-describedby="number-err" maxlength="23"><span class="brand" id="brand" aria-hidden="true"></span></div><p class="err" id="number-err" role="alert"></p></div>
<div class="row">
<div class="f"><label for="exp">Expiration date</label><input id="exp" name="exp-date" inputmode="numeric" autocomplete="cc-exp" placeholder="MM / YY" aria-describedby="exp-err" maxlength="7"><p class="err" id="exp-err" role="alert"></p></div>
<div class="f"><label for="cvc">CVC</label><input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" placeholder="CVC" aria-describedby="cvc-err" maxlength="4"><p class="err" id="cvc-err" role="alert"></p></div>
</div>
<div class="f"><label for="postal">Postal code</label><input id="postal" name="postal" autocomplete="postal-code" placeholder="12345" aria-describedby="postal-err" maxlength="10"><p class="err" id="postal-err" role="alert"></p></div>
</form>
<script>
(function(){
  "use strict";
  var q = new URLSearchParams(location.search);
  var frame = q.get("frame") || "", pk = q.get("pk") || "", parentOrigin;
  try { parentOrigin = new URL(q.get("origin") || "").origin; } catch (e) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var f = { number: $("number"), exp: $("exp"), cvc: $("cvc"), postal: $("postal") };
  var touched = {};
  function post(m) { m.frame = frame; parent.postMessage(m, parentOrigin); }
  function digits(s) { return s.replace(/\\D/g, ""); }
  function brandOf(n) { if (/^4/.test(n)) return "visa"; if (/^(5[1-5]|2[2-7])/.test(n)) return "mastercard"; if (/^3[47]/.test(n)) return "amex"; if (/^(6011|65|64[4-9])/.test(n)) return "discover"; return "unknown"; }
  var BRAND_LABEL = { visa: "VISA", mastercard: "Mastercard", amex: "AMEX", discover: "Discover", unknown: "" };
  function luhn(n) { var s = 0, d = false; for (var i = n.length - 1; i >= 0; i--) { var x = +n[i]; if (d) { x *= 2; if (x > 9) x -= 9; } s += x; d = !d; } return s % 10 === 0; }
  function numberLen(b) { return b === "amex" ? 15 : 16; }
  function errors() {
    var n = digits(f.number.value), b = brandOf(n), e = {};
    if (!n) e.number = ["incomplete_number", "Your card number is incomplete."];
    else if (n.length < numberLen(b)) e.number = ["incomplete_number", "Your card number is incomplete."];
    else if (!luhn(n)) e.number = ["invalid_number", "Your card number is invalid."];
    var x = digits(f.exp.value);
    if (x.length < 4) e.exp = ["incomplete_expiry", "Your card's expiration date is incomplete."];
    else {
      var mm = +x.slice(0, 2), yy = 2000 + +x.slice(2, 4), now = new Date();
      if (mm < 1 || mm > 12) e.exp = ["invalid_expiry_month", "Your card's expiration month is invalid."];
      else if (yy < now.getFullYear() || (yy === now.getFullYear() && mm < now.getMonth() + 1)) e.exp = ["invalid_expiry_year_past", "Your card's expiration year is in the past."];
    }
    var c = digits(f.cvc.value);
    if (c.length < (b === "amex" ? 4 : 3)) e.cvc = ["incomplete_cvc", "Your card's security code is incomplete."];
    if (f.postal.value.trim().length < 3) e.postal = ["incomplete_zip", "Your postal code is incomplete."];
    return e;
  }
  function show(e, all) {
    Object.keys(f).forEach(function (k) {
      var m = (all || touched[k]) && e[k] ? e[k][1] : "";
      $(k + "-err").textContent = m;
      f[k].setAttribute("aria-invalid", m ? "true" : "false");
    });
  }
  function state() {
    var e = errors(), keys = Object.keys(e), n = digits(f.number.value);
    var shown = keys.filter(function (k) { return touched[k]; })[0];
    var empty = !n && !f.exp.value && !f.cvc.value && !f.postal.value;
    return { empty: empty, complete: keys.length === 0, brand: brandOf(n), error: shown ? { type: "validation_error", code: e[shown][0], message: e[shown][1] } : undefined };
  }
  function changed() { $("brand").textContent = BRAND_LABEL[brandOf(digits(f.number.value))] || ""; show(errors()); post({ type: "change", state: state() }); height(); }
  f.number.addEventListener("input", function () { var n = digits(f.number.value).slice(0, 19); f.number.value = n.replace(/(\\d{4})(?=\\d)/g, "$1 "); if (n.length >= numberLen(brandOf(n))) { touched.number = true; f.exp.focus(); } changed(); });
  f.exp.addEventListener("input", function (ev) { var x = digits(f.exp.value).slice(0, 4); if (x.length === 1 && +x > 1) x = "0" + x; f.exp.value = x.length > 2 || (x.length === 2 && ev.inputType !== "deleteContentBackward") ? x.slice(0, 2) + " / " + x.slice(2) : x; if (x.length === 4) { touched.exp = true; f.cvc.focus(); } changed(); });
  f.cvc.addEventListener("input", function () { f.cvc.value = digits(f.cvc.value).slice(0, 4); changed(); });
  f.postal.addEventListener("input", changed);
  Object.keys(f).forEach(function (k) {
    f[k].addEventListener("blur", function () { if (f[k].value) touched[k] = true; changed(); post({ type: "blur" }); });
    f[k].addEventListener("focus", function () { post({ type: "focus" }); });
  });
  function height() { post({ type: "height", height: Math.ceil(document.documentElement.scrollHeight) }); }
  function firstError(e) { var k = ["number", "exp", "cvc", "postal"].filter(function (x) { return e[x]; })[0]; return k ? { type: "validation_error", code: e[k][0], message: e[k][1], field: k } : null; }
  function validate() { var e = errors(); Object.keys(f).forEach(function (k) { touched[k] = true; }); show(e, true); height(); var fe = firstError(e); if (fe) f[fe.field].focus(); return fe; }
  function enc(o) { return Object.keys(o).filter(function (k) { return o[k] !== undefined && o[k] !== null && o[k] !== ""; }).map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(o[k]); }).join("&"); }
  function tokenize(billing) {
    var fe = validate();
    if (fe) return Promise.resolve({ error: fe });
    var x = digits(f.exp.value), b = billing || {};
    var body = enc({ type: "card", "card[number]": digits(f.number.value), "card[exp_month]": x.slice(0, 2), "card[exp_year]": "20" + x.slice(2, 4), "card[cvc]": digits(f.cvc.value),
      "billing_details[address][postal_code]": f.postal.value.trim(), "billing_details[email]": b.email, "billing_details[name]": b.name });
    return fetch("/v1/payment_methods", { method: "POST", headers: { Authorization: "Bearer " + pk, "Content-Type": "application/x-www-form-urlencoded" }, body: body })
      .then(function (r) { return r.json(); })
      .then(function (j) { return j.error ? { error: j.error } : { paymentMethod: { id: j.id, object: "payment_method", type: "card", card: { brand: j.card && j.card.brand, last4: j.card && j.card.last4 } } }; },
        function () { return { error: { type: "api_connection_error", message: "We could not reach the payment processor. Check your connection and try again." } }; });
  }
  window.addEventListener("message", function (ev) {
    if (ev.origin !== parentOrigin || ev.source !== parent) return;
    var m = ev.data || {};
    if (m.frame !== frame) return;
    var reply = function (result) { post({ type: "reply", reqId: m.reqId, result: result }); };
    if (m.type === "validate") { var fe = validate(); reply(fe ? { error: fe } : {}); }
    else if (m.type === "tokenize") tokenize(m.billing_details).then(reply);
    else if (m.type === "focus") f.number.focus();
    else if (m.type === "clear") { Object.keys(f).forEach(function (k) { f[k].value = ""; touched[k] = false; }); changed(); }
  });
  if (window.ResizeObserver) new ResizeObserver(height).observe(document.body);
  post({ type: "ready" }); height();
})();
</script></body></html>`;
}
